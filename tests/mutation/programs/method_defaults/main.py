from ckpt import cached


class Rounder:
    def __init__(self, digits=2):
        self.digits = digits

    def apply(self, value, extra=0.5):
        return round(value + extra, self.digits)


@cached
def target(x):
    print("RUN")
    return Rounder().apply(x), Rounder(1).apply(x, extra=0.25)


if __name__ == "__main__":
    print("OUT", repr(target(1.23456)))
