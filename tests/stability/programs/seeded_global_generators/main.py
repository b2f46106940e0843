"""A program that seeds the global generators at the top: the checkpointed functions draw from
them, and the code after each call draws exactly what an uncached run draws."""
import random

import numpy as np

from ckpt import cached

random.seed(1234)
np.random.seed(99)


@cached
def noisy(n):
    print("RUN")
    return [round(random.random(), 12) for _ in range(n)], round(float(np.random.rand(n).sum()), 12)


@cached
def shuffled(items):
    print("RUN")
    items = list(items)
    random.shuffle(items)
    return items, np.random.permutation(len(items)).tolist()


if __name__ == "__main__":
    print("OUT", noisy(3))
    print("OUT", round(random.random(), 12), round(float(np.random.rand()), 12))  # after a hit too
    print("OUT", shuffled("abcdef"))
    print("OUT", noisy(3))  # same arguments, another state: a second entry
    print("OUT", random.gauss(0, 1), float(np.random.normal()))
