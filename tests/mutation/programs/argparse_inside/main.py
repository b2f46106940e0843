import argparse

from ckpt import cached


def options():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1)
    parser.add_argument("--scale", type=int, default=10)
    return parser.parse_args()


@cached
def target(base):
    print("RUN")
    opts = options()
    return base * opts.n + opts.scale


if __name__ == "__main__":
    print("OUT", repr(target(5)))
