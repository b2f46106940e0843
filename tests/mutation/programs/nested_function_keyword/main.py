from ckpt import cached


@cached
def target(x):
    print("RUN")

    def inner(a, b=2):
        return a * 10 + b

    scale = lambda v, k=3: v * k
    return inner(b=x, a=1) + inner(x) + scale(x)


if __name__ == "__main__":
    print("OUT", repr(target(4)))
