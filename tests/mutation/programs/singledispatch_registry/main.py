from functools import singledispatch

from ckpt import cached


@singledispatch
def describe(value):
    return "other"


@describe.register(int)
def _(value):
    return value * 2


@describe.register
def _(value: str):
    return value + "!"


@cached
def target(items):
    print("RUN")
    return [describe(v) for v in items]


if __name__ == "__main__":
    print("OUT", repr(target((1, "a", 2.5))))
