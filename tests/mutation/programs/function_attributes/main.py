from ckpt import cached


def helper(x):
    """Doubles."""
    return x * 2


helper.factor = 3
helper.tags = ["a", "b"]


@cached
def target(x):
    print("RUN")
    return helper(x) * helper.factor, helper.__doc__, helper.__name__, len(helper.tags)


if __name__ == "__main__":
    print("OUT", repr(target(4)))
