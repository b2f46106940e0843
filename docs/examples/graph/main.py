"""The example pipeline drawn in docs/cli.md (`checkpointing graph`)."""

import lib

from checkpointing import checkpoint


@checkpoint(deep=True)
def train(values):
    return lib.Scaler().apply(lib.feature(values))


@checkpoint()
def prepare(path):
    return lib.load(path)


@checkpoint(deep=True)
def route(step, values):
    return lib.dispatch(step, values)


def fit(model, values):
    return model.apply(values)


@checkpoint(deep=True)
def evaluate(model, values):
    return fit(model, values)
