from ckpt import cached


def scale(x, factor=3, *, offset=1):
    return x * factor + offset


@cached
def target(n):
    print("RUN")
    return [scale(i) for i in range(n)]


if __name__ == "__main__":
    print("OUT", repr(target(4)))
