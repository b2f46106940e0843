from ckpt import cached


class Model:
    rate = 1

    def apply(self, v):
        return v * self.rate + self.bias


Model.rate = 3
Model.bias = 2
setattr(Model, "bias", 4)


@cached
def target(v):
    print("RUN")
    return Model().apply(v)


if __name__ == "__main__":
    print("OUT", repr(target(2)))
