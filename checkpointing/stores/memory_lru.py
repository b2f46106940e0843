"""In-memory store with least-recently-used eviction (lives as long as the process)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any, Dict, Iterator, Mapping, Optional

from ..exceptions import CheckpointNotExist
from .base import CacheBase, EntryInfo


class InMemoryLRUCache(CacheBase[str, Any]):
    """Keeps at most ``maxsize`` results in memory (unbounded when None).

    As in checkpointing 1.0.1 the stored object itself is returned, not a copy: mutating a
    retrieved value changes what later retrievals return.
    """

    def __init__(self, maxsize: Optional[int] = None) -> None:
        if maxsize is not None and (not isinstance(maxsize, int) or maxsize < 0):
            raise ValueError(f"maxsize must be a non-negative int or None, got {maxsize!r}")
        self.maxsize = maxsize
        self._entries: "OrderedDict[str, Any]" = OrderedDict()
        self._metadata: Dict[str, Dict[str, Any]] = {}
        self._lock = threading.Lock()

    def save_entry(self, context_id: str, result: Any, metadata: Optional[Mapping[str, Any]] = None) -> None:
        self.save(context_id, result)
        with self._lock:
            if context_id in self._entries:
                self._metadata[context_id] = dict(metadata or {}, key=context_id)

    def save(self, context_id: str, result: Any) -> None:
        with self._lock:
            self._metadata[context_id] = {"key": context_id, "created": time.time()}
            self._entries[context_id] = result
            self._entries.move_to_end(context_id)
            if self.maxsize is not None:
                while len(self._entries) > self.maxsize:
                    evicted, _ = self._entries.popitem(last=False)
                    self._metadata.pop(evicted, None)

    def retrieve(self, context_id: str) -> Any:
        with self._lock:
            try:
                self._entries.move_to_end(context_id)
            except KeyError:
                raise CheckpointNotExist(context_id) from None
            return self._entries[context_id]

    def __len__(self) -> int:
        return len(self._entries)

    def contains(self, context_id: str) -> Optional[bool]:
        return context_id in self._entries

    def metadata(self, context_id: str) -> Optional[Dict[str, Any]]:
        return self._metadata.get(context_id)

    def entries(self) -> Iterator[EntryInfo]:
        with self._lock:
            items = [(k, dict(self._metadata.get(k, {}))) for k in self._entries]
        for key, meta in items:  # size: unknown without serializing; 0
            yield EntryInfo(key, 0, meta.get("created"), None, meta.get("function"), meta.get("compute_time"), meta)

    def delete(self, context_id: str) -> bool:
        with self._lock:
            self._metadata.pop(context_id, None)
            return self._entries.pop(context_id, _ABSENT) is not _ABSENT


_ABSENT = object()
