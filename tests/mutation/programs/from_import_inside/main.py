from ckpt import cached


@cached
def target(x):
    print("RUN")
    from config import FACTOR, NAMES as names
    return x * FACTOR, names[x % 2]


if __name__ == "__main__":
    print("OUT", repr(target(3)))
