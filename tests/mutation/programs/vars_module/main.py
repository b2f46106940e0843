import config
from ckpt import cached


@cached
def target(v):
    print("RUN")
    table = vars(config)
    return v * table["RATE"] + config.__dict__["BASE"]


if __name__ == "__main__":
    print("OUT", repr(target(3)))
