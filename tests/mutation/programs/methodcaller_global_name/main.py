from operator import attrgetter, methodcaller

from ckpt import cached

METHOD = "scale"
FIELD = "size"


class Box:
    size = 2

    def scale(self, k):
        return self.size * k + 1


@cached
def target(k):
    print("RUN")
    box = Box()
    return methodcaller(METHOD, k)(box), attrgetter(FIELD)(box)


if __name__ == "__main__":
    print("OUT", repr(target(3)))
