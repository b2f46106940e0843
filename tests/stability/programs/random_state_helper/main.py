"""The scikit-learn check_random_state idiom, copied into a project: a seed is passed, so the
global generator the helper could return is never drawn from."""
import numbers

import numpy as np

from ckpt import cached


def check_random_state(seed):
    if seed is None or seed is np.random:
        return np.random.mtrand._rand
    if isinstance(seed, numbers.Integral):
        return np.random.RandomState(seed)
    if isinstance(seed, np.random.RandomState):
        return seed
    raise ValueError(f"{seed!r} cannot be used to seed a RandomState")


@cached
def bootstrap_mean(values, n_boot=50, seed=0):
    print("RUN")
    rng = check_random_state(seed)
    means = [rng.choice(values, size=len(values)).mean() for _ in range(n_boot)]
    return round(float(np.mean(means)), 10)


if __name__ == "__main__":
    data = np.arange(20.0)
    print("OUT", bootstrap_mean(data))
    print("OUT", bootstrap_mean(data, seed=3))
