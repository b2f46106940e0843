from checkpointing import checkpoint

CALLS = 0


@checkpoint
def counter(x):
    global CALLS  # expect: CKP101
    CALLS += 1
    return x


def outer():
    total = 0

    @checkpoint
    def inner(x):
        nonlocal total  # expect: CKP101
        total += x
        return total

    return inner


@checkpoint
def closure_inside(xs):
    count = 0

    def bump():
        nonlocal count
        count += 1

    for _ in xs:
        bump()
    return count
