from ckpt import cached


class Base:
    scale = 1

    def score(self, v):
        return v + self.scale


class Model(Base):
    scale = 3

    def score(self, v):
        return super().score(v) * 2


@cached
def target(values):
    print("RUN")
    return [Model().score(v) for v in values]


if __name__ == "__main__":
    print("OUT", repr(target([1, 2, 4])))
