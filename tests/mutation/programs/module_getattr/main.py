import lazy
from ckpt import cached


@cached
def target(v):
    print("RUN")
    return v * lazy.factor, lazy.name


if __name__ == "__main__":
    print("OUT", repr(target(3)))
