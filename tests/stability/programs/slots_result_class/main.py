"""Instances of a class with __slots__ are results: pickling one writes __slotnames__ onto the
class, so the class must not be identified by whether this process saved one yet."""
from ckpt import cached


class Point:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __repr__(self):
        return f"Point({self.x}, {self.y})"

    def norm(self):
        return (self.x ** 2 + self.y ** 2) ** 0.5


@cached
def make_point(i):
    print("RUN")
    return Point(i, i + 1)


@cached
def length(p):
    print("RUN")
    return round(p.norm(), 10)


if __name__ == "__main__":
    first = make_point(1)
    print("OUT", first)
    print("OUT", length(first))
    print("OUT", make_point(2))
    print("OUT", length(Point(3, 4)))
