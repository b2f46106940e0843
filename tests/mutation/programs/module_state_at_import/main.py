import config
from ckpt import cached


@cached
def target(i):
    print("RUN")
    return config.TABLE[i], config.lookup(i)


if __name__ == "__main__":
    print("OUT", repr(target(2)))
