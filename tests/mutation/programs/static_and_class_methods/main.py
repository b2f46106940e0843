from ckpt import cached


class Point:
    ORIGIN = 0

    def __init__(self, x, y):
        self.x = x
        self.y = y

    @classmethod
    def diagonal(cls, v):
        return cls(v, v + cls.ORIGIN)

    @staticmethod
    def norm1(x, y):
        return abs(x) + abs(y)

    def size(self):
        return self.norm1(self.x, self.y)


@cached
def target(v):
    print("RUN")
    return Point.diagonal(v).size()


if __name__ == "__main__":
    print("OUT", repr(target(3)))
