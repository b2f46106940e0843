"""What one module defines, imports and refers to: read from its ``ast``, never run.

This is the per-file half of the call graph: each function's references to names outside
itself (with the attribute chain written after them: ``helpers.clean``, ``np.random.rand``)
and the methods it calls on its parameters, on ``self``/``cls`` and on other expressions. The
project half (:mod:`.graph`) resolves those names across modules.

Python's ``ast`` is used rather than libcst: this analysis only reads, and ``ast`` builds a
tree ten times faster, which is what a linter run over a large project needs (libcst reads
the files this Python's ``ast`` cannot: see :mod:`.grammar`). Which names are outside a
function is not decided here but read from CPython's symbol table (:class:`Scope`), the model
the interpreter itself compiles with and that the runtime's code objects come from; the
normalizer's scope model (``analysis/scopes.py``, on libcst trees) is tested against the same
table on every file of the standard library.
"""

from __future__ import annotations

import ast
import builtins
import symtable
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterator, List, Optional, Tuple, Union

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]
Chain = Tuple[str, ...]

BUILTIN_NAMES = frozenset(dir(builtins))


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


# -- scopes: CPython's symbol table --------------------------------------------------------------

#: per node type, the fields that may hold nodes (``ctx`` markers and plain values left out)
_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {}
_NOT_CHILDREN = frozenset({"ctx", "id", "attr", "name", "arg", "asname", "module", "level", "lineno", "col_offset",
                           "end_lineno", "end_col_offset", "type_comment", "kind", "conversion", "is_async",
                           "names"})
_COMPREHENSIONS = {ast.ListComp: "listcomp", ast.SetComp: "setcomp", ast.DictComp: "dictcomp",
                   ast.GeneratorExp: "genexpr"}


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


_FLAGS: Optional[Tuple[int, int, int, int]] = None
try:  # the flags behind ``Symbol.is_global()``, read without making a Symbol per name
    from _symtable import GLOBAL_EXPLICIT, GLOBAL_IMPLICIT, SCOPE_MASK, SCOPE_OFF  # type: ignore[import-not-found]

    _FLAGS = (SCOPE_OFF, SCOPE_MASK, GLOBAL_IMPLICIT, GLOBAL_EXPLICIT)
except ImportError:  # pragma: no cover - another implementation: the public API
    pass


def _globals_of(table: symtable.SymbolTable) -> FrozenSet[str]:
    symbols = getattr(getattr(table, "_table", None), "symbols", None)
    if _FLAGS is None or not isinstance(symbols, dict) or table.get_type() in ("module", getattr(
            getattr(symtable, "SymbolTableType", None), "MODULE", "module")):
        # (a module's own names count as globals there: the public API says so on every version)
        return frozenset(s.get_name() for s in table.get_symbols() if s.is_global())
    SCOPE_OFF, SCOPE_MASK, GLOBAL_IMPLICIT, GLOBAL_EXPLICIT = _FLAGS
    return frozenset(name for name, flags in symbols.items()
                     if (flags >> SCOPE_OFF) & SCOPE_MASK in (GLOBAL_IMPLICIT, GLOBAL_EXPLICIT))


class Scope:
    """One block of CPython's symbol table (module, class, function, lambda, comprehension): which
    names in it are globals (module-level names or builtins), and its nested blocks, found by the
    ``ast`` node that opens them. The same table the compiler uses, so every rule of Python's
    scoping (``global``, ``nonlocal``, class blocks, comprehensions, ``:=``, ``match``) is the
    interpreter's own, on every version."""

    __slots__ = ("table", "globals", "_children")

    def __init__(self, table: symtable.SymbolTable, globals_: Optional[FrozenSet[str]] = None) -> None:
        self.table = table
        self.globals = _globals_of(table) if globals_ is None else globals_
        self._children: Optional[Dict[Tuple[str, int], List[symtable.SymbolTable]]] = None

    def again(self) -> "Scope":
        """The same block, its nested blocks to be entered again from the first (a second walk)."""
        return Scope(self.table, self.globals)

    @classmethod
    def of_module(cls, source: str, filename: str) -> "Scope":
        """Raises SyntaxError for what ``ast`` accepts but the compiler refuses (``nonlocal x`` with no ``x``)."""
        return cls(symtable.symtable(source, filename, "exec"))

    def locals(self) -> FrozenSet[str]:
        """Every name of the block that is not a global: parameters, locals, free and cell variables."""
        return frozenset(s.get_name() for s in self.table.get_symbols() if not s.is_global())

    def enter(self, node: ast.AST) -> "Scope":
        """The block ``node`` opens (a def, lambda, class or comprehension); this one when the
        interpreter has none for it (comprehensions are inlined in their function on 3.12+)."""
        if self._children is None:
            self._children = {}
            for child in self.table.get_children():
                self._children.setdefault((child.get_name(), child.get_lineno()), []).append(child)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            key = (node.name, node.lineno)
        elif isinstance(node, ast.Lambda):
            key = ("lambda", node.lineno)
        else:
            key = (_COMPREHENSIONS.get(type(node), ""), getattr(node, "lineno", 0))
        found = self._children.get(key)
        if not found:
            return self
        table = found.pop(0)
        # 3.12+: a generic def or class (``def f[T]``) opens a block of its type parameters first
        while "type param" in str(getattr(table.get_type(), "value", table.get_type())):
            inner = [c for c in table.get_children() if c.get_name() == key[0]]
            if not inner:
                break
            table = inner[0]
        return Scope(table)


def _parameters(args: ast.arguments) -> List[ast.arg]:
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    if args.vararg:
        params.append(args.vararg)
    if args.kwarg:
        params.append(args.kwarg)
    return params


class _FunctionReader:
    """Collects one function's outside references and method calls, nested scopes included: a
    name is outside when CPython's symbol table says it is a global where it is used."""

    def __init__(self, info: FunctionInfo) -> None:
        self.info = info
        self.param_names = set(info.params)

    def read(self, node: FunctionNode, enclosing: Scope, own: Scope) -> None:
        self.info.local_names = own.locals()
        # defaults and decorators are evaluated where the function is defined (in the enclosing
        # block), and what they hold is part of it: ``def f(x, fn=helper)`` reaches ``helper``
        for expr in [*node.args.defaults, *node.args.kw_defaults, *node.decorator_list]:
            if expr is not None:
                self._visit(expr, enclosing)
        for stmt in node.body:
            self._visit(stmt, own)

    def _visit(self, node: ast.AST, scope: Scope) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for expr in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults]:
                if expr is not None:
                    self._visit(expr, scope)
            inner = scope.enter(node)
            for stmt in node.body:
                self._visit(stmt, inner)
            return
        if isinstance(node, ast.Lambda):
            for expr in [*node.args.defaults, *node.args.kw_defaults]:
                if expr is not None:
                    self._visit(expr, scope)
            self._visit(node.body, scope.enter(node))
            return
        if isinstance(node, ast.ClassDef):
            for part in [*node.bases, *node.keywords, *node.decorator_list]:
                self._visit(part, scope)
            inner = scope.enter(node)
            for stmt in node.body:
                self._visit(stmt, inner)
            return
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            self._visit(node.generators[0].iter, scope)  # evaluated in the enclosing block
            inner = scope.enter(node)
            for i, gen in enumerate(node.generators):
                if i:
                    self._visit(gen.iter, inner)
                for cond in gen.ifs:
                    self._visit(cond, inner)
            for part in ([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]):
                self._visit(part, inner)
            return
        if isinstance(node, ast.Call):
            self._call(node, scope)
            return
        if isinstance(node, (ast.Attribute, ast.Name)) and isinstance(node.ctx, ast.Load):
            chain = dotted(node)
            if chain is not None:
                if chain[0] in scope.globals:
                    self.info.references.append(Reference(chain, Span.of(node), False))
                return
        for child in _children(node):
            self._visit(child, scope)

    def _call(self, node: ast.Call, scope: Scope) -> None:
        self.info.calls.append(node)
        func = node.func
        chain = dotted(func)
        if chain is not None and chain[0] in scope.globals:
            self.info.references.append(Reference(chain, Span.of(func), True))
        elif isinstance(func, ast.Attribute):
            receiver = func.value
            name = ""
            if isinstance(receiver, ast.Name) and (receiver.id in self.param_names or receiver.id in ("self", "cls")):
                name = receiver.id
            self.info.method_calls.append(MethodCall(name, func.attr, Span.of(func)))
            if not isinstance(receiver, ast.Name):
                self._visit(receiver, scope)
        else:
            self._visit(func, scope)
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            self._visit(arg, scope)


# -- module ---------------------------------------------------------------------------------


def _value_references(value: ast.AST) -> List[Reference]:
    refs: List[Reference] = []
    for n in ast.walk(value):
        if isinstance(n, (ast.Name, ast.Attribute)) and isinstance(getattr(n, "ctx", None), ast.Load):
            chain = dotted(n)
            if chain is not None:
                refs.append(Reference(chain, Span.of(n), False))
    return refs


def _add_function(index: ModuleIndex, node: FunctionNode, class_name: Optional[str], enclosing: Scope,
                  qualname: Optional[str] = None) -> FunctionInfo:
    qualname = qualname or (f"{class_name}.{node.name}" if class_name else node.name)
    params: Dict[str, Optional[Chain]] = {}
    for a in _parameters(node.args):
        params[a.arg] = dotted(a.annotation) if a.annotation is not None else None
        if isinstance(a.annotation, ast.Constant) and isinstance(a.annotation.value, str):
            params[a.arg] = tuple(a.annotation.value.split("."))  # a string annotation: "Scaler"
    info = FunctionInfo(index.name, qualname, node, class_name, params)
    own = enclosing.enter(node)
    _FunctionReader(info).read(node, enclosing, own)
    index.functions[qualname] = info
    _add_decorated_inner(index, node, qualname, own)
    return info


#: the fields of compound statements that hold statements (a ``def`` is only ever a statement)
_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def _add_decorated_inner(index: ModuleIndex, outer: FunctionNode, outer_qualname: str, scope: Scope) -> None:
    """Decorated functions defined inside a function (a checkpointed closure) are indexed too,
    as ``outer.<locals>.inner``; undecorated ones stay part of the function around them. Only
    statements are visited: a ``def`` cannot be inside an expression."""
    again = scope.again()
    stack: List[Tuple[Any, Scope]] = [(stmt, again) for stmt in reversed(outer.body)]
    while stack:
        node, block = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.decorator_list:
                _add_function(index, node, None, block, f"{outer_qualname}.<locals>.{node.name}")
                continue
            block = block.enter(node)
        elif isinstance(node, ast.ClassDef):
            continue
        for field_name in _BLOCKS:
            inner = getattr(node, field_name, None)
            if inner:
                stack.extend((child, block) for child in reversed(inner))


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


def index_module(tree: ast.Module, name: str, path: str, is_package: bool, scope: Scope) -> ModuleIndex:
    """The index of a parsed module called ``name`` (``is_package``: it is an ``__init__.py``);
    ``scope``: its symbol table (:meth:`Scope.of_module` of the text ``tree`` was parsed from)."""
    index = ModuleIndex(name, path, tree)
    for stmt in _statements(tree.body):
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _add_function(index, stmt, None, scope)
        elif isinstance(stmt, ast.ClassDef):
            cls = ClassInfo(name, stmt.name, stmt, [c for c in map(dotted, stmt.bases) if c is not None])
            index.classes[stmt.name] = cls
            class_scope = scope.enter(stmt)
            for item in stmt.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    cls.methods[item.name] = _add_function(index, item, stmt.name, class_scope).qualname
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
