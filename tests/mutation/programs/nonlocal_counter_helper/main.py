from ckpt import cached


def make_counter(start=10, step=2):
    count = start

    def tick():
        nonlocal count
        count += step
        return count
    return tick


@cached
def target(n):
    print("RUN")
    tick = make_counter()
    return [tick() for _ in range(n)]


if __name__ == "__main__":
    print("OUT", repr(target(3)))
