"""Which functions are checkpointed, and in which mode: read from decorators, never run.

Recognized: ``@checkpoint``, ``@checkpoint(...)`` under any import alias, the attribute form
``@checkpointing.checkpoint(...)``, ``DecoratorCheckpoint(...)`` instances, a module-level
name bound to either (``ckpt = checkpoint(deep=True)`` then ``@ckpt``), and the call forms
``fast = checkpoint(deep=True)(slow)``, ``read = checkpoint()(module.read)`` (a function of
another module) and, in a method, ``self.f = checkpoint()(self.f)``. ``deep=True``/``deep=False``
written at the decorator wins; otherwise the mode is what ``defaults["checkpoint.deep"] = True``
in the linted code makes it, or shallow. Likewise ``inputs=False`` (or
``defaults["checkpoint.inputs"] = False``) says that the files a function reads are not recorded
at run time (see ``Checkpointed.records_inputs``).

Other caching decorators are checked too when named by their qualified name (``decorators``
in the configuration, ``--decorator``): ``joblib.Memory.cache`` matches ``@memory.cache`` where
``memory = joblib.Memory(...)``, and ``@joblib.Memory(...).cache``; ``cachier.cachier``,
``diskcache.Cache.memoize``, ``functools.cache``. Their keys cover at most the function's own
code, so they are checked as shallow mode is.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Set, Tuple

from ..callgraph import CallGraph, FunctionInfo, ModuleIndex, Project, SourceFile, Target, dotted

_DECORATORS = ("checkpoint", "DecoratorCheckpoint")


@dataclass
class Checkpointed:
    info: FunctionInfo
    deep: bool
    path: str
    #: the files it reads are recorded at run time and re-checked on every hit (checkpointing's
    #: own decorator, unless ``inputs=False`` or ``defaults["checkpoint.inputs"] = False``)
    records_inputs: bool = False
    #: the configured decorator that caches it (its qualified name); "" for checkpointing's own
    decorator: str = ""

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


def _explicit(call: Optional[ast.Call], keyword: str) -> Optional[bool]:
    """The value of ``keyword=True``/``keyword=False`` written at a decorator call (None: not written)."""
    for kw in call.keywords if call is not None else ():
        if kw.arg == keyword and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, bool):
            return kw.value.value
    return None


class DecoratorUse(NamedTuple):
    """What a decorator expression is: a checkpoint decorator (``ours``) or one of the others named
    in the configuration, with ``deep=`` and ``inputs=`` as written (None: not written)."""

    found: bool
    deep: Optional[bool] = None
    ours: bool = False
    inputs: Optional[bool] = None
    #: which of the configured decorators it is ("" for checkpointing's own)
    other: str = ""


def decorator_mode(graph: CallGraph, module: ModuleIndex, expr: ast.expr, others: FrozenSet[str] = frozenset(),
                   _depth: int = 0) -> DecoratorUse:
    """What a decorator expression is (see :class:`DecoratorUse`), by qualified name."""
    call = expr if isinstance(expr, ast.Call) else None
    callee = call.func if call is not None else expr
    if _depth > 5:
        return DecoratorUse(False)
    qualified = _qualified_decorator(graph, module, callee) if others else None
    if qualified is not None and qualified in others:
        return DecoratorUse(True, False, other=qualified)
    chain = dotted(callee)
    if chain is None:
        return DecoratorUse(False)
    target, rest = graph.resolve(module.name, chain)
    if rest:
        return DecoratorUse(False)
    if _is_checkpoint(target):
        return DecoratorUse(True, _explicit(call, "deep"), True, _explicit(call, "inputs"))
    if target.kind == "variable" and call is None:  # ckpt = checkpoint(deep=True); @ckpt
        mod, name = target.name.split(":", 1)
        value = graph.modules[mod].variable_values.get(name)
        if value is not None:
            return decorator_mode(graph, graph.modules[mod], value, others, _depth + 1)
    return DecoratorUse(False)


def _qualified_decorator(graph: CallGraph, module: ModuleIndex, callee: ast.expr, _depth: int = 0) -> Optional[str]:
    """The qualified name a decorator callable is known by: ``cachier.cachier``; for a method of an
    object made at module level (``memory = joblib.Memory(...)``, then ``memory.cache``) or in
    place (``joblib.Memory(...).cache``), the class's name then the method's."""
    if _depth > 5:  # ``x = x.copy()`` and the like: not a decorator made from a library class
        return None
    if isinstance(callee, ast.Attribute) and isinstance(callee.value, ast.Call):
        maker = _qualified_decorator(graph, module, callee.value.func, _depth + 1)
        return f"{maker}.{callee.attr}" if maker is not None else None
    chain = dotted(callee)
    if chain is None:
        return None
    target, rest = graph.resolve(module.name, chain)
    if target.kind in ("external", "builtin"):
        return ".".join((target.name, *rest))
    if target.kind == "variable" and rest:
        mod, name = target.name.split(":", 1)
        value = graph.modules[mod].variable_values.get(name)
        if isinstance(value, ast.Call):
            maker = _qualified_decorator(graph, graph.modules[mod], value.func, _depth + 1)
            return ".".join((maker, *rest)) if maker is not None else None
    return None


def sets_default(tree: ast.Module, setting: str, value: bool) -> bool:
    """Does this module set ``defaults[setting] = value`` (``defaults["checkpoint.deep"] = True``)?"""
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant) and stmt.value.value is value:
            for target in stmt.targets:
                if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) \
                        and target.slice.value == setting:
                    return True
    return False


def find_checkpointed(graph: CallGraph, module: ModuleIndex, path: str, deep_default: bool,
                      others: FrozenSet[str] = frozenset(), inputs_default: bool = True) -> Iterator[Checkpointed]:
    """The checkpointed functions of ``module`` (and those of other modules it wraps by a call)."""
    seen: Dict[Tuple[str, str], Checkpointed] = {}

    def add(info: Optional[FunctionInfo], use: DecoratorUse) -> None:
        if info is not None and (info.module, info.qualname) not in seen:
            where = graph.modules[info.module].path if info.module in graph.modules else path
            records = use.ours and (inputs_default if use.inputs is None else use.inputs)
            seen[(info.module, info.qualname)] = Checkpointed(
                info, deep_default if use.deep is None else use.deep, where, records, use.other)

    for info in module.functions.values():
        for decorator in info.node.decorator_list:
            use = decorator_mode(graph, module, decorator, others)
            if use.found:
                add(info, use)
                break
    for value in module.variable_values.values():  # fast = checkpoint(deep=True)(slow); read = ...(io.read)
        if isinstance(value, ast.Call) and len(value.args) == 1 and not value.keywords:
            use = decorator_mode(graph, module, value.func, others)
            chain = dotted(value.args[0]) if use.found else None
            if chain is not None:
                target, rest = graph.resolve(module.name, chain)
                if target.kind == "function" and not rest:
                    add(graph.function(target.name), use)
    for info in module.functions.values():  # self.f = checkpoint()(self.f), in a method
        if info.class_name is None:
            continue
        cls = module.classes.get(info.class_name)
        for stmt in ast.walk(info.node):
            if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) and len(stmt.value.args) == 1):
                continue
            wrapped = stmt.value.args[0]
            if cls is None or not (isinstance(wrapped, ast.Attribute) and isinstance(wrapped.value, ast.Name)
                                   and wrapped.value.id in ("self", "cls")):
                continue
            use = decorator_mode(graph, module, stmt.value.func, others)
            method = graph.find_method(cls, wrapped.attr) if use.found else None
            if method is not None:
                add(graph.function(method), use)
    yield from seen.values()


_IMPORTS = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?([\w., \t]*)|import[ \t]+([\w., \t]+))",
                      re.MULTILINE)


def _imported_names(text: str) -> Iterator[str]:
    """Module names a file's text imports (``from a import b`` gives ``a`` and ``a.b``), read
    without parsing; a superset is harmless (it only decides what gets parsed)."""
    for match in _IMPORTS.finditer(text):
        module, names, plain = match.groups()
        if module is not None:
            yield module
            for name in names.split(","):
                name = name.strip().split(" ")[0]
                if name:
                    yield f"{module}.{name}"
        else:
            for name in plain.split(","):
                name = name.strip().split(" ")[0]
                if name:
                    yield name


def _candidate_roots(files: List[SourceFile], markers: Sequence[str]) -> Set[str]:
    """The roots that may define checkpointed functions: where some file mentions checkpointing (or
    another decorator's package), or imports a module that does (``from mytools import cached``).
    Decided on the text: the other roots are read, never parsed."""
    mentioning = {f.module for f in files if any(marker in f.text for marker in markers)}
    roots = {f.root for f in files if f.module in mentioning}
    for f in files:
        if f.root not in roots and any(name in mentioning for name in _imported_names(f.text)):
            roots.add(f.root)
    return roots


def checkpointed_by_root(project: Project, decorators: Iterable[str] = ()
                         ) -> Iterator[Tuple[str, CallGraph, List[Tuple[Checkpointed, SourceFile]]]]:
    """Each root that defines checkpointed functions (or functions cached by one of
    ``decorators``, by qualified name): its call graph, and those functions with their files."""
    others = frozenset(decorators)
    # the words that mark a file which may apply a decorator: the packages that provide them
    roots = _candidate_roots(project.files, ("checkpointing", *sorted({d.split(".", 1)[0] for d in others})))
    for root in sorted(roots):
        graph = project.graph_for(root)  # parses the root's files and those they import
        candidates = [f for f in project.files_of(root) if f.tree is not None]
        # defaults["checkpoint.deep"] = True makes deep mode the default of the program that sets it
        deep = any("checkpoint.deep" in f.text and f.tree is not None and sets_default(f.tree, "checkpoint.deep", True)
                   for f in candidates)
        # and defaults["checkpoint.inputs"] = False stops recording the files its functions read
        inputs = not any("checkpoint.inputs" in f.text and f.tree is not None
                         and sets_default(f.tree, "checkpoint.inputs", False) for f in candidates)
        found: List[Tuple[Checkpointed, SourceFile]] = []
        for source in candidates:
            assert source.index is not None  # graph_for indexed every file of the root
            found.extend((checkpointed, source) for checkpointed in
                         find_checkpointed(graph, source.index, source.path, deep, others, inputs))
        yield root, graph, found
