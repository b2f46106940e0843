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

Directories it creates are readable by their owner only (``defaults["cache.directory_mode"]``)
and entries are written with mode 0600. ``lock()`` is an ``flock`` on a file under ``locks/``:
the kernel releases it when its holder dies, so a crashed computation never blocks others.
Usage statistics go to ``stats/``, one small file per process (no lost updates).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

import xxhash

from .._config import defaults
from ..exceptions import CheckpointNotExist
from . import entry_format
from .base import LockTimeout, wait_with_backoff
from .file_layout import HEAD, FileLayout, file_name

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the process-local lock of CacheBase is used
    fcntl = None  # type: ignore[assignment]

#: entries at least this large are read into a buffer allocated without a zero-filling pass
_LARGE = 1 << 20
#: most entries are smaller than this and are read with a single system call
_FIRST_READ = HEAD
_CHUNK = 4 << 20
_PIPELINE = 16 << 20
#: per-process statistics files are merged into one beyond this many
_STATS_FILES = 64
_worker: Optional[ThreadPoolExecutor] = None
_worker_lock = threading.Lock()


def _checksum_worker() -> ThreadPoolExecutor:
    """One background thread, shared by all stores, that checksums chunks of large reads in order."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="checkpointing-checksum")
        return _worker


class PickleFileCache(FileLayout):
    """Results as files in ``directory`` (default: ``defaults["cache.filesystem.directory"]``).

    ``pickle_protocol`` defaults to ``defaults["cache.pickle_protocol"]`` (5, which lets large
    numpy arrays be written and read without extra copies).
    """

    sep = os.sep

    def __init__(self, directory: Union[str, "os.PathLike[str]", None] = None,
                 pickle_protocol: Optional[int] = None) -> None:
        self.directory = Path(directory if directory is not None else defaults["cache.filesystem.directory"])
        super().__init__(os.fspath(self.directory))
        protocol = pickle_protocol if pickle_protocol is not None else defaults["cache.pickle_protocol"]
        if not isinstance(protocol, int) or not 0 <= protocol <= 5:
            raise ValueError(f"pickle_protocol must be an int from 0 to 5, got {protocol!r}")
        self.pickle_protocol = protocol

    def __repr__(self) -> str:
        return f"PickleFileCache(directory={str(self.directory)!r}, pickle_protocol={self.pickle_protocol})"

    def untrusted_reason(self) -> Optional[str]:
        """Why others could write entries here (None: only you can; see ``trust``)."""
        from .trust import directory_risk

        return directory_risk(self.root)

    def path_for(self, context_id: str) -> Path:
        """The file that holds (or would hold) the entry for ``context_id``."""
        return Path(self._path(context_id))

    # -- the file primitives (FileLayout) ------------------------------------------------------

    def _makedirs(self, path: str) -> None:
        """Create ``path`` and its parents; those inside the store get the private mode."""
        if os.path.isdir(path):
            return
        mode = defaults.get("cache.directory_mode", 0o700)
        root = self.root
        if not os.path.isdir(root):
            os.makedirs(root, mode=mode, exist_ok=True)
            with contextlib.suppress(OSError):
                os.chmod(root, mode)  # makedirs' mode is filtered by the umask
        os.makedirs(path, mode=mode, exist_ok=True)

    def _write(self, path: str, chunks: Iterable[Any]) -> None:
        folder, name = os.path.split(path)
        self._makedirs(folder)
        tmp = os.path.join(folder, f".{name}.{os.getpid()}.{threading.get_ident()}.{os.urandom(4).hex()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            try:
                for chunk in chunks:
                    view = memoryview(chunk).cast("B")
                    while view.nbytes:
                        written = os.write(fd, view)
                        view = view[written:]
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

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
            flags = entry_format.PREFIX.unpack_from(first, 0)[2] if len(first) >= entry_format.PREFIX.size else 0
            checked_end = size - (entry_format.SIGNATURE_SIZE if flags & entry_format.SIGNED else 0)
            pending = None
            hasher = _checksum_worker() if size >= _PIPELINE else None
            done = 0
            while done < size:
                n = os.readv(fd, [view[done:min(size, done + _CHUNK)]])
                if n == 0:
                    break
                chunk = view[max(done, entry_format.PREFIX.size):min(done + n, checked_end)]
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

    def _read_head(self, path: str) -> Optional[bytes]:
        try:
            with open(path, "rb") as f:
                return f.read(HEAD)
        except OSError:
            return None

    def _exists(self, path: str) -> bool:
        return os.path.exists(path)

    def _remove(self, path: str) -> bool:
        try:
            os.unlink(path)
            return True
        except FileNotFoundError:
            return False

    def _entry_files(self) -> Iterator[Tuple[str, int, Optional[float], Optional[float]]]:
        try:
            shards = sorted(os.scandir(self.root), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            return
        for shard in shards:
            if len(shard.name) != 2 or not shard.is_dir():
                continue
            for entry in sorted(os.scandir(shard.path), key=lambda e: e.name):
                try:
                    st = entry.stat()
                except OSError:  # deleted meanwhile
                    continue
                yield entry.path, st.st_size, st.st_mtime, max(st.st_atime, st.st_mtime)

    def _folder_files(self, folder: str) -> List[str]:
        try:
            return [os.path.join(folder, name) for name in os.listdir(folder)]
        except (FileNotFoundError, NotADirectoryError):
            return []

    def _root_exists(self) -> bool:
        return os.path.isdir(self.root)

    # -- what only a local folder can do -------------------------------------------------------

    def legacy_files(self) -> List[Path]:
        """Files checkpointing 1.0.1 wrote here (``<directory>/<key>.pickle``). They are never read
        (this version's entries are ``<directory>/<xx>/<key>.ckpt``, checksummed and versioned);
        ``checkpointing clear --legacy`` deletes them."""
        try:
            return sorted(Path(e.path) for e in os.scandir(self.root)
                          if e.name.endswith(".pickle") and not e.name.startswith(".") and e.is_file())
        except (FileNotFoundError, NotADirectoryError):
            return []

    def touch(self, context_ids: Iterable[str], when: float) -> None:
        for key in context_ids:
            path = self._path(key)
            with contextlib.suppress(OSError):
                os.utime(path, (when, os.stat(path).st_mtime))  # atime = last use; mtime = written

    @contextlib.contextmanager
    def lock(self, context_id: str, timeout: float) -> Iterator[None]:
        if fcntl is None:  # pragma: no cover
            with super().lock(context_id, timeout):
                yield
            return
        folder = os.path.join(self.root, "locks")
        self._makedirs(folder)
        fd = os.open(os.path.join(folder, file_name(context_id) + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = time.monotonic() + timeout
            attempt = 0
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockTimeout(f"waited {timeout:g}s for another process computing key {context_id}") from None
                    wait_with_backoff(attempt)
                    attempt += 1
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def record_stats(self, counts: Mapping[str, Mapping[str, float]]) -> None:
        super().record_stats(counts)
        folder = self._stats_folder()
        with contextlib.suppress(OSError):
            if len(os.listdir(folder)) > _STATS_FILES:
                self._compact_stats(folder)

    def _compact_stats(self, folder: str) -> None:
        """Merge the per-process statistics files into one, so the folder stays small. Runs under
        a lock that is only tried: a process that does not get it leaves the work to another."""
        if fcntl is None:  # pragma: no cover
            return
        fd = os.open(os.path.join(folder, ".compact.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return
            names = [n for n in os.listdir(folder) if n.endswith(".json")]
            merged = self._sum_stats(os.path.join(folder, n) for n in names)
            path = os.path.join(folder, f"{int(time.time())}-{os.getpid()}-{os.urandom(4).hex()}-merged.json")
            # the sum appears before its parts go: a reader at that moment may count them twice (statistics only)
            self._write(path, [json.dumps(merged).encode()])
            for name in names:
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, name))
        finally:
            os.close(fd)
