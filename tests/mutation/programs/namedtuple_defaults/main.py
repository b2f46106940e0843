import collections
import typing

from ckpt import cached

Pair = collections.namedtuple("Pair", "left right", defaults=(5,))


class Row(typing.NamedTuple):
    key: str
    value: int = 3

    def doubled(self):
        return self.value * 2


@cached
def target(x):
    print("RUN")
    return Pair(x).right + x, Row("k").doubled(), Pair._fields


if __name__ == "__main__":
    print("OUT", repr(target(1)))
