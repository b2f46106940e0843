from ckpt import cached

scale = lambda v, k=2: v * k
shift = lambda v, *, by=10: v + by


@cached
def target(xs):
    print("RUN")
    return [shift(scale(v)) for v in xs]


if __name__ == "__main__":
    print("OUT", repr(target((1, 2, 3))))
