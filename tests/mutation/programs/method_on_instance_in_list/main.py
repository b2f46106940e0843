from ckpt import cached


class Step:
    def __init__(self, k):
        self.k = k

    def run(self, v):
        return v + self.k


class Double(Step):
    def run(self, v):
        return super().run(v) * 2


PIPELINE = [Step(1), Double(2), Step(-3)]


@cached
def target(v):
    print("RUN")
    for step in PIPELINE:
        v = step.run(v)
    return v


if __name__ == "__main__":
    print("OUT", repr(target(5)))
