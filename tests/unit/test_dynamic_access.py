"""The runtime check of a function's code (``DynamicAccessWarning``, keys covering all it could
reach) and the lint's CKP003 read one table (``analysis.dynamic_access``): on every line below
they give the same verdict."""

from __future__ import annotations

import textwrap

import pytest

from checkpointing.analysis import normalize_function
from checkpointing.analysis.lint import LintConfig, lint_paths

#: (a line of a checkpointed function with parameters obj, name, mod, args; is it dynamic?)
LINES = [
    ("return getattr(obj, name)", True),
    ('return getattr(obj, "size")', False),
    ("return getattr(obj, *args)", True),
    ("setattr(obj, name, 1)", False),
    ('setattr(obj, "size", 1)', False),
    ("delattr(obj, name)", False),
    ("return hasattr(obj, name)", True),
    ('return hasattr(obj, "size")', False),
    ("return operator.attrgetter(name)(obj)", True),
    ('return operator.attrgetter("size")(obj)', False),
    ("return operator.methodcaller(name)(obj)", True),
    ('return operator.itemgetter(name)(obj)', False),
    ("return importlib.import_module(mod)", True),
    ('return importlib.import_module("json")', False),
    ('return importlib.import_module(".sibling")', True),
    ("return __import__(mod)", True),
    ("return eval(name)", True),
    ("exec(name)", True),
    ("return globals()[name]", True),
    ("return locals()", False),
    ("return locals()[name]", False),
    ("return vars()", False),
    ("return vars(obj)", True),
    ("return vars(self)", False),
    ("return vars(self)[name]", False),
    ("return dir(self)", True),
    ('return eval(name, {"__builtins__": {}})', True),
    ('return vars(obj)["size"]', False),
    ("return dir(obj)", True),
    ("return dir()", False),
    ("return len(name)", False),
    ("return obj.getattr(name)", False),
]


@pytest.mark.parametrize("line, dynamic", LINES, ids=[line for line, _ in LINES])
def test_runtime_and_lint_agree(tmp_path, monkeypatch, line: str, dynamic: bool) -> None:
    function = f"def f(obj, name, mod, args):\n    {line}\n"
    runtime = bool(normalize_function(function).dynamic)
    (tmp_path / "main.py").write_text(textwrap.dedent("""\
        import importlib
        import operator

        from checkpointing import checkpoint


        @checkpoint(deep=True)
        """) + function)
    monkeypatch.chdir(tmp_path)
    lint = any(f.code == "CKP003" for f in lint_paths(["main.py"], LintConfig()).findings)
    assert (runtime, lint) == (dynamic, dynamic)
