from ckpt import cached


class Settings:
    RATE = 0.1
    LIMITS = (0, 10)

    class Nested:
        DEPTH = 3


@cached
def target(x):
    print("RUN")
    low, high = Settings.LIMITS
    return min(max(x * Settings.RATE * Settings.Nested.DEPTH, low), high)


if __name__ == "__main__":
    print("OUT", repr(target(20)))
