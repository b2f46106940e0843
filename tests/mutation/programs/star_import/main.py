from ckpt import cached
from consts import *


@cached
def target(v):
    print("RUN")
    return v * RATE + helper(v)


if __name__ == "__main__":
    print("OUT", repr(target(3)))
