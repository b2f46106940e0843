from ckpt import cached


class Bag:
    def __init__(self, items):
        self.items = list(items)

    def __iter__(self):
        return iter(self.items[::-1])

    def __len__(self):
        return len(self.items) + 1

    def __contains__(self, v):
        return v in self.items or v == 0

    def __getitem__(self, i):
        return self.items[i] * 2


@cached
def target(items):
    print("RUN")
    b = Bag(items)
    return list(b), len(b), 0 in b, b[1]


if __name__ == "__main__":
    print("OUT", repr(target((1, 2, 3))))
