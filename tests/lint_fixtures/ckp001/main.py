import numpy as np

import checkpointing
import helpers
from checkpointing import checkpoint
from checkpointing import checkpoint as ckpt
from helpers import Scaler
from helpers import clean as tidy
from pkg.sub import normalize

DOUBLE = lambda v: v * 2  # noqa: E731


def local_helper(x):
    return x


@checkpoint
def by_module(xs):
    return helpers.clean(xs) + [helpers.OFFSET]  # expect: CKP001


@ckpt()
def by_alias(xs):
    return tidy(xs)  # expect: CKP001


@checkpointing.checkpoint(directory=".cache")
def by_attribute(xs):
    scaler = Scaler(2)  # expect: CKP001
    return normalize(xs), scaler  # expect: CKP001


@checkpoint
def local_and_library(xs):
    total = np.sum(xs)
    return local_helper(total), DOUBLE(total)  # expect: CKP001


@checkpoint
def recursive(n):
    return 1 if n < 2 else n * recursive(n - 1)


@checkpoint(deep=True)
def deep(xs):
    return helpers.clean(xs)
