from ckpt import cached


def make_scaler(k, offset=1):
    def scale(v):
        return v * k + offset
    return scale


triple = make_scaler(3)


@cached
def target(xs):
    print("RUN")
    return [triple(v) for v in xs]


if __name__ == "__main__":
    print("OUT", repr(target((1, 2))))
