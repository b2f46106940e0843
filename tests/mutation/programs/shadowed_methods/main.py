from ckpt import cached


class Base:
    scale = 1

    def score(self, v):
        return v + self.scale

    def label(self):
        return "base"

    def total(self, values):
        return sum(self.score(v) for v in values)


class Model(Base):
    scale = 3

    def score(self, v):
        return v * self.scale


class Tuned(Model):
    def label(self):
        return "tuned"


@cached
def target(values):
    print("RUN")
    return Model().total(values), Tuned().label(), Model().label()


if __name__ == "__main__":
    print("OUT", repr(target([1, 2, 4])))
