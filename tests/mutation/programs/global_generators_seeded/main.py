import random

import numpy as np

from ckpt import cached

random.seed(1234)
np.random.seed(99)


def noise(n, scale):
    return np.random.normal(0.0, scale, size=n)


@cached
def target(n):
    print("RUN")
    values = noise(n, 2.0) + random.random()
    return round(float(values.sum() * 3 - 1), 8)


if __name__ == "__main__":
    print("OUT", repr(target(4)))
    print("OUT", repr((round(random.random(), 8), round(float(np.random.rand()), 8))))
    print("OUT", repr(target(4)))
