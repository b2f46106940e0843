from ckpt import cached


class Base:
    def transform(self, v):
        return v + 1


class Child(Base):
    def transform(self, v):
        return super().transform(v) * 2


@cached
def target(obj, v):
    print("RUN")
    return obj.transform(v)


if __name__ == "__main__":
    print("OUT", repr(target(Child(), 3)))
    print("OUT", repr(target(Base(), 3)))
