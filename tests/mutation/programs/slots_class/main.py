from ckpt import cached


class Particle:
    __slots__ = ("x", "v")

    def __init__(self, x, v=1):
        self.x = x
        self.v = v

    def step(self, dt=2):
        return Particle(self.x + self.v * dt, self.v)


@cached
def target(x):
    print("RUN")
    return Particle(x).step().x


if __name__ == "__main__":
    print("OUT", repr(target(3)))
