"""Signatures of installed packages' classes and functions, read from their source, never imported.

The lint asks, for instance, whether ``sklearn.ensemble.RandomForestClassifier`` takes a
``random_state`` (CKP105). Importing scikit-learn to find out costs seconds; reading the few
files that define the name costs milliseconds. A name is followed through the package's
``__init__`` re-exports (``from ._forest import RandomForestClassifier``, ``import *``) and a
class without its own ``__init__`` through its bases. Anything this cannot follow (names made
at run time, C extensions, lazy loaders) gives no answer, and the rule stays silent.
"""

from __future__ import annotations

import ast
import importlib.util
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple, Union

from ..stdlib import is_stdlib_module

Definition = Union[ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef]
_MAX_HOPS = 12


@dataclass(frozen=True)
class Parameter:
    """A parameter of a signature: its name, its position (None: keyword only) and whether its
    default is ``None``."""

    name: str
    position: Optional[int]
    default_none: bool


_trees: Dict[str, Optional[ast.Module]] = {}
_locations: Dict[str, Optional[str]] = {}
_signatures: Dict[str, Optional[Tuple[Parameter, ...]]] = {}


def signature(qualified: str) -> Optional[Tuple[Parameter, ...]]:
    """The parameters of an installed package's class (its ``__init__``, without ``self``) or
    function; None when the name cannot be found in source."""
    if qualified not in _signatures:
        module, _, name = qualified.rpartition(".")
        top = module.split(".")[0]
        found = None
        if module and not is_stdlib_module(top):
            try:
                located = _find(module, name, 0)
                found = _parameters(*located, 0) if located is not None else None
            except (OSError, SyntaxError, ValueError, RecursionError):
                found = None
        _signatures[qualified] = found
    return _signatures[qualified]


def _module_file(module: str) -> Optional[str]:
    """The source file of an installed module, found without importing anything."""
    if module in _locations:
        return _locations[module]
    parent_name, _, last = module.rpartition(".")
    found: Optional[str] = None
    if not parent_name:
        try:  # for a top-level name this searches sys.path: nothing is imported
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin and spec.origin.endswith(".py"):
            found = spec.origin
    else:
        parent = _module_file(parent_name)
        if parent is not None and os.path.basename(parent) == "__init__.py":
            folder = os.path.join(os.path.dirname(parent), last)
            for candidate in (os.path.join(folder, "__init__.py"), folder + ".py"):
                if os.path.isfile(candidate):
                    found = candidate
                    break
    _locations[module] = found
    return found


def _tree(module: str, name: str) -> Optional[ast.Module]:
    """The module's tree; None if it cannot define or re-export ``name`` (checked on its text first:
    reading a file costs far less than parsing it)."""
    path = _module_file(module)
    if path is None:
        return None
    if path not in _trees:
        with open(path, "rb") as f:
            data = f.read()
        if name.encode() not in data and b"import *" not in data:
            return None
        _trees[path] = ast.parse(data, path)
    return _trees[path]


def _absolute(module: str, is_package: bool, level: int, name: Optional[str]) -> str:
    if level == 0:
        return name or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[:len(base) - (level - 1)] if level > 1 else base
    return ".".join(base + ([name] if name else []))


def _find(module: str, name: str, hops: int) -> Optional[Tuple[str, Definition]]:
    """The definition of ``name`` in ``module``, following imports."""
    if hops > _MAX_HOPS:
        return None
    tree = _tree(module, name)
    if tree is None:
        return None
    path = _module_file(module) or ""
    is_package = os.path.basename(path) == "__init__.py"
    stars: List[str] = []
    for stmt in _top_level(tree.body):
        if isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
            return module, stmt
        if isinstance(stmt, ast.ImportFrom):
            source = _absolute(module, is_package, stmt.level, stmt.module)
            for alias in stmt.names:
                if alias.name == "*":
                    stars.append(source)
                elif (alias.asname or alias.name) == name:
                    found = _find(source, alias.name, hops + 1)
                    if found is None and _module_file(f"{source}.{alias.name}") is not None:
                        return None  # a submodule, not a class or function
                    return found
    for source in stars:
        found = _find(source, name, hops + 1)
        if found is not None:
            return found
    return None


def _top_level(body: List[ast.stmt]) -> List[ast.stmt]:
    """Statements at module level, including those under ``if``/``try`` (version switches)."""
    out: List[ast.stmt] = []
    for stmt in body:
        if isinstance(stmt, ast.If):
            out.extend(_top_level(stmt.body + stmt.orelse))
        elif isinstance(stmt, ast.Try):
            out.extend(_top_level(stmt.body + stmt.orelse + stmt.finalbody))
        else:
            out.append(stmt)
    return out


def _parameters(module: str, definition: Definition, hops: int) -> Optional[Tuple[Parameter, ...]]:
    if not isinstance(definition, ast.ClassDef):
        return _arguments(definition.args, skip_first=False)
    init = next((s for s in definition.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and s.name == "__init__"), None)
    if init is not None:
        return _arguments(init.args, skip_first=True)
    # inherited: from the first base (by name in the class's module) that defines one
    for base in definition.bases:
        if isinstance(base, ast.Name) and hops < _MAX_HOPS:
            located = _find(module, base.id, hops + 1)
            if located is not None and isinstance(located[1], ast.ClassDef):
                found = _parameters(located[0], located[1], hops + 1)
                if found is not None:
                    return found
    return None


def _arguments(args: ast.arguments, skip_first: bool) -> Tuple[Parameter, ...]:
    positional = list(args.posonlyargs) + list(args.args)
    defaults: List[Optional[ast.expr]] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    params: List[Parameter] = []
    for i, (arg, default) in enumerate(zip(positional, defaults)):
        if skip_first and i == 0:
            continue
        params.append(Parameter(arg.arg, i - (1 if skip_first else 0), _is_none(default)))
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults):
        params.append(Parameter(arg.arg, None, _is_none(kw_default)))
    return tuple(params)


def _is_none(node: Optional[ast.expr]) -> bool:
    return isinstance(node, ast.Constant) and node.value is None
