"""Each file's index kept on disk, by its content: a lint after an edit parses only what changed.

An entry is what reading one file gave (:class:`Indexed`: its :class:`~.index.ModuleIndex`,
syntax tree included, or its syntax error), pickled, under a key that covers everything the
result depends on: the file's bytes, its path, module name and whether it is a package
``__init__``, the Python version it is checked for (``requires-python``), the Python running the
analysis, and this analysis's own code. A damaged or unreadable entry is a miss; the file is
parsed again.

Entries live in ``<folder>/<2 hex>/<key>.pickle``; the folder is the lint cache's
(``$CHECKPOINTING_LINT_CACHE/index``, see :mod:`analysis.lint.result_cache`). When the folder grows
past :data:`LIMIT_BYTES`, the entries used least recently are removed.
"""

from __future__ import annotations

import os
import pickle
import sys
from dataclasses import dataclass
from typing import Iterator, List, Optional, Tuple

import xxhash

from ..atomic_file import write_atomically
from .index import ModuleIndex

#: the store is trimmed to this size, the least recently used entries first
LIMIT_BYTES = 1 << 30


@dataclass
class Indexed:
    """What reading one file gave: its index, or why it has none."""

    index: Optional[ModuleIndex] = None
    syntax_error: Optional[Tuple[int, int, str]] = None  # line, column (0-based), message
    newer_syntax: Optional[str] = None  # valid for a newer Python than the one running


_code_digest: Optional[str] = None


def code_digest() -> str:
    """A digest of the analysis package's own code and the Python running it: any edit to either
    is a new key, here and for the lint's whole-run results."""
    global _code_digest
    if _code_digest is None:
        h = xxhash.xxh3_128(sys.version.encode())
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        for folder, _, names in sorted(os.walk(here)):
            for name in sorted(n for n in names if n.endswith(".py")):
                with open(os.path.join(folder, name), "rb") as f:
                    h.update(name.encode() + b"\0" + f.read())
        _code_digest = h.hexdigest()
    return _code_digest


class IndexStore:
    """Pickled :class:`Indexed` results, one file each, keyed by :meth:`key`."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.written = 0  # bytes written by this process (a worker's are its own)

    @staticmethod
    def key(data: bytes, path: str, display: str, module: str, is_package: bool,
            target: Optional[Tuple[int, int]]) -> str:
        h = xxhash.xxh3_128()
        h.update(f"{code_digest()}\0{os.path.abspath(path)}\0{display}\0{module}\0{is_package}\0{target}\0"
                 .encode("utf-8", "surrogatepass"))
        h.update(data)
        return h.hexdigest()

    def _path(self, key: str) -> str:
        return os.path.join(self.folder, key[:2], key + ".pickle")

    def load(self, key: str) -> Optional[Indexed]:
        path = self._path(key)
        try:
            with open(path, "rb") as f:
                found = pickle.loads(f.read())
            os.utime(path)  # used now: trimmed last
        except FileNotFoundError:
            return None
        except Exception:  # damaged, or written by another version: parse again
            return None
        return found if isinstance(found, Indexed) else None

    def save(self, key: str, blob: bytes) -> None:
        """Store a pickled :class:`Indexed` (atomically: a reader sees all of it or nothing)."""
        path = self._path(key)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            write_atomically(path, [blob])
            self.written += len(blob)
        except OSError:  # a store that cannot be written only costs time
            pass

    def _entries(self) -> Iterator[os.DirEntry]:  # type: ignore[type-arg]
        try:
            shards = list(os.scandir(self.folder))
        except OSError:
            return
        for shard in shards:
            if shard.is_dir():
                try:
                    yield from (e for e in os.scandir(shard.path) if e.name.endswith(".pickle"))
                except OSError:
                    continue

    def trim(self, limit: int = LIMIT_BYTES) -> None:
        """Remove the least recently used entries until the store holds at most ``limit`` bytes."""
        entries: List[Tuple[float, int, str]] = []
        for entry in self._entries():
            try:
                st = entry.stat()
            except OSError:
                continue
            entries.append((st.st_mtime, st.st_size, entry.path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= limit:
                break
            try:
                os.unlink(path)
            except OSError:
                pass
            total -= size


def dumps(indexed: Indexed) -> bytes:
    return pickle.dumps(indexed, protocol=pickle.HIGHEST_PROTOCOL)
