import numpy as np

from ckpt import cached

RNG = np.random.default_rng(42)
LEGACY = np.random.RandomState(7)


@cached
def target(n):
    print("RUN")
    return (RNG.integers(0, 100, size=n) + LEGACY.randint(0, 3, size=n)).tolist()


if __name__ == "__main__":
    print("OUT", repr(target(3)))
    print("OUT", repr(target(3)))
    print("OUT", repr((int(RNG.integers(0, 100)), int(LEGACY.randint(0, 100)))))
