"""The files a computation read and the folders it listed: part of what its entry depends on.

While a checkpointed function computes (a miss), an :class:`InputRecord` collects, through the
interpreter's audit events (``open``, ``os.listdir``, ``os.scandir``, ``glob.glob``) and the
readers whose compiled code opens files itself (``analysis.compiled_readers``, watched while a
record is open), the files opened for reading and the folders listed, in every thread of the process (a thread pool the
function starts included; so are, by design, reads that other threads make meanwhile: an input
too many is a miss, never a stale result). Not inputs: what the interpreter and installed
packages read (their folders), Python sources and compiled modules (code, keyed as code), the
store, the analysis cache, ``/proc``, ``/dev`` and ``/sys``, files the computation wrote itself,
paths matched by ``inputs_ignore``.

Each input is stored with the entry (:class:`Input`): its path (relative to the working directory
where it is under it), its size and modification time, and the xxh3 digest of its bytes
(files larger than ``defaults["checkpoint.inputs_digest_limit"]`` by size and time only); a
folder by its sorted names. A hit checks them first (:func:`changed`), as git checks its index:
a file with the same size and modification time is unchanged; otherwise its bytes are digested
again, so a file touched or rewritten with the same bytes is still a hit. A changed, missing or
unreadable input is a miss whose explanation names it. A file whose size or modification time
changed between its first read and the end of the computation is stored without a digest, so
the next call recomputes: the result may come from either version.

Not seen: reads made in child processes (``multiprocessing``, ``subprocess``), and by compiled
code that opens files itself and is not in the table (netCDF4, a reader bound to another name
before the computation): the lint reports those readers (CKP104).
"""

from __future__ import annotations

import fnmatch
import functools
import os
import stat
import sys
import threading
from types import FrameType
from typing import Any, Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Set, Tuple

import xxhash

from ._config import defaults, parse_size
from ._usercode import library_roots

_FLAGS_WRITE = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_NOT_DATA_PREFIXES = ("/proc/", "/dev/", "/sys/")
_CODE_SUFFIXES = (".py", ".pyc", ".pyi", ".pyd", ".so", ".pth")
_CHUNK = 1 << 20


class Input(NamedTuple):
    """One input of an entry: a file (``size``, ``mtime_ns``, ``digest``: None when it was
    larger than the digest limit) or a folder listed (``names``: its sorted entries). A tuple:
    an entry's inputs are unpickled on every hit."""

    path: str  # as shown: relative to the working directory where it is under it
    kind: str  # "file" or "folder"
    size: int = 0
    mtime_ns: int = 0
    digest: Optional[bytes] = None
    names: Tuple[str, ...] = ()

    def to_json(self) -> Dict[str, Any]:
        found: Dict[str, Any] = {"path": self.path, "kind": self.kind}
        if self.kind == "file":
            found.update(size=self.size, mtime_ns=self.mtime_ns, digest=self.digest.hex() if self.digest else None)
        else:
            found.update(names=list(self.names))
        return found

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Input":
        digest = data.get("digest")
        return cls(str(data["path"]), str(data["kind"]), int(data.get("size", 0)), int(data.get("mtime_ns", 0)),
                   bytes.fromhex(digest) if digest else None, tuple(data.get("names", ())))


# -- the audit hook, and the records open -------------------------------------------------------

_open: List["InputRecord"] = []
_lock = threading.Lock()
_hooked = False


def _audit(event: str, args: Tuple[Any, ...]) -> None:
    if not _open:
        return
    try:
        if event == "open":
            path, mode, flags = args
            if isinstance(path, int) or path is None or _machinery():
                return
            if mode is None:
                writes = bool(flags & _FLAGS_WRITE) if isinstance(flags, int) else False
                reads = not (flags & os.O_WRONLY) if isinstance(flags, int) else True
            else:
                writes = any(c in mode for c in "wax+")
                reads = "r" in mode or "+" in mode
            where = os.path.abspath(os.fsdecode(path))
            for record in list(_open):
                if writes:
                    record.written.add(where)
                if reads:
                    record.reading(where, "file")
        elif event in ("os.listdir", "os.scandir"):
            path = args[0]
            if isinstance(path, int) or _machinery():
                return
            where = os.path.abspath(os.fsdecode(path if path is not None else "."))
            for record in list(_open):
                record.read.append((where, "folder"))
        elif event == "glob.glob" and not _machinery():
            pattern = os.fsdecode(args[0])
            folder = os.path.dirname(pattern.split("*")[0].split("?")[0].split("[")[0]) or "."
            where = os.path.abspath(folder)
            for record in list(_open):
                record.read.append((where, "folder"))
    except Exception:  # an audit hook must never fail the operation it watches
        pass


#: packages whose reads are the interpreter's business, not the computation's: the import system
#: and the package metadata it scans (each folder of sys.path, the current one included);
#: ``importlib.resources`` (a package's own data files, read on the computation's behalf) excepted
_MACHINERY = frozenset({"importlib", "pkgutil", "pkg_resources", "importlib_metadata", "site", "zipimport",
                        "linecache"})
_boundary: List[Any] = []  # the code of the method a computation runs in (where the walk stops)


def _machinery() -> bool:
    """Is the import system or the package-metadata machinery reading (not the computation)? Only
    the frames between the read and the computation that records it count: a computation that
    runs while a module is imported still has its own reads recorded."""
    if not _boundary:
        from ._checkpointed import CheckpointedFunction

        _boundary.append(CheckpointedFunction._compute_and_save.__code__)
    stop = _boundary[0]
    frame: Optional[FrameType] = sys._getframe(2)
    for _ in range(200):
        if frame is None or frame.f_code is stop:
            return False
        name = frame.f_globals.get("__name__")
        if isinstance(name, str) and name.partition(".")[0] in _MACHINERY \
                and not name.startswith("importlib.resources"):
            return True
        frame = frame.f_back
    return False


def _hook() -> None:
    global _hooked
    if not _hooked:
        with _lock:
            if not _hooked:
                sys.addaudithook(_audit)
                _hooked = True


def enabled(decorator_inputs: Optional[bool]) -> bool:
    """Are inputs recorded (and checked) for a function decorated with ``inputs=decorator_inputs``?
    (``$CHECKPOINTING_INPUTS`` is read once per process.)"""
    if decorator_inputs is not None:
        return bool(decorator_inputs)
    if _environment_off():
        return False
    return bool(defaults.get("checkpoint.inputs", True))


@functools.lru_cache(maxsize=1)
def _environment_off() -> bool:
    return os.environ.get("CHECKPOINTING_INPUTS", "").strip().lower() in ("0", "false", "no", "off")


class InputRecord:
    """Collects the inputs of one computation (a context manager; see the module docstring)."""

    def __init__(self, ignore: Sequence[str] = (), skip: Iterable[str] = ()) -> None:
        self.read: List[Tuple[str, str]] = []
        #: (size, modification time) of each file when first read (None: it could not be stat'ed)
        self.first_seen: Dict[str, Optional[Tuple[int, int]]] = {}
        self.written: Set[str] = set()
        self.inherited: List[Input] = []
        self._ignore = tuple(ignore)
        self._skip = tuple(os.path.abspath(s) for s in skip if s)

    def __enter__(self) -> "InputRecord":
        _hook()
        with _lock:
            _open.append(self)
            if len(_open) == 1:
                _watch_compiled_readers()
                sys.meta_path.insert(0, _IMPORTS)
        return self

    def __exit__(self, *exc: Any) -> None:
        with _lock:
            if self in _open:
                _open.remove(self)
            if not _open:
                _unwatch_compiled_readers()
                if _IMPORTS in sys.meta_path:
                    sys.meta_path.remove(_IMPORTS)

    def reading(self, where: str, kind: str) -> None:
        """The computation reads the file (or, given to a compiled reader, the path) ``where``."""
        self.read.append((where, kind))
        if where not in self.first_seen:
            try:
                st = os.stat(where)
                self.first_seen[where] = (st.st_size, st.st_mtime_ns)
            except OSError:
                self.first_seen[where] = None

    def inputs(self) -> Tuple[Input, ...]:
        """The inputs of the computation, in the order first read (each path once)."""
        found: List[Input] = []
        seen: Set[Tuple[str, str]] = set()
        limit = parse_size(defaults.get("checkpoint.inputs_digest_limit", "2GB"))
        here = os.getcwd()
        for where, kind in self.read:
            if (where, kind) in seen:
                continue
            seen.add((where, kind))
            if where in self.written or not self._is_data(where, here):
                continue
            if kind == "path":  # given to a compiled reader: a file, or a folder of files (a dataset)
                kind = "file"
                if os.path.isdir(where):  # every file under it, and every folder's listing
                    kind = "folder"
                    for folder, folders, files in os.walk(where):
                        folders.sort()
                        inside = [folder] if folder != where else []
                        inside += [os.path.join(folder, n) for n in sorted(files)]
                        found += [f for f in (describe(p, "folder" if p == folder else "file", here, limit)
                                              for p in inside if self._is_data(p, here)) if f is not None]
            made = describe(where, kind, here, limit)
            if made is not None:
                first = self.first_seen.get(where)
                if made.kind == "file" and first is not None and first != (made.size, made.mtime_ns):
                    made = Input(made.path, "file", first[0], first[1], None)  # changed during the run
                found.append(made)
        shown = {(i.path, i.kind) for i in found}
        found += [i for i in self.inherited if (i.path, i.kind) not in shown]
        return tuple(found)

    def _is_data(self, where: str, here: str) -> bool:
        if where.startswith(_NOT_DATA_PREFIXES) or where.endswith(_CODE_SUFFIXES) or "__pycache__" in where:
            return False
        if any(where == root or where.startswith(root + os.sep) for root in (*library_roots(), *self._skip)):
            return False
        shown = _shown(where, here)
        return not any(fnmatch.fnmatch(shown, p) or fnmatch.fnmatch(where, p) for p in self._ignore)


def inherit(inputs: Sequence[Sequence[Any]]) -> None:
    """A hit inside computations being recorded: what it was computed from is theirs too."""
    if _open and inputs:
        found = as_inputs(inputs)
        with _lock:
            for record in _open:
                record.inherited.extend(found)


def describe(where: str, kind: str, here: str, limit: int) -> Optional[Input]:
    """The input at absolute path ``where`` as it is now (None: not a regular file or folder, or gone)."""
    try:
        st = os.stat(where)
    except OSError:
        return None
    shown = _shown(where, here)
    if kind == "folder":
        if not stat.S_ISDIR(st.st_mode):
            return None
        try:
            return Input(shown, "folder", names=tuple(sorted(os.listdir(where))))
        except OSError:
            return None
    if not stat.S_ISREG(st.st_mode):
        return None
    digest = _digest(where) if st.st_size <= limit else None
    if st.st_size <= limit and digest is None:
        return None
    return Input(shown, "file", st.st_size, st.st_mtime_ns, digest)


def as_inputs(inputs: Iterable[Sequence[Any]]) -> Tuple[Input, ...]:
    """Inputs as :class:`Input` (an entry unpickles them as plain tuples of the same fields)."""
    return tuple(i if type(i) is Input else Input._make(i) for i in inputs)


def changed(inputs: Sequence[Sequence[Any]]) -> Optional[str]:
    """Why the inputs of an entry differ from the files now (None: they are all as recorded).
    Each is an :class:`Input` or the plain tuple of its fields (read by position: the hot path)."""
    prefix = os.getcwd().rstrip(os.sep) + os.sep
    stat_ = os.stat
    for recorded in inputs:
        path, kind, size, mtime_ns, digest = recorded[:5]
        where = path if path[:1] == os.sep else prefix + path if path != "." else prefix
        if kind == "folder":
            try:
                names = tuple(sorted(os.listdir(where)))
            except OSError:
                return f"input folder `{path}` can no longer be listed"
            if names != tuple(recorded[5]):
                return _listing_change(Input._make(recorded), names)
            continue
        try:
            st = stat_(where)
        except OSError:
            return f"input `{path}` no longer exists"
        if st.st_size == size and st.st_mtime_ns == mtime_ns:
            continue
        if digest is None or st.st_size != size:
            return f"input `{path}` changed"
        seen = (where, st.st_size, st.st_mtime_ns)
        if _confirmed.get(seen) == digest:
            continue  # touched, and digested again already in this process
        if _digest(where) != digest:
            return f"input `{path}` changed"
        if len(_confirmed) > 4096:
            _confirmed.clear()
        _confirmed[seen] = digest
    return None


#: (path, size, modification time) of files touched since an entry recorded them, whose bytes
#: were digested again in this process and found the same: not digested on every hit
_confirmed: Dict[Tuple[str, int, int], bytes] = {}


def _listing_change(recorded: Input, names: Tuple[str, ...]) -> str:
    before, now = set(recorded.names), set(names)
    added, removed = sorted(now - before), sorted(before - now)
    folder = recorded.path.rstrip(os.sep) + os.sep
    if added:
        more = f" (and {len(added) - 1} more)" if len(added) > 1 else ""
        return f"`{folder}` has a new entry `{added[0]}`{more}"
    more = f" (and {len(removed) - 1} more)" if len(removed) > 1 else ""
    return f"`{folder}` no longer has `{removed[0]}`{more}"


def _digest(path: str) -> Optional[bytes]:
    h = xxhash.xxh3_128()
    try:
        with open(path, "rb") as f:  # (inside a record: a file it reads anyway)
            while True:
                chunk = f.read(_CHUNK)
                if not chunk:
                    break
                h.update(chunk)
    except OSError:
        return None
    return h.digest()


def _shown(where: str, here: str) -> str:
    if where == here:
        return "."
    if where.startswith(here.rstrip(os.sep) + os.sep):
        return os.path.relpath(where, here)
    return where


# -- readers whose compiled code opens the file itself ------------------------------------------

_placed: List[Tuple[Any, str, Any]] = []


def _watch_compiled_readers() -> None:
    """Put a watcher in the place of each loaded reader of ``analysis.compiled_readers`` (a
    record just opened, none before): the path it is given is an input."""
    from ._objects import Watched
    from .analysis.compiled_readers import COMPILED_READERS

    for module_name, readers in COMPILED_READERS.items():
        module = sys.modules.get(module_name)
        if module is None:
            continue
        for reader in readers:
            owner_name, _, attribute = reader.rpartition(".")
            owner = vars(module).get(owner_name) if owner_name else module
            original = (vars(owner).get(attribute) if isinstance(owner, type)
                        else getattr(owner, attribute, None)) if owner is not None else None
            if original is None or type(original) is Watched:
                continue
            method = isinstance(owner, type)  # (a Watched is no descriptor: a method gets a function)
            watched = _method(original, _on_read(True)) if method else \
                Watched(original, _on_read(False), (module_name, reader))
            try:
                setattr(owner, attribute, watched)
            except (AttributeError, TypeError):  # an extension type: cannot be watched
                continue
            _placed.append((owner, attribute, original))


def _unwatch_compiled_readers() -> None:
    for owner, attribute, original in reversed(_placed):
        try:
            setattr(owner, attribute, original)
        except (AttributeError, TypeError):
            pass
    _placed.clear()


def _method(original: Any, on_call: Any) -> Any:
    @functools.wraps(original)
    def watched(*args: Any, **kwargs: Any) -> Any:
        on_call(args, kwargs)
        return original(*args, **kwargs)
    return watched


def _on_read(method: bool) -> Any:
    from .analysis.compiled_readers import PATH_KEYWORDS, READ_MODES

    def on_call(args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> None:
        if not _open:
            return
        try:
            given = args[1:] if method else args
            path = given[0] if given else next((kwargs[k] for k in PATH_KEYWORDS if k in kwargs), None)
            mode = next((kwargs[k] for k in READ_MODES if k in kwargs), given[1] if len(given) > 1 else None)
            if isinstance(mode, str) and mode[:1] in ("w", "x"):
                return
            if isinstance(path, (list, tuple)):
                paths = list(path)
            else:
                paths = [path]
            for one in paths:
                if isinstance(one, (str, bytes, os.PathLike)):
                    where = os.path.abspath(os.fsdecode(one))
                    for record in list(_open):
                        record.reading(where, "path")
        except Exception:
            pass
    return on_call


class _WatchImports:
    """On ``sys.meta_path`` while a record is open: a module of ``analysis.compiled_readers``
    imported meanwhile has its readers watched as soon as it is executed."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        from .analysis.compiled_readers import COMPILED_READERS

        if name not in COMPILED_READERS:
            return None
        import importlib.machinery

        spec = importlib.machinery.PathFinder.find_spec(name, path)
        loader = getattr(spec, "loader", None)
        exec_module = getattr(loader, "exec_module", None)
        if spec is None or exec_module is None:
            return None

        def exec_then_watch(module: Any) -> None:
            exec_module(module)
            with _lock:
                if _open:
                    _watch_compiled_readers()

        try:
            loader.exec_module = exec_then_watch  # type: ignore[union-attr]
        except (AttributeError, TypeError):
            return None
        return spec


_IMPORTS = _WatchImports()
