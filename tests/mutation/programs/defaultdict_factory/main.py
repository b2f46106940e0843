import collections

from ckpt import cached

COUNTS = collections.defaultdict(lambda: 5)
COUNTS["a"] = 1
ORDER = collections.OrderedDict([("x", 1), ("y", 2)])


@cached
def target(keys):
    print("RUN")
    return [COUNTS[k] for k in keys], list(ORDER.items())


if __name__ == "__main__":
    print("OUT", repr(target(("a", "b"))))
