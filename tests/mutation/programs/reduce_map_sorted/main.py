import functools

from ckpt import cached


def combine(a, b):
    return a * 2 + b


def key(v):
    return -v if v % 2 else v


@cached
def target(xs):
    print("RUN")
    return functools.reduce(combine, xs, 0), sorted(xs, key=key), list(map(key, xs))


if __name__ == "__main__":
    print("OUT", repr(target((3, 1, 2))))
