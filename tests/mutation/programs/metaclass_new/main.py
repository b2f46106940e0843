from ckpt import cached


class AutoScale(type):
    def __new__(mcs, name, bases, namespace):
        namespace["scale"] = 2
        return super().__new__(mcs, name, bases, namespace)


class Model(metaclass=AutoScale):
    def predict(self, v):
        return v * self.scale


@cached
def target(v):
    print("RUN")
    return Model().predict(v)


if __name__ == "__main__":
    print("OUT", repr(target(4)))
