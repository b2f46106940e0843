# Python 3.12 syntax: read (by libcst when the running Python is older) and checked, never CKP900
import time

from checkpointing import checkpoint

type Pair[T] = tuple[T, T]


def first[T](items: list[T]) -> T:
    return items[0]


class Box[T]:
    def __init__(self, item: T) -> None:
        self.item = item


@checkpoint
def stamp[T](x: T) -> tuple[T, float]:
    return first([x]), time.time()  # expect: CKP001, CKP103
