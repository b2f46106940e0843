import copy
import copyreg

from ckpt import cached


class Counter:
    def __init__(self, count):
        self.count = count


def reduce_counter(counter):
    return (Counter, (counter.count + 10,))


copyreg.pickle(Counter, reduce_counter)


@cached
def target(n):
    print("RUN")
    return copy.deepcopy(Counter(n)).count * 3


if __name__ == "__main__":
    print("OUT", repr(target(4)))
