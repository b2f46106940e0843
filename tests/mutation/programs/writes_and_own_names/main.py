from ckpt import cached
from model import Model, double


@cached
def target(weight, name):
    print("RUN")
    model = Model(weight=weight, bias=1, unused=0)
    setattr(model, name, weight + 1)
    here = locals()
    total = here["weight"] + len(dir())
    return model.summary(), total, double(model.bias)


if __name__ == "__main__":
    print("OUT", repr(target(4, "bias")))
