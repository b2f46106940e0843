import dataclasses

from ckpt import cached


def default_tags():
    return ("base", "extra")


@dataclasses.dataclass(frozen=True)
class Spec:
    name: str = "spec"
    tags: tuple = dataclasses.field(default_factory=default_tags)
    weight: float = dataclasses.field(default=1.5, compare=False)

    def score(self):
        return len(self.tags) * self.weight


@cached
def target():
    print("RUN")
    s = Spec()
    return s.score(), s.name, dataclasses.asdict(s)


if __name__ == "__main__":
    print("OUT", repr(target()))
