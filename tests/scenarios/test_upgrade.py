"""Upgrading from checkpointing 1.0.1 (issue 13): a store 1.0.1 wrote is never misread, its
files can be cleared, and the script keeps working unchanged.

checkpointing 1.0.1 is installed from the package registry into a temporary virtual
environment; without the registry the test is skipped, with the reason."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.helpers import Project

SCRIPT = '''
from checkpointing import checkpoint

RATE = {rate}


@checkpoint()
def scale(x):
    print("RUN")
    return x * RATE


if __name__ == "__main__":
    print("OUT", repr(scale(3)))
'''


@pytest.fixture(scope="module")
def old_python(tmp_path_factory) -> Path:
    if sys.version_info >= (3, 13):
        pytest.skip("checkpointing 1.0.1 supports Python up to 3.12")
    root = tmp_path_factory.mktemp("checkpointing-1.0.1")
    venv.EnvBuilder(with_pip=True).create(root)
    python = root / "bin" / "python"
    try:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        "checkpointing==1.0.1"], check=True, capture_output=True, timeout=240)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"checkpointing 1.0.1 could not be installed from the package registry: {exc}")
    return python


@pytest.mark.slow
def test_a_store_written_by_101_is_never_misread_and_can_be_cleared(project: Project, old_python: Path) -> None:
    project.write(SCRIPT.format(rate=2))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    old = subprocess.run([str(old_python), "main.py"], cwd=project.root, env=env, capture_output=True, text=True,
                         check=True)
    assert "OUT 6" in old.stdout
    legacy = sorted((project.root / ".checkpointing").glob("*.pickle"))
    assert legacy, "checkpointing 1.0.1 wrote no entry"
    # this version: computes (it never reads 1.0.1's files), then serves its own entry
    first, second = project.run(), project.run()
    assert first.ran and first.out == ["6"] and second.skipped and second.out == ["6"]
    # an edit that 1.0.1 would have served from its file is not served from it now
    project.write(SCRIPT.format(rate=5))
    assert project.run().out == ["15"]
    listing = subprocess.run([sys.executable, "-m", "checkpointing", "ls"], cwd=project.root, capture_output=True,
                             text=True, check=True).stdout
    assert f"{len(legacy)} files left by checkpointing 1.0.1" in listing
    cleared = subprocess.run([sys.executable, "-m", "checkpointing", "clear", "--legacy", "--yes"], cwd=project.root,
                             capture_output=True, text=True, check=True).stdout
    assert f"deleted {len(legacy)} files of checkpointing 1.0.1" in cleared
    assert not list((project.root / ".checkpointing").glob("*.pickle"))
    assert project.run().skipped  # this version's own entries are untouched
