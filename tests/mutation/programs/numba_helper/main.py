import numba
import numpy as np

from ckpt import cached


@numba.njit
def weighted(x, w):
    total = 0.0
    for i in range(x.shape[0]):
        total += x[i] * w - 1.0
    return total


@cached
def target(n):
    print("RUN")
    return float(weighted(np.arange(n, dtype=np.float64), 2.0))


if __name__ == "__main__":
    print("OUT", repr(target(5)))
    print("OUT", repr(weighted(np.arange(3, dtype=np.int64), 3)))
    print("OUT", repr(target(6)))
