from ckpt import cached


def memoize(func):
    table = {}

    def inner(n):
        if n not in table:
            table[n] = func(n)
        return table[n]
    inner.table = table
    return inner


@memoize
def steps(n):
    return 0 if n <= 1 else 1 + steps(n // 2 if n % 2 == 0 else 3 * n + 1)


@cached
def target(n):
    print("RUN")
    return steps(n)


if __name__ == "__main__":
    print("OUT", repr(target(6)))
