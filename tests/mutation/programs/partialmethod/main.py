from functools import partialmethod

from ckpt import cached


class Cell:
    def __init__(self):
        self.state = 0

    def set_state(self, value, bonus=0):
        self.state = value + bonus
        return self

    set_alive = partialmethod(set_state, 5)
    set_dead = partialmethod(set_state, 0, bonus=1)


@cached
def target():
    print("RUN")
    return Cell().set_alive().state, Cell().set_dead().state


if __name__ == "__main__":
    print("OUT", repr(target()))
