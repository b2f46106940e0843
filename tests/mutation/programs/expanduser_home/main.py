import os.path
from os.path import expanduser

from ckpt import cached


@cached
def target(name):
    print("RUN")
    return expanduser("~/" + name), os.path.expanduser("~")


if __name__ == "__main__":
    print("OUT", repr(target("data")))
