from ckpt import cached


@cached
def target(xs, low=1, *, high=4):
    print("RUN")
    total = 0
    for i, v in enumerate(xs):
        if low <= v < high and not i % 2:
            total += v * i
        elif v > high or v == 0:
            total -= 1
    y = total + 1
    return y if total > 0 else -y


if __name__ == "__main__":
    print("OUT", repr(target((1, 2, 3, 5, 0, 2))))
