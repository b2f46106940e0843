from ckpt import cached

LIMIT = 5


def classify(item):
    match item:
        case {"kind": "circle", "r": r}:
            return 3 * r * r
        case [x, y, *rest] if x > LIMIT:
            return x + y + len(rest)
        case (a, b):
            return a * b
        case _:
            return -1


@cached
def target(items):
    print("RUN")
    return [classify(i) for i in items]


if __name__ == "__main__":
    print("OUT", repr(target(({"kind": "circle", "r": 2}, [6, 1, 0, 0], (3, 4), "z"))))
