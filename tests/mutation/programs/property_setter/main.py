from ckpt import cached


class Temperature:
    def __init__(self):
        self._c = 0

    @property
    def celsius(self):
        return self._c

    @celsius.setter
    def celsius(self, value):
        self._c = max(value, -273)

    @property
    def fahrenheit(self):
        return self._c * 9 / 5 + 32


@cached
def target(c):
    print("RUN")
    t = Temperature()
    t.celsius = c
    return t.fahrenheit


if __name__ == "__main__":
    print("OUT", repr(target(-300)))
