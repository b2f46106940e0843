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
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

from .._config import defaults
from ..analysis.atomic_file import temporary_name
from ..exceptions import CheckpointNotExist
from .file_layout import HEAD, FileLayout
from .pickle_file import PickleFileCache

_RENAMES = ("file", "local", "memory")


class FsspecCache(FileLayout):
    """Entries under ``url`` on an fsspec filesystem (``storage_options`` go to the filesystem)."""

    def __init__(self, url: str, pickle_protocol: Optional[int] = None, **storage_options: Any) -> None:
        try:
            import fsspec
        except ImportError as exc:
            raise ImportError("this store needs fsspec: pip install 'checkpointing[fsspec]'") from exc
        self.url = url
        self.storage_options = storage_options
        self.fs, root = fsspec.core.url_to_fs(url, **storage_options)
        super().__init__(root.rstrip("/"))
        protocol = self.fs.protocol
        self._protocols = (protocol,) if isinstance(protocol, str) else tuple(protocol)
        self._renames = any(p in _RENAMES for p in self._protocols)
        self.pickle_protocol = pickle_protocol if pickle_protocol is not None else defaults["cache.pickle_protocol"]
        # a local filesystem gets the directory store's file lock
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

    # -- the file primitives (FileLayout) ------------------------------------------------------

    def _write(self, path: str, chunks: Iterable[Any]) -> None:
        folder = path.rsplit("/", 1)[0]
        self.fs.makedirs(folder, exist_ok=True)
        target = f"{folder}/{temporary_name(path.rsplit('/', 1)[1])}" if self._renames else path
        try:
            with self.fs.open(target, "wb") as f:
                for chunk in chunks:
                    f.write(chunk)
            if target != path:
                self.fs.mv(target, path)
        except BaseException:
            if target != path:
                with contextlib.suppress(Exception):
                    self.fs.rm(target)
            raise

    def _read(self, path: str) -> Any:
        try:
            return self.fs.cat_file(path)
        except (FileNotFoundError, KeyError):
            raise CheckpointNotExist(path) from None

    def _read_head(self, path: str) -> Optional[bytes]:
        try:
            with self.fs.open(path, "rb") as f:
                head: bytes = f.read(HEAD)
                return head
        except (FileNotFoundError, KeyError):
            return None

    def _exists(self, path: str) -> bool:
        return bool(self.fs.exists(path))

    def _remove(self, path: str) -> bool:
        try:
            if not self.fs.exists(path):  # older fsspec memory filesystems ignore a missing path
                return False
            self.fs.rm(path)
            return True
        except (FileNotFoundError, KeyError):
            return False

    def _entry_files(self) -> Iterator[Tuple[str, int, Optional[float], Optional[float]]]:
        try:
            found = sorted(self.fs.find(self.root, detail=True).items())
        except FileNotFoundError:
            return
        prefix = self.root + "/"
        for path, info in found:
            shard = path[len(prefix):].split("/") if path.startswith(prefix) else []
            if len(shard) == 2 and len(shard[0]) == 2:
                yield path, int(info.get("size") or 0), None, None

    def _folder_files(self, folder: str) -> List[str]:
        try:
            return list(self.fs.ls(folder, detail=False))
        except (FileNotFoundError, KeyError):
            return []

    def _root_exists(self) -> bool:
        return bool(self.fs.exists(self.root))

    # -- last use: an object store cannot record it on the object ------------------------------

    def _last_used(self) -> Dict[str, float]:
        try:
            used: Dict[str, float] = json.loads(self.fs.cat_file(f"{self.root}/used.json"))
            return used if isinstance(used, dict) else {}
        except (FileNotFoundError, KeyError, ValueError):
            return {}

    def touch(self, context_ids: Iterable[str], when: float) -> None:
        keys = list(context_ids)
        if not keys:
            return
        used = self._last_used()  # last writer wins: an approximate record, only used to order evictions
        used.update({str(k): when for k in keys})
        self._write(f"{self.root}/used.json", [json.dumps(used).encode()])

    @contextlib.contextmanager
    def lock(self, context_id: str, timeout: float) -> Iterator[None]:
        if self._local is not None:  # a local path: the kernel's file lock works across processes
            with self._local.lock(context_id, timeout):
                yield
        else:
            with super().lock(context_id, timeout):
                yield
