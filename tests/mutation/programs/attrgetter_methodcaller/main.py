from operator import attrgetter, methodcaller

from ckpt import cached


class Inner:
    depth = 4


class Box:
    inner = Inner()
    size = 2

    def scale(self, k):
        return self.size * k + 1


get_depth = attrgetter("inner.depth")
scale_by_3 = methodcaller("scale", 3)


@cached
def target():
    print("RUN")
    box = Box()
    return get_depth(box), scale_by_3(box)


if __name__ == "__main__":
    print("OUT", repr(target()))
