import importlib

from ckpt import cached


@cached
def target(name, x):
    print("RUN")
    return importlib.import_module(f"plugins.{name}").run(x)


if __name__ == "__main__":
    print("OUT", repr(target("scale", 5)))
    print("OUT", repr(target("shift", 5)))
