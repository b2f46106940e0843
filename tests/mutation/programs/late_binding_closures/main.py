from ckpt import cached

ADDERS = [lambda v, i=i: v + i * 10 for i in range(3)]
LATE = [lambda v: v * k for k in (2, 3)]


@cached
def target(v):
    print("RUN")
    return [f(v) for f in ADDERS], [g(v) for g in LATE]


if __name__ == "__main__":
    print("OUT", repr(target(1)))
