"""Which functions are checkpointed, and in which mode: read from decorators, never run.

Recognized: ``@checkpoint``, ``@checkpoint(...)`` under any import alias, the attribute form
``@checkpointing.checkpoint(...)``, ``DecoratorCheckpoint(...)`` instances, a module-level
name bound to either (``ckpt = checkpoint(deep=True)`` then ``@ckpt``), and the call form
``fast = checkpoint(deep=True)(slow)``. ``deep=True``/``deep=False`` written at the decorator
wins; otherwise the mode is what ``defaults["checkpoint.deep"] = True`` in the linted code
makes it, or shallow.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Dict, Iterator, Optional, Tuple

from ..callgraph import CallGraph, FunctionInfo, ModuleIndex, Target, dotted

_DECORATORS = ("checkpoint", "DecoratorCheckpoint")


@dataclass
class Checkpointed:
    info: FunctionInfo
    deep: bool
    path: str

    @property
    def label(self) -> str:
        return self.info.qualname


def _is_checkpoint(target: Target) -> bool:
    if target.kind == "external":
        parts = target.name.split(".")
        return len(parts) >= 2 and parts[0] == "checkpointing" and parts[-1] in _DECORATORS
    if target.kind in ("function", "class"):  # linting the checkpointing sources themselves
        module, qualname = target.name.split(":", 1)
        return module.split(".")[0] == "checkpointing" and qualname in _DECORATORS
    return False


def _explicit_deep(call: ast.Call) -> Optional[bool]:
    for kw in call.keywords:
        if kw.arg == "deep" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, bool):
            return kw.value.value
    return None


def decorator_mode(graph: CallGraph, module: ModuleIndex, expr: ast.expr,
                   _depth: int = 0) -> Tuple[bool, Optional[bool]]:
    """(is a checkpoint decorator, explicit ``deep`` or None) of a decorator expression."""
    call = expr if isinstance(expr, ast.Call) else None
    callee = call.func if call is not None else expr
    chain = dotted(callee)
    if chain is None or _depth > 5:
        return False, None
    target, rest = graph.resolve(module.name, chain)
    if rest:
        return False, None
    if _is_checkpoint(target):
        return True, _explicit_deep(call) if call is not None else None
    if target.kind == "variable" and call is None:  # ckpt = checkpoint(deep=True); @ckpt
        mod, name = target.name.split(":", 1)
        value = graph.modules[mod].variable_values.get(name)
        if value is not None:
            return decorator_mode(graph, graph.modules[mod], value, _depth + 1)
    return False, None


def sets_deep_default(tree: ast.Module) -> bool:
    """Does this module set ``defaults["checkpoint.deep"] = True``?"""
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant) and stmt.value.value is True:
            for target in stmt.targets:
                if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) \
                        and target.slice.value == "checkpoint.deep":
                    return True
    return False


def find_checkpointed(graph: CallGraph, module: ModuleIndex, path: str, deep_default: bool) -> Iterator[Checkpointed]:
    seen: Dict[str, Checkpointed] = {}
    for info in module.functions.values():
        for decorator in info.node.decorator_list:
            found, deep = decorator_mode(graph, module, decorator)
            if found:
                seen[info.qualname] = Checkpointed(info, deep_default if deep is None else deep, path)
                break
    for value in module.variable_values.values():  # fast = checkpoint(deep=True)(slow)
        if isinstance(value, ast.Call) and len(value.args) == 1 and isinstance(value.args[0], ast.Name):
            found, deep = decorator_mode(graph, module, value.func)
            name = value.args[0].id
            if found and name in module.functions and name not in seen:
                seen[name] = Checkpointed(module.functions[name], deep_default if deep is None else deep, path)
    yield from seen.values()

