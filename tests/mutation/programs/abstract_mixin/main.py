import abc

from ckpt import cached


class Scorer(abc.ABC):
    @abc.abstractmethod
    def raw(self, v):
        ...

    def score(self, v):
        return self.raw(v) + self.bias()

    def bias(self):
        return 1


class LoudMixin:
    def bias(self):
        return 100


class Linear(LoudMixin, Scorer):
    def raw(self, v):
        return v * 2


@cached
def target(v):
    print("RUN")
    return Linear().score(v)


if __name__ == "__main__":
    print("OUT", repr(target(3)))
