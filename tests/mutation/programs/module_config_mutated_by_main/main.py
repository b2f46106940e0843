import settings
from ckpt import cached

settings.FACTOR = settings.FACTOR * 2
settings.MODE = "fast"


@cached
def target(x):
    print("RUN")
    return x * settings.FACTOR, settings.MODE


if __name__ == "__main__":
    print("OUT", repr(target(3)))
