"""Each file's index is kept on disk by content (analysis/callgraph/index_store.py) and files are
indexed across processes (analysis/callgraph/indexing.py): neither may change what is reported."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List

import pytest

from checkpointing.analysis.callgraph import indexing, project
from checkpointing.analysis.callgraph.index_store import IndexStore
from checkpointing.analysis.lint import LintConfig, lint_paths

HELPER = '''\
import os
import random

import pandas as pd


def load_{n}(path):
    return pd.read_csv(path), os.environ.get("SCALE_{n}")


def noise_{n}():
    return random.random()
'''
MAIN = '''\
from checkpointing import checkpoint

{imports}


@checkpoint
def run(x):
    return [{calls}]
'''
BROKEN = "def oops(:\n    pass\n"


def _write(folder: Path, modules: int = 12) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(modules):
        (folder / f"helper{n}.py").write_text(HELPER.format(n=n))
    (folder / "main.py").write_text(MAIN.format(
        imports="\n".join(f"import helper{n}" for n in range(modules)),
        calls=", ".join(f"helper{n}.load_{n}(x), helper{n}.noise_{n}()" for n in range(modules))))
    (folder / "broken.py").write_text(BROKEN)


def _parsed(monkeypatch) -> List[str]:
    """The files really parsed (not taken from the store), in this process."""
    parsed: List[str] = []
    real = project.compute_index

    def counting(source):
        parsed.append(os.path.basename(source.path))
        return real(source)

    monkeypatch.setattr(project, "compute_index", counting)
    monkeypatch.setattr(indexing, "compute_index", counting)
    return parsed


def _report(result) -> list:
    return [(f.path, f.line, f.code, f.functions, f.chain) for f in result.findings]


def test_a_rerun_after_an_edit_parses_only_the_edited_file(tmp_path: Path, monkeypatch) -> None:
    _write(tmp_path)
    monkeypatch.chdir(tmp_path)
    parsed = _parsed(monkeypatch)
    first = lint_paths(["."], LintConfig(jobs=1))
    assert len(parsed) == 14 and any(f.code == "CKP900" for f in first.findings)
    parsed.clear()
    (tmp_path / "helper3.py").write_text(HELPER.format(n=3).replace("random.random()", "3"))
    again = lint_paths(["."], LintConfig(jobs=1))
    assert parsed == ["helper3.py"]
    assert _report(again) == _report(lint_paths(["."], LintConfig(cache=False, jobs=1)))
    assert ("helper3.py", 12, "CKP103") in {(f.path, f.line, f.code) for f in first.findings}
    assert ("helper3.py", 12, "CKP103") not in {(f.path, f.line, f.code) for f in again.findings}


def test_the_key_covers_contents_place_module_and_target_python() -> None:
    base = dict(data=b"x = 1\n", path="/p/a.py", display="a.py", module="a", is_package=False, target=None)
    keys = {IndexStore.key(**base)}
    for change in [{"data": b"x = 2\n"}, {"path": "/q/a.py"}, {"display": "p/a.py"}, {"module": "p.a"},
                   {"is_package": True}, {"target": (3, 9)}]:
        keys.add(IndexStore.key(**{**base, **change}))
    assert len(keys) == 7


def test_a_damaged_or_foreign_entry_is_parsed_again(tmp_path: Path, monkeypatch) -> None:
    _write(tmp_path / "src", modules=2)
    monkeypatch.chdir(tmp_path / "src")
    first = lint_paths(["."], LintConfig(jobs=1))
    entries = list((tmp_path / ".lint-cache" / "index").rglob("*.pickle"))
    assert len(entries) == 4
    entries[0].write_bytes(b"not a pickle")
    entries[1].write_bytes(__import__("pickle").dumps({"something": "else"}))
    for result in (tmp_path / ".lint-cache").glob("*.json"):  # the whole run's results: not reused
        result.unlink()
    parsed = _parsed(monkeypatch)
    assert _report(lint_paths(["."], LintConfig(jobs=1))) == _report(first)
    assert len(parsed) == 2


def test_the_store_is_trimmed_to_its_limit_least_recently_used_first(tmp_path: Path) -> None:
    store = IndexStore(str(tmp_path))
    blob = b"x" * 1000
    for n in range(10):
        key = f"{n:02d}" + "0" * 30
        store.save(key, blob)
        os.utime(store._path(key), (n, n))
    store.trim(limit=3500)
    left = sorted(p.name[:2] for p in tmp_path.rglob("*.pickle"))
    assert left == ["07", "08", "09"]


PARALLEL = """\
import json, os, sys
from checkpointing.analysis.callgraph import indexing
from checkpointing.analysis.lint import LintConfig, lint_paths

indexing.PARALLEL_BYTES = 0
forks = []
real_fork = os.fork
def counting_fork():
    forks.append(1)
    return real_fork()
os.fork = counting_fork
if sys.argv[1] == "die":
    real_work = indexing._work
    def dying(todo, positions, store, out):
        real_work(todo, positions[:3], store, out)  # three results written, then the worker is gone
        os._exit(1)
    indexing._work = dying

def report(config):
    return [[f.path, f.line, f.code, list(map(list, f.functions)), list(f.chain)]
            for f in lint_paths(["."], config).findings]

alone = report(LintConfig(cache=False, jobs=1, max_findings_per_function=0))
single = len(forks)
together = report(LintConfig(cache=sys.argv[1] == "cache", jobs=3, max_findings_per_function=0))
print(json.dumps({"alone": alone, "together": together, "forks": [single, len(forks)]}))
"""


def _in_a_fresh_process(folder: Path, mode: str) -> dict:
    """Forks are made only from a single-threaded process: a test runner's worker is not one."""
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", PARALLEL, mode], cwd=folder, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "CHECKPOINTING_LINT_CACHE": str(folder / ".lint-cache")})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("mode", ["no cache", "cache"])
def test_indexing_in_parallel_reports_what_one_process_does(tmp_path: Path, monkeypatch, mode: str) -> None:
    _write(tmp_path, modules=30)
    found = _in_a_fresh_process(tmp_path, mode)
    assert found["forks"] == [0, 2]
    assert found["together"] == found["alone"] and len(found["alone"]) > 60
    if mode == "cache":  # the workers' results were stored: a rerun after an edit parses only that file
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("CHECKPOINTING_LINT_CACHE", str(tmp_path / ".lint-cache"))
        parsed = _parsed(monkeypatch)
        (tmp_path / "main.py").write_text((tmp_path / "main.py").read_text() + "\n")
        lint_paths(["."], LintConfig(jobs=1))
        assert parsed == ["main.py"]


def test_a_worker_that_dies_leaves_its_files_to_this_process(tmp_path: Path) -> None:
    _write(tmp_path, modules=30)
    found = _in_a_fresh_process(tmp_path, "die")
    assert found["forks"][1] == 2 and found["together"] == found["alone"]


def test_a_process_with_other_threads_does_not_fork(tmp_path: Path, monkeypatch) -> None:
    import threading

    _write(tmp_path, modules=30)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(indexing, "PARALLEL_BYTES", 0)
    forks = []
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or 0)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert lint_paths(["."], LintConfig(cache=False, jobs=3)).findings
    finally:
        stop.set()
        other.join()
    assert forks == []


def test_an_unreadable_store_only_costs_time(tmp_path: Path, monkeypatch) -> None:
    _write(tmp_path / "src", modules=2)
    (tmp_path / "store").write_text("a file where the folder should be")
    monkeypatch.chdir(tmp_path / "src")
    monkeypatch.setenv("CHECKPOINTING_LINT_CACHE", str(tmp_path / "store"))
    assert _report(lint_paths(["."], LintConfig(jobs=1))) == _report(lint_paths(["."], LintConfig(cache=False)))
