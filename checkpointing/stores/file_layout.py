"""The file layout shared by the directory store and the fsspec store.

Under a root folder::

    <root>/<2 hex>/<key>.ckpt      one entry (entry_format: checksummed, optionally signed)
    <root>/latest/<digest>.json    the key and components of a function's last entry (explain)
    <root>/stats/<...>.json        one process's hits, misses and seconds saved

:class:`FileLayout` implements every store operation on that layout once, on top of a few
file primitives that each store provides for its filesystem (the local one through ``os``,
any other through fsspec), as joblib's ``StoreBackendMixin`` does over ``StoreBackendBase``.
"""

from __future__ import annotations

import json
import os
import time
from abc import abstractmethod
from typing import Any, Dict, Iterable, Iterator, Mapping, Optional, Tuple

import xxhash

from .._config import cache_secret
from ..exceptions import CheckpointNotExist
from . import entry_format
from .base import CacheBase, EntryInfo, sum_stats

SUFFIX = ".ckpt"
#: how much of an entry holds its header (metadata) in practice
HEAD = 1 << 16
_SAFE_NAME = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-.")


def file_name(context_id: Any) -> str:
    """The file name (without suffix) of a key: the key itself when it is a safe file name
    (our own keys are 32 hex digits), else a digest of it."""
    key: str = context_id if isinstance(context_id, str) else str(context_id)
    if len(key) == 32 and key.isalnum() and key.isascii():
        return key
    if 0 < len(key) <= 128 and key[0] != "." and _SAFE_NAME.issuperset(key):
        return key
    return xxhash.xxh3_128_hexdigest(key.encode("utf-8", "surrogatepass"))


class FileLayout(CacheBase[str, Any]):
    """Every store operation on the layout above; subclasses give the file primitives."""

    #: the filesystem's path separator
    sep: str = "/"
    keeps_metadata = True
    #: the root folder, without a trailing separator
    root: str
    pickle_protocol: int

    def __init__(self, root: str) -> None:
        self.root = root
        self._paths: Dict[str, str] = {}  # key -> file: computed once (a hit asks every time)

    # -- the primitives a filesystem provides ----------------------------------------------------

    @abstractmethod
    def _read(self, path: str) -> Any:
        """The whole file (a bytes-like object); raise CheckpointNotExist if it does not exist."""

    @abstractmethod
    def _read_head(self, path: str) -> Optional[bytes]:
        """The file's first :data:`HEAD` bytes (or all of a shorter one); None if it does not exist."""

    @abstractmethod
    def _write(self, path: str, chunks: Iterable[Any]) -> None:
        """Write ``chunks`` to ``path``, creating its folder; readers never see a partial file."""

    @abstractmethod
    def _exists(self, path: str) -> bool:
        """Whether the file exists."""

    @abstractmethod
    def _remove(self, path: str) -> bool:
        """Delete the file; True if it existed."""

    @abstractmethod
    def _entry_files(self) -> Iterator[Tuple[str, int, Optional[float], Optional[float]]]:
        """Every file under the root's two-character shard folders, in a stable order, as (path,
        size, modified, last used): times in seconds since the epoch, None if unknown."""

    @abstractmethod
    def _folder_files(self, folder: str) -> Iterable[str]:
        """The paths of the files in ``folder`` (nothing if it does not exist)."""

    @abstractmethod
    def _root_exists(self) -> bool:
        """Whether the root folder exists."""

    def _last_used(self) -> Mapping[str, float]:
        """Last use per key, for filesystems that cannot record it on the file itself."""
        return {}

    # -- paths ---------------------------------------------------------------------------------

    def _path(self, context_id: str) -> str:
        found = self._paths.get(context_id) if type(context_id) is str else None
        if found is None:
            name = file_name(context_id)
            sep = self.sep
            found = f"{self.root}{sep}{name[:2]}{sep}{name}{SUFFIX}"
            if type(context_id) is str:
                if len(self._paths) > 4096:
                    self._paths.clear()
                self._paths[context_id] = found
        return found

    def _latest_path(self, function: str) -> str:
        digest = xxhash.xxh3_128_hexdigest(function.encode("utf-8", "surrogatepass"))
        return f"{self.root}{self.sep}latest{self.sep}{digest}.json"

    def _stats_folder(self) -> str:
        return f"{self.root}{self.sep}stats"

    # -- entries -------------------------------------------------------------------------------

    def save(self, context_id: str, result: Any) -> None:
        self.save_entry(context_id, result, None)

    def save_entry(self, context_id: str, result: Any, metadata: Optional[Mapping[str, Any]] = None) -> None:
        key = str(context_id)
        chunks, _ = entry_format.encode(result, dict(metadata or {}, key=key), self.pickle_protocol, cache_secret(),
                                        key=key)
        self._write(self._path(context_id), chunks)

    def retrieve(self, context_id: str) -> Any:
        path = self._path(context_id)
        data = self._read(path)
        key = str(context_id)
        try:
            return entry_format.decode(data, cache_secret(), key)
        except Exception:  # the slow path says why, warns, and raises CheckpointNotExist
            return entry_format.load_or_miss(data, path, cache_secret(), key)

    def contains(self, context_id: str) -> Optional[bool]:
        return self._exists(self._path(context_id))

    def metadata(self, context_id: str) -> Optional[Dict[str, Any]]:
        """The metadata recorded with an entry, or None if there is no valid entry."""
        try:
            return entry_format.metadata(self._read(self._path(context_id)), cache_secret(), str(context_id))
        except CheckpointNotExist:
            return None

    def compute_time(self, context_id: str) -> Optional[float]:
        head = self._read_head(self._path(context_id))
        meta = entry_format.header_only(head) if head is not None else None
        value = meta.get("compute_time") if meta else None
        return float(value) if isinstance(value, (int, float)) else None

    def delete(self, context_id: str) -> bool:
        return self._remove(self._path(context_id))

    def entries(self) -> Iterator[EntryInfo]:
        used = self._last_used()
        for path, size, modified, last_used in self._entry_files():
            name = path.rsplit(self.sep, 1)[-1]
            if not name.endswith(SUFFIX) or name.startswith("."):
                continue
            head = self._read_head(path)
            if head is None:  # deleted meanwhile
                continue
            meta = entry_format.header_only(head) or {}
            key = str(meta.get("key") or name[:-len(SUFFIX)])
            created = meta.get("created") if isinstance(meta.get("created"), (int, float)) else modified
            yield EntryInfo(key, size, created, used.get(key, last_used if last_used is not None else created),
                            meta.get("function"), meta.get("compute_time"), meta)

    # -- explaining misses ---------------------------------------------------------------------

    def latest(self, function: str) -> Optional[Mapping[str, Any]]:
        try:
            data = json.loads(bytes(self._read(self._latest_path(function))))
        except (CheckpointNotExist, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("function") == function else None

    def record_latest(self, function: str, key: str, components: Any) -> None:
        document = {"function": function, "key": key, "components": components}
        self._write(self._latest_path(function), [json.dumps(document).encode()])

    # -- usage statistics ----------------------------------------------------------------------

    def record_stats(self, counts: Mapping[str, Mapping[str, float]]) -> None:
        if not self._root_exists():
            return  # a store that was removed (or never written) is not created just for statistics
        name = f"{int(time.time())}-{os.getpid()}-{os.urandom(4).hex()}.json"
        self._write(f"{self._stats_folder()}{self.sep}{name}",
                    [json.dumps({k: dict(v) for k, v in counts.items()}).encode()])

    def stats(self) -> Dict[str, Dict[str, float]]:
        return self._sum_stats(p for p in self._folder_files(self._stats_folder()) if p.endswith(".json"))

    def _sum_stats(self, paths: Iterable[str]) -> Dict[str, Dict[str, float]]:
        def documents() -> Iterator[Any]:
            for path in paths:
                try:
                    yield json.loads(bytes(self._read(path)))
                except (CheckpointNotExist, ValueError):
                    continue
        return sum_stats(documents())
