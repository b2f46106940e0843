"""`checkpointing impact`: the functions it says get new keys are exactly those that rerun.

Each case is a commit on a small project; the project is run before and after it (the
runtime decides what reruns), and `impact --base HEAD~1 --head HEAD` must name the same
functions, in both modes, without running anything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

from ..helpers import Project

HELPERS = """\
    THRESHOLD = 0.5
    OFFSET = 1


    def clean(values):
        return [v for v in values if v > THRESHOLD]


    def unused():
        return OFFSET


    class Scaler:
        factor = 2

        def __init__(self, power=1):
            self.power = power

        def apply(self, values):
            return [v * self.factor ** self.power for v in values]

        def describe(self):
            return "scaler"
"""

PIPELINE = """\
    import math

    from checkpointing import checkpoint

    import helpers

    SCALE = 2


    @checkpoint()
    def shallow_total(values):
        print("RUN shallow_total")
        return sum(helpers.clean(values)) * SCALE


    @checkpoint(deep=True)
    def deep_total(values):
        print("RUN deep_total")
        return sum(helpers.clean(values))


    @checkpoint(deep=True)
    def scaled(values, power=1):
        print("RUN scaled")
        return helpers.Scaler(power).apply(values)


    @checkpoint(deep=True)
    def rounded(values):
        print("RUN rounded")
        return [math.floor(v) for v in values]


    @checkpoint()
    def shallow_rounded(values):
        print("RUN shallow_rounded")
        return [math.floor(v) for v in values]


    data = [0.25, 0.75, 1.5]
    print(shallow_total(data), deep_total(data), scaled(data), rounded(data), shallow_rounded(data))
"""

FUNCTIONS = {"shallow_total", "deep_total", "scaled", "rounded", "shallow_rounded"}

#: name -> [(file, old, new), ...]: one commit each
EDITS: Dict[str, List[Tuple[str, str, str]]] = {
    "helper body": [("helpers.py", "v > THRESHOLD", "v >= THRESHOLD")],
    "helper's global": [("helpers.py", "THRESHOLD = 0.5", "THRESHOLD = 0.7")],
    "function's own global": [("pipeline.py", "SCALE = 2", "SCALE = 3")],
    "reformatting and comments": [("pipeline.py", "    return sum(helpers.clean(values))\n",
                                  "    # the total\n    return sum(  helpers.clean(values), )\n")],
    "unreachable helper": [("helpers.py", "return OFFSET", "return OFFSET + 1")],
    "method reached through an instance": [("helpers.py", "v * self.factor ** self.power",
                                           "v * self.factor ** self.power + 0.5")],
    "method nothing calls": [("helpers.py", 'return "scaler"', 'return "a scaler"')],
    "class attribute": [("helpers.py", "factor = 2", "factor = 3")],
    "default of a parameter the call omits": [("pipeline.py", "def scaled(values, power=1)",
                                              "def scaled(values, power=2)")],
    "helper's default": [("helpers.py", "def __init__(self, power=1)", "def __init__(self, power=5)")],
    "library function swapped": [("pipeline.py", "[math.floor(v) for v in values]",
                                 "[math.ceil(v) for v in values]")],
    "local renamed": [("pipeline.py", "[math.floor(v) for v in values]", "[math.floor(w) for w in values]")],
    "helper's parameter renamed": [("helpers.py", "def clean(values):\n    return [v for v in values",
                                   "def clean(items):\n    return [v for v in items")],
    "helper renamed consistently": [("helpers.py", "def clean(", "def tidy("),
                                    ("pipeline.py", "helpers.clean(", "helpers.tidy(")],
}


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def _ran(project: Project) -> Set[str]:
    return {line.split()[1] for line in project.run("pipeline.py").stdout.splitlines() if line.startswith("RUN ")}


def _impact(project: Project, *options: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "checkpointing", "impact", "--base", "HEAD~1", "--head", "HEAD",
                           "--format", "json", *options], cwd=project.root, env=project.env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def repository(project: Project) -> Project:
    project.write({"helpers.py": HELPERS, "pipeline.py": PIPELINE})
    _git(project.root, "init", "-q")
    _git(project.root, "config", "user.email", "t@example.com")
    _git(project.root, "config", "user.name", "t")
    (project.root / ".gitignore").write_text(".checkpointing/\n.xdg/\n__pycache__/\n")
    _git(project.root, "add", "-A")
    _git(project.root, "commit", "-qm", "base")
    return project


@pytest.mark.parametrize("name", sorted(EDITS))
def test_impact_names_exactly_the_functions_that_rerun(repository: Project, name: str) -> None:
    assert _ran(repository.write({})) == FUNCTIONS  # fills the cache
    for file, old, new in EDITS[name]:
        text = (repository.root / file).read_text()
        assert old in text, name
        repository.write({file: text.replace(old, new)})
    _git(repository.root, "commit", "-qam", name)
    reran = _ran(repository)
    report = _impact(repository)
    said = {f["function"].rsplit(".", 1)[1] for f in report["functions"] if f["status"] == "changed"}
    assert said == reran, (name, report)


def test_a_shallow_function_that_will_serve_stale_results_is_flagged(repository: Project) -> None:
    repository.write({"helpers.py": HELPERS.replace("v > THRESHOLD", "v >= THRESHOLD")})
    _git(repository.root, "commit", "-qam", "helper")
    report = {f["function"].rsplit(".", 1)[1]: f for f in _impact(repository)["functions"]}
    assert report["shallow_total"]["status"] == "unchanged"
    assert report["shallow_total"]["unseen"] == ["helper `helpers.clean` changed"]
    assert report["deep_total"]["reasons"] == ["helper `helpers.clean` changed"]
    assert report["deep_total"]["locations"][0][:2] == ["helpers.py", 5]
    assert report["rounded"]["status"] == "unchanged" and not report["rounded"]["unseen"]


def test_a_reformatting_commit_changes_no_key(repository: Project) -> None:
    repository.write({"pipeline.py": PIPELINE.replace("    return sum(helpers.clean(values))\n",
                                                       "    return sum(\n        helpers.clean(values)  # clean\n"
                                                       "    )\n"),
                      "helpers.py": HELPERS.replace("THRESHOLD = 0.5", "THRESHOLD = 0.50")
                      .replace("return OFFSET", "return (OFFSET)")})
    _git(repository.root, "commit", "-qam", "format")
    report = _impact(repository)
    assert report["totals"]["changed"] == 0
    assert {f["function"].rsplit(".", 1)[1] for f in report["functions"] if f["status"] == "formatting"} == \
        {"deep_total"}


def test_the_store_says_what_the_change_costs(repository: Project) -> None:
    _ran(repository)
    repository.write({"pipeline.py": PIPELINE.replace("SCALE = 2", "SCALE = 3")})
    _git(repository.root, "commit", "-qam", "scale")
    report = _impact(repository, "--store", str(repository.root / ".checkpointing"))
    [changed] = [f for f in report["functions"] if f["status"] == "changed"]
    assert changed["function"] == "pipeline.shallow_total" and changed["entries"] == 1
    assert changed["reasons"] == ["global `pipeline.SCALE` changed from 2 to 3"]
    assert report["totals"]["entries"] == 1 and report["totals"]["compute_seconds"] >= 0


@pytest.mark.parametrize("fmt, expected", [
    ("text", "pipeline.py:11: pipeline.shallow_total (shallow): new key\n    global `pipeline.SCALE` changed from 2 to 3"),
    ("markdown", "| `pipeline.shallow_total` | shallow | **new** | global `pipeline.SCALE` changed from 2 to 3 |"),
    ("github", "::notice file=pipeline.py,line=7,title=checkpointing impact::pipeline.shallow_total (shallow) gets a "
               "new key: global `pipeline.SCALE` changed from 2 to 3"),
])
def test_formats(repository: Project, fmt: str, expected: str) -> None:
    repository.write({"pipeline.py": PIPELINE.replace("SCALE = 2", "SCALE = 3")})
    _git(repository.root, "commit", "-qam", "scale")
    done = subprocess.run([sys.executable, "-m", "checkpointing", "impact", "--base", "HEAD~1", "--format", fmt],
                          cwd=repository.root, env=repository.env, capture_output=True, text=True)
    assert done.returncode == 0 and expected in done.stdout, done.stdout


@pytest.mark.parametrize("args, message", [
    (["--base", "no-such-revision"], "unknown revision 'no-such-revision'"),
    (["--base", "HEAD", "missing.py"], "missing.py: no such file or directory"),
])
def test_usage_errors(repository: Project, args, message) -> None:
    done = subprocess.run([sys.executable, "-m", "checkpointing", "impact", *args], cwd=repository.root,
                          env=repository.env, capture_output=True, text=True)
    assert done.returncode == 2 and message in done.stderr


def test_outside_a_repository(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "checkpointing", "impact", "--base", "HEAD"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 2 and "inside a git repository" in done.stderr
