import enum

from ckpt import cached


class Level(enum.IntEnum):
    LOW = enum.auto()
    MID = enum.auto()
    HIGH = 10

    @property
    def doubled(self):
        return self.value * 2


@cached
def target(name):
    print("RUN")
    lv = Level[name]
    return lv.doubled, [m.value for m in Level], Level(2).name


if __name__ == "__main__":
    print("OUT", repr(target("MID")))
