from ckpt import cached


class Key:
    def __init__(self, v):
        self.v = v

    def __hash__(self):
        return hash(self.v % 3)

    def __eq__(self, other):
        return self.v % 3 == other.v % 3


@cached
def target(values):
    print("RUN")
    return len({Key(v) for v in values})


if __name__ == "__main__":
    print("OUT", repr(target((1, 2, 3, 4, 5, 6, 7))))
