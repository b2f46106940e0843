import random

import numpy as np

from ckpt import cached


@cached
def target(rng, py_rng, n):
    print("RUN")
    return rng.permutation(n).tolist(), py_rng.randint(0, 9)


if __name__ == "__main__":
    rng = np.random.default_rng(5)
    py_rng = random.Random(8)
    print("OUT", repr(target(rng, py_rng, 4)))
    print("OUT", repr(target(rng, py_rng, 4)))
    print("OUT", repr((rng.integers(0, 10, size=2).tolist(), py_rng.random())))
