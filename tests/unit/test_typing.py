"""What type checkers see: a decorated function keeps its signature and result type, and has
``rerun``, ``explain``, ``clear`` and ``cache_info`` (``checkpointing.Checkpointed``). mypy is run
on a user's file; a wrong call must be an error, so the types cannot silently become ``Any``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import checkpointing

pytest.importorskip("mypy")
pytestmark = pytest.mark.slow

USER = textwrap.dedent("""
    from checkpointing import Checkpointed, checkpoint


    @checkpoint()
    def scale(x: int, factor: float = 2.0) -> float:
        return x * factor


    @checkpoint
    def bare(name: str) -> str:
        return name


    class Model:
        @checkpoint(deep=True)
        def fit(self, n: int) -> list[int]:
            return [n]


    reveal_type(scale)
    reveal_type(scale(3, factor=1.5))
    reveal_type(bare("a"))
    reveal_type(Model().fit(3))
    reveal_type(Model.fit)
    reveal_type(scale.explain(3))
    reveal_type(scale.rerun(3))
    reveal_type(scale.clear())
    reveal_type(scale.cache_info())
    reveal_type(scale.__wrapped__)
    annotated: Checkpointed[[int], str] = bare  # wrong parameter type
    scale("text")
    scale(3, nope=1)
    wrong: str = scale(3)
""")


def _package_tree(tmp_path: Path) -> Path:
    """The package laid out as installed (analysis/ is checkpointing.analysis), which mypy cannot
    find through an editable install's import hook."""
    source = Path(checkpointing.__file__).parent
    tree = tmp_path / "site" / "checkpointing"
    tree.mkdir(parents=True)
    for entry in source.iterdir():
        if entry.name != "__pycache__":
            (tree / entry.name).symlink_to(entry)
    if not (tree / "analysis").exists():
        (tree / "analysis").symlink_to(source.parent / "analysis")
    return tree.parent


def test_a_decorated_function_keeps_its_signature_for_type_checkers(tmp_path) -> None:
    (tmp_path / "user.py").write_text(USER)
    env = dict(os.environ, MYPYPATH=str(_package_tree(tmp_path)))
    out = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10",
                          "--no-incremental", "--show-error-codes", "user.py"],
                         cwd=tmp_path, env=env, capture_output=True, text=True).stdout
    mine = [line for line in out.splitlines() if line.startswith("user.py:")]
    # (mypy < 1.11 writes int where newer versions write int)
    revealed = [re.sub(r".*Revealed type is ", "", line).replace("builtins.", "") for line in mine
                if "Revealed type" in line]
    assert revealed == [
        '"checkpointing._typing.Checkpointed[[x: int, factor: float =], float]"',
        '"float"',
        '"str"',
        '"list[int]"',
        '"checkpointing._typing.Checkpointed[[self: user.Model, n: int], list[int]]"',
        '"checkpointing._explain.Explanation"',
        '"float"',
        '"int"',
        '"checkpointing._usage.CacheInfo"',
        '"def (x: int, factor: float =) -> float"',
    ], out
    errors = [line for line in mine if ": error:" in line]
    lines = USER.splitlines()
    assert [lines[int(line.split(":")[1]) - 1].split()[0] for line in errors] == [
        "annotated:", 'scale("text")', "scale(3,", "wrong:"], out
