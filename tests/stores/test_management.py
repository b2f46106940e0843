"""Managing a store: `checkpointing ls/info/clear/gc/stats`, foo.clear(), foo.cache_info(), cache.max_size."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checkpointing import checkpoint, defaults
from tests.helpers import Project

PIPELINE = """
    import time
    from checkpointing import checkpoint

    @checkpoint
    def load(n):
        time.sleep(0.05)
        return list(range(n))

    @checkpoint
    def clean(xs):
        return [x for x in xs if x % 2]

    print("OUT", len(clean(load(1000))), len(load(10)), len(load(20)))
    """


def cli(cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "checkpointing", *args], cwd=cwd, capture_output=True, text=True,
                          input=stdin)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    p = Project(tmp_path).write(PIPELINE)
    p.run()
    p.run()  # all hits: the statistics record them
    return tmp_path


def test_ls_lists_entries_with_totals(project: Path) -> None:
    out = cli(project, "ls")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["FUNCTION", "SIZE", "CREATED", "LAST", "USED", "COMPUTE", "ENVIRONMENT", "KEY"]
    python = "py{}.{}".format(*sys.version_info[:2])
    assert all(python in line for line in lines[1:-1])
    assert sum("__main__.load" in line for line in lines) == 3 and sum("__main__.clean" in line for line in lines) == 1
    assert lines[-1].startswith("4 entries, ")
    listed = json.loads(cli(project, "ls", "--format", "json", "--function", "clean").stdout)
    assert [e["function"] for e in listed] == ["__main__.clean"]
    assert set(listed[0]) == {"key", "function", "size", "created", "last_used", "compute_time", "environment"}
    # plain data: the Python version is recorded, not relied on (python~)
    assert listed[0]["environment"].startswith("python~={}.{}.".format(*sys.version_info[:2]))


def test_info_shows_one_entry_by_key_prefix(project: Path) -> None:
    key = json.loads(cli(project, "ls", "--format", "json", "--function", "clean").stdout)[0]["key"]
    out = cli(project, "info", key[:10])
    assert out.returncode == 0 and f"key          {key}" in out.stdout and "__main__.clean" in out.stdout
    missing = cli(project, "info", "zzzz")
    assert missing.returncode == 2 and "no entry" in missing.stderr


def test_stats_counts_hits_misses_and_time_saved(project: Path) -> None:
    stats = json.loads(cli(project, "stats", "--format", "json").stdout)
    assert stats["__main__.load"]["hits"] == 3 and stats["__main__.load"]["misses"] == 3
    assert stats["__main__.load"]["saved"] >= 3 * 0.05
    assert stats["__main__.clean"] == {"hits": 1, "misses": 1, "saved": pytest.approx(stats["__main__.clean"]["saved"]),
                                       "unstable": 0}
    table = cli(project, "stats").stdout
    assert "HIT RATE" in table and "50%" in table


def test_clear_asks_unless_yes_and_filters(project: Path) -> None:
    refused = cli(project, "clear", "--function", "clean")
    assert refused.returncode == 1 and "Refusing without --yes" in refused.stderr
    done = cli(project, "clear", "--function", "clean", "--yes")
    assert done.returncode == 0 and "deleted 1 entries" in done.stdout
    assert cli(project, "clear", "--older-than", "7d", "--yes").stdout.strip() == "nothing to delete"
    assert "deleted 3 entries" in cli(project, "clear", "--yes").stdout
    assert cli(project, "ls").stdout.strip().startswith("FUNCTION")


def test_gc_evicts_down_to_a_size(project: Path) -> None:
    listed = json.loads(cli(project, "ls", "--format", "json").stdout)
    biggest = max(e["size"] for e in listed)
    out = cli(project, "gc", "--max-size", str(biggest), "--format", "json")
    assert out.returncode == 0 and json.loads(out.stdout)["deleted"] >= 1
    left = json.loads(cli(project, "ls", "--format", "json").stdout)
    assert sum(e["size"] for e in left) <= biggest and len(left) < len(listed)
    assert "nothing evicted" in cli(project, "gc", "--max-size", "1GB").stdout
    bad = cli(project, "gc", "--max-size", "lots")
    assert bad.returncode == 2 and "not a size" in bad.stderr


def test_function_helpers(tmp_path: Path) -> None:
    @checkpoint(directory=tmp_path / "store")
    def square(x):
        return x * x

    square(2), square(3), square(2)
    info = square.cache_info()
    assert (info.entries, info.hits, info.misses) == (2, 1, 2) and info.size > 0
    assert square.clear() == 2
    assert square.cache_info().entries == 0


def test_max_size_evicts_automatically(tmp_path: Path, monkeypatch) -> None:
    from checkpointing import _usage

    monkeypatch.setitem(defaults, "cache.max_size", "1KB")
    monkeypatch.setattr(_usage, "_GC_INTERVAL", 0.0)

    @checkpoint(directory=tmp_path / "store")
    def blob(i):
        return bytes(600) + bytes([i])

    for i in range(5):
        blob(i)
    assert sum(p.stat().st_size for p in (tmp_path / "store").rglob("*.ckpt")) <= 1024


def test_statistics_files_are_compacted_without_losing_counts(tmp_path: Path) -> None:
    from checkpointing import PickleFileCache

    store = PickleFileCache(tmp_path / "store")
    store.record_stats({"m.f": {"hits": 1}})  # no store yet: statistics do not create one
    assert not (tmp_path / "store").exists()
    store.save("a" * 32, 1)
    for _ in range(100):
        store.record_stats({"m.f": {"hits": 1, "misses": 2, "saved": 0.5}})
    assert len(list((tmp_path / "store" / "stats").glob("*.json"))) < 64
    assert store.stats() == {"m.f": {"hits": 100, "misses": 200, "saved": 50.0, "unstable": 0}}
