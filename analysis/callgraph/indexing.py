"""Parse and index many files: each from the on-disk store when it has it, the rest across cores.

The files the store does not have are split between this process and ``jobs - 1`` forked
workers. A worker parses and indexes its share, writes each result to the store and, pickled,
to a file of its own; this process indexes its share meanwhile, then unpickles theirs (which
costs about a third of indexing a file). A worker that fails leaves its files to this process.

Workers are forked (they start with the files already read, and nothing to import) and only
on Linux from a process with a single thread, where forking is safe; elsewhere, or for a small
batch, everything is indexed here.
"""

from __future__ import annotations

import os
from typing import Iterator, List, Optional, Sequence, Tuple

from ..processes import can_fork
from .index_store import Indexed, IndexStore, dumps
from .project import SourceFile, apply_index, compute_index, store_key

#: below this many bytes to parse, forking workers costs more than it saves
PARALLEL_BYTES = 256 * 1024


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # type: ignore[attr-defined,unused-ignore]
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def index_files(sources: Sequence[SourceFile], store: Optional[IndexStore], jobs: int = 0) -> None:
    """Give every file its index (or syntax error); ``jobs``: processes to use, 0 for every core."""
    todo: List[Tuple[SourceFile, Optional[str]]] = []
    for source in sources:
        key = store_key(source) if store is not None else None
        found = store.load(key) if store is not None and key is not None else None
        if found is not None:
            apply_index(source, found)
        else:
            todo.append((source, key))
    if not todo:
        return
    size = sum(len(s.data) if s.data is not None else len(s.text) for s, _ in todo)
    processes = min(jobs if jobs > 0 else available_cores(), len(todo))
    if processes > 1 and size >= PARALLEL_BYTES and can_fork():
        _in_parallel(todo, store, processes)
    else:
        for source, key in todo:
            _index_here(source, key, store)


def _index_here(source: SourceFile, key: Optional[str], store: Optional[IndexStore]) -> None:
    indexed = compute_index(source)
    if store is not None and key is not None:
        store.save(key, dumps(indexed))
    apply_index(source, indexed)


#: pickling an index costs about a quarter of making it: a worker's share of the files is smaller
#: than an equal split would give it, and this process, which also unpickles, keeps the rest
_PICKLING = 0.26


def _work(todo: List[Tuple[SourceFile, Optional[str]]], positions: List[int], store: Optional[IndexStore],
          out: str) -> None:
    """In a forked worker: index the files at ``positions``, store them, and append each pickled
    result, its length first, to the file ``out``."""
    with open(out, "wb") as f:
        for position in positions:
            source, key = todo[position]
            blob = dumps(compute_index(source))
            if store is not None and key is not None:
                store.save(key, blob)
            f.write(len(blob).to_bytes(8, "little"))
            f.write(blob)


def _read_results(path: str) -> Iterator[bytes]:
    """The complete results a worker wrote (a worker that died leaves a truncated file)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return
    at = 0
    while at + 8 <= len(data):
        size = int.from_bytes(data[at:at + 8], "little")
        if at + 8 + size > len(data):
            return
        yield data[at + 8:at + 8 + size]
        at += 8 + size


def _in_parallel(todo: List[Tuple[SourceFile, Optional[str]]], store: Optional[IndexStore], processes: int) -> None:
    import pickle
    import tempfile

    workers = processes - 1
    share = 1 / (1 + (1 + _PICKLING) / workers)  # of the bytes, what the workers get together
    order = sorted(range(len(todo)), key=lambda i: -len(todo[i][0].text))  # largest first, dealt in turn
    total = sum(len(todo[i][0].text) for i in order)
    theirs: List[List[int]] = [[] for _ in range(workers)]
    here: List[int] = []
    given = 0
    for position in order:
        if given < share * total:
            theirs[sum(map(len, theirs)) % workers].append(position)
            given += len(todo[position][0].text)
        else:
            here.append(position)
    with tempfile.TemporaryDirectory(prefix="checkpointing-index-") as folder:
        children: List[Tuple[int, str, List[int]]] = []
        try:
            for n, chunk in enumerate(theirs):
                if not chunk:
                    continue
                out = os.path.join(folder, f"{n}.bin")
                pid = os.fork()
                if pid == 0:  # pragma: no cover - the worker (coverage does not follow a fork)
                    status = 1
                    try:
                        _work(todo, chunk, store, out)
                        status = 0
                    finally:
                        os._exit(status)
                children.append((pid, out, chunk))
            for position in here:
                _index_here(*todo[position], store)
            while children:
                pid, out, chunk = children.pop(0)
                os.waitpid(pid, 0)
                done = 0
                for blob in _read_results(out):
                    if store is not None:
                        store.written += len(blob)  # (the worker stored it)
                    indexed = pickle.loads(blob)
                    assert isinstance(indexed, Indexed)
                    apply_index(todo[chunk[done]][0], indexed)
                    done += 1
                for position in chunk[done:]:  # a worker that failed: its remaining files are indexed here
                    _index_here(*todo[position], store)
        finally:
            for pid, _, _ in children:  # interrupted: the workers are not left running
                try:
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                except OSError:
                    pass
