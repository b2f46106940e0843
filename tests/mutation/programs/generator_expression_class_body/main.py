from ckpt import cached

scale = 3


def build():
    class Table:
        scale = 10
        rows = [scale * i for i in range(3)]
        total = sum(r for r in rows)
    return Table


@cached
def target():
    print("RUN")
    t = build()
    return t.rows, t.total, t.scale


if __name__ == "__main__":
    print("OUT", repr(target()))
