from ckpt import cached


class Multiplier:
    def __init__(self, k):
        self.k = k

    def __call__(self, v):
        return v * self.k - 1


triple = Multiplier(3)


@cached
def target(xs):
    print("RUN")
    return list(map(triple, xs))


if __name__ == "__main__":
    print("OUT", repr(target((1, 2, 3))))
