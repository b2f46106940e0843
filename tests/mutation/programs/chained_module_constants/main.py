import math
import sys

from ckpt import cached

import config


@cached
def target(x):
    print("RUN")
    return round(x * math.pi, 3), config.settings["scale"] * x, config.limits.high, sys.maxsize > 0


if __name__ == "__main__":
    print("OUT", repr(target(2)))
