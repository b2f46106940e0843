from ckpt import cached


def gather(a, /, *rest, k=2, **extra):
    return a * k + sum(rest) + sum(extra.values())


@cached
def target(x):
    print("RUN")
    return gather(x, 1, 2) + gather(x, z=3)


if __name__ == "__main__":
    print("OUT", repr(target(5)))
