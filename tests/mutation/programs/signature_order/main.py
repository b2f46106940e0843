from ckpt import cached


def diff(a, b):
    return a - b


def ratio(num, den=4):
    return num / den


@cached
def target(x):
    print("RUN")
    return diff(x, 2), ratio(x)


if __name__ == "__main__":
    print("OUT", repr(target(10)))
