from ckpt import cached


class Scaler:
    def __init__(self, k):
        self.k = k

    def apply(self, v):
        return v * self.k + 1


double = Scaler(2).apply
lookup = {"a": 1, "b": 2}.get


@cached
def target(xs):
    print("RUN")
    return [double(v) for v in xs], lookup("b", 0)


if __name__ == "__main__":
    print("OUT", repr(target((1, 2))))
