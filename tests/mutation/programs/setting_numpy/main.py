import numpy as np

from ckpt import cached

np.set_printoptions(precision=3, suppress=True)
np.seterr(divide="ignore")


@cached
def target(values):
    print("RUN")
    a = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return str(a / 7), str(np.divide(a, 0.0))


if __name__ == "__main__":
    print("OUT", repr(target([1, 2, 3])))
