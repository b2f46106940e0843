from ckpt import cached


class Registry(type):
    classes = {}

    def __new__(mcs, name, bases, ns, key=None):
        cls = super().__new__(mcs, name, bases, ns)
        if key is not None:
            mcs.classes[key] = cls
        return cls

    def make(cls, key, *args):
        return cls.classes[key](*args)


class Shape(metaclass=Registry):
    def area(self):
        return 0


class Sq(Shape, key="sq"):
    def __init__(self, s=2):
        self.s = s

    def area(self):
        return self.s * self.s


@cached
def target(key):
    print("RUN")
    return Shape.make(key, 3).area()


if __name__ == "__main__":
    print("OUT", repr(target("sq")))
