OFFSET = 3


def clean(xs):
    return [x for x in xs if x is not None]


def unused(xs):
    return xs


class Scaler:
    def __init__(self, k):
        self.k = k
