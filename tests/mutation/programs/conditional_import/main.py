from ckpt import cached

try:
    import fastmath as math_impl
except ImportError:
    import slowmath as math_impl


@cached
def target(v):
    print("RUN")
    return math_impl.square(v)


if __name__ == "__main__":
    print("OUT", repr(target(3)))
