"""The store interface: checkpointing 1.0.1's ``save``/``retrieve``, plus optional metadata,
listing, deletion, single-flight locks and usage statistics (for the management commands).

A store that only implements ``save`` and ``retrieve`` still works with the decorator; the
management commands say plainly that it cannot list or delete.
"""

from __future__ import annotations

import contextlib
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Dict, Generic, Iterable, Iterator, Mapping, Optional

from .._typing import ContextId, ReturnValue
from ..exceptions import CheckpointError


@dataclass
class EntryInfo:
    """One stored entry, as listed by :meth:`CacheBase.entries`."""

    key: str
    size: int
    created: Optional[float] = None  # seconds since the epoch
    last_used: Optional[float] = None
    function: Optional[str] = None
    compute_time: Optional[float] = None
    metadata: Dict[str, Any] = field(default_factory=dict)


class LockTimeout(CheckpointError, TimeoutError):
    """Waiting for another caller computing the same key took longer than the timeout."""


_local_locks: Dict[str, threading.Lock] = {}
_local_locks_guard = threading.Lock()


class CacheBase(ABC, Generic[ContextId, ReturnValue]):
    """Base class of every store.

    Implement :meth:`save` and :meth:`retrieve`; ``retrieve`` raises
    :class:`~checkpointing.CheckpointNotExist` on a miss. ``context_id`` is the key, a string.
    """

    #: a store whose ``metadata(key)`` method returns None only when there is no usable entry
    #: (then a miss's explanation does not load the entry to find out what it is)
    keeps_metadata: bool = False

    @abstractmethod
    def save(self, context_id: ContextId, result: ReturnValue) -> None:
        """Store ``result`` under ``context_id``, replacing any entry already there."""

    @abstractmethod
    def retrieve(self, context_id: ContextId) -> ReturnValue:
        """Return the value stored under ``context_id``; raise CheckpointNotExist if there is none."""

    def save_entry(self, context_id: ContextId, result: ReturnValue,
                   metadata: Optional[Mapping[str, Any]] = None) -> None:
        """Store ``result`` with descriptive ``metadata`` (function name, compute time, ...).

        The decorator calls this; stores that keep metadata override it, the others ignore it.
        """
        self.save(context_id, result)

    def contains(self, context_id: ContextId) -> Optional[bool]:
        """Whether an entry exists for ``context_id`` (None: this store cannot tell cheaply)."""
        return None

    def latest(self, function: str) -> Optional[Mapping[str, Any]]:
        """The key and components of the last entry saved for ``function`` (for explaining misses)."""
        return None

    def record_latest(self, function: str, key: str, components: Any) -> None:
        """Remember the key and components of the entry just saved for ``function``."""

    # -- management (optional) ----------------------------------------------------------------

    def entries(self) -> Iterator[EntryInfo]:
        """Every entry, with its size and metadata."""
        raise NotImplementedError(f"{type(self).__name__} cannot list its entries")

    def delete(self, context_id: str) -> bool:
        """Remove one entry; True if it existed."""
        raise NotImplementedError(f"{type(self).__name__} cannot delete entries")

    def compute_time(self, context_id: str) -> Optional[float]:
        """Seconds the entry took to compute, if recorded (for the time-saved statistics; cheap:
        stores override it to read only the entry's header)."""
        metadata = getattr(self, "metadata", None)
        meta = metadata(context_id) if metadata is not None else None
        value = meta.get("compute_time") if isinstance(meta, dict) else None
        return float(value) if isinstance(value, (int, float)) else None

    def touch(self, context_ids: Iterable[str], when: float) -> None:
        """Record that these entries were used at ``when`` (for least-recently-used eviction)."""

    def record_stats(self, counts: Mapping[str, Mapping[str, float]]) -> None:
        """Add one process's hits, misses and seconds saved, per function."""

    def stats(self) -> Dict[str, Dict[str, float]]:
        """Hits, misses and seconds saved per function, summed over every process that recorded them."""
        return {}

    @contextlib.contextmanager
    def lock(self, context_id: str, timeout: float) -> Iterator[None]:
        """Hold the single-flight lock of ``context_id`` (``checkpoint(lock=True)``).

        This default is a lock shared by the threads of one process; stores shared between
        processes override it (a file lock, a Redis lock). Raises :class:`LockTimeout` after
        ``timeout`` seconds.
        """
        with _local_locks_guard:
            lock = _local_locks.setdefault(f"{id(self)}:{context_id}", threading.Lock())
        if not lock.acquire(timeout=timeout):
            raise LockTimeout(f"waited {timeout:g}s for another thread computing key {context_id}")
        try:
            yield
        finally:
            lock.release()

    def synchronize_with(self, lock: Any) -> "SynchronizedCache[ContextId, ReturnValue]":
        """A view of this store in which every save and retrieve holds ``lock`` (thread or process lock)."""
        return SynchronizedCache(self, lock)


class SynchronizedCache(CacheBase[ContextId, ReturnValue]):
    """Wraps a store so that each operation runs under a lock."""

    def __init__(self, cache: CacheBase[ContextId, ReturnValue], lock: Any) -> None:
        self._cache = cache
        self._lock = lock

    def save(self, context_id: ContextId, result: ReturnValue) -> None:
        with self._lock:
            self._cache.save(context_id, result)

    def save_entry(self, context_id: ContextId, result: ReturnValue,
                   metadata: Optional[Mapping[str, Any]] = None) -> None:
        with self._lock:
            self._cache.save_entry(context_id, result, metadata)

    def retrieve(self, context_id: ContextId) -> ReturnValue:
        with self._lock:
            return self._cache.retrieve(context_id)

    def untrusted_reason(self) -> Optional[str]:
        from .trust import _risk

        return _risk(self._cache)


def sum_stats(documents: Iterable[Any]) -> Dict[str, Dict[str, float]]:
    """Add up statistics documents (``{function: {"hits", "misses", "saved", "unstable"}}``, one per
    process); anything malformed is skipped."""
    total: Dict[str, Dict[str, float]] = {}
    for data in documents:
        for function, counts in data.items() if isinstance(data, dict) else ():
            mine = total.setdefault(function, {"hits": 0, "misses": 0, "saved": 0.0, "unstable": 0})
            for name in mine:
                value = counts.get(name, 0) if isinstance(counts, dict) else 0
                mine[name] += value if isinstance(value, (int, float)) else 0
    return total


def wait_with_backoff(attempt: int) -> None:
    """Sleep a little longer on each attempt (polling for a lock), at most 0.2 s."""
    time.sleep(min(0.2, 0.002 * (2 ** min(attempt, 7))))


def _delegate(name: str) -> Any:
    def method(self: "SynchronizedCache[Any, Any]", *args: Any, **kwargs: Any) -> Any:
        return getattr(self._cache, name)(*args, **kwargs)
    method.__name__ = name
    method.__doc__ = getattr(CacheBase, name).__doc__
    return method


for _name in ("contains", "latest", "record_latest", "entries", "delete", "touch", "record_stats", "stats", "lock",
              "compute_time"):
    setattr(SynchronizedCache, _name, _delegate(_name))
