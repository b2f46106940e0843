"""Generators created inside the function from a seed are never a dependency."""
import random

import numpy as np

from ckpt import cached


@cached
def draws(n, seed=0):
    print("RUN")
    rng = np.random.default_rng(seed)
    legacy = np.random.RandomState(seed)
    py = random.Random(seed)
    return rng.random(n).round(10).tolist(), legacy.rand(n).round(10).tolist(), py.random()


if __name__ == "__main__":
    print("OUT", draws(3))
    print("OUT", draws(2, seed=5))
