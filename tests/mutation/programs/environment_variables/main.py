import os
from os import getenv

from ckpt import cached


@cached
def target(x):
    print("RUN")
    size = os.environ["MODEL_SIZE"]
    seed = int(os.environ.get("SEED", "0"))
    return x * seed, size.upper(), getenv("MODE"), os.getenv("UNSET_VARIABLE_FOR_TEST", "dflt")


if __name__ == "__main__":
    print("OUT", repr(target(3)))
