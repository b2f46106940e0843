"""Seeded generators created at module level, and one passed along as an argument: calls
advance them, and a hit leaves them where the computation would have."""
import random

import numpy as np

from ckpt import cached

RNG = np.random.default_rng(2024)
PY_RNG = random.Random(5)


@cached
def sample(n):
    print("RUN")
    return RNG.normal(size=n).round(10).tolist(), PY_RNG.randint(0, 1000)


@cached
def split(rng, n):
    print("RUN")
    return rng.permutation(n).tolist()


if __name__ == "__main__":
    print("OUT", sample(3))
    print("OUT", sample(3))  # the generator moved on: another entry
    rng = np.random.default_rng(11)
    print("OUT", split(rng, 5))
    print("OUT", split(rng, 5))
    print("OUT", rng.integers(0, 100, size=3).tolist(), RNG.integers(0, 100), PY_RNG.random())
