import helpers
from checkpointing import DecoratorCheckpoint, checkpoint

shallow = checkpoint(deep=False)


@checkpoint
def deep_by_default(xs):
    return helpers.clean(xs)


@shallow
def shallow_by_alias(xs):
    return helpers.clean(xs)  # expect: CKP001


@DecoratorCheckpoint()
def decorator_instance(xs):
    xs.append(1)  # expect: CKP102
    return xs


def slow(xs):
    xs.clear()  # expect: CKP102
    return xs


fast = checkpoint(deep=True)(slow)
