"""The type variables of checkpointing 1.0.1's generic classes (``CacheBase[ContextId, ReturnValue]``)."""

from typing import TypeVar

#: the return value of the function
ReturnValue = TypeVar("ReturnValue")
#: the identifier of a function call context (this package's identifiers give ``str`` keys)
ContextId = TypeVar("ContextId")
