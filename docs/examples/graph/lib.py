"""Helpers of the example pipeline drawn in docs/cli.md (`checkpointing graph`)."""

SCALE = 2


class Scaler:
    factor = 2

    def __init__(self, power=1):
        self.power = power

    def apply(self, values):
        return [v * self.factor ** self.power for v in values]


def load(path):
    with open(path) as f:
        return f.read()


def clean(values):
    return [v for v in values if v] + norm(values)


def norm(values):
    return [v / SCALE for v in values]


def feature(values):
    return clean(values) + norm(values)


STEPS = {"clean": clean, "norm": norm}


def dispatch(step, values):
    return STEPS[step](values)
