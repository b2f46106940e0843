from ckpt import cached


class Base:
    def value(self):
        return self.k * 2


Dynamic = type("Dynamic", (Base,), {"k": 3, "extra": lambda self, v: v + self.k})


@cached
def target(v):
    print("RUN")
    d = Dynamic()
    return d.value(), d.extra(v)


if __name__ == "__main__":
    print("OUT", repr(target(4)))
