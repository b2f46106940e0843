"""The checkpointed function seeds the global generators itself, directly and through a
set_seed helper, in a program that never seeds them: its result does not depend on their
state before the call."""
import random

import numpy as np

from ckpt import cached


def set_seed(seed):
    random.seed(seed)
    np.random.seed(seed)


@cached
def experiment(n, seed):
    print("RUN")
    set_seed(seed)
    return round(float(np.random.normal(size=n).mean()), 12), random.randint(0, 10**6)


@cached
def trial(seed):
    print("RUN")
    np.random.seed(seed)
    return np.random.randint(0, 100, size=4).tolist()


if __name__ == "__main__":
    print("OUT", experiment(100, 0))
    print("OUT", trial(5))
    print("OUT", experiment(100, 1))
    print("OUT", np.random.randint(0, 100, size=3).tolist())  # seeded by trial's last reseed... and experiment's
