import plugins  # noqa: F401  (registers its functions)
import registry
from ckpt import cached


@cached
def target(name, v):
    print("RUN")
    return registry.HANDLERS[name](v)


if __name__ == "__main__":
    print("OUT", repr(target("square", 4)))
    print("OUT", repr(target("half", 4)))
