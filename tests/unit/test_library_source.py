"""Signatures of installed packages read from their source (analysis/lint/library_source.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from checkpointing.analysis.lint import library_source


@pytest.fixture
def package(tmp_path: Path, monkeypatch):
    """An installed package, ``fakelib``, whose names are defined in private modules and re-exported."""
    root = tmp_path / "fakelib"
    (root / "models").mkdir(parents=True)
    (root / "__init__.py").write_text("from .models import *\nfrom ._util import shuffle as mix\n")
    (root / "_util.py").write_text("def shuffle(*arrays, random_state=None, n=None):\n    return arrays\n")
    (root / "models" / "__init__.py").write_text("from ._forest import Forest, Seeded\n__all__ = ['Forest']\n")
    (root / "models" / "_base.py").write_text(textwrap.dedent("""\
        class Base:
            def __init__(self, depth=3, random_state=None):
                pass
        """))
    (root / "models" / "_forest.py").write_text(textwrap.dedent("""\
        import sys

        from ._base import Base

        if sys.version_info >= (3, 0):
            class Forest(Base):
                pass

        class Seeded:
            def __init__(self, seed=0):
                pass
        """))
    monkeypatch.syspath_prepend(str(tmp_path))
    for cache in ("_trees", "_locations", "_signatures"):  # what other tests found stays theirs
        monkeypatch.setattr(library_source, cache, {})
    return root


def test_names_are_followed_through_re_exports_star_imports_and_bases(package: Path) -> None:
    forest = library_source.signature("fakelib.Forest")
    assert forest is not None and [(p.name, p.position, p.default_none) for p in forest] == [
        ("depth", 0, False), ("random_state", 1, True)]
    mix = library_source.signature("fakelib.mix")
    assert mix is not None and [(p.name, p.position) for p in mix] == [("random_state", None), ("n", None)]
    seeded = library_source.signature("fakelib.models.Seeded")
    assert seeded is not None and [(p.name, p.default_none) for p in seeded] == [("seed", False)]
    assert "fakelib" not in sys.modules  # read, never imported


@pytest.mark.parametrize("name", ["fakelib.Missing", "fakelib.models", "nosuchpackage.Thing", "json.JSONDecoder"])
def test_what_cannot_be_read_gives_no_answer(package: Path, name: str) -> None:
    assert library_source.signature(name) is None


def test_a_syntax_error_in_a_package_gives_no_answer(package: Path) -> None:
    (package / "broken.py").write_text("def f(:\n")
    assert library_source.signature("fakelib.broken.f") is None


def test_linting_does_not_import_scikit_learn(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    (tmp_path / "main.py").write_text(
        "from checkpointing import checkpoint\nfrom sklearn.ensemble import RandomForestClassifier\n\n\n"
        "@checkpoint\ndef fit(x, y):\n    return RandomForestClassifier().fit(x, y)\n")
    code = ("import sys\nfrom checkpointing.analysis.lint import lint_paths\n"
            "codes = [f.code for f in lint_paths(['main.py']).findings]\n"
            "print(codes, 'sklearn' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['CKP105'] False"
