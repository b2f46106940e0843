from ckpt import cached


def combine(a, b, c=5):
    return a * 100 + b * 10 + c


@cached
def target(x):
    print("RUN")
    return combine(b=x, a=2) + combine(1, c=x, b=3)


if __name__ == "__main__":
    print("OUT", repr(target(7)))
