from ckpt import cached


class Pipeline:
    steps = 2

    def __init__(self, factor):
        self.factor = factor

    def _step(self, v):
        return v * self.factor + 1

    def run(self, v):
        for _ in range(self.steps):
            v = self._step(v)
        return v


PIPE = Pipeline(3)


@cached
def target(v):
    print("RUN")
    return PIPE.run(v)


if __name__ == "__main__":
    print("OUT", repr(target(1)))
