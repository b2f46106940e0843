import inspect
import typing
from typing import Literal

from ckpt import cached


class Config:
    retries: Literal[3] = 1
    delay: Literal[0.5]


def convert(value: Literal[10], scale: Literal[2] = 1) -> Literal[7]:
    return value * scale


@cached
def target(x):
    print("RUN")
    fields = typing.get_type_hints(Config)
    parameters = inspect.signature(convert).parameters
    return x, repr(fields), [repr(p.annotation) for p in parameters.values()], repr(
        inspect.signature(convert).return_annotation)


if __name__ == "__main__":
    print("OUT", repr(target(1)))
