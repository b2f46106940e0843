from ckpt import cached

from models import build


@cached
def target(v):
    print("RUN")
    return build().predict(v)


if __name__ == "__main__":
    print("OUT", repr(target(3)))
