"""Shared stores are safe by default (issue 15): an entry planted in a store that others can
write is never unpickled without a signature, whatever its format; one warning says why."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from tests.helpers import Project

EVIL = '''
import os


class Planted:
    """Unpickling it runs code: it writes a marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))
'''

MAIN = '''
import sys
from checkpointing import checkpoint

STORE = sys.argv[1]
kwargs = {{"store": STORE}} if "://" in STORE else {{"directory": STORE}}


@checkpoint(**kwargs{extra})
def double(x):
    print("RUN")
    return x * 2


if __name__ == "__main__":
    print("OUT", repr(double(21)))
    print("OUT", repr(double(21)))
'''

PLANT = '''
import sys
sys.path.insert(0, ".")
from checkpointing import open_store
from evil import Planted
import main

store = open_store(sys.argv[1])
key = main.double.explain(21).key
store.save(key, Planted(sys.argv[2]))
'''


def _setup(project: Project, store: str, extra: str = "") -> None:
    project.write({"main.py": MAIN.format(extra=extra), "evil.py": EVIL, "plant.py": PLANT})
    plant = subprocess.run([sys.executable, "plant.py", store, str(project.root / "pwned")], cwd=project.root,
                           env=project.env, capture_output=True, text=True)
    assert plant.returncode == 0, plant.stderr


def _check_refused(project: Project, store: str) -> None:
    run = project.run(args=[store], check=False)
    assert run.stdout.count("RUN") == 2 and run.out == ["42", "42"], run.stderr  # computed, never loaded
    assert not (project.root / "pwned").exists(), "a planted entry was unpickled"
    assert run.stderr.count("UntrustedStoreWarning") == 1, run.stderr
    assert "CHECKPOINTING_SECRET" in run.stderr and "trust_unsigned=True" in run.stderr


def test_an_entry_planted_in_an_unsigned_redis_store_is_never_loaded(project: Project, redis_url: str) -> None:
    store = f"{redis_url}?prefix=plant-{uuid.uuid4().hex}:"
    _setup(project, store)
    _check_refused(project, store)
    # the same store, knowingly trusted: the planted entry would run (this is what the default prevents)
    project.write({"main.py": MAIN.format(extra=", trust_unsigned=True")})
    project.run(args=[store], check=False)
    assert (project.root / "pwned").exists()


def test_an_entry_planted_in_a_world_writable_folder_is_never_loaded(project: Project) -> None:
    shared = project.root / "scratch"
    shared.mkdir()
    os.chmod(shared, 0o777)
    _setup(project, str(shared))
    _check_refused(project, str(shared))


def test_a_signed_shared_store_is_used(project: Project, redis_url: str) -> None:
    store = f"{redis_url}?prefix=signed-{uuid.uuid4().hex}:"
    project.write({"main.py": MAIN.format(extra="")})
    project.env["CHECKPOINTING_SECRET"] = "the team's secret"
    first, second = project.run(args=[store]), project.run(args=[store])
    assert first.stdout.count("RUN") == 1 and second.skipped and second.out == ["42", "42"]


def test_the_default_private_folder_needs_no_configuration(project: Project) -> None:
    project.write({"main.py": MAIN.format(extra="")})
    first, second = project.run(args=[".checkpointing"]), project.run(args=[".checkpointing"])
    assert first.stdout.count("RUN") == 1 and second.skipped
    assert oct(os.stat(project.root / ".checkpointing").st_mode & 0o777) == "0o700"
