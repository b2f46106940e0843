"""Errors and warnings raised by checkpointing.

Every error derives from :class:`CheckpointError` and also from the builtin that a generic
handler would expect, and from the one checkpointing 1.0.1 raised, so ``except`` clauses written
for either still catch it::

    CheckpointError(Exception)
    ├── CheckpointNotExist(CheckpointError, LookupError)       a store has no entry for a key
    ├── CheckpointFailedError(CheckpointError, RuntimeError)   on_error="raise": caching failed
    ├── UnhashableValueError(CheckpointError, TypeError)       a value has no deterministic hash
    ├── InvalidArgumentError(CheckpointError, TypeError, ValueError)
    │                                                          a decorator given a wrong identifier or cache
    ├── GlobalStatementError(CheckpointError, RuntimeError, ValueError)
    │                                                          `global` in a checkpointed function
    └── NonlocalStatementError(CheckpointError, RuntimeError, ValueError)
                                                               `nonlocal` in a checkpointed function

    CheckpointWarning(UserWarning)
    ├── CheckpointFailedWarning(CheckpointWarning, RuntimeWarning)
    │                                on_error="warn": caching failed, the function ran uncached
    ├── HashFailedWarning            a value could not be hashed, the function ran uncached
    ├── ExpensiveOverheadWarning     reading plus saving took longer than computing
    ├── CorruptEntryWarning          a stored entry was damaged; treated as a miss and rewritten
    ├── UntrustedStoreWarning        others can write the store and entries are unsigned: not loaded
    ├── UnstableKeyWarning           a call is computed again although its code and arguments did not change
    ├── VerificationWarning          verify: a stored result differs from its recomputation
    └── DynamicAccessWarning         deep mode met code it cannot follow (getattr with a computed name, eval)
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CheckpointError",
    "CheckpointFailedError",
    "CheckpointFailedWarning",
    "CheckpointNotExist",
    "CheckpointWarning",
    "CorruptEntryWarning",
    "DynamicAccessWarning",
    "ExpensiveOverheadWarning",
    "GlobalStatementError",
    "HashFailedError",
    "HashFailedWarning",
    "InvalidArgumentError",
    "NonlocalStatementError",
    "RefactorFailedError",
    "UnhashableValueError",
    "UnstableKeyWarning",
    "UntrustedStoreWarning",
    "VerificationWarning",
]


class CheckpointError(Exception):
    """Base class of every error raised by checkpointing."""


class CheckpointNotExist(CheckpointError, LookupError):
    """The store holds no (valid) entry for the requested key: a cache miss."""


class CheckpointFailedError(CheckpointError, RuntimeError):
    """Caching failed under ``on_error="raise"``; the cause is chained.

    When the failure happened while *saving*, the function had already run: its value is kept
    in :attr:`result` (``has_result`` is True) so that no computed work is lost.
    """

    def __init__(self, message: str, *, result: Any = None, has_result: bool = False) -> None:
        super().__init__(message)
        self.result = result
        self.has_result = has_result


class UnhashableValueError(CheckpointError, TypeError):
    """A value that is part of the key cannot be hashed deterministically."""


class InvalidArgumentError(CheckpointError, TypeError, ValueError):
    """A decorator was given an identifier or a cache of the wrong type (1.0.1 raised ValueError)."""


class GlobalStatementError(CheckpointError, RuntimeError, ValueError):
    """A checkpointed function contains a ``global`` statement (it would change state the key cannot see)."""


class NonlocalStatementError(CheckpointError, RuntimeError, ValueError):
    """A checkpointed function contains a ``nonlocal`` statement (it would change state the key cannot see)."""


class CheckpointWarning(UserWarning):
    """Base class of every warning emitted by checkpointing."""


class CheckpointFailedWarning(CheckpointWarning, RuntimeWarning):
    """Caching failed under ``on_error="warn"``; the function ran (or its value was returned) uncached."""


class HashFailedWarning(CheckpointWarning):
    """A value could not be hashed deterministically; the function ran uncached."""


class ExpensiveOverheadWarning(CheckpointWarning):
    """Keying plus saving took longer than running the function (plus 0.1 s), on two misses after
    the first call of the process (whose one-time costs do not count)."""


class DynamicAccessWarning(CheckpointWarning):
    """Deep mode reached code it cannot follow statically; what is reached that way is not in the key."""


class UntrustedStoreWarning(CheckpointWarning):
    """The store can be written by others and its entries are not signed: none is loaded (unpickling
    runs code) and calls are computed. Set ``CHECKPOINTING_SECRET``, or ``trust_unsigned=True``
    for a store only you can write."""


class CorruptEntryWarning(CheckpointWarning):
    """A stored entry was truncated, damaged or unreadable; it is treated as a miss and overwritten."""


class UnstableKeyWarning(CheckpointWarning):
    """A call is computed again although its code and arguments are those of a stored entry: what
    it depends on differs between runs by itself (a random generator the program does not seed, a
    value made at import from the clock or the OS). Given once per function and process, naming
    what differs; counted as ``unstable`` in ``cache_info()`` and ``checkpointing stats``."""


class VerificationWarning(CheckpointWarning):
    """Under ``CHECKPOINTING_VERIFY`` (``checkpointing verify``): a hit's stored result differs from
    a recomputation, because the key missed an input (stale) or the function is nondeterministic."""


#: checkpointing 1.0.1's names for two errors, kept so that its imports still work
HashFailedError = UnhashableValueError
RefactorFailedError = CheckpointFailedError

for _cls in list(globals().values()):
    if isinstance(_cls, type) and issubclass(_cls, (CheckpointError, CheckpointWarning)):
        _cls.__module__ = "checkpointing"
del _cls
