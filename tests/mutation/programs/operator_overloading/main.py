from ckpt import cached


class Money:
    def __init__(self, cents):
        self.cents = cents

    def __add__(self, other):
        return Money(self.cents + other.cents)

    def __mul__(self, k):
        return Money(self.cents * k)

    def __lt__(self, other):
        return self.cents < other.cents

    def __eq__(self, other):
        return self.cents == other.cents


@cached
def target(values):
    print("RUN")
    items = [Money(v) for v in values]
    total = items[0] + items[1] * 2
    return total.cents, [m.cents for m in sorted(items)], items[0] == Money(values[0])


if __name__ == "__main__":
    print("OUT", repr(target((30, 10, 20))))
