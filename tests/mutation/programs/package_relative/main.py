from ckpt import cached

from pkg import run


@cached
def target(v):
    print("RUN")
    return run(v)


if __name__ == "__main__":
    print("OUT", repr(target(3)))
