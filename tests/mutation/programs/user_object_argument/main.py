from ckpt import cached


class Spec:
    def __init__(self, n, label="x"):
        self.n = n
        self.label = label

    def size(self):
        return self.n * 2


@cached
def target(spec):
    print("RUN")
    return spec.size(), spec.label


if __name__ == "__main__":
    print("OUT", repr(target(Spec(3))))
    print("OUT", repr(target(Spec(3, label="y"))))
