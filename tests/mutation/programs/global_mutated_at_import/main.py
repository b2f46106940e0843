from ckpt import cached

DATA = [1, 2]
DATA.append(3)
SETTINGS = {"k": 1}
SETTINGS.update(k=2, j=5)


def total():
    return sum(DATA) + SETTINGS["j"]


@cached
def target(v):
    print("RUN")
    return v * SETTINGS["k"] + total()


if __name__ == "__main__":
    print("OUT", repr(target(3)))
