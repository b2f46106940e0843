"""The directory store (default): one file per entry under ``.checkpointing/``.

Safe under crashes and concurrency:

- a write goes to a uniquely named temporary file in the entry's own folder, which is then
  renamed over the entry (``os.replace`` is atomic), so a reader sees the old entry or the new
  one, never a mix, and a writer killed mid-way leaves only a temporary file;
- every entry is checksummed (``entry_format``): a truncated or damaged entry is a miss with a
  :class:`~checkpointing.CorruptEntryWarning`, and the next save overwrites it;
- the folder is created on the first save, not when the decorator is applied.

No ``fsync`` is issued: a crash of the *process* cannot tear an entry; after a power loss an
entry may be missing or fail its checksum, which is again a miss.
"""

from __future__ import annotations

import json
import os
import sys
import re
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Mapping, Optional, Union

import xxhash

from .._config import defaults
from ..exceptions import CheckpointNotExist, CorruptEntryWarning
from . import entry_format
from .base import CacheBase

_SAFE_ID = re.compile(r"^[0-9A-Za-z_-][0-9A-Za-z_.-]{0,127}$")
_SUFFIX = ".ckpt"
#: entries at least this large are read into a buffer allocated without a zero-filling pass
_LARGE = 1 << 20
#: most entries are smaller than this and are read with a single system call
_FIRST_READ = 1 << 16
_CHUNK = 4 << 20
_PIPELINE = 16 << 20
_worker: Optional[ThreadPoolExecutor] = None
_worker_lock = threading.Lock()


def _checksum_worker() -> ThreadPoolExecutor:
    """One background thread, shared by all stores, that checksums chunks of large reads in order."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="checkpointing-checksum")
        return _worker


def _file_name(context_id: str) -> str:
    if not isinstance(context_id, str):
        context_id = str(context_id)
    if len(context_id) == 32 and context_id.isalnum() and context_id.isascii():
        return context_id  # our own keys: 32 hex digits
    if _SAFE_ID.match(context_id):
        return context_id
    return xxhash.xxh3_128_hexdigest(context_id.encode("utf-8", "surrogatepass"))


class PickleFileCache(CacheBase):
    """Results as files in ``directory`` (default: ``defaults["cache.filesystem.directory"]``).

    ``pickle_protocol`` defaults to ``defaults["cache.pickle_protocol"]`` (5, which lets large
    numpy arrays be written and read without extra copies).
    """

    def __init__(self, directory: Union[str, "os.PathLike[str]", None] = None,
                 pickle_protocol: Optional[int] = None) -> None:
        self.directory = Path(directory if directory is not None else defaults["cache.filesystem.directory"])
        self._dir = os.fspath(self.directory)
        protocol = pickle_protocol if pickle_protocol is not None else defaults["cache.pickle_protocol"]
        if not isinstance(protocol, int) or not 0 <= protocol <= 5:
            raise ValueError(f"pickle_protocol must be an int from 0 to 5, got {protocol!r}")
        self.pickle_protocol = protocol

    def __repr__(self) -> str:
        return f"PickleFileCache(directory={str(self.directory)!r}, pickle_protocol={self.pickle_protocol})"

    def path_for(self, context_id: str) -> Path:
        """The file that holds (or would hold) the entry for ``context_id``."""
        return Path(self._path(context_id))

    def _path(self, context_id: str) -> str:
        name = _file_name(context_id)
        return f"{self._dir}{os.sep}{name[:2]}{os.sep}{name}{_SUFFIX}"

    # -- writing ----------------------------------------------------------------------------

    def save(self, context_id: str, result: Any) -> None:
        self.save_entry(context_id, result, None)

    def save_entry(self, context_id: str, result: Any, metadata: Optional[Mapping[str, Any]] = None) -> None:
        chunks, _ = entry_format.encode(result, dict(metadata or {}, key=str(context_id)), self.pickle_protocol)
        final = self.path_for(context_id)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.parent / f".{final.name}.{os.getpid()}.{threading.get_ident()}.{os.urandom(4).hex()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            try:
                for chunk in chunks:
                    view = memoryview(chunk).cast("B")
                    while view.nbytes:
                        written = os.write(fd, view)
                        view = view[written:]
            finally:
                os.close(fd)
            os.replace(tmp, final)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    # -- reading ----------------------------------------------------------------------------

    def _read(self, path: str) -> Any:
        try:
            fd = os.open(path, os.O_RDONLY)
        except (FileNotFoundError, NotADirectoryError):
            raise CheckpointNotExist(str(path)) from None
        try:
            first = os.read(fd, _FIRST_READ)
            expected = entry_format.total_size(first)
            if expected is not None and len(first) == expected:
                return first  # the common case: a small entry, one read, no fstat
            size = os.fstat(fd).st_size
            if size < _LARGE:
                data = first
                while len(data) < size:  # short reads are legal
                    more = os.read(fd, size - len(data))
                    if not more:
                        break
                    data += more
                return data
            os.lseek(fd, 0, os.SEEK_SET)
            # numpy's allocator asks the kernel for huge pages and skips zero-filling; a result
            # this large is almost always numpy data, so numpy is usually imported already.
            # (Mapping the file itself would be faster still, but a mapped file truncated or
            # replaced underneath, as can happen on NFS, kills the process with SIGBUS.)
            np = sys.modules.get("numpy")
            buf: Any = np.empty(size, dtype=np.uint8) if np is not None else bytearray(size)
            view = memoryview(buf).cast("B")
            # checksum each chunk right after reading it, while it is still in the CPU cache; for
            # big entries a worker thread hashes chunk k while this thread reads chunk k + 1
            # (xxhash releases the GIL), so verification costs almost no extra time
            checksum = xxhash.xxh3_64()
            pending = None
            hasher = _checksum_worker() if size >= _PIPELINE else None
            done = 0
            while done < size:
                n = os.readv(fd, [view[done:min(size, done + _CHUNK)]])
                if n == 0:
                    break
                chunk = view[max(done, entry_format.PREFIX.size):done + n]
                if hasher is None:
                    checksum.update(chunk)
                else:
                    pending = hasher.submit(checksum.update, chunk)
                done += n
            if pending is not None:
                pending.result()  # the worker runs jobs in order: this was the last one
            view.release()
            if done != size:
                return buf[:done]
            return entry_format.Verified(buf, checksum.intdigest())
        finally:
            os.close(fd)

    def retrieve(self, context_id: str) -> Any:
        path = self._path(context_id)
        data = self._read(path)
        try:
            return entry_format.decode(data)
        except entry_format.EntryError as exc:
            warnings.warn(f"cache entry {path} is unusable ({exc}); it is treated as a miss and will be "
                          f"overwritten", CorruptEntryWarning, stacklevel=3)
        except Exception as exc:  # unpickling can raise anything (a class that moved, ...)
            warnings.warn(f"cache entry {path} could not be loaded: {type(exc).__name__}: {exc}; it is "
                          f"treated as a miss and will be overwritten", CorruptEntryWarning, stacklevel=3)
        raise CheckpointNotExist(str(path))

    def contains(self, context_id: str) -> Optional[bool]:
        return os.path.exists(self._path(context_id))

    def _latest_path(self, function: str) -> str:
        digest = xxhash.xxh3_128_hexdigest(function.encode("utf-8", "surrogatepass"))
        return os.path.join(self._dir, "latest", digest + ".json")

    def latest(self, function: str) -> Optional[Mapping[str, Any]]:
        try:
            with open(self._latest_path(function), encoding="utf-8") as f:
                data = json.load(f)
            return data if isinstance(data, dict) and data.get("function") == function else None
        except (OSError, ValueError):
            return None

    def record_latest(self, function: str, key: str, components: Any) -> None:
        path = self._latest_path(function)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump({"function": function, "key": key, "components": components}, f)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def metadata(self, context_id: str) -> Optional[dict]:
        """The metadata recorded with an entry, or None if there is no valid entry."""
        try:
            return entry_format.metadata(self._read(self._path(context_id)))
        except CheckpointNotExist:
            return None
