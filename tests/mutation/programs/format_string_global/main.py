from ckpt import cached

TEMPLATE = "{0.name}:{0.size}"
FIELD = "size"


class Item:
    name = "box"

    def __init__(self, size):
        self.size = size

    @property
    def area(self):
        return self.size * 2


@cached
def target(size):
    print("RUN")
    item = Item(size)
    return TEMPLATE.format(item), item.area


if __name__ == "__main__":
    print("OUT", repr(target(3)))
