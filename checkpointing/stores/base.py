"""The store interface, unchanged from checkpointing 1.0.1, plus optional metadata."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Mapping, Optional


class CacheBase(ABC):
    """Base class of every store.

    Implement :meth:`save` and :meth:`retrieve`; ``retrieve`` raises
    :class:`~checkpointing.CheckpointNotExist` on a miss. ``context_id`` is the key, a string.
    """

    @abstractmethod
    def save(self, context_id: str, result: Any) -> None:
        """Store ``result`` under ``context_id``, replacing any entry already there."""

    @abstractmethod
    def retrieve(self, context_id: str) -> Any:
        """Return the value stored under ``context_id``; raise CheckpointNotExist if there is none."""

    def save_entry(self, context_id: str, result: Any, metadata: Optional[Mapping[str, Any]] = None) -> None:
        """Store ``result`` with descriptive ``metadata`` (function name, compute time, ...).

        The decorator calls this; stores that keep metadata override it, the others ignore it.
        """
        self.save(context_id, result)

    def contains(self, context_id: str) -> Optional[bool]:
        """Whether an entry exists for ``context_id`` (None: this store cannot tell cheaply)."""
        return None

    def latest(self, function: str) -> Optional[Mapping[str, Any]]:
        """The key and components of the last entry saved for ``function`` (for explaining misses)."""
        return None

    def record_latest(self, function: str, key: str, components: Any) -> None:
        """Remember the key and components of the entry just saved for ``function``."""

    def synchronize_with(self, lock: Any) -> "SynchronizedCache":
        """A view of this store in which every save and retrieve holds ``lock`` (thread or process lock)."""
        return SynchronizedCache(self, lock)


class SynchronizedCache(CacheBase):
    """Wraps a store so that each operation runs under a lock."""

    def __init__(self, cache: CacheBase, lock: Any) -> None:
        self._cache = cache
        self._lock = lock

    def save(self, context_id: str, result: Any) -> None:
        with self._lock:
            self._cache.save(context_id, result)

    def save_entry(self, context_id: str, result: Any, metadata: Optional[Mapping[str, Any]] = None) -> None:
        with self._lock:
            self._cache.save_entry(context_id, result, metadata)

    def retrieve(self, context_id: str) -> Any:
        with self._lock:
            return self._cache.retrieve(context_id)
