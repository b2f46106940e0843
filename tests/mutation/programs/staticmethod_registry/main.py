from ckpt import cached


class Ops:
    table = {}

    @staticmethod
    def add(a, b):
        return a + b

    @classmethod
    def names(cls):
        return sorted(cls.table)


Ops.table["add"] = Ops.add
Ops.table["mul"] = lambda a, b: a * b


@cached
def target(a, b):
    print("RUN")
    return [Ops.table[n](a, b) for n in Ops.names()]


if __name__ == "__main__":
    print("OUT", repr(target(3, 4)))
