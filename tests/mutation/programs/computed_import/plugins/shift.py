FACTOR = 3


def run(x):
    return x + 100 * FACTOR
