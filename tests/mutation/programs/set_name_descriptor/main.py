from ckpt import cached


class Field:
    def __set_name__(self, owner, name):
        self.name = "_" + name
        self.default = len(name)

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return getattr(obj, self.name, self.default) * 2


class Record:
    width = Field()
    height = Field()


@cached
def target():
    print("RUN")
    r = Record()
    return r.width, r.height


if __name__ == "__main__":
    print("OUT", repr(target()))
