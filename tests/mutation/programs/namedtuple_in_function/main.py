import collections

from ckpt import cached


def make_row_type(fields, default=0):
    return collections.namedtuple("Row", fields, defaults=(default,))


Row = make_row_type("a b")


@cached
def target(a):
    print("RUN")
    r = Row(a)
    return r.a + r.b, r._fields, repr(r)


if __name__ == "__main__":
    print("OUT", repr(target(3)))
