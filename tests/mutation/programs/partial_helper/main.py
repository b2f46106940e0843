from functools import partial

from ckpt import cached


def power(base, exp, mod=1000):
    return base ** exp % mod


square = partial(power, exp=2)
cube_small = partial(power, exp=3, mod=7)


@cached
def target(v):
    print("RUN")
    return square(v), cube_small(v)


if __name__ == "__main__":
    print("OUT", repr(target(5)))
