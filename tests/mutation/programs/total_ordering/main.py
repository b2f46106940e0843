import functools

from ckpt import cached


@functools.total_ordering
class Version:
    def __init__(self, major, minor=0):
        self.major = major
        self.minor = minor

    def __eq__(self, other):
        return (self.major, self.minor) == (other.major, other.minor)

    def __lt__(self, other):
        return (self.major, self.minor) < (other.major, other.minor)


@cached
def target(pairs):
    print("RUN")
    vs = [Version(*p) for p in pairs]
    return [a >= b for a, b in zip(vs, vs[1:])], max(vs).major


if __name__ == "__main__":
    print("OUT", repr(target(((1, 2), (1, 5), (2, 0)))))
