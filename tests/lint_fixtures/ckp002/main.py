import pandas as pd

from checkpointing import checkpoint
from model import Model


@checkpoint
def annotated(m: Model, x):
    return m.predict(x)  # expect: CKP002


@checkpoint
def unannotated(scaler, x):
    return scaler.transform(x)  # expect: CKP002


@checkpoint
def near_misses(xs, frame: pd.DataFrame, other):
    xs.count(1)
    frame.transform(len)
    return other.describe()


@checkpoint(deep=True)
def deep(scaler, x):
    return scaler.transform(x)


@checkpoint
def rebound(scaler, x, fitted):
    scaler.transform(x)  # expect: CKP002
    scaler = Model()  # expect: CKP001
    if x:
        fitted = Model()  # the same helper: reported once, at its first use
    fitted.transform(x)  # expect: CKP002
    return scaler.predict(x)
