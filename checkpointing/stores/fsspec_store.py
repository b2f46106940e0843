"""A store on any fsspec filesystem: ``s3://bucket/prefix``, ``gs://...``, ``file://...``, ``memory://...``.

Entries use the directory store's layout and format (``<root>/<2 hex>/<key>.ckpt``,
checksummed, optionally signed). Writes are never partially visible: on filesystems that can
rename (local files, memory) an entry is written to a temporary name and moved; on object
stores (S3, GCS) an object becomes visible only once its upload completes, so it is written
in place. Needs ``fsspec`` (and the filesystem's own package, such as ``s3fs``):
``pip install 'checkpointing[fsspec]'``.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from typing import Any, Dict, Iterable, Iterator, Mapping, Optional

from .._config import cache_secret, defaults
from ..exceptions import CheckpointNotExist
from . import entry_format
from .base import CacheBase, EntryInfo, sum_stats
from .pickle_file import _SUFFIX, PickleFileCache, _file_name

_RENAMES = ("file", "local", "memory")


class FsspecCache(CacheBase[str, Any]):
    """Entries under ``url`` on an fsspec filesystem (``storage_options`` go to the filesystem)."""

    def __init__(self, url: str, pickle_protocol: Optional[int] = None, **storage_options: Any) -> None:
        try:
            import fsspec
        except ImportError as exc:
            raise ImportError("this store needs fsspec: pip install 'checkpointing[fsspec]'") from exc
        self.url = url
        self.storage_options = storage_options
        self.fs, root = fsspec.core.url_to_fs(url, **storage_options)
        self.root = root.rstrip("/")
        protocol = self.fs.protocol
        self._protocols = (protocol,) if isinstance(protocol, str) else tuple(protocol)
        self._renames = any(p in _RENAMES for p in self._protocols)
        self.pickle_protocol = pickle_protocol if pickle_protocol is not None else defaults["cache.pickle_protocol"]
        # a local filesystem gets the directory store's file lock and statistics
        self._local = PickleFileCache(root) if any(p in ("file", "local") for p in self._protocols) else None

    def untrusted_reason(self) -> Optional[str]:
        """Why others could write entries here (None: only you can; see ``trust``): a local
        folder is checked like the directory store, an in-process ``memory://`` store is
        private, any other filesystem (S3, GCS, ...) is shared by whoever may write to it."""
        if self._local is not None:
            return self._local.untrusted_reason()
        if all(p == "memory" for p in self._protocols):
            return None
        return f"a {self._protocols[0]}:// store: whoever may write to it can write entries"

    def __repr__(self) -> str:
        return f"FsspecCache({self.url!r})"

    def __getstate__(self) -> Dict[str, Any]:
        return {"url": self.url, "pickle_protocol": self.pickle_protocol, "storage_options": self.storage_options}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        FsspecCache.__init__(self, state["url"], state["pickle_protocol"], **state["storage_options"])

    def _path(self, context_id: str) -> str:
        name = _file_name(str(context_id))
        return f"{self.root}/{name[:2]}/{name}{_SUFFIX}"

    def save(self, context_id: str, result: Any) -> None:
        self.save_entry(context_id, result, None)

    def save_entry(self, context_id: str, result: Any, metadata: Optional[Mapping[str, Any]] = None) -> None:
        chunks, _ = entry_format.encode(result, dict(metadata or {}, key=str(context_id)), self.pickle_protocol,
                                        cache_secret())
        final = self._path(context_id)
        folder = final.rsplit("/", 1)[0]
        self.fs.makedirs(folder, exist_ok=True)
        target = f"{folder}/.{os.getpid()}.{os.urandom(6).hex()}.tmp" if self._renames else final
        try:
            with self.fs.open(target, "wb") as f:
                for chunk in chunks:
                    f.write(chunk)
            if target != final:
                self.fs.mv(target, final)
        except BaseException:
            if target != final:
                with contextlib.suppress(Exception):
                    self.fs.rm(target)
            raise

    def retrieve(self, context_id: str) -> Any:
        path = self._path(context_id)
        try:
            data = self.fs.cat_file(path)
        except (FileNotFoundError, KeyError):
            raise CheckpointNotExist(path) from None
        return entry_format.load_or_miss(data, path, cache_secret())

    def contains(self, context_id: str) -> Optional[bool]:
        return bool(self.fs.exists(self._path(context_id)))

    def metadata(self, context_id: str) -> Optional[Dict[str, Any]]:
        try:
            return entry_format.metadata(self.fs.cat_file(self._path(context_id)), cache_secret())
        except (FileNotFoundError, KeyError):
            return None

    def compute_time(self, context_id: str) -> Optional[float]:
        try:
            with self.fs.open(self._path(context_id), "rb") as f:
                meta = entry_format.header_only(f.read(1 << 16))
        except (FileNotFoundError, KeyError):
            return None
        value = (meta or {}).get("compute_time")
        return float(value) if isinstance(value, (int, float)) else None

    def _latest_path(self, function: str) -> str:
        import xxhash

        return f"{self.root}/latest/{xxhash.xxh3_128_hexdigest(function.encode('utf-8', 'surrogatepass'))}.json"

    def latest(self, function: str) -> Optional[Mapping[str, Any]]:
        try:
            data = json.loads(self.fs.cat_file(self._latest_path(function)))
        except (FileNotFoundError, KeyError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("function") == function else None

    def record_latest(self, function: str, key: str, components: Any) -> None:
        path = self._latest_path(function)
        self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        self.fs.pipe_file(path, json.dumps({"function": function, "key": key, "components": components}).encode())

    # -- management -------------------------------------------------------------------------

    def entries(self) -> Iterator[EntryInfo]:
        try:
            found = sorted(self.fs.find(self.root, detail=True).items())
        except FileNotFoundError:
            return
        for path, info in found:
            name = path.rsplit("/", 1)[-1]
            if not name.endswith(_SUFFIX) or name.startswith("."):
                continue
            try:
                with self.fs.open(path, "rb") as f:
                    head = f.read(1 << 16)
            except (FileNotFoundError, KeyError):
                continue
            meta = entry_format.header_only(head) or {}
            created = meta.get("created")
            used = self._used().get(str(meta.get("key")), created)
            yield EntryInfo(str(meta.get("key") or name[:-len(_SUFFIX)]), int(info.get("size") or 0), created, used,
                            meta.get("function"), meta.get("compute_time"), meta)

    def _used(self) -> Dict[str, float]:
        try:
            used: Dict[str, float] = json.loads(self.fs.cat_file(f"{self.root}/used.json"))
            return used
        except (FileNotFoundError, KeyError, ValueError):
            return {}

    def delete(self, context_id: str) -> bool:
        path = self._path(context_id)
        try:
            if not self.fs.exists(path):  # older fsspec memory filesystems ignore a missing path
                return False
            self.fs.rm(path)
            return True
        except (FileNotFoundError, KeyError):
            return False

    def touch(self, context_ids: Iterable[str], when: float) -> None:
        keys = list(context_ids)
        if not keys:
            return
        used = self._used()  # last writer wins: an approximate record, only used to order evictions
        used.update({str(k): when for k in keys})
        self.fs.makedirs(self.root, exist_ok=True)
        self.fs.pipe_file(f"{self.root}/used.json", json.dumps(used).encode())

    def record_stats(self, counts: Mapping[str, Mapping[str, float]]) -> None:
        if not self.fs.exists(self.root):
            return  # not created just for statistics
        folder = f"{self.root}/stats"
        self.fs.makedirs(folder, exist_ok=True)
        name = f"{folder}/{int(time.time())}-{os.getpid()}-{os.urandom(4).hex()}.json"
        self.fs.pipe_file(name, json.dumps({k: dict(v) for k, v in counts.items()}).encode())

    def stats(self) -> Dict[str, Dict[str, float]]:
        try:
            names = self.fs.ls(f"{self.root}/stats", detail=False)
        except (FileNotFoundError, KeyError):
            return {}

        def documents() -> Iterator[Any]:
            for name in names:
                try:
                    yield json.loads(self.fs.cat_file(name))
                except (FileNotFoundError, KeyError, ValueError):
                    continue
        return sum_stats(documents())

    @contextlib.contextmanager
    def lock(self, context_id: str, timeout: float) -> Iterator[None]:
        if self._local is not None:  # a local path: the kernel's file lock works across processes
            with self._local.lock(context_id, timeout):
                yield
        else:
            with super().lock(context_id, timeout):
                yield
