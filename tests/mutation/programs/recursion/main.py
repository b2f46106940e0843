from ckpt import cached


def is_even(n):
    return True if n == 0 else is_odd(n - 1)


def is_odd(n):
    return False if n == 0 else is_even(n - 1)


def depth(n):
    if n <= 1:
        return 1
    return 1 + depth(n // 2)


@cached
def target(n):
    print("RUN")
    return is_even(n), depth(n)


if __name__ == "__main__":
    print("OUT", repr(target(10)))
