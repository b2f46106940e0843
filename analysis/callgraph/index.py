"""What one module defines, imports and refers to: read from its ``ast``, never run.

This is the per-file half of the call graph: each function's references to names outside
itself (with the attribute chain written after them: ``helpers.clean``, ``np.random.rand``)
and the methods it calls on its parameters, on ``self``/``cls`` and on other expressions. The
project half (:mod:`.graph`) resolves those names across modules.

Python's ``ast`` is used rather than libcst: this analysis only reads, and ``ast`` builds a
tree ten times faster, which is what a linter run over a large project needs. The normalizer,
which rewrites code, keeps libcst.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterator, List, Optional, Set, Tuple, Union

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]
Chain = Tuple[str, ...]

BUILTIN_NAMES = frozenset(dir(builtins))
# pattern captures (Python >= 3.10; an interpreter without them parses no match statement)
_MATCH_CAPTURES = tuple(getattr(ast, name) for name in ("MatchAs", "MatchStar") if hasattr(ast, name))
_MATCH_MAPPING = tuple(getattr(ast, name) for name in ("MatchMapping",) if hasattr(ast, name))


@dataclass(frozen=True)
class Span:
    """A source range: 1-based lines, 0-based columns, as ``ast`` gives them."""

    line: int
    col: int
    end_line: int
    end_col: int

    @classmethod
    def of(cls, node: Union[ast.stmt, ast.expr, ast.excepthandler, ast.arg]) -> "Span":
        return cls(node.lineno, node.col_offset, getattr(node, "end_lineno", None) or node.lineno,
                   getattr(node, "end_col_offset", None) or node.col_offset)


@dataclass(frozen=True)
class Reference:
    """A name read from outside the function, with the attributes written after it."""

    chain: Chain
    span: Span
    called: bool  # the whole chain is called: ``helpers.clean(x)``


@dataclass(frozen=True)
class MethodCall:
    """``receiver.method(...)`` where the receiver is not a module-level name."""

    receiver: str  # "self", "cls", a parameter's name, or "" for any other expression
    method: str
    span: Span


@dataclass
class FunctionInfo:
    module: str
    qualname: str  # "f", "Model.fit" (nested functions belong to the function around them)
    node: FunctionNode = field(repr=False)
    class_name: Optional[str] = None
    params: Dict[str, Optional[Chain]] = field(default_factory=dict)  # name -> annotation chain
    references: List[Reference] = field(default_factory=list)
    method_calls: List[MethodCall] = field(default_factory=list)
    #: every call in the body, nested functions included (what the lint rules look at)
    calls: List[ast.Call] = field(default_factory=list, repr=False)
    #: parameters and names bound in the body (not counting ``global`` declarations)
    local_names: FrozenSet[str] = frozenset()

    @property
    def span(self) -> Span:
        return Span.of(self.node)


@dataclass
class ClassInfo:
    module: str
    name: str
    node: ast.ClassDef = field(repr=False)
    bases: List[Chain] = field(default_factory=list)
    methods: Dict[str, str] = field(default_factory=dict)  # method name -> function qualname


@dataclass
class Import:
    """A module-level import binding: ``import a.b as c`` (module="a.b", name=None) or
    ``from a import b as c`` (module="a", name="b"); relative imports are made absolute."""

    module: str
    name: Optional[str]
    bound_module: Optional[str] = None  # ``import a.b`` binds ``a``: the module it binds


@dataclass
class ModuleIndex:
    name: str
    path: str
    tree: ast.Module = field(repr=False)
    functions: Dict[str, FunctionInfo] = field(default_factory=dict)
    classes: Dict[str, ClassInfo] = field(default_factory=dict)
    imports: Dict[str, Import] = field(default_factory=dict)
    star_imports: List[str] = field(default_factory=list)
    #: module-level names bound by assignment, with the references of their value
    variables: Dict[str, List[Reference]] = field(default_factory=dict)
    variable_spans: Dict[str, Span] = field(default_factory=dict)
    variable_values: Dict[str, ast.expr] = field(default_factory=dict, repr=False)  # the last value assigned

    def top_level_binding(self, name: str) -> Optional[str]:
        """What kind of module-level binding ``name`` is, if any."""
        if name in self.functions and "." not in name:
            return "function"
        if name in self.classes:
            return "class"
        if name in self.imports:
            return "import"
        if name in self.variables:
            return "variable"
        return None


def dotted(node: ast.AST) -> Optional[Chain]:
    """``a.b.c`` as ("a", "b", "c"), or None if the expression is not a dotted name."""
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return tuple(reversed(parts))
    return None


def _absolute(module: str, is_package: bool, level: int, target: Optional[str]) -> str:
    if level == 0:
        return target or ""
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, target] if target else base)


# -- local names ------------------------------------------------------------------------------

#: per node type, the fields that may hold nodes (``ctx`` markers and plain values left out)
_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {}
_NOT_CHILDREN = frozenset({"ctx", "id", "attr", "name", "arg", "asname", "module", "level", "lineno", "col_offset",
                           "end_lineno", "end_col_offset", "type_comment", "kind", "conversion", "is_async",
                           "names"})


def _children(node: ast.AST) -> List[ast.AST]:
    """``ast.iter_child_nodes`` without the ``ctx`` markers, as a list (the hot loop of indexing)."""
    fields = _CHILD_FIELDS.get(type(node))
    if fields is None:
        fields = _CHILD_FIELDS[type(node)] = tuple(f for f in node._fields if f not in _NOT_CHILDREN) \
            if not isinstance(node, (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal)) else ()
    out: List[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            out.append(value)
        elif type(value) is list:
            out.extend(v for v in value if isinstance(v, ast.AST))
    return out


def _scope_names(node: ast.AST) -> Tuple[Set[str], Set[str]]:
    """Names bound directly in a scope (not in nested scopes), and those it declares ``global``;
    one pass over the scope."""
    names: Set[str] = set()
    declared: Set[str] = set()
    stack = _children(node)
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(n.name)
            stack.extend(n.decorator_list)
            continue
        if isinstance(n, ast.Lambda):
            continue
        if isinstance(n, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            # only walrus targets escape a comprehension
            names.update(t.target.id for t in ast.walk(n) if isinstance(t, ast.NamedExpr)
                         and isinstance(t.target, ast.Name))
            continue
        if isinstance(n, ast.Name):
            if not isinstance(n.ctx, ast.Load):
                names.add(n.id)
            continue
        if isinstance(n, ast.Global):
            declared.update(n.names)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            for alias in n.names:
                if alias.name != "*":
                    names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(n, ast.ExceptHandler) and n.name:
            names.add(n.name)
        elif isinstance(n, _MATCH_CAPTURES) and n.name:
            names.add(n.name)
        elif isinstance(n, _MATCH_MAPPING) and n.rest:
            names.add(n.rest)
        stack.extend(_children(n))
    return names, declared


def _parameters(args: ast.arguments) -> List[ast.arg]:
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    if args.vararg:
        params.append(args.vararg)
    if args.kwarg:
        params.append(args.kwarg)
    return params


class _FunctionReader:
    """Collects one function's outside references and method calls, nested scopes included."""

    def __init__(self, info: FunctionInfo) -> None:
        self.info = info
        self.param_names = set(info.params)

    def read(self, node: FunctionNode) -> None:
        bound, declared = _scope_names(node)
        locals_ = (self.param_names | bound) - declared
        self.info.local_names = frozenset(locals_)
        # defaults and decorators are evaluated where the function is defined (in the enclosing
        # scope), and what they hold is part of it: ``def f(x, fn=helper)`` reaches ``helper``
        outer: Set[str] = set()
        for expr in [*node.args.defaults, *node.args.kw_defaults, *node.decorator_list]:
            if expr is not None:
                self._visit(expr, outer)
        for stmt in node.body:
            self._visit(stmt, locals_)

    def _scope(self, node: ast.AST, outer: Set[str], args: Optional[ast.arguments] = None) -> Set[str]:
        inner = set(outer)
        if args is not None:
            inner.update(a.arg for a in _parameters(args))
        bound, declared = _scope_names(node)
        inner.update(bound)
        return inner - declared

    def _visit(self, node: ast.AST, local: Set[str]) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for d in node.decorator_list:
                self._visit(d, local)
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                if default is not None:
                    self._visit(default, local)
            inner = self._scope(node, local, node.args)
            for stmt in node.body:
                self._visit(stmt, inner)
            return
        if isinstance(node, ast.Lambda):
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                if default is not None:
                    self._visit(default, local)
            self._visit(node.body, local | {a.arg for a in _parameters(node.args)})
            return
        if isinstance(node, ast.ClassDef):
            for n in [*node.bases, *node.keywords, *node.decorator_list]:
                self._visit(n, local)
            for stmt in node.body:
                self._visit(stmt, local)
            return
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            inner = set(local)
            for gen in node.generators:
                self._visit(gen.iter, inner)
                inner |= {n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)}
                for cond in gen.ifs:
                    self._visit(cond, inner)
            for part in ([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]):
                self._visit(part, inner)
            return
        if isinstance(node, ast.Call):
            self._call(node, local)
            return
        if isinstance(node, (ast.Attribute, ast.Name)) and isinstance(node.ctx, ast.Load):
            chain = dotted(node)
            if chain is not None:
                if chain[0] not in local:
                    self.info.references.append(Reference(chain, Span.of(node), False))
                return
        for child in _children(node):
            self._visit(child, local)

    def _call(self, node: ast.Call, local: Set[str]) -> None:
        self.info.calls.append(node)
        func = node.func
        chain = dotted(func)
        if chain is not None and chain[0] not in local:
            self.info.references.append(Reference(chain, Span.of(func), True))
        elif isinstance(func, ast.Attribute):
            receiver = func.value
            name = receiver.id if isinstance(receiver, ast.Name) else ""
            if name and name not in local:  # a dotted global chain was handled above
                name = ""
            if isinstance(receiver, ast.Name) and name in local and name not in self.param_names \
                    and name not in ("self", "cls"):
                name = ""
            self.info.method_calls.append(MethodCall(name, func.attr, Span.of(func)))
            if not isinstance(receiver, ast.Name):
                self._visit(receiver, local)
        else:
            self._visit(func, local)
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            self._visit(arg, local)


# -- module ---------------------------------------------------------------------------------


def _value_references(value: ast.AST) -> List[Reference]:
    refs: List[Reference] = []
    for n in ast.walk(value):
        if isinstance(n, (ast.Name, ast.Attribute)) and isinstance(getattr(n, "ctx", None), ast.Load):
            chain = dotted(n)
            if chain is not None:
                refs.append(Reference(chain, Span.of(n), False))
    return refs


def _add_function(index: ModuleIndex, node: FunctionNode, class_name: Optional[str],
                  qualname: Optional[str] = None) -> FunctionInfo:
    qualname = qualname or (f"{class_name}.{node.name}" if class_name else node.name)
    params: Dict[str, Optional[Chain]] = {}
    for a in _parameters(node.args):
        params[a.arg] = dotted(a.annotation) if a.annotation is not None else None
        if isinstance(a.annotation, ast.Constant) and isinstance(a.annotation.value, str):
            params[a.arg] = tuple(a.annotation.value.split("."))  # a string annotation: "Scaler"
    info = FunctionInfo(index.name, qualname, node, class_name, params)
    _FunctionReader(info).read(node)
    index.functions[qualname] = info
    _add_decorated_inner(index, node, qualname)
    return info


#: the fields of compound statements that hold statements (a ``def`` is only ever a statement)
_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def _add_decorated_inner(index: ModuleIndex, outer: FunctionNode, outer_qualname: str) -> None:
    """Decorated functions defined inside a function (a checkpointed closure) are indexed too,
    as ``outer.<locals>.inner``; undecorated ones stay part of the function around them. Only
    statements are visited: a ``def`` cannot be inside an expression."""
    stack: List[Any] = list(outer.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.decorator_list:
                _add_function(index, node, None, f"{outer_qualname}.<locals>.{node.name}")
                continue
        elif isinstance(node, ast.ClassDef):
            continue
        for block in _BLOCKS:
            inner = getattr(node, block, None)
            if inner:
                stack.extend(inner)


def _statements(body: List[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, looking inside ``if``/``try``/``with`` blocks (guards, fallbacks)."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If):
            yield from _statements(stmt.body)
            yield from _statements(stmt.orelse)
        elif isinstance(stmt, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            block: Any = stmt  # ast.Try, or ast.TryStar (3.11+, except*): the same fields
            yield from _statements(block.body)
            for handler in block.handlers:
                yield from _statements(handler.body)
            yield from _statements(block.orelse)
            yield from _statements(block.finalbody)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            yield from _statements(stmt.body)


def index_module(tree: ast.Module, name: str, path: str, is_package: bool = False) -> ModuleIndex:
    """The index of a parsed module called ``name`` (``is_package``: it is an ``__init__.py``)."""
    index = ModuleIndex(name, path, tree)
    for stmt in _statements(tree.body):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _add_function(index, stmt, None)
        elif isinstance(stmt, ast.ClassDef):
            cls = ClassInfo(name, stmt.name, stmt, [c for c in map(dotted, stmt.bases) if c is not None])
            index.classes[stmt.name] = cls
            for item in stmt.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    cls.methods[item.name] = _add_function(index, item, stmt.name).qualname
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    index.imports[alias.asname] = Import(alias.name, None, alias.name)
                else:
                    top = alias.name.split(".")[0]
                    index.imports[top] = Import(top, None, top)
        elif isinstance(stmt, ast.ImportFrom):
            module = _absolute(name, is_package, stmt.level, stmt.module)
            for alias in stmt.names:
                if alias.name == "*":
                    index.star_imports.append(module)
                else:
                    index.imports[alias.asname or alias.name] = Import(module, alias.name)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            refs = _value_references(stmt.value)
            for target in targets:
                for n in ast.walk(target):
                    if isinstance(n, ast.Name):
                        index.variables.setdefault(n.id, []).extend(refs)
                        index.variable_spans.setdefault(n.id, Span.of(stmt))
                        index.variable_values[n.id] = stmt.value
    return index
