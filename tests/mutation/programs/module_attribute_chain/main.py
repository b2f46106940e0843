import config
import pkg.sub
from ckpt import cached


@cached
def target(x):
    print("RUN")
    return x * config.THRESHOLD + pkg.sub.OFFSET, config.NAMES[0]


if __name__ == "__main__":
    print("OUT", repr(target(4)))
