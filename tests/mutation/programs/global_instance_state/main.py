from ckpt import cached


class Config:
    def __init__(self):
        self.threshold = 0.5
        self.labels = ("low", "high")


CONFIG = Config()
CONFIG.threshold = 0.25


@cached
def target(values):
    print("RUN")
    return [CONFIG.labels[v > CONFIG.threshold] for v in values]


if __name__ == "__main__":
    print("OUT", repr(target((0.1, 0.3, 0.9))))
