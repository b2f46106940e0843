from ckpt import cached


def with_bonus(amount):
    def decorate(cls):
        cls.bonus = amount

        def total(self):
            return self.base + cls.bonus
        cls.total = total
        return cls
    return decorate


@with_bonus(5)
class Account:
    def __init__(self, base):
        self.base = base


@cached
def target(v):
    print("RUN")
    return Account(v).total()


if __name__ == "__main__":
    print("OUT", repr(target(10)))
