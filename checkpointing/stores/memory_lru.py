"""In-memory store with least-recently-used eviction (lives as long as the process)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Optional

from ..exceptions import CheckpointNotExist
from .base import CacheBase


class InMemoryLRUCache(CacheBase):
    """Keeps at most ``maxsize`` results in memory (unbounded when None).

    As in checkpointing 1.0.1 the stored object itself is returned, not a copy: mutating a
    retrieved value changes what later retrievals return.
    """

    def __init__(self, maxsize: Optional[int] = None) -> None:
        if maxsize is not None and (not isinstance(maxsize, int) or maxsize < 0):
            raise ValueError(f"maxsize must be a non-negative int or None, got {maxsize!r}")
        self.maxsize = maxsize
        self._entries: "OrderedDict[str, Any]" = OrderedDict()
        self._lock = threading.Lock()

    def save(self, context_id: str, result: Any) -> None:
        with self._lock:
            self._entries[context_id] = result
            self._entries.move_to_end(context_id)
            if self.maxsize is not None:
                while len(self._entries) > self.maxsize:
                    self._entries.popitem(last=False)

    def retrieve(self, context_id: str) -> Any:
        with self._lock:
            try:
                self._entries.move_to_end(context_id)
            except KeyError:
                raise CheckpointNotExist(context_id) from None
            return self._entries[context_id]

    def __len__(self) -> int:
        return len(self._entries)
