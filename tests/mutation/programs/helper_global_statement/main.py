from ckpt import cached

_table = None
SIZE = 5


def table():
    global _table
    if _table is None:
        _table = [i * i for i in range(SIZE)]
    return _table


@cached
def target(i):
    print("RUN")
    return table()[i] + len(table())


if __name__ == "__main__":
    print("OUT", repr(target(3)))
