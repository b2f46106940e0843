from ckpt import cached

LIMIT = 10


def f(v):
    return v * 3


@cached
def target(xs):
    print("RUN")
    total = [last := f(v) for v in xs if v < LIMIT]
    return total, last


if __name__ == "__main__":
    print("OUT", repr(target((1, 2, 30))))
