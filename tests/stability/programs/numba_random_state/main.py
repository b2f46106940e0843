"""numba draws from generators of its own; a function seeds them from Python with the
RandomState-to-numba copy (Alexandre Gramfort's trick, numba issue 3249) before a simulation."""
import numba
import numpy as np
from numba import _helperlib

from ckpt import cached


def check_random_state(seed):
    """A RandomState for ``seed``, whose state numba's own generator takes too."""
    rng = np.random.RandomState(seed)
    ints, index = rng.get_state()[1:3]
    _helperlib.rnd_set_state(_helperlib.rnd_get_np_state_ptr(), (index, [int(x) for x in ints]))
    return rng


@numba.njit
def random_walk(n):
    position = 0.0
    path = np.empty(n)
    for i in range(n):
        position += np.random.normal()
        path[i] = position
    return path


@cached
def simulate(n, seed=0):
    print("RUN")
    rng = check_random_state(seed)
    return round(float(random_walk(n).sum() + rng.rand()), 8)


if __name__ == "__main__":
    print("OUT", simulate(50))
    print("OUT", simulate(50, seed=2))
