"""One corpus, two notions of "reaches": deep mode's (editing the helper changes the key of the
checkpointed function) and the lint's (the helper is in the call graph reached from it). On
every case they agree, except where the lint knowingly over-approximates (it cannot know a
value's runtime type, so it links ``obj.method()`` to every project method of that name):
those cases say so, and docs/deep-mode.md says the same.

Each case is a small project: ``main.py`` defines ``target`` (checkpointed, deep) and prints
its key for the arguments in ``CALL``; ``EDIT`` changes ``1234`` in the named file to ``4321``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict

import pytest

from checkpointing.analysis.callgraph import CallGraph
from checkpointing.analysis.lint import LintConfig, lint_paths

PRINT_KEY = '\n\nif __name__ == "__main__":\n    print(target.explain({call}).key)\n'


@dataclass
class Case:
    files: Dict[str, str]
    helper: str  # "module:qualname" of the function edited
    reaches: bool  # deep mode: does editing it change the key?
    call: str = "3"
    lint_reaches: bool = field(default=None)  # type: ignore[assignment]  # None: as ``reaches``

    @property
    def lint_expected(self) -> bool:
        return self.reaches if self.lint_reaches is None else self.lint_reaches


def _main(body: str, call: str = "3") -> str:
    return "from checkpointing import checkpoint\n" + textwrap.dedent(body) + PRINT_KEY.format(call=call)


CASES = {
    "direct-call": Case({"main.py": _main("""
        def helper(x):
            return x + 1234


        @checkpoint(deep=True)
        def target(x):
            return helper(x)
        """)}, "main:helper", True),
    "module-attribute": Case({
        "main.py": _main("""
            import helpers


            @checkpoint(deep=True)
            def target(x):
                return helpers.scale(x)
            """),
        "helpers.py": "def scale(x):\n    return x * 1234\n"}, "helpers:scale", True),
    "from-import-two-levels": Case({
        "main.py": _main("""
            from helpers import outer


            @checkpoint(deep=True)
            def target(x):
                return outer(x)
            """),
        "helpers.py": "def inner(x):\n    return x - 1234\n\n\ndef outer(x):\n    return inner(x) * 2\n"},
        "helpers:inner", True),
    "method-of-a-class-built-inside": Case({"main.py": _main("""
        class Model:
            def predict(self, x):
                return x * 1234


        @checkpoint(deep=True)
        def target(x):
            return Model().predict(x)
        """)}, "main:Model.predict", True),
    "method-of-an-annotated-argument": Case({"main.py": _main("""
        class Scaler:
            def transform(self, x):
                return x * 1234


        @checkpoint(deep=True)
        def target(scaler: Scaler, x):
            return scaler.transform(x)
        """, "Scaler(), 3")}, "main:Scaler.transform", True, call="Scaler(), 3"),
    "dispatch-dict": Case({"main.py": _main("""
        def double(x):
            return x * 1234


        STEPS = {"double": double}


        @checkpoint(deep=True)
        def target(x):
            return STEPS["double"](x)
        """)}, "main:double", True),
    "lambda-inside": Case({"main.py": _main("""
        def helper(x):
            return x + 1234


        @checkpoint(deep=True)
        def target(x):
            apply = lambda v: helper(v)
            return apply(x)
        """)}, "main:helper", True),
    "default-argument": Case({"main.py": _main("""
        def helper(x):
            return x + 1234


        @checkpoint(deep=True)
        def target(x, fn=helper):
            return fn(x)
        """)}, "main:helper", True),
    "unrelated-function": Case({"main.py": _main("""
        def unrelated(x):
            return x + 1234


        @checkpoint(deep=True)
        def target(x):
            return x + 1
        """)}, "main:unrelated", False),
    "used-only-by-another-function": Case({"main.py": _main("""
        def helper(x):
            return x + 1234


        def other(x):
            return helper(x)


        @checkpoint(deep=True)
        def target(x):
            return x * 2
        """)}, "main:helper", False),
    "method-linked-by-name-only": Case({"main.py": _main("""
        class Pipeline:
            def process(self, x):
                return x + 1234


        class Plain:
            def process(self, x):
                return x


        @checkpoint(deep=True)
        def target(obj, x):
            return obj.process(x)
        """, "Plain(), 3")}, "main:Pipeline.process", False, call="Plain(), 3", lint_reaches=True),
}


def _key(folder: Path) -> str:
    out = subprocess.run([sys.executable, "main.py"], cwd=folder, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def _write(folder: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).write_text(text)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_deep_mode_reaches(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    _write(tmp_path, case.files)
    before = _key(tmp_path)
    path = tmp_path / (case.helper.split(":")[0].replace(".", "/") + ".py")
    text = path.read_text()
    assert "1234" in text
    path.write_text(text.replace("1234", "4321"))
    # as a person's edit would: a same-size edit within the same second leaves the file's cached
    # bytecode (keyed by size and whole-second mtime) in use, and the old code runs
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + 2))
    assert (_key(tmp_path) != before) == case.reaches


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_lint_reaches(name: str, tmp_path: Path, monkeypatch) -> None:
    case = CASES[name]
    _write(tmp_path, case.files)
    monkeypatch.chdir(tmp_path)
    reached = []
    real = CallGraph.reach

    def spy(self, starts):
        found = real(self, starts)
        for bits in found.sets.values():
            reached.extend(found.members(bits))
        return found

    monkeypatch.setattr(CallGraph, "reach", spy)
    lint_paths(["."], LintConfig(cache=False))
    assert (case.helper in reached) == case.lint_expected


@pytest.mark.parametrize("name", sorted(CASES))
def test_impact_reaches(name: str, tmp_path: Path) -> None:
    """`checkpointing impact` is static too: it predicts a new deep key where the lint sees the helper reached."""
    from checkpointing.analysis.callgraph import SourceFile
    from checkpointing.analysis.impact import versions

    case = CASES[name]
    files = []
    for version in ("before", "after"):
        folder = tmp_path / version
        folder.mkdir()
        _write(folder, case.files)
        if version == "after":
            path = folder / (case.helper.split(":")[0].replace(".", "/") + ".py")
            path.write_text(path.read_text().replace("1234", "4321"))
        files.append([SourceFile(str(folder / n), n) for n in case.files])
    before, after = versions(*files)
    assert (before["main.py::target"].keys["deep"] != after["main.py::target"].keys["deep"]) == case.lint_expected
