"""A store written by one Python is served to another (keys do not depend on the interpreter),
except the entries whose pickle relies on the Python version (standard-library objects,
bytecode pickled by cloudpickle).

Plain data is used: an entry holding numpy or pandas values is also served when both
environments have the same major.minor versions of them. The other interpreter is any virtual
environment of this repository with checkpointing
installed for another Python version (``.ci/run`` makes ``.venv-3.X`` for each one it finds, and
runs the suite in each, so every pair is checked there); without one the test is skipped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

from tests.helpers import Project

ROOT = Path(__file__).resolve().parents[2]

MAIN = '''
import datetime
from checkpointing import checkpoint


@checkpoint()
def data(n):
    print("RUN data")
    return {"n": n, "squares": [i * i for i in range(n)], "halves": {i: i / 2 for i in range(n)},
            "label": f"{n!r:>4}" + (lambda: "!")()}


@checkpoint()
def day(n):
    print("RUN day")
    return datetime.date(2020, 1, n)


if __name__ == "__main__":
    print("OUT", repr(data(5)), day(3).isoformat())
'''


def _other_python() -> Optional[Tuple[str, str]]:
    """(interpreter, "3.X") of a venv of this repository for another Python with checkpointing."""
    mine = "{}.{}".format(*sys.version_info[:2])
    for python in sorted(ROOT.glob(".venv*/bin/python")):
        probe = subprocess.run([str(python), "-c", "import sys, checkpointing; "
                                "print('{}.{}'.format(*sys.version_info[:2]), checkpointing.__file__)"],
                               capture_output=True, text=True)
        if probe.returncode != 0:
            continue
        version, location = probe.stdout.split()
        if version != mine and Path(location).resolve().is_relative_to(ROOT):  # this repository's code
            return str(python), version
    return None


@pytest.mark.slow
def test_a_store_written_by_another_python_is_served(project: Project):
    other = _other_python()
    if other is None:
        pytest.skip("no virtual environment of this repository for another Python (.ci/run makes them)")
    python, version = other
    project.write({"main.py": MAIN})

    def run(interpreter: str) -> Tuple[List[str], List[str]]:
        p = subprocess.run([interpreter, "main.py"], cwd=project.root, env=project.env, capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        lines = p.stdout.splitlines()
        return [line for line in lines if line.startswith("RUN")], [line for line in lines if line.startswith("OUT")]

    ran, out = run(python)
    assert ran == ["RUN data", "RUN day"]
    ran_here, out_here = run(sys.executable)
    # plain data: the same key, and the entry is served; a date relies on the standard library of its Python
    assert ran_here == ["RUN day"], f"Python {version} wrote, this Python ran {ran_here}"
    assert out_here == out
