from ckpt import cached

import config


def bump():
    config.VALUE = config.VALUE + 5
    return 1


@cached
def target(x):
    print("RUN")
    y = bump()
    return config.VALUE * x + y


if __name__ == "__main__":
    print("OUT", repr(target(2)))
