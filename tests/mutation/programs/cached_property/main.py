from functools import cached_property

from ckpt import cached


class Series:
    def __init__(self, values):
        self.values = values

    @cached_property
    def total(self):
        return sum(self.values) + 1

    @property
    def mean(self):
        return self.total / len(self.values)


@cached
def target(values):
    print("RUN")
    return Series(values).mean


if __name__ == "__main__":
    print("OUT", repr(target((1, 2, 3))))
