from ckpt import cached

OFFSET = 2


@cached
def inner(x):
    print("RUN")
    return x * 3 + OFFSET


@cached
def outer(x):
    print("RUN")
    return inner(x) + 1


if __name__ == "__main__":
    print("OUT", repr(outer(4)))
