from ckpt import cached


class Settings:
    defaults = {"alpha": 1, "beta": 2}

    def __init__(self, **overrides):
        self.overrides = overrides

    def __getattr__(self, name):
        if name in self.overrides:
            return self.overrides[name]
        return self.defaults[name] * 10


@cached
def target(a):
    print("RUN")
    s = Settings(alpha=a)
    return s.alpha + s.beta


if __name__ == "__main__":
    print("OUT", repr(target(3)))
