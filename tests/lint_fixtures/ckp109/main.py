import decimal
import warnings
from decimal import getcontext

import numpy as np
import pandas as pd
import sklearn
from sklearn import set_config

from checkpointing import checkpoint

np.set_printoptions(precision=3)  # the program's setting: keyed where it is reached, not reported
sklearn.set_config(assume_finite=True)


def silence():
    warnings.simplefilter("ignore")  # expect: CKP109


def precise():
    getcontext().prec = 50  # expect: CKP109
    decimal.getcontext().rounding = decimal.ROUND_DOWN  # expect: CKP109


@checkpoint(deep=True)
def fit(x):
    set_config(transform_output="pandas")  # expect: CKP109
    pd.options.display.precision = 2  # expect: CKP109
    silence()
    precise()
    return x


@checkpoint(deep=True)
def scoped(x):
    with np.printoptions(precision=2), sklearn.config_context(assume_finite=False), decimal.localcontext() as c:
        c.prec = 5
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (restored when the block ends)
            return str(x)
