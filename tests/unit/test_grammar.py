"""Which Python a file targets (requires-python) and reading it with any Python (analysis/callgraph/grammar.py)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from checkpointing.analysis.callgraph import grammar


@pytest.mark.parametrize("spec, lowest", [(">=3.9", (3, 9)), ("~=3.10", (3, 10)), (">3.8", (3, 9)),
                                          ("==3.11.*", (3, 11)), (">=3.10,<4", (3, 10)), ("<4", None)])
def test_the_target_is_the_lowest_version_requires_python_allows(tmp_path: Path, spec: str, lowest) -> None:
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "p"\nrequires-python = "{spec}"\n')
    (tmp_path / "pkg").mkdir()
    assert grammar.target_version(str(tmp_path / "pkg" / "mod.py")) == lowest


def test_without_requires_python_the_newest_grammar_counts(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\n')
    assert grammar.target_version(str(tmp_path / "mod.py")) is None


GENERIC = b"def first[T](items: list[T]) -> T:\n    return items[0]\n\n\ntype Ids = set[int]\nx = first([1])\n"


def test_newer_syntax_is_read_with_every_line_in_place() -> None:
    tree, _ = grammar.parse(GENERIC, "generic.py", None)
    [func] = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert (func.name, func.lineno, func.body[0].lineno) == ("first", 1, 2)
    assert [n.lineno for n in tree.body] == [1, 5, 6]


def test_newer_syntax_is_an_error_for_an_older_target() -> None:
    with pytest.raises(SyntaxError) as raised:
        grammar.parse(b"def f(x):\n    match x:\n        case 1:\n            return 1\n    return 0\n", "m.py", (3, 9))
    assert raised.value.lineno == 2
    if sys.version_info >= (3, 10):  # (3.9 itself just cannot parse it)
        assert "match statement needs Python 3.10" in str(raised.value.msg)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.12 reads nested f-string quotes itself")
def test_syntax_this_python_cannot_read_is_not_called_an_error() -> None:
    with pytest.raises(grammar.NewerSyntax):
        grammar.parse(b'x = f"{"a"}"\n', "new.py", None)
    with pytest.raises(SyntaxError):  # for a project targeting this very Python, it is an error
        grammar.parse(b'x = f"{"a"}"\n', "new.py", sys.version_info[:2])


def test_invalid_in_every_grammar_is_a_syntax_error() -> None:
    with pytest.raises(SyntaxError):
        grammar.parse(b"def f(:\n", "bad.py", None)
