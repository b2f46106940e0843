from ckpt import cached

RATE = 3
NAMES = {"a": 1, "b": 2}
LIMITS = [0, 10]


def make(offset):
    @cached
    def target(x, extra=1):
        print("RUN")
        return min(x * RATE + offset + extra, LIMITS[1]) + NAMES["b"]
    return target


if __name__ == "__main__":
    print("OUT", repr(make(2)(1)))
