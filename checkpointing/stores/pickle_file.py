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

import mmap
import os
import re
import threading
import warnings
from pathlib import Path
from typing import Any, Mapping, Optional, Union

import xxhash

from .._config import defaults
from ..exceptions import CheckpointNotExist, CorruptEntryWarning
from . import entry_format
from .base import CacheBase

_SAFE_ID = re.compile(r"^[0-9A-Za-z_-][0-9A-Za-z_.-]{0,127}$")
_SUFFIX = ".ckpt"
#: entries at least this large are read into an anonymous memory map (no zero-filling pass)
_MAP_THRESHOLD = 1 << 20


def _file_name(context_id: str) -> str:
    if not isinstance(context_id, str):
        context_id = str(context_id)
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
        protocol = pickle_protocol if pickle_protocol is not None else defaults["cache.pickle_protocol"]
        if not isinstance(protocol, int) or not 0 <= protocol <= 5:
            raise ValueError(f"pickle_protocol must be an int from 0 to 5, got {protocol!r}")
        self.pickle_protocol = protocol

    def __repr__(self) -> str:
        return f"PickleFileCache(directory={str(self.directory)!r}, pickle_protocol={self.pickle_protocol})"

    def path_for(self, context_id: str) -> Path:
        """The file that holds (or would hold) the entry for ``context_id``."""
        name = _file_name(context_id)
        return self.directory / name[:2] / (name + _SUFFIX)

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

    def _read(self, path: Path) -> Any:
        try:
            fd = os.open(path, os.O_RDONLY)
        except (FileNotFoundError, NotADirectoryError):
            raise CheckpointNotExist(str(path)) from None
        try:
            size = os.fstat(fd).st_size
            if size < _MAP_THRESHOLD:
                data = os.read(fd, size + 1)
                while len(data) < size:  # short reads are legal
                    more = os.read(fd, size - len(data))
                    if not more:
                        break
                    data += more
                return data
            buf = mmap.mmap(-1, size)
            view = memoryview(buf)
            done = 0
            while done < size:
                n = os.readv(fd, [view[done:]])
                if n == 0:
                    break
                done += n
            view.release()
            return buf if done == size else buf[:done]
        finally:
            os.close(fd)

    def retrieve(self, context_id: str) -> Any:
        path = self.path_for(context_id)
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

    def metadata(self, context_id: str) -> Optional[dict]:
        """The metadata recorded with an entry, or None if there is no valid entry."""
        try:
            return entry_format.metadata(self._read(self.path_for(context_id)))
        except CheckpointNotExist:
            return None
