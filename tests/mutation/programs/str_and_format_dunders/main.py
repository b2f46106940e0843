from ckpt import cached


class Temp:
    def __init__(self, deg):
        self.deg = deg

    def __str__(self):
        return f"{self.deg}C"

    def __format__(self, spec):
        return f"<{self.deg * 2}{spec}>"

    def __repr__(self):
        return "Temp()"


@cached
def target(d):
    print("RUN")
    t = Temp(d)
    return str(t), f"{t:x}", "%s" % t


if __name__ == "__main__":
    print("OUT", repr(target(3)))
