from ckpt import cached

OPS = {
    "double": lambda v: v * 2,
    "neg": lambda v: -v,
    "shift": lambda v, by=3: v + by,
}


@cached
def target(names, v):
    print("RUN")
    for name in names:
        v = OPS[name](v)
    return v


if __name__ == "__main__":
    print("OUT", repr(target(("double", "shift"), 5)))
