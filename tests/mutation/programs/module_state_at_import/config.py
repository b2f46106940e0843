def build(n, step=2):
    return [i * step for i in range(n)]


TABLE = build(5)
_OFFSETS = {i: i + 10 for i in range(5)}


def lookup(i):
    return _OFFSETS[i]
