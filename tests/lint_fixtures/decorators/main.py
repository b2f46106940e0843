import functools
import time

import diskcache
import joblib
from cachier import cachier
from checkpointing import checkpoint

import helpers

memory = joblib.Memory("cache")
store = diskcache.Cache("cache")


@memory.cache
def joblib_cached(x):
    return x, time.time()  # expect: CKP103


@memory.cache
def joblib_reads(path):
    return helpers.read(path)  # expect: CKP001


@joblib.Memory("other").cache
def joblib_in_place(x):
    return x, time.time()  # expect: CKP103


@cachier()
def cachier_cached(x):
    return x, time.time()  # expect: CKP103


@store.memoize()
def diskcache_cached(x):
    return x, time.time()  # expect: CKP103


def slow(x):
    return x, time.time()  # expect: CKP103


fast = functools.cache(slow)
read = checkpoint(deep=True)(helpers.read)


class Model:
    def __init__(self):
        self.stamp = checkpoint()(self.predict)

    def predict(self, x):
        return x, time.time()  # expect: CKP103


@functools.lru_cache(maxsize=None)
def not_listed(x):
    return x, time.time()


def not_cached(x):
    return helpers.stamp(x)
