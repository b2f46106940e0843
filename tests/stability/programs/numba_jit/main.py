"""numba-compiled helpers: a dispatcher's compiled state changes as it compiles for new types."""
import numba
import numpy as np

from ckpt import cached


@numba.njit
def get_z(x, scale):
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = x[i] * scale + 1.0
    return out


@numba.jit(nopython=True, cache=False)
def total(x):
    s = 0.0
    for v in x:
        s += v
    return s


@cached
def features(n, scale):
    print("RUN")
    return float(total(get_z(np.arange(n, dtype=np.float64), scale)))


if __name__ == "__main__":
    print("OUT", features(10, 2.0))
    print("OUT", get_z(np.arange(3, dtype=np.int64), 2)[0])  # compiles another signature
    print("OUT", features(12, 2.0))
