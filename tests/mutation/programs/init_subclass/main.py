from ckpt import cached


class Plugin:
    registry = {}

    def __init_subclass__(cls, factor=2, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.factor = factor
        Plugin.registry[cls.__name__.lower()] = cls


class Doubler(Plugin):
    pass


class Tripler(Plugin, factor=3):
    pass


@cached
def target(name, v):
    print("RUN")
    return Plugin.registry[name].factor * v


if __name__ == "__main__":
    print("OUT", repr(target("doubler", 5)))
    print("OUT", repr(target("tripler", 5)))
