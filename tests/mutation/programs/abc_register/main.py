import abc

from ckpt import cached


class Shape(abc.ABC):
    @abc.abstractmethod
    def area(self):
        ...


class Square:
    def __init__(self, side):
        self.side = side

    def area(self):
        return self.side ** 2


Shape.register(Square)


@cached
def target(side):
    print("RUN")
    s = Square(side)
    return isinstance(s, Shape), s.area()


if __name__ == "__main__":
    print("OUT", repr(target(3)))
