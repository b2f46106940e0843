"""Listing, clearing and evicting entries: what ``checkpointing ls/clear/gc`` and ``foo.clear()`` do."""

from __future__ import annotations

import time
from typing import Any, Callable, Iterable, List, Optional

from .base import CacheBase, EntryInfo

Progress = Optional[Callable[[int, int], None]]


def list_entries(store: CacheBase[str, Any], function: Optional[str] = None) -> List[EntryInfo]:
    """Entries, newest first; ``function`` matches the full name or its last part (``clean`` or ``mod.clean``)."""
    found = [e for e in store.entries() if function is None or matches(e.function, function)]
    return sorted(found, key=lambda e: -(e.created or 0))


def matches(recorded: Optional[str], wanted: str) -> bool:
    if not recorded:
        return False
    return recorded == wanted or recorded.endswith("." + wanted)


def delete_entries(store: CacheBase[str, Any], entries: Iterable[EntryInfo], progress: Progress = None) -> int:
    chosen = list(entries)
    deleted = 0
    for i, entry in enumerate(chosen):
        deleted += bool(store.delete(entry.key))
        if progress is not None:
            progress(i + 1, len(chosen))
    return deleted


def select_for_clear(store: CacheBase[str, Any], function: Optional[str] = None,
                     older_than: Optional[float] = None) -> List[EntryInfo]:
    """Entries of ``function`` (all if None) last used more than ``older_than`` seconds ago (any if None)."""
    now = time.time()
    return [e for e in list_entries(store, function)
            if older_than is None or now - (e.last_used or e.created or now) > older_than]


def select_for_gc(store: CacheBase[str, Any], max_size: int) -> List[EntryInfo]:
    """The least recently used entries to delete so that the rest fit in ``max_size`` bytes."""
    entries = sorted(store.entries(), key=lambda e: (e.last_used or e.created or 0))
    total = sum(e.size for e in entries)
    chosen = []
    for entry in entries:
        if total <= max_size:
            break
        chosen.append(entry)
        total -= entry.size
    return chosen
