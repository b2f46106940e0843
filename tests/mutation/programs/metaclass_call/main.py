from ckpt import cached


class Counting(type):
    def __call__(cls, *args, **kwargs):
        instance = super().__call__(*args, **kwargs)
        instance.created_by = "meta"
        instance.bonus = 10
        return instance


class Widget(metaclass=Counting):
    def __init__(self, size):
        self.size = size


@cached
def target(n):
    print("RUN")
    w = Widget(n)
    return w.size + w.bonus, w.created_by


if __name__ == "__main__":
    print("OUT", repr(target(5)))
