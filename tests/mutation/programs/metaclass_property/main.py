from ckpt import cached


class Meta(type):
    @property
    def label(cls):
        return cls.__name__.lower() + "-v1"

    def __len__(cls):
        return 3


class Thing(metaclass=Meta):
    pass


@cached
def target():
    print("RUN")
    return Thing.label, len(Thing)


if __name__ == "__main__":
    print("OUT", repr(target()))
