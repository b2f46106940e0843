"""One-line helpers for the tests (pyflakes' harness style)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

from checkpointing.analysis import normalize_function

_seeds = itertools.count(101)
_modules = itertools.count()


def load_function(folder: Path, source: str, name: str = "f",  # type: ignore[no-untyped-def]
                  module_name: Optional[str] = None):
    """Import ``source`` as a fresh module (named ``module_name``, else a new name) from a file in
    ``folder`` (so its source can be read) and return its function ``name``."""
    import importlib.util

    module_name = module_name or f"loaded_module_{next(_modules)}"
    path = folder / f"{module_name}.py"
    path.write_text(textwrap.dedent(source))
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)
OUR_WARNINGS = ("CheckpointFailedWarning", "HashFailedWarning", "ExpensiveOverheadWarning", "CorruptEntryWarning",
                "DynamicAccessWarning", "UnstableKeyWarning")


def canonical(source: str) -> str:
    return normalize_function(textwrap.dedent(source)).strict.code


def identity(source: str) -> tuple:
    """What the key sees of a function's code: canonical text and which parameter feeds which slot."""
    import ast

    text = textwrap.dedent(source)
    n = normalize_function(text).strict
    fn = ast.parse(text).body[0]
    signature = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]  # type: ignore[attr-defined]
    return n.code, tuple(signature.index(p) if p in signature else p for p in n.params)


def assert_normalizes_equal(a: str, b: str) -> None:
    ca, cb = identity(a), identity(b)
    assert ca == cb, f"expected the same canonical form:\n{ca}\n---\n{cb}"


def assert_normalizes_different(a: str, b: str) -> None:
    ca, cb = identity(a), identity(b)
    assert ca != cb, f"expected different canonical forms, both are:\n{ca}"


@dataclass
class Run:
    ran: int  # how many times the checkpointed function body ran ("RUN" lines)
    out: List[str]  # the "OUT ..." lines, without the prefix
    stdout: str
    stderr: str

    @property
    def skipped(self) -> bool:
        return self.ran == 0


class Project:
    """A scratch project: write files, run ``main.py`` in a fresh interpreter, edit, run again."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = dict(os.environ)
        self.env.pop("PYTHONPATH", None)
        self.env["XDG_CACHE_HOME"] = str(root / ".xdg")
        self.env["CHECKPOINTING_STRICT"] = "1"

    def write(self, files: Union[str, Dict[str, str]]) -> "Project":
        if isinstance(files, str):
            files = {"main.py": files}
        for rel, text in files.items():
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            before = path.stat().st_mtime if path.exists() else None
            path.write_text(textwrap.dedent(text))
            if before is not None:
                # an edit as a person makes it: CPython trusts a cached .pyc whose source has the
                # same size and the same whole-second mtime, so an edit within the second of the
                # last run would run the previous bytecode (with or without checkpointing)
                when = max(time.time(), before + 1.0)
                os.utime(path, (when, when))
        return self

    def run(self, script: str = "main.py", check: bool = True, extra_env: Optional[Dict[str, str]] = None,
            args: Sequence[str] = ()) -> Run:
        env = dict(self.env, PYTHONHASHSEED=str(next(_seeds)), **(extra_env or {}))
        p = subprocess.run([sys.executable, script, *args], cwd=self.root, env=env, capture_output=True, text=True,
                           timeout=120)
        if check and p.returncode != 0:
            raise AssertionError(f"{script} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
        if check and any(w in p.stderr for w in OUR_WARNINGS):
            raise AssertionError(f"{script} emitted a checkpointing warning:\n{p.stderr}")
        lines = p.stdout.splitlines()
        return Run(sum(1 for line in lines if line.strip() == "RUN"),
                   [line[4:] for line in lines if line.startswith("OUT ")], p.stdout, p.stderr)


#: (file, old text, new text, "skip" | "rerun"); the file "env" holds NAME=value lines for the
#: environment of the run, the file "argv" its command-line arguments
Edit = Tuple[str, str, str, str]


def checkpointed_script(body: str, call: str, prelude: str = "", deep: bool = True) -> str:
    """A main.py: ``prelude``, then ``body`` (one function) decorated with @checkpoint, then a
    main block that prints ``call``'s value as ``OUT ...``."""
    decorator = "@checkpoint(deep=True)" if deep else "@checkpoint()"
    return ("from checkpointing import checkpoint\n" + textwrap.dedent(prelude) + f"\n\n{decorator}\n"
            + textwrap.dedent(body) + f'\n\nif __name__ == "__main__":\n    print("OUT", repr({call}))\n')


def _run_version(project: Project, files: Dict[str, str]) -> Run:
    env = dict(line.split("=", 1) for line in files.get("env", "").splitlines() if "=" in line)
    return project.run(extra_env=env, args=files.get("argv", "").split())


def _check_stable_in_the_other_mode(project: Project, case_id: str, files: Dict[str, str]) -> None:
    """The same program with the other mode's decorator, run twice in fresh processes: served."""
    deep, shallow = "@checkpoint(deep=True)", "@checkpoint()"
    swapped = {k: v.replace(deep, "\0").replace(shallow, deep).replace("\0", shallow) for k, v in files.items()}
    if swapped == files:
        return
    other = Project(project.root / "other-mode")
    other.write({k: v for k, v in swapped.items() if k not in ("env", "argv")})
    first = _run_version(other, swapped)
    again = _run_version(other, swapped)
    assert again.skipped and again.out == first.out, (
        f"{case_id}, in the other mode: the unchanged program recomputed in a new process\n{again.stderr}")


def run_edits(project: Project, case_id: str, files: Dict[str, str], edits: List[Edit]) -> None:
    """Run ``files``, then apply each edit and run again, checking the value against an uncached
    run of the same version (a fresh project) and the skip/rerun expectation."""
    current = {k: textwrap.dedent(v) for k, v in files.items()}
    project.write({k: v for k, v in current.items() if k not in ("env", "argv")})
    first = _run_version(project, current)
    assert first.ran
    again = _run_version(project, current)  # a fresh process, other string hashes, nothing changed
    assert again.skipped and again.out == first.out, f"{case_id}: the unchanged program recomputed in a new process"
    _check_stable_in_the_other_mode(project, case_id, current)
    for n, (path, old, new, expected) in enumerate(edits, 1):
        assert old in current[path], f"edit {n} of {case_id} does not apply"
        current[path] = current[path].replace(old, new)
        if path not in ("env", "argv"):
            project.write({path: current[path]})
        run = _run_version(project, current)
        fresh_project = Project(project.root / f"fresh{n}")
        fresh_project.write({k: v for k, v in current.items() if k not in ("env", "argv")})
        fresh = _run_version(fresh_project, current)
        assert run.out == fresh.out, f"{case_id}, edit {n}: a stale value was served"
        if expected == "skip":
            assert run.skipped, f"{case_id}, edit {n} ({old!r} -> {new!r}) recomputed needlessly"
        else:
            assert run.ran, f"{case_id}, edit {n} ({old!r} -> {new!r}) was not recomputed"
