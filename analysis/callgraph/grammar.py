"""Which Python a file is written for, and reading it whatever Python runs the lint.

A file is a syntax error only when it is one for the Python it targets: the lowest version that
``requires-python`` in the nearest ``pyproject.toml`` allows, else the newest grammar.

- Linting with a newer interpreter than the target: ``ast.parse(feature_version=target)``
  rejects syntax the target does not have (``match`` for a 3.9 project).
- Linting with an older interpreter (3.12 code linted by 3.11): what ``ast`` rejects is parsed
  again with libcst, whose parser reads every grammar up to 3.13. If that succeeds, the file is
  valid for a newer Python: its type parameters (``def f[T](x)``, ``class C[T]``) are blanked
  out and ``type X = ...`` becomes ``X = ...``, which ``ast`` reads with every line in place. A
  file still unreadable after that (3.12 f-strings nesting quotes) is reported as needing a
  newer Python to lint, never as a syntax error.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import warnings
from typing import Dict, List, Optional, Tuple, Union

Version = Tuple[int, int]

_REQUIRES = re.compile(r"(>=|~=|==|>)\s*3\.(\d+)")
_targets: Dict[str, Optional[Version]] = {}  # by pyproject.toml
_folders: Dict[str, Optional[Version]] = {}  # by the folder of a file


class NewerSyntax(Exception):
    """Valid Python for a newer version than the one running the lint, which cannot read it."""


def find_pyproject(start: str) -> Optional[str]:
    """The ``pyproject.toml`` nearest to ``start`` (a file or directory), going up."""
    directory = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def target_version(path: str) -> Optional[Version]:
    """The lowest Python version the file's project supports (``requires-python``), or None."""
    folder = os.path.dirname(os.path.abspath(path))
    if folder not in _folders:
        pyproject = find_pyproject(folder)
        if pyproject is not None and pyproject not in _targets:
            _targets[pyproject] = _lowest(pyproject)
        _folders[folder] = _targets[pyproject] if pyproject is not None else None
    return _folders[folder]


def _lowest(pyproject: str) -> Optional[Version]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib
    try:
        with open(pyproject, "rb") as f:
            spec = tomllib.load(f).get("project", {}).get("requires-python")
    except (OSError, ValueError):
        return None
    if not isinstance(spec, str):
        return None
    found = [(3, int(minor) + (1 if op == ">" else 0)) for op, minor in _REQUIRES.findall(spec)]
    return min(found) if found else None


def parse(data: bytes, filename: str, target: Optional[Version]) -> Tuple[ast.Module, Union[str, bytes]]:
    """The module's ``ast`` for the target version, and the text it was read from (the file's,
    or with 3.12's type parameters blanked out). Raises SyntaxError when the file is not valid
    for the target, :class:`NewerSyntax` when it is valid but this Python cannot read it."""
    running = sys.version_info[:2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences and the like are not ours to report
        try:
            if target is not None and target < running:
                return _parse_for_older(data, filename, target), data
            return ast.parse(data, filename=filename), data
        except SyntaxError:
            if target is not None and target <= running:
                raise  # the target's grammar is one this Python knows
            downgraded = _downgrade(data)
            if downgraded is None:
                raise  # not valid in any grammar libcst knows either
            try:
                return ast.parse(downgraded, filename=filename), downgraded
            except SyntaxError:
                raise NewerSyntax(f"valid for a Python newer than {running[0]}.{running[1]}, which runs the lint; "
                                  f"lint this file with that Python") from None


#: constructs of the grammar, with the version that introduced them
_INTRODUCED = tuple((getattr(ast, name), version, what) for name, version, what in (
    ("NamedExpr", (3, 8), "an assignment expression (:=)"),
    ("Match", (3, 10), "a match statement"),
    ("TryStar", (3, 11), "except*"),
    ("TypeAlias", (3, 12), "a type statement"),
) if hasattr(ast, name))


def _parse_for_older(data: bytes, filename: str, target: Version) -> ast.Module:
    """Parse for a target older than the running Python: ``feature_version`` rejects what the
    target lacks, and the construct is then located where it starts (CPython reports some at the
    token after them)."""
    try:
        return ast.parse(data, filename=filename, feature_version=max(target, (3, 7)))
    except SyntaxError as exc:
        try:
            tree = ast.parse(data, filename=filename)
        except SyntaxError:
            raise exc from None
        for node in ast.walk(tree):
            line, col = getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1
            for kind, version, what in _INTRODUCED:
                if isinstance(node, kind) and version > target:
                    raise SyntaxError(f"{what} needs Python {version[0]}.{version[1]}",
                                      (filename, line, col, None)) from None
            if getattr(node, "type_params", None) and target < (3, 12):
                raise SyntaxError("type parameters need Python 3.12", (filename, line, col, None)) from None
        raise


def _downgrade(data: bytes) -> Optional[Union[str, bytes]]:
    """The source with 3.12's type parameters blanked out and type aliases made assignments, lines
    kept; None if libcst cannot parse it."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    try:
        module = cst.parse_module(data)
    except Exception:
        return None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    text = module.code
    lines = text.splitlines(keepends=True)
    edits: List[Tuple[int, int, int, Optional[str]]] = []  # (line, start, end, replacement or None: blank)
    for node in positions:
        params: Optional[cst.CSTNode] = getattr(node, "type_parameters", None)
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)) and params is not None:
            span = positions[params]
            if span.start.line == span.end.line:
                edits.append((span.start.line, span.start.column, span.end.column, None))
        elif type(node).__name__ == "TypeAlias":
            keyword = positions[node].start
            name = positions[node.name].start  # type: ignore[attr-defined]
            if keyword.line == name.line:
                edits.append((keyword.line, keyword.column, name.column, ""))
            if params is not None and positions[params].start.line == positions[params].end.line:
                p = positions[params]
                edits.append((p.start.line, p.start.column, p.end.column, None))
    for line, start, end, replacement in sorted(edits, key=lambda e: (e[0], -e[1])):
        old = lines[line - 1]
        lines[line - 1] = old[:start] + (" " * (end - start) if replacement is None else replacement) + old[end:]
    return "".join(lines)


def describe(target: Optional[Version]) -> str:
    return f"Python {target[0]}.{target[1]}" if target is not None else "the newest Python"
