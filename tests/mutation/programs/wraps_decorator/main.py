import functools

from ckpt import cached


def scaled(factor, offset=0):
    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            return func(*args, **kwargs) * factor + offset
        return wrapper
    return decorate


@scaled(3, offset=1)
def base(v):
    return v + 1


@cached
def target(v):
    print("RUN")
    return base(v)


if __name__ == "__main__":
    print("OUT", repr(target(2)))
