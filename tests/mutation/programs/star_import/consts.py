RATE = 3


def helper(v):
    return v - 1
