# A first-party package outside the linted paths (and not installed): its code cannot be
# checked, and the report lists the names instead of passing over them.
from checkpointing import checkpoint
from labtools_not_installed import DicomReader


@checkpoint(deep=True)
def load(path):
    return DicomReader(path).pixels()
