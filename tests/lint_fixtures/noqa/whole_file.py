# checkpointing: noqa: CKP103
import time

from checkpointing import checkpoint


@checkpoint
def stamp(xs):
    xs.append(time.time())  # expect: CKP102
    return xs
