from ckpt import cached


class Shape:
    sides = 0

    @property
    def description(self):
        return f"{self.name()}:{self.sides}"

    def name(self):
        return "shape"


class Square(Shape):
    sides = 4

    def name(self):
        return "square-" + super().name()


@cached
def target():
    print("RUN")
    return Square().description


if __name__ == "__main__":
    print("OUT", repr(target()))
