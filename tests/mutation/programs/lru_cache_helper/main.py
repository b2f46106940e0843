import functools

from ckpt import cached


@functools.lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


@functools.cache
def square(n):
    return n * n


@cached
def target(n):
    print("RUN")
    return fib(n) + square(n)


if __name__ == "__main__":
    print("OUT", repr(target(10)))
