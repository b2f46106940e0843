from ckpt import cached


class Options:
    def keys(self):
        return ["alpha", "beta"]

    def __getitem__(self, name):
        return len(name) * 2


def combine(alpha, beta):
    return alpha * 10 + beta


@cached
def target():
    print("RUN")
    return combine(**Options()), dict(Options())


if __name__ == "__main__":
    print("OUT", repr(target()))
