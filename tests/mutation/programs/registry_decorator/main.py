from ckpt import cached

REGISTRY = {}


def register(name, weight=1):
    def decorate(func):
        REGISTRY[name] = (func, weight)
        return func
    return decorate


@register("double")
def double(v):
    return v * 2


@register("inc", weight=3)
def inc(v):
    return v + 1


@cached
def target(name, v):
    print("RUN")
    func, weight = REGISTRY[name]
    return func(v) * weight


if __name__ == "__main__":
    print("OUT", repr(target("double", 5)))
    print("OUT", repr(target("inc", 5)))
