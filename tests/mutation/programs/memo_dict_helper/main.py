from ckpt import cached

_memo = {}
CALLS = [0]


def steps(n):
    if n in _memo:
        return _memo[n]
    CALLS[0] += 1
    value = 0 if n <= 1 else 1 + steps(n // 2 if n % 2 == 0 else 3 * n + 1)
    _memo[n] = value
    return value


@cached
def target(limit):
    print("RUN")
    return max(steps(k) for k in range(1, limit)) + 2 * len(_memo)


if __name__ == "__main__":
    print("OUT", repr(target(20)))
    print("OUT", repr(target(30)))
    print("OUT", repr(len(_memo)))
