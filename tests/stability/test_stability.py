"""Cross-process stability: an unchanged program, run again in a fresh process (other string
hashes, other OS-seeded generators), is served from the store, in both modes, and prints
exactly what its first (computing) run printed.

Programs: every program of the mutation harness, and a corpus of common scientific idioms
(``programs/``): random-state helpers, scikit-learn and scipy with ``random_state``, numba,
caches, loggers and progress bars, dataclass configurations, closures, generators, seeded and
self-seeding programs. A program's ``program.json`` may say ``"requires": ["numba"]`` (skipped
where not installed) and ``"stable": false`` (it draws from an unseeded generator: it must
recompute, and say why, once).

Each run is forked from a server of its own hash seed (``tests/mutation/harness.py``), so a
run starts as a fresh interpreter would, without paying for one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

from tests.mutation import harness

HERE = Path(__file__).parent / "programs"
PROGRAMS = sorted(p for p in HERE.iterdir() if (p / "main.py").exists()) + harness.programs()


def _meta(folder: Path) -> Dict[str, Any]:
    path = folder / "program.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _skip_reason(folder: Path) -> str:
    meta = _meta(folder)
    if sys.version_info < harness.requires_python(folder):
        return f"uses Python {meta.get('python')} syntax"
    missing = harness.missing_packages(folder)
    return f"needs {', '.join(missing)}" if missing else ""


def _id(folder: Path) -> str:
    return f"{folder.parent.parent.name}/{folder.name}"


def run_twice(folder: Path, mode: str, root: Path) -> List[harness.Outcome]:
    """The program's first run (computing, with an empty store), then a second in another
    fresh process with other string hashes, against the store the first one left."""
    program = harness.Program.load(folder)
    runner = harness.Runner(root)
    store = root / "store"
    first = runner.run(program.files, mode, program.base_env, program.argv[0], keep_store=store, hash_seed=1)
    assert first.ok, f"{folder.name} [{mode}] failed:\n{first.stdout}\n{first.stderr}"
    second = runner.run(program.files, mode, program.base_env, program.argv[0], store=store, hash_seed=2)
    assert second.ok, f"{folder.name} [{mode}] failed on its second run:\n{second.stdout}\n{second.stderr}"
    return [first, second]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["deep", "shallow"])
@pytest.mark.parametrize("folder", PROGRAMS, ids=_id)
def test_an_unchanged_program_hits_in_a_fresh_process(folder: Path, mode: str, tmp_path: Path) -> None:
    """Every call of the second run is served, and the run prints what the first printed (what
    the program computes after a hit is what it computes after the computation)."""
    reason = _skip_reason(folder)
    if reason:
        pytest.skip(reason)
    first, second = run_twice(folder, mode, tmp_path)
    assert second.values == first.values, (
        f"{folder.name} [{mode}]: the second run printed other values\nfirst:  {first.values}\n"
        f"second: {second.values}\n{second.stderr}")
    if _meta(folder).get("stable", True):
        recomputed = [value for ran, value in second.calls if ran]
        assert not recomputed, (f"{folder.name} [{mode}]: recomputed in a fresh process although nothing changed "
                                f"({len(recomputed)} of {len(second.calls)} calls)\n{second.stdout}\n{second.stderr}")
        assert not harness._our_warnings(second.stderr), second.stderr
