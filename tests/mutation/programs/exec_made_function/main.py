from ckpt import cached

namespace = {}
exec("def made(v, k=2):\n    return v * k + 1\n", namespace)
made = namespace["made"]
adder = eval("lambda v: v + 40")


@cached
def target(v):
    print("RUN")
    return made(v), adder(v)


if __name__ == "__main__":
    print("OUT", repr(target(3)))
