from typing import Generic, TypeVar

from ckpt import cached

T = TypeVar("T")


class Stack(Generic[T]):
    limit = 3

    def __init__(self):
        self.items = []

    def push(self, item: T):
        if len(self.items) < self.limit:
            self.items.append(item)
        return self

    def top(self):
        return self.items[-1]


@cached
def target(values):
    print("RUN")
    s = Stack()
    for v in values:
        s.push(v)
    return s.top(), len(s.items)


if __name__ == "__main__":
    print("OUT", repr(target((1, 2, 3, 4))))
