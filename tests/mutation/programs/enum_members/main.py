import enum

from ckpt import cached


class Color(enum.Enum):
    RED = 1
    GREEN = 2

    def weight(self):
        return self.value * 10


class Flag(enum.IntFlag):
    A = 1
    B = 4


@cached
def target(name):
    print("RUN")
    return Color[name].weight(), int(Flag.A | Flag.B)


if __name__ == "__main__":
    print("OUT", repr(target("GREEN")))
