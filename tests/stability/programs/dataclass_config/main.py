"""Frozen dataclass configurations, as a global and as an argument; enum options."""
import enum
from dataclasses import dataclass, field

from ckpt import cached


class Norm(enum.Enum):
    L1 = "l1"
    L2 = "l2"


@dataclass(frozen=True)
class Config:
    alpha: float = 0.5
    norm: Norm = Norm.L2
    layers: tuple = (8, 4)
    tags: frozenset = field(default_factory=lambda: frozenset({"a", "b", "c"}))


DEFAULT = Config()


@cached
def penalty(weights, config=DEFAULT):
    print("RUN")
    if config.norm is Norm.L1:
        raw = sum(abs(w) for w in weights)
    else:
        raw = sum(w * w for w in weights) ** 0.5
    return round(config.alpha * raw * sum(config.layers) * len(config.tags), 10)


if __name__ == "__main__":
    print("OUT", penalty([1.0, -2.0, 3.0]))
    print("OUT", penalty([1.0, -2.0], Config(alpha=0.1, norm=Norm.L1, tags=frozenset({"x", "y"}))))
