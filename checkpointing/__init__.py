"""checkpointing: a persistent cache for Python functions that is never stale.

Decorate a slow, pure function with ``@checkpoint()``; the next run loads its result from
disk unless something that can change the result has changed. See the README and ``docs/``.
"""

from ._config import defaults
from ._context import FuncCallContext
from ._decorator import DecoratorCheckpoint, checkpoint
from ._hash_anything import hash_anything
from ._hashing import register_hasher
from ._identifier import AutoFuncCallIdentifier, FuncCallIdentifierBase
from ._typing import Checkpointed, ContextId, ReturnValue
from .exceptions import (
    CheckpointError,
    CheckpointFailedError,
    CheckpointFailedWarning,
    CheckpointNotExist,
    CheckpointWarning,
    CorruptEntryWarning,
    DynamicAccessWarning,
    ExpensiveOverheadWarning,
    GlobalStatementError,
    HashFailedWarning,
    NonlocalStatementError,
    UnhashableValueError,
    UnstableKeyWarning,
    UntrustedStoreWarning,
    VerificationWarning,
)
from .stores import CacheBase, InMemoryLRUCache, PickleFileCache, open_store

__version__ = "2.0.0"

__all__ = [
    "AutoFuncCallIdentifier",
    "CacheBase",
    "CheckpointError",
    "CheckpointFailedError",
    "CheckpointFailedWarning",
    "CheckpointNotExist",
    "CheckpointWarning",
    "Checkpointed",
    "ContextId",
    "CorruptEntryWarning",
    "DecoratorCheckpoint",
    "DynamicAccessWarning",
    "ExpensiveOverheadWarning",
    "FsspecCache",
    "FuncCallContext",
    "FuncCallIdentifierBase",
    "GlobalStatementError",
    "HashFailedWarning",
    "InMemoryLRUCache",
    "NonlocalStatementError",
    "PickleFileCache",
    "RedisCache",
    "ReturnValue",
    "UnhashableValueError",
    "UnstableKeyWarning",
    "UntrustedStoreWarning",
    "VerificationWarning",
    "checkpoint",
    "defaults",
    "hash_anything",
    "open_store",
    "register_hasher",
]


def __getattr__(name: str) -> object:
    """``RedisCache`` and ``FsspecCache``, imported when first used."""
    if name in ("RedisCache", "FsspecCache"):
        from . import stores

        return getattr(stores, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
