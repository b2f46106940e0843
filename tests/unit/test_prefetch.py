"""Cold analysis in forked workers (``checkpointing._prefetch``): the same keys as one function at
a time, workers only in a single-threaded process, and none left running after a key computation."""

import json
import os
import subprocess
import sys
import textwrap
import threading

import pytest

from checkpointing import _prefetch, defaults

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


# the start of a script: made lists, for each time workers were asked for, whether they were started
SPY = """
    import json, os, sys, threading
    sys.path.insert(0, ".")
    from checkpointing import AutoFuncCallIdentifier, FuncCallContext, _prefetch, defaults
    made = []
    workers = _prefetch._workers
    def spy():
        pool = workers()
        made.append(pool is not None)
        return pool
    _prefetch._workers = spy
    import prefetch_project
"""

RUN = textwrap.dedent(SPY + """
    defaults["analysis.parallel"] = sys.argv[1] == "parallel"
    key = AutoFuncCallIdentifier(deep=True).identify(FuncCallContext(prefetch_project.f, ([1, 2],), {}))
    print(json.dumps({"key": key, "made": made, "left": _prefetch._pool is not None,
                      "threads": threading.active_count()}))
""")


def _run(tmp_path, mode):
    # a fresh process, like a user's script: single-threaded, nothing analysed yet
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / f"cache-{mode}"))
    out = subprocess.run([sys.executable, "run.py", mode], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_parallel_normalization_gives_the_keys_of_serial_normalization(tmp_path):
    (tmp_path / "prefetch_project.py").write_text(HELPERS)
    (tmp_path / "run.py").write_text(RUN)
    serial, parallel = _run(tmp_path, "serial"), _run(tmp_path, "parallel")
    assert serial["made"] == [False] and parallel["made"] == [True], "the cold walk did not use workers"
    assert parallel["key"] == serial["key"]
    assert not parallel["left"] and parallel["threads"] == 1, "workers left running"


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


OUTSIDE = textwrap.dedent(SPY + """
    defaults["analysis.parallel"] = True
    # the fingerprint computed outside any key computation (checkpointing 1.0.1's FuncCallContext API)
    FuncCallContext(prefetch_project.f, ([1, 2],), {}).fingerprint
    left_after_context = _prefetch._pool is not None
    threads = threading.active_count()
    # a process forked while workers exist (a user's fork in the middle of a key computation)
    # must not use or stop its parent's: the child computes its own key
    _prefetch._pool = workers()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            key = AutoFuncCallIdentifier(deep=True).identify(FuncCallContext(prefetch_project.h3, (2,), {}))
            os.write(write, key.encode())
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    child_key = os.read(read, 200).decode()
    _prefetch.release()
    print(json.dumps({"made": made, "left": left_after_context, "threads": threads, "child_key": child_key,
                      "key": AutoFuncCallIdentifier(deep=True).identify(FuncCallContext(prefetch_project.h3, (2,), {}))}))
""")


def test_workers_started_outside_a_key_computation_stop_at_once_and_a_fork_never_uses_its_parents(tmp_path):
    (tmp_path / "prefetch_project.py").write_text(HELPERS)
    (tmp_path / "run.py").write_text(OUTSIDE)
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    try:  # (a child that waits on its parent's workers waits forever)
        out = subprocess.run([sys.executable, "run.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("the forked process hung on its parent's workers")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["made"][:1] == [True], "the cold fingerprint did not use workers"
    assert not result["left"] and result["threads"] == 1, "workers left running after the fingerprint"
    assert result["child_key"] == result["key"], out.stderr
