from ckpt import cached


@cached
def target(x):
    print("RUN")
    import settings
    import pkg.values as values
    return x * settings.THRESHOLD + values.OFFSET


if __name__ == "__main__":
    print("OUT", repr(target(4)))
