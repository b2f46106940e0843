"""Caches a pure result does not depend on: lru_cache contents, cached_property values, a memo
dict a helper fills for speed."""
import functools

from ckpt import cached

_fib_memo = {}


def fib(n):
    if n in _fib_memo:
        return _fib_memo[n]
    value = n if n < 2 else fib(n - 1) + fib(n - 2)
    _fib_memo[n] = value
    return value


@functools.lru_cache(maxsize=None)
def binomial(n, k):
    if k in (0, n):
        return 1
    return binomial(n - 1, k - 1) + binomial(n - 1, k)


class Series:
    def __init__(self, values):
        self.values = list(values)

    @functools.cached_property
    def total(self):
        return sum(self.values)


@cached
def summary(series, n):
    print("RUN")
    return series.total / len(series.values), fib(n), binomial(n, 3)


@cached
def scaled(series, factor):
    print("RUN")
    return [v * factor / series.total for v in series.values]


if __name__ == "__main__":
    s = Series(range(1, 6))
    print("OUT", summary(s, 20))
    print("OUT", scaled(s, 2))  # series.total was filled by summary's computation, not by its hit
    print("OUT", summary(s, 25))
