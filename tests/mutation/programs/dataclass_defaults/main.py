from dataclasses import dataclass, field

from ckpt import cached


@dataclass
class Params:
    rate: float = 0.5
    steps: int = 3
    tags: list = field(default_factory=lambda: ["x"])

    def __post_init__(self):
        self.total = self.rate * self.steps


@dataclass(frozen=True)
class Frozen:
    k: int = 2


@cached
def target(v):
    print("RUN")
    p = Params()
    return v * p.total, len(p.tags), Frozen().k


if __name__ == "__main__":
    print("OUT", repr(target(2)))
