from ckpt import cached


def make_counter(start, step=1):
    class Counter:
        def __init__(self):
            self.value = start

        def tick(self):
            self.value += step
            return self.value
    return Counter


Counter = make_counter(10)


@cached
def target(n):
    print("RUN")
    c = Counter()
    return [c.tick() for _ in range(n)]


if __name__ == "__main__":
    print("OUT", repr(target(3)))
