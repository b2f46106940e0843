import weights


class Model:
    def __init__(self, w):
        self.w = w

    def predict(self, v):
        return v * self.w + weights.BIAS


def build():
    return Model(weights.W)
