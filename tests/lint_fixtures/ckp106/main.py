import os
from os import environ, getenv

from checkpointing import checkpoint


def threads():
    return int(os.environ.get("THREADS", "1"))  # expect: CKP106


def region():
    return environ["REGION"] + getenv("ZONE", "a")  # expect: CKP106, CKP106


def writes_the_environment(value):
    os.environ["MODE"] = value  # a store, not a read
    return value


@checkpoint
def shallow(x):
    return x * threads(), region(), writes_the_environment("fast")  # expect: CKP001


@checkpoint
def reads_itself(x):
    return x * int(os.environ["THREADS"]) + len(os.getenv("HOME", ""))


@checkpoint(deep=True)
def deep(x):
    return x * threads()
