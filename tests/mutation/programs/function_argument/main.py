from ckpt import cached


def square(v, bias=0):
    return v * v + bias


def apply_twice(f, v):
    return f(f(v))


@cached
def target(f, v):
    print("RUN")
    return apply_twice(f, v)


if __name__ == "__main__":
    print("OUT", repr(target(square, 2)))
    print("OUT", repr(target(lambda v, k=3: v + k, 2)))
