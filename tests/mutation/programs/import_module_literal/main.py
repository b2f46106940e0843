import importlib

from ckpt import cached


@cached
def target(x):
    print("RUN")
    cfg = importlib.import_module("config")
    return x * cfg.FACTOR + __import__("config").OFFSET


if __name__ == "__main__":
    print("OUT", repr(target(3)))
