"""Cold analysis in forked workers (``checkpointing._prefetch``): the same keys as one function at
a time, workers only in a single-threaded process, and none left running after a key computation."""

import importlib.util
import sys
import textwrap
import threading
import weakref

import pytest

from checkpointing import AutoFuncCallIdentifier, FuncCallContext, _fingerprint, _prefetch, defaults

pytestmark = pytest.mark.skipif(sys.platform != "linux" or _prefetch._cores() < 2,
                                reason="workers are forked on Linux with 2 cores or more")

HELPERS = "\n".join(f"def h{i}(v):\n    return h{i + 1}(v) * {i + 2} + {i}\n" for i in range(9)) + textwrap.dedent("""
    def h9(v):
        return v - 1

    class Model:
        def __init__(self, w):
            self.w = w

        def fit(self, xs):
            return [h0(x) * self.w for x in xs]

    def f(xs):
        return Model(3).fit(xs)
""")


def _load(folder, name="prefetch_project"):
    folder.mkdir()
    path = folder / f"{name}.py"
    path.write_text(HELPERS)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # the prefetch finds the function's module by its file
    spec.loader.exec_module(module)
    return module


def _deep_key(func):
    return AutoFuncCallIdentifier(deep=True).identify(FuncCallContext(func, ([1, 2],), {}))


def test_parallel_normalization_gives_the_keys_of_serial_normalization(tmp_path, monkeypatch):
    monkeypatch.setitem(defaults, "analysis.parallel", False)
    monkeypatch.setitem(defaults, "analysis.cache_directory", str(tmp_path / "cache-serial"))
    serial = _deep_key(_load(tmp_path / "serial").f)

    made = []
    workers = _prefetch._workers

    def spy():
        pool = workers()
        made.append(pool is not None)
        return pool

    monkeypatch.setattr(_prefetch, "_workers", spy)
    monkeypatch.setitem(defaults, "analysis.parallel", True)
    monkeypatch.setitem(defaults, "analysis.cache_directory", str(tmp_path / "cache-parallel"))
    monkeypatch.setattr(_prefetch, "_done_files", set())
    # equal code objects share their identity in a process: start afresh, as a new process would
    monkeypatch.setattr(_fingerprint, "_identities", weakref.WeakKeyDictionary())
    threads = threading.active_count()
    parallel = _deep_key(_load(tmp_path / "parallel").f)
    try:
        assert made and all(made), "the cold walk did not use workers"
        assert parallel == serial
        assert _prefetch._pool is None and threading.active_count() == threads, "workers left running"
    finally:
        sys.modules.pop("prefetch_project", None)


def test_no_workers_are_forked_from_a_process_with_other_threads(monkeypatch):
    monkeypatch.setitem(defaults, "analysis.parallel", True)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert _prefetch._workers() is None
    finally:
        stop.set()
        thread.join()
    assert _prefetch._pool is None


def test_workers_can_be_switched_off(monkeypatch):
    monkeypatch.setitem(defaults, "analysis.parallel", False)
    assert _prefetch._workers() is None
