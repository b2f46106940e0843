from contextlib import contextmanager

from ckpt import cached

LOG = []


@contextmanager
def scope(name, depth=1):
    LOG.append(name)
    yield depth * 10
    LOG.append("/" + name)


@cached
def target(v):
    print("RUN")
    with scope("a") as d:
        return v + d


if __name__ == "__main__":
    print("OUT", repr(target(3)))
