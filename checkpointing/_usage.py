"""Hits, misses and time saved per function; last use per entry; automatic size limit.

Counting costs two dict updates per call; the store is written once, when the process exits
(or when ``flush()`` is called): the entries used are marked as used (for least recently used
eviction) and the counts are added to the store's statistics (``checkpointing stats``).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from typing import Any, Dict, List, Tuple

from ._config import defaults, parse_size

logger = logging.getLogger("checkpointing")

_GC_INTERVAL = 30.0


class Usage:
    """One function's counts in this process."""

    __slots__ = ("function", "hits", "misses", "unstable", "keys")

    def __init__(self, function: str) -> None:
        self.function = function
        self.hits = 0
        self.misses = 0
        #: misses of calls whose code and arguments equal those of a stored entry (see UnstableKeyWarning)
        self.unstable = 0
        self.keys: Dict[str, int] = {}  # key -> hits

    def hit(self, key: str) -> None:
        self.hits += 1
        self.keys[key] = self.keys.get(key, 0) + 1


class CacheInfo:
    """What ``foo.cache_info()`` returns."""

    __slots__ = ("function", "entries", "size", "hits", "misses", "saved", "unstable")

    def __init__(self, function: str, entries: int, size: int, hits: int, misses: int, saved: float,
                 unstable: int = 0) -> None:
        self.function = function
        self.entries = entries
        self.size = size  # bytes
        self.hits = hits  # this process and every process that recorded its statistics in the store
        self.misses = misses
        self.saved = saved  # seconds of computation the hits avoided
        #: misses of calls whose code and arguments were those of a stored entry, recomputed because
        #: what they depend on differs between runs by itself (see UnstableKeyWarning)
        self.unstable = unstable

    def __repr__(self) -> str:
        return (f"CacheInfo(function={self.function!r}, entries={self.entries}, size={self.size}, hits={self.hits}, "
                f"misses={self.misses}, saved={self.saved:.3f}, unstable={self.unstable})")


_registry: Dict[int, Tuple[Any, List[Usage]]] = {}
_registry_lock = threading.Lock()
_last_gc: Dict[int, float] = {}


def register(cache: Any, function: str) -> Usage:
    usage = Usage(function)
    with _registry_lock:
        _registry.setdefault(id(cache), (cache, []))[1].append(usage)
    return usage


def _saved(cache: Any, usage: Usage) -> float:
    """Seconds the hits saved: each entry's recorded compute time, times its hits."""
    total = 0.0
    compute_time = getattr(cache, "compute_time", None)
    if compute_time is None:  # a store that does not derive from CacheBase
        return total
    for key, count in usage.keys.items():
        value = compute_time(key)
        if value is not None:
            total += value * count
    return total


def flush() -> None:
    """Write this process's counts and last-use times to the stores, and reset them."""
    now = time.time()
    with _registry_lock:
        items = list(_registry.values())
    for cache, usages in items:
        counts: Dict[str, Dict[str, float]] = {}
        used: List[str] = []
        for usage in usages:
            if not usage.hits and not usage.misses:
                continue
            try:
                saved = _saved(cache, usage)
            except Exception:
                saved = 0.0
            mine = counts.setdefault(usage.function, {"hits": 0, "misses": 0, "saved": 0.0, "unstable": 0})
            mine["hits"] += usage.hits
            mine["misses"] += usage.misses
            mine["saved"] += saved
            mine["unstable"] += usage.unstable
            used.extend(usage.keys)
            usage.hits = usage.misses = usage.unstable = 0
            usage.keys.clear()  # the decorator holds this dict
        if not counts:
            continue
        try:
            cache.touch(used, now)
            cache.record_stats(counts)
        except Exception as exc:  # statistics must never fail the user's program
            logger.debug("could not record usage statistics in %r: %s", cache, exc)


atexit.register(flush)


def after_save(cache: Any) -> None:
    """With ``defaults["cache.max_size"]`` set, evict least recently used entries (at most every 30 s)."""
    limit = defaults.get("cache.max_size")
    if limit is None:
        return
    now = time.monotonic()
    if now - _last_gc.get(id(cache), -_GC_INTERVAL) < _GC_INTERVAL:
        return
    _last_gc[id(cache)] = now
    try:
        from .stores.management import delete_entries, select_for_gc

        flush()  # the last-use times of this process count
        delete_entries(cache, select_for_gc(cache, parse_size(limit)))
    except NotImplementedError:
        return
    except Exception as exc:
        logger.warning("could not keep %r under cache.max_size=%s: %s", cache, limit, exc)


def cache_info(cache: Any, function: str, usage: Usage) -> CacheInfo:
    from .stores.management import list_entries

    # (a marker that sends calls to the result for their generators' states is not a result)
    entries = [e for e in list_entries(cache, function) if e.metadata.get("role") != "conditional"]
    recorded = cache.stats().get(function, {})
    try:
        saved_here = _saved(cache, usage)
    except Exception:
        saved_here = 0.0
    return CacheInfo(function, len(entries), sum(e.size for e in entries),
                     int(recorded.get("hits", 0)) + usage.hits, int(recorded.get("misses", 0)) + usage.misses,
                     float(recorded.get("saved", 0.0)) + saved_here, int(recorded.get("unstable", 0)) + usage.unstable)
