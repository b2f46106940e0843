SCALE = 3


def double(x):
    return 2 * x


class Model:
    offset = 5

    def __init__(self, **options):
        for key, value in options.items():
            setattr(self, key, value)
        delattr(self, "unused")

    def apply(self, x):
        return double(x) * SCALE + self.offset

    def summary(self):
        state = vars(self)
        return sorted(state.items()), self.apply(state["weight"])
