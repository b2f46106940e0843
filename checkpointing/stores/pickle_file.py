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
import errno
import json
import os
import stat
import sys
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterable, Iterator, List, Mapping, Optional, Set, Tuple, Union

import xxhash

from .._config import cache_secret, defaults
from ..analysis.atomic_file import leftovers, write_atomically
from ..exceptions import CheckpointNotExist, CorruptEntryWarning
from . import entry_format
from .base import LockTimeout, wait_with_backoff
from .file_layout import HEAD, FileLayout, file_name

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the process-local lock of CacheBase is used
    fcntl = None  # type: ignore[assignment]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
#: an entry is opened without following a link and without blocking on a FIFO
_READ_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
#: a temporary file not written to for this long was left by a writer that was killed
LEFTOVER_SECONDS = 3600.0


def _refused(path: str, what: str) -> CheckpointNotExist:
    """A miss for a file at an entry's path that is not an entry: said once, as a damaged entry is."""
    warnings.warn(f"cache entry {path} is {what}: it was not written by checkpointing, and is refused without "
                  f"being read (remove it)", CorruptEntryWarning, stacklevel=5)
    return CheckpointNotExist(path)

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
        self._swept: Set[str] = set()
        protocol = pickle_protocol if pickle_protocol is not None else defaults["cache.pickle_protocol"]
        if not isinstance(protocol, int) or not 0 <= protocol <= 5:
            raise ValueError(f"pickle_protocol must be an int from 0 to 5, got {protocol!r}")
        self.pickle_protocol = protocol
        self._modes()  # a bad defaults["cache.directory_mode"] is said where the store is made

    def __repr__(self) -> str:
        return f"PickleFileCache(directory={str(self.directory)!r}, pickle_protocol={self.pickle_protocol})"

    def untrusted_reason(self) -> Optional[str]:
        """Why others could write entries here (None: only you can; see ``trust``)."""
        from .trust import directory_risk

        return directory_risk(self.root)

    def trust_settled(self) -> bool:
        """Whether :meth:`untrusted_reason` is final: not before the folder exists."""
        return os.path.isdir(self.root)

    def path_for(self, context_id: str) -> Path:
        """The file that holds (or would hold) the entry for ``context_id``."""
        return Path(self._path(context_id))

    # -- the file primitives (FileLayout) ------------------------------------------------------

    def _modes(self) -> Tuple[int, int]:
        """(folder mode, file mode): ``defaults["cache.directory_mode"]`` (0o700), and the same
        permissions without execute or set-id bits for files (0o600; 0o660 for a group's 0o2770)."""
        mode = defaults.get("cache.directory_mode", 0o700)
        if isinstance(mode, bool) or not isinstance(mode, int) or not 0 <= mode <= 0o7777:
            raise ValueError(f'defaults["cache.directory_mode"] must be an int of permission bits such as 0o700 '
                             f"(or 0o2770 to share the store with a group), got {mode!r}")
        return mode, mode & 0o666

    def _makedirs(self, path: str) -> None:
        """Create the store's folder and ``path`` inside it, with the store's permissions exactly
        (the umask is not applied). The root is created by this process or checked again (someone
        else may have made it meanwhile: see ``trust``); a folder inside it must be a real folder,
        never a link (see :meth:`_open_folder`)."""
        mode, _ = self._modes()
        root = self.root
        if not os.path.isdir(root):
            parent = os.path.dirname(os.path.abspath(root))
            os.makedirs(parent, exist_ok=True)
            try:
                os.mkdir(root, mode)
                os.chmod(root, mode)  # mkdir's mode is filtered by the umask
            except FileExistsError:  # made by someone else since the store was judged
                from . import trust

                trust.forget(self)
                risk = trust.directory_risk(root)
                if risk is not None and cache_secret() is None:  # (signed entries may go to a shared folder)
                    raise PermissionError(f"refusing to write into {root}: {risk} (it was created by someone "
                                          f"else after this process checked it)") from None
        relative = os.path.relpath(path, root)
        if relative == os.curdir:
            return
        current = root
        for part in relative.split(os.sep):
            current = os.path.join(current, part)
            try:
                os.mkdir(current, mode)
                os.chmod(current, mode)
            except FileExistsError:
                pass
            self._check_folder(current, os.lstat(current))

    def _check_folder(self, path: str, st: os.stat_result) -> None:
        """A folder inside the store must be a real folder, not a link: a link planted there would
        send entries (or a lock file) wherever it points. (Its owner may be another member of a
        group store; in a private store nobody else can create one.)"""
        if not stat.S_ISDIR(st.st_mode):
            kind = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a folder"
            raise PermissionError(f"refusing to use {path}: it is {kind}, not a folder the store made "
                                  f"(planted in the store? remove it)")

    def _open_folder(self, folder: str) -> int:
        """A descriptor of ``folder`` inside the store, created if need be, opened without following
        a link (so one swapped in after the check cannot redirect the write either)."""
        try:
            fd = os.open(folder, os.O_RDONLY | _DIRECTORY | _NOFOLLOW)
        except FileNotFoundError:
            self._makedirs(folder)
            fd = os.open(folder, os.O_RDONLY | _DIRECTORY | _NOFOLLOW)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                self._check_folder(folder, os.lstat(folder))  # says what is there instead
            raise
        try:
            self._check_folder(folder, os.fstat(fd))
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _write(self, path: str, chunks: Iterable[Any]) -> None:
        folder, name = os.path.split(path)
        _, file_mode = self._modes()
        fd = self._open_folder(folder)
        try:
            write_atomically(name, chunks, file_mode, dir_fd=fd)
        finally:
            os.close(fd)
        if folder not in self._swept:  # once per folder and process: what killed writers left behind
            self._swept.add(folder)
            for leftover, _ in leftovers([folder], LEFTOVER_SECONDS):
                with contextlib.suppress(OSError):
                    os.unlink(leftover)

    def leftovers(self, older_than: float = LEFTOVER_SECONDS) -> List[Tuple[str, int]]:
        """(path, size) of the temporary files writers that were killed left in the store, not
        written to for ``older_than`` seconds (``checkpointing ls`` counts them, ``gc`` and
        ``clear`` delete them)."""
        folders = [os.path.join(self.root, n) for n in ("latest", "stats", "locks")]
        try:
            folders += [e.path for e in os.scandir(self.root) if len(e.name) == 2 and e.is_dir(follow_symlinks=False)]
        except OSError:
            return []
        return list(leftovers(folders, older_than))

    def _read(self, path: str) -> Any:
        try:  # (never blocks on a FIFO, never follows a link: either is refused below)
            fd = os.open(path, _READ_FLAGS)
        except (FileNotFoundError, NotADirectoryError):
            raise CheckpointNotExist(str(path)) from None
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            raise _refused(path, "a symbolic link") from None
        try:
            try:
                first = os.read(fd, _FIRST_READ)
            except BlockingIOError:  # a FIFO with a writer
                raise _refused(path, "not a regular file") from None
            expected = entry_format.total_size(first)
            if expected is not None and len(first) == expected:
                return first  # the common case: a small entry, one read, no fstat
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise _refused(path, "not a regular file")
            size = st.st_size
            if expected != size:  # garbage, or sizes that disagree: the first bytes say so, unread
                return first
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
            fd = os.open(path, _READ_FLAGS)
        except OSError:
            return None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            return os.read(fd, HEAD)
        except OSError:
            return None
        finally:
            os.close(fd)

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
            if len(shard.name) != 2 or not shard.is_dir(follow_symlinks=False):
                continue
            for entry in sorted(os.scandir(shard.path), key=lambda e: e.name):
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:  # deleted meanwhile
                    continue
                if not stat.S_ISREG(st.st_mode):
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
        folder_fd = self._open_folder(os.path.join(self.root, "locks"))
        try:  # a link planted as the lock file is not followed (its target would be created)
            fd = os.open(file_name(context_id) + ".lock", os.O_RDWR | os.O_CREAT | _NOFOLLOW | os.O_NONBLOCK,
                         self._modes()[1], dir_fd=folder_fd)
        finally:
            os.close(folder_fd)
        with contextlib.suppress(OSError):  # the umask filtered the mode (a group member's file: left as is)
            os.fchmod(fd, self._modes()[1])
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
        from . import trust

        if trust.untrusted(self) is not None and cache_secret() is None and not trust.trust_unsigned_configured():
            return  # a folder others can write is not written to (its entries are not used either)
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
        fd = os.open(os.path.join(folder, ".compact.lock"), os.O_RDWR | os.O_CREAT | _NOFOLLOW | os.O_NONBLOCK,
                     self._modes()[1])
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
