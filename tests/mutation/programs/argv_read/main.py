import sys

from ckpt import cached


@cached
def target(base):
    print("RUN")
    return base * int(sys.argv[1]), sys.argv[2:]


if __name__ == "__main__":
    print("OUT", repr(target(10)))
