"""The scope model agrees with CPython's own symbol table (``symtable``) on every name of
every block: local, free (bound by an enclosing function) or global."""

from __future__ import annotations

import os
import symtable
import sys
import sysconfig
import textwrap
from typing import Dict, List, Tuple

import libcst as cst
import pytest

from checkpointing.analysis.scopes import ScopeModel

#: (block kind path, name) -> "local" | "free" | "global"
Classes = Dict[Tuple[str, str], str]


def _ours(source: str) -> Classes:
    model = ScopeModel(cst.parse_module(source))
    paths = {}

    def walk(block, path):
        paths[id(block)] = path
        counts: Dict[str, int] = {}
        for child in block.children:
            kind = "function" if child.kind == "comprehension" else child.kind
            counts[kind] = counts.get(kind, 0) + 1
            walk(child, f"{path}/{kind}{counts[kind]}")

    walk(model.root, "")
    out: Classes = {}
    for occ in model.occurrences:
        if occ.block.kind == "module":
            continue
        out[(paths[id(occ.block)], occ.name)] = occ.kind
    return out


#: symtable's scope constants (LOCAL, GLOBAL_EXPLICIT, GLOBAL_IMPLICIT, FREE, CELL)
_SCOPES = {symtable.LOCAL: "local", symtable.GLOBAL_EXPLICIT: "global", symtable.GLOBAL_IMPLICIT: "global",
           symtable.FREE: "free", symtable.CELL: "local"}


def _theirs(source: str, filename: str) -> Classes:
    out: Classes = {}

    def walk(table, path):
        counts: Dict[str, int] = {}
        if table.get_type() != "module":
            for sym in table.get_symbols():
                # the scope itself: is_global() is also true of a local bound in a module-level block
                scope = getattr(sym, "_Symbol__scope", None)
                kind = _SCOPES.get(scope)
                if kind is not None:
                    out[(path, sym.get_name())] = kind
        for child in table.get_children():
            kind = str(child.get_type()).split(".")[-1].lower()
            if kind not in ("function", "class"):
                return  # 3.12+ annotation scopes: not modelled block by block
            counts[kind] = counts.get(kind, 0) + 1
            walk(child, f"{path}/{kind}{counts[kind]}")

    walk(symtable.symtable(source, filename, "exec"), "")
    return out


def disagreements(source: str, filename: str = "<test>") -> List[str]:
    ours, theirs = _ours(source), _theirs(source, filename)
    return [f"{path} {name}: ours {kind}, symtable {theirs.get((path, name))}"
            for (path, name), kind in sorted(ours.items()) if theirs.get((path, name), kind) != kind]


TRICKY = '''
import os
x = 1
def f(a, b=x, *args, c=lambda: x, **kw):
    total = [last := g(v) for v in a]
    other = [w for w in a if (hit := w)]
    y = [z for z in range(3) for q in range(z)]
    def inner():
        nonlocal total
        total = 5
        return last + hit + b
    class C:
        size = a
        d = size * 2
        v = [size for _ in range(2)]
        w = [k for k in range(size)]
        def m(self):
            return size + total + y
    try:
        pass
    except ValueError as e:
        pass
    del kw
    with open(a) as (fh, gh):
        pass
    for i, (j, *rest) in enumerate(a):
        pass
    import os.path
    from json import dumps as dd
    global GG
    GG = 1
    aug = 0
    aug += 1
    return e, C, inner, os, dd, i, j, rest, fh, gh
def g(v):
    global counter
    counter += v
    return lambda w=v: (w, v, counter)
class K:
    attr = 1
    def method(self):
        return attr
    lam = lambda self: attr
    gen = (attr for _ in range(3))
'''


TRICKY_MATCH = '''
def f(a):
    match a:
        case {"k": kk, **rest2}:
            pass
        case Point(x=px, y=[py, *more]) as whole:
            pass
        case _:
            pass
    def inner():
        return kk + px
    return py, more, whole, rest2, inner
'''


def test_scope_model_matches_symtable_on_tricky_constructs():
    assert disagreements(textwrap.dedent(TRICKY)) == []


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match statements are Python 3.10+")
def test_scope_model_matches_symtable_on_match_captures():
    assert disagreements(textwrap.dedent(TRICKY_MATCH)) == []


def test_walrus_in_a_comprehension_binds_in_the_function():
    source = "def f(xs):\n    t = [last := g(v) for v in xs]\n    return last\n"
    model = ScopeModel(cst.parse_module(source))
    last = [o for o in model.occurrences if o.name == "last"]
    assert {o.kind for o in last} == {"local", "free"} and len({id(o.owner) for o in last}) == 1


def _stdlib_modules() -> List[str]:
    root = sysconfig.get_paths()["stdlib"]
    names = os.environ.get("CHECKPOINTING_SCOPE_MODULES")
    chosen = names.split(",") if names else [
        "argparse", "ast", "collections/__init__", "dataclasses", "enum", "functools", "inspect", "json/decoder",
        "pathlib", "pickle", "typing", "textwrap", "dis", "difflib", "tokenize", "statistics", "string",
        "configparser", "logging/__init__", "asyncio/tasks", "email/_header_value_parser", "unittest/mock",
    ]
    def path(name: str) -> str:  # a module may become a package (pathlib in 3.13)
        if os.path.isabs(name):
            return name
        module = os.path.join(root, name + ".py")
        return module if os.path.exists(module) else os.path.join(root, name, "__init__.py")

    return [path(n) for n in chosen]


@pytest.mark.parametrize("path", _stdlib_modules(), ids=lambda p: os.path.basename(p))
def test_scope_model_matches_symtable_on_the_standard_library(path):
    with open(path, encoding="utf-8") as f:
        source = f.read()
    assert disagreements(source, path) == []


def test_every_standard_library_file_when_asked():
    """CHECKPOINTING_SCOPE_ALL=1: every file of the standard library, its tests included (about a minute)."""
    if os.environ.get("CHECKPOINTING_SCOPE_ALL") != "1":
        pytest.skip("set CHECKPOINTING_SCOPE_ALL=1 to check every file of the standard library")
    root = sysconfig.get_paths()["stdlib"]
    bad = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "site-packages"]
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            try:
                source = open(path, encoding="utf-8").read()
                compile(source, path, "exec", dont_inherit=True)
            except (SyntaxError, UnicodeDecodeError, ValueError):
                continue
            try:
                found = disagreements(source, path)
            except cst.ParserSyntaxError:  # a few test files use syntax libcst does not read
                continue
            if found:
                bad[path] = found[:5]
    assert bad == {}, sys.version
