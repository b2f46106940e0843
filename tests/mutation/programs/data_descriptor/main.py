from ckpt import cached


class Clamped:
    def __init__(self, low, high):
        self.low = low
        self.high = high

    def __set_name__(self, owner, name):
        self.attr = "_" + name

    def __get__(self, obj, objtype=None):
        return getattr(obj, self.attr)

    def __set__(self, obj, value):
        setattr(obj, self.attr, max(self.low, min(self.high, value)))


class Gauge:
    level = Clamped(0, 100)

    def __init__(self, level):
        self.level = level


@cached
def target(values):
    print("RUN")
    return [Gauge(v).level for v in values]


if __name__ == "__main__":
    print("OUT", repr(target((-5, 50, 500))))
