"""Writing a local file so that readers see the old contents or the new, never a part: one
implementation for the call-graph index and the lint's result cache here, and for the runtime's
directory store and analysis cache (which import it: this package never imports the runtime).

The bytes go to a temporary file in the same folder, named uniquely per process, thread and
call (``.<name>.<pid>.<thread>.<random>.tmp``: two threads never share one), which is renamed
over the target (``os.replace`` is atomic). A failed write removes its temporary file; a writer
killed midway leaves one behind, which :func:`leftovers` finds (by its name and age) so that
``checkpointing gc`` can remove it. The temporary file is opened with ``O_NOFOLLOW`` and
``O_EXCL``, and, given ``dir_fd``, inside an already opened folder, so a planted link is never
followed.
"""

from __future__ import annotations

import os
import re
import threading
import time
from typing import Iterable, Iterator, List, Optional, Tuple

#: the name of a temporary file this module writes
TEMPORARY = re.compile(r"^\..+\.\d+\.\d+\.[0-9a-f]{8}\.tmp$")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def temporary_name(name: str) -> str:
    return f".{name}.{os.getpid()}.{threading.get_ident()}.{os.urandom(4).hex()}.tmp"


def write_atomically(path: str, chunks: Iterable[object], mode: int = 0o600, dir_fd: Optional[int] = None) -> None:
    """Write ``chunks`` (bytes-like) to ``path`` atomically, with permissions ``mode`` exactly
    (not filtered by the umask). With ``dir_fd``, ``path`` is a name inside that open folder."""
    folder, name = os.path.split(path)
    tmp = temporary_name(name)
    tmp_path = tmp if dir_fd is not None else os.path.join(folder, tmp)
    fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, mode, dir_fd=dir_fd)
    try:
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)  # the umask filtered the mode os.open gave
            for chunk in chunks:
                view = memoryview(chunk).cast("B")  # type: ignore[arg-type]
                while view.nbytes:
                    written = os.write(fd, view)
                    view = view[written:]
        finally:
            os.close(fd)
        os.replace(tmp_path, name if dir_fd is not None else path, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        try:
            os.unlink(tmp_path, dir_fd=dir_fd)
        except OSError:
            pass
        raise


def leftovers(folders: Iterable[str], older_than: float) -> Iterator[Tuple[str, int]]:
    """(path, size) of the temporary files in ``folders`` not written to for ``older_than``
    seconds: left by writers that were killed (a live writer keeps writing to its file)."""
    now = time.time()
    for folder in folders:
        try:
            entries: List[os.DirEntry] = list(os.scandir(folder))  # type: ignore[type-arg]
        except OSError:
            continue
        for entry in entries:
            if not TEMPORARY.match(entry.name):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if now - st.st_mtime >= older_than:
                yield entry.path, st.st_size
