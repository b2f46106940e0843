"""A small flow-insensitive inference of which locals provably hold immutable builtin values.

Kinds form a chain ``BOTTOM < INTS < IMMUTABLE < PLAIN < UNKNOWN``:

- ``IMMUTABLE``: an instance of int, float, complex, bool, str, bytes, tuple, frozenset, range or
  None. None of these types defines an in-place operator (``__iadd__`` ...), so for them
  ``x op= e`` is exactly ``x = x op e``;
- ``INTS``: a range (immutable; iterating it yields ints);
- ``PLAIN``: builtin data, possibly mutable (list, dict, set, bytearray) whose elements are
  plain data too;
- ``UNKNOWN``: anything (a numpy array's ``+=`` casts differently from ``+``; a list's ``+=``
  mutates in place and every alias sees it).

Without assumptions, parameters and free names are ``UNKNOWN``. In the guarded variant a
parameter or free name used as a value is ``PLAIN`` under the assumption ``("plain", name)``,
and calls of a few builtins have known result kinds under ``("builtin", name)``; the runtime
uses that variant only when it has checked every assumption for the call at hand.

The rules rely on facts about builtin types: an operation between plain values yields a plain
value (or raises); between immutable ones an immutable one; an immutable left operand with a
plain right one yields an immutable value for every operator but ``*`` (``2 * [1]`` is a list).
``not``, ``in``, ``is`` always give a bool.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

import libcst as cst

from .result import Assumption

BOTTOM, INTS, IMMUTABLE, PLAIN, UNKNOWN = 0, 1, 2, 3, 4
Kind = Tuple[int, FrozenSet[Assumption]]
_NONE: FrozenSet[Assumption] = frozenset()

#: builtins whose result kind is known when their arguments are plain
_IMMUTABLE_RESULT = {"len", "int", "float", "str", "bool", "complex", "bytes", "tuple", "frozenset",
                     "abs", "round", "repr", "ord", "chr", "hash", "divmod", "pow"}
_PLAIN_RESULT = {"list", "sorted", "dict", "set", "min", "max", "enumerate", "zip", "reversed"}


def join(a: Kind, b: Kind) -> Kind:
    return (max(a[0], b[0]), a[1] | b[1])


def element(kind: Kind) -> Kind:
    """Kind of an element obtained by iterating or indexing a value of ``kind``."""
    k, deps = kind
    if k == INTS:
        return (IMMUTABLE, deps)
    if k in (IMMUTABLE, PLAIN):
        return (PLAIN, deps)
    return (k, deps)


class KindInference:
    """Infers the kind of each local of the checkpointed function's own scope."""

    def __init__(self, function: cst.FunctionDef, params: Set[str], locals_: Set[str], guarded: bool) -> None:
        self.function = function
        self.params = params
        self.locals = locals_
        self.guarded = guarded
        self.env: Dict[str, Kind] = {n: (BOTTOM, _NONE) for n in locals_ - params}
        for p in params:
            self.env[p] = (PLAIN, frozenset({("plain", p)})) if guarded else (UNKNOWN, _NONE)
        self.defs = list(_Definitions.collect(function))

    def solve(self) -> Dict[str, Kind]:
        for _ in range(64):  # the chain has five levels: this converges long before
            changed = False
            for name, how, node in self.defs:
                if name not in self.env or name in self.params:
                    continue
                new = join(self.env[name], self._def_kind(name, how, node))
                if new != self.env[name]:
                    self.env[name] = new
                    changed = True
            if not changed:
                return self.env
        return {n: (UNKNOWN, _NONE) for n in self.env}

    def _def_kind(self, name: str, how: str, node: Optional[cst.CSTNode]) -> Kind:
        if how == "assign" and isinstance(node, cst.BaseExpression):
            return self.kind(node)
        if how == "element" and isinstance(node, cst.BaseExpression):
            return element(self.kind(node))
        if how == "element2" and isinstance(node, cst.BaseExpression):
            return element(element(self.kind(node)))
        if how.startswith("aug:") and isinstance(node, cst.BaseExpression):
            return self._binop(self.env.get(name, (UNKNOWN, _NONE)), how[4:], self.kind(node))
        return (UNKNOWN, _NONE)

    def _binop(self, left: Kind, op: str, right: Kind) -> Kind:
        deps = left[1] | right[1]
        lk, rk = left[0], right[0]
        if UNKNOWN in (lk, rk):
            return (UNKNOWN, _NONE)
        if BOTTOM in (lk, rk):
            return (BOTTOM, deps)
        if lk <= IMMUTABLE and rk <= IMMUTABLE:
            return (IMMUTABLE, deps)
        if lk <= IMMUTABLE and op not in ("Multiply", "MatrixMultiply"):
            return (IMMUTABLE, deps)
        return (PLAIN, deps)

    def kind(self, node: cst.BaseExpression) -> Kind:
        if isinstance(node, (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString,
                             cst.ConcatenatedString, cst.FormattedString)):
            return (IMMUTABLE, _NONE)
        if isinstance(node, cst.Name):
            if node.value in ("True", "False", "None"):
                return (IMMUTABLE, _NONE)
            if node.value in self.env:
                return self.env[node.value]
            if node.value in self.locals:
                return (UNKNOWN, _NONE)
            return (PLAIN, frozenset({("plain", node.value)})) if self.guarded else (UNKNOWN, _NONE)
        if isinstance(node, cst.BinaryOperation):
            return self._binop(self.kind(node.left), type(node.operator).__name__, self.kind(node.right))
        if isinstance(node, cst.UnaryOperation):
            if isinstance(node.operator, cst.Not):
                return (IMMUTABLE, _NONE)
            inner = self.kind(node.expression)
            return (IMMUTABLE, inner[1]) if inner[0] <= PLAIN else (UNKNOWN, _NONE)
        if isinstance(node, cst.BooleanOperation):
            return join(self.kind(node.left), self.kind(node.right))
        if isinstance(node, cst.IfExp):
            return join(self.kind(node.body), self.kind(node.orelse))
        if isinstance(node, cst.Comparison):
            if all(isinstance(c.operator, (cst.In, cst.NotIn, cst.Is, cst.IsNot)) for c in node.comparisons):
                return (IMMUTABLE, _NONE)
            operands = [self.kind(node.left)] + [self.kind(c.comparator) for c in node.comparisons]
            return self._all_plain(operands, IMMUTABLE)
        if isinstance(node, cst.Tuple):
            return self._elements(node.elements, IMMUTABLE)
        if isinstance(node, (cst.List, cst.Set)):
            return self._elements(node.elements, PLAIN)
        if isinstance(node, cst.Dict):
            kinds: List[Kind] = []
            for el in node.elements:
                if not isinstance(el, cst.DictElement):
                    return (UNKNOWN, _NONE)
                kinds += [self.kind(el.key), self.kind(el.value)]
            return self._all_plain(kinds, PLAIN)
        if isinstance(node, cst.Subscript):
            base = self.kind(node.value)
            if base[0] > PLAIN or len(node.slice) != 1:
                return (UNKNOWN, _NONE)
            sl = node.slice[0].slice
            if isinstance(sl, cst.Slice):
                return base  # slicing a builtin sequence gives the same builtin type
            idx = self.kind(sl.value) if isinstance(sl, cst.Index) else (UNKNOWN, _NONE)
            if idx[0] > PLAIN:
                return (UNKNOWN, _NONE)
            return join(element(base), (BOTTOM, idx[1]))
        if isinstance(node, cst.Call):
            return self._call(node)
        return (UNKNOWN, _NONE)

    def _call(self, node: cst.Call) -> Kind:
        func = node.func
        if not (self.guarded and isinstance(func, cst.Name)) or func.value in self.locals:
            return (UNKNOWN, _NONE)
        if any(a.star or a.keyword is not None for a in node.args):
            return (UNKNOWN, _NONE)
        name = func.value
        args = [self.kind(a.value) for a in node.args]
        own = frozenset({("builtin", name)})
        if name == "sum" and len(args) == 1:  # sum(xs, start) can build a list
            k = self._all_plain(args, IMMUTABLE)
            return (k[0], k[1] | own)
        if name == "range":
            k = self._all_plain(args, INTS)
            return (k[0], k[1] | own)
        if name in _IMMUTABLE_RESULT or name in _PLAIN_RESULT:
            k = self._all_plain(args, IMMUTABLE if name in _IMMUTABLE_RESULT else PLAIN)
            return (k[0], k[1] | own)
        return (UNKNOWN, _NONE)

    @staticmethod
    def _all_plain(kinds: Iterable[Kind], result: int) -> Kind:
        deps: FrozenSet[Assumption] = _NONE
        for k, d in kinds:
            if k > PLAIN:
                return (UNKNOWN, _NONE)
            deps |= d
        return (result, deps)

    def _elements(self, elements: Iterable[cst.BaseElement], result: int) -> Kind:
        if not all(isinstance(e, cst.Element) for e in elements):
            return (UNKNOWN, _NONE)
        return self._all_plain([self.kind(e.value) for e in elements], result)


class _Definitions(cst.CSTVisitor):
    """Every binding of a name in the function's own scope, as (name, how, expression)."""

    def __init__(self) -> None:
        self.out: List[Tuple[str, str, Optional[cst.CSTNode]]] = []
        self.depth = 0

    @classmethod
    def collect(cls, function: cst.FunctionDef) -> List[Tuple[str, str, Optional[cst.CSTNode]]]:
        v = cls()
        function.body.visit(v)
        return v.out

    # nested scopes bind their own names
    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.out.append((node.name.value, "other", None))
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.out.append((node.name.value, "other", None))
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def _comprehension(self, node: cst.CSTNode) -> bool:
        """A comprehension binds its own names, except ``:=`` targets, which bind here (PEP 572)."""
        walrus = _WalrusTargets()
        node.visit(walrus)
        self.out.extend((name, "other", None) for name in walrus.names)
        return False

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension

    def _target(self, target: cst.BaseExpression, value: Optional[cst.BaseExpression], how: str) -> None:
        if isinstance(target, cst.Name):
            self.out.append((target.value, how, value))
        elif isinstance(target, (cst.Tuple, cst.List)):
            elems = list(target.elements)
            vals = list(value.elements) if isinstance(value, (cst.Tuple, cst.List)) and how == "assign" else None
            if vals is not None and len(vals) == len(elems) and all(
                    isinstance(e, cst.Element) for e in elems + vals):
                for t, v in zip(elems, vals):
                    self._target(t.value, v.value, "assign")
                return
            inner = "element" if how == "assign" else "element2" if how == "element" else "other"
            for e in elems:
                self._target(e.value, value if inner != "other" else None, inner)
        elif isinstance(target, cst.StarredElement):
            self._target(target.value, None, "other")
        # attributes and subscripts bind no name

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            self._target(t.target, node.value, "assign")

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target, node.value, "assign" if node.value is not None else "other")

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):
            op = type(node.operator).__name__.replace("Assign", "")
            self.out.append((node.target.value, "aug:" + op, node.value))

    def visit_For(self, node: cst.For) -> None:
        self._target(node.target, node.iter, "element")

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._target(node.target, node.value, "assign")

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._target(node.asname.name, None, "other")

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self.out.append((node.name.name.value, "other", None))

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            bound: cst.BaseExpression = alias.asname.name if alias.asname else alias.name
            while isinstance(bound, cst.Attribute):
                bound = bound.value
            if isinstance(bound, cst.Name):
                self.out.append((bound.value, "other", None))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            bound = alias.asname.name if alias.asname else alias.name
            if isinstance(bound, cst.Name):
                self.out.append((bound.value, "other", None))

    def visit_Del(self, node: cst.Del) -> None:
        self._target(node.target, None, "other")

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self.out.append((node.name.value, "other", None))

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self.out.append((node.name.value, "other", None))


class _WalrusTargets(cst.CSTVisitor):
    """``:=`` targets inside a comprehension, outside nested functions and lambdas."""

    def __init__(self) -> None:
        self.names: List[str] = []

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        if isinstance(node.target, cst.Name):
            self.names.append(node.target.value)

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False
