from ckpt import cached


class Item:
    kind = "tool"

    def __init__(self, size):
        self.size = size

    @property
    def label(self):
        return self.kind.upper()


@cached
def target(size):
    print("RUN")
    item = Item(size)
    return "{0.label}/{0.size}".format(item), f"{item.kind}"


if __name__ == "__main__":
    print("OUT", repr(target(3)))
