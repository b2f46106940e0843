import config
from ckpt import cached


class Model:
    def predict(self, v):
        return v + 1

    def score(self, v):
        return v * 2


@cached
def target(v):
    print("RUN")
    model = Model()
    fn = getattr(model, "predict")
    return fn(v), getattr(config, "X", 0), getattr(config, "MISSING", 5), getattr(model, "score")(v)


if __name__ == "__main__":
    print("OUT", repr(target(3)))
