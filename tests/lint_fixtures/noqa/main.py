import random
import time

from checkpointing import checkpoint


@checkpoint
def suppressed(xs):
    xs.append(random.random())  # noqa: CKP102, CKP103
    t = time.time()  # noqa
    u = time.perf_counter()  # noqa: CKP001  expect: CKP103
    return t, u
