from ckpt import cached


def windows(xs, size=2):
    for i in range(len(xs) - size + 1):
        yield xs[i:i + size]


def pairs_sum(xs):
    return [sum(w) for w in windows(xs)]


@cached
def target(xs):
    print("RUN")
    return pairs_sum(xs)


if __name__ == "__main__":
    print("OUT", repr(target((1, 2, 3, 4))))
