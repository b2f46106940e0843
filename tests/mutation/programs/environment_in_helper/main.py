from ckpt import cached

from helpers import label, scale


@cached
def target(x):
    print("RUN")
    return scale(x), label()


if __name__ == "__main__":
    print("OUT", repr(target(3)))
