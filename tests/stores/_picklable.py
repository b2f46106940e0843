"""A module-level checkpointed function, for the pickling test."""

from checkpointing import InMemoryLRUCache, checkpoint


@checkpoint(store=InMemoryLRUCache())
def double(x):
    return 2 * x
