"""Cold analysis per source file, in parallel: when one function of a file must be normalized,
normalize the file's other functions too, across the machine's cores.

The first deep-mode call of a project reaches most functions of each module it enters, one at
a time (a function's free names say where the walk goes next). Normalizing a file's functions
together, in worker processes forked from this one (libcst is already imported; nothing is
re-imported), turns that chain of ~7 ms steps into a few parallel batches. Workers are used only
where they are faster and safe: with at least ``_MIN_PARALLEL`` functions to do, on a platform
where ``fork`` is safe (Linux), in a process with a single thread (native threads of libraries
count: a process that started a BLAS or Arrow thread pool normalizes serially); otherwise the functions are
normalized here, one by one. The workers live for one key computation (:func:`release`).
What a worker returns is checked like anything normalized here (its source compiled to the
running code before it was sent).
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import sys
import threading
from types import CodeType, FunctionType, ModuleType
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

from .analysis.processes import single_threaded

logger = logging.getLogger("checkpointing")

_MIN_PARALLEL = 6
_pool: Any = None
_registered = False
_pool_lock = threading.Lock()
_done_files: Set[str] = set()


def code_objects(module: ModuleType) -> Iterator[Tuple[CodeType, str]]:
    """The code of every function and method defined in ``module``, nested ones included, with
    their qualified names."""
    seen: Set[int] = set()
    stack: List[Any] = [v for v in vars(module).values()]
    filename = getattr(module, "__file__", None)
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, (staticmethod, classmethod)):
            obj = obj.__func__
        elif isinstance(obj, property):
            stack.extend(f for f in (obj.fget, obj.fset, obj.fdel) if f is not None)
            continue
        if isinstance(obj, FunctionType) and obj.__code__.co_filename == filename:
            yield from _nested(obj.__code__, obj.__qualname__)
        elif isinstance(obj, type) and obj.__module__ == module.__name__:
            stack.extend(vars(obj).values())


def _nested(code: CodeType, qualname: str) -> Iterator[Tuple[CodeType, str]]:
    yield code, qualname
    for const in code.co_consts:
        if isinstance(const, CodeType) and not const.co_name.startswith("<"):  # lambdas, comprehensions
            yield from _nested(const, f"{qualname}.<locals>.{const.co_name}")


def prefetch(code: CodeType, keep: bool = False) -> None:
    """Normalize the not yet analysed functions of ``code``'s source file, and of the user
    modules that file imports (once per file and process): a walk that enters a module usually
    goes on into the modules it imports. The workers are stopped before returning unless
    ``keep`` (a key computation is running, and stops them when it ends)."""
    filename = code.co_filename
    if filename in _done_files or filename.startswith("<"):
        return
    by_file = {getattr(m, "__file__", None): m for m in list(sys.modules.values()) if isinstance(m, ModuleType)}
    module = by_file.get(filename)
    if module is None:
        return
    from . import _analysis_cache
    from ._fingerprint import source_of
    from ._usercode import is_user_module

    modules = [module] + [m for m in vars(module).values() if isinstance(m, ModuleType) and is_user_module(m)]
    todo: Dict[str, Tuple[CodeType, str]] = {}
    for mod in modules:
        path = getattr(mod, "__file__", None)
        if not path or path in _done_files:
            continue
        _done_files.add(path)
        for other, qualname in code_objects(mod):
            if _analysis_cache.cached(other) is not None:
                continue
            source = source_of(other, qualname)
            if source is not None:
                todo[source] = (other, qualname)
    if len(todo) < _MIN_PARALLEL:
        return  # not worth workers: each is normalized when the walk reaches it
    pool = _workers()
    if pool is None:
        return
    sources = list(todo)
    try:
        results = pool.map(_normalize_source, sources, chunksize=max(1, len(sources) // (2 * _cores())))
    except Exception as exc:  # a worker failure only costs time: the walk normalizes what is missing
        logger.debug("parallel normalization failed (%s): continuing one function at a time", exc)
        return
    finally:
        if not keep:
            release()
    for source, result in zip(sources, results):
        if result is not None:
            _analysis_cache.remember(todo[source][0], result)


def _normalize_source(source: str) -> Optional[Any]:
    from .analysis import normalize_function

    try:
        return normalize_function(source).to_json()
    except Exception:  # the walk will try again, here, and report what it finds
        return None


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _workers() -> Any:
    """A pool of forked workers (kept until :func:`release`), or None where forking is not safe
    or ``defaults["analysis.parallel"]`` is False. Forking is safe on Linux in a process with one
    thread: a thread of the user's (a notebook kernel has several) could hold a lock that the
    forked child would wait on forever."""
    global _pool, _registered
    from ._config import defaults

    if sys.platform != "linux" or _cores() < 2 or not defaults.get("analysis.parallel", True):
        return None
    with _pool_lock:
        if _pool is None:
            if not single_threaded():
                return None
            from .analysis import normalize_function  # noqa: F401  (imported before forking)

            _pool = multiprocessing.get_context("fork").Pool(_cores())
            if not _registered:
                atexit.register(release)
                _registered = True
        return _pool


def release() -> None:
    """Stop the workers: called when a key computation ends (and at exit). The pool's threads
    would otherwise make this process multi-threaded, and the user's own forks unsafe."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.terminate()
            _pool.join()
            _pool = None


def _forget_in_child() -> None:
    """In a process forked from this one (by the user, or one of our own workers): the
    workers are the parent's, not this process's to use or stop."""
    global _pool, _pool_lock
    _pool = None
    _pool_lock = threading.Lock()  # another thread of the parent may have held it


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)
