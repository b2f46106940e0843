from ckpt import cached


def make(factor, offset=1):
    base = factor * 2

    @cached
    def target(x):
        print("RUN")
        return x * base + offset
    return target


if __name__ == "__main__":
    print("OUT", repr(make(3)(4)))
