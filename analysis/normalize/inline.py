"""Inline a single-use temporary: ``y = E`` immediately followed by a statement that uses ``y``.

``y = x + 1; return y`` becomes ``return x + 1``. The rewrite keeps behaviour only when moving
``E`` to the use site changes neither *whether*, *how often* nor *in which order relative to
other effects* it is evaluated. It is applied when all of these hold:

- ``y`` is a local of a function scope with exactly one assignment (a plain ``y = E``, the only
  statement on its line) and exactly one read, in the very next statement of the same block,
  in the same scope (not in a nested function, lambda or comprehension);
- that read is evaluated exactly once and unconditionally (not in the right operand of
  ``and``/``or``, a branch of ``x if c else y``, a later link of a chained comparison, a
  ``while`` test, an ``assert``, a ``del``);
- everything that statement evaluates before the read is free of effects: constants, names,
  tuple/list displays of those, and, in the guarded variant only, attribute chains on a free
  name (``np.sum``) under the assumption, checked at call time, that the name is a module;
- ``E`` contains no ``yield``, ``await`` or ``:=``, and the function does not observe its own
  local names (``locals()``, ``eval``, ``f"{y=}"``).

Reading a name before ``E`` instead of after assumes ``E`` does not rebind that name; locals
cannot be rebound by a call (``nonlocal`` in nested functions disables inlining), and module
globals are not rebound by the computations this library caches.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

import libcst as cst
import libcst.matchers as m
from libcst.metadata import (
    BuiltinScope,
    FunctionScope,
    GlobalScope,
    MetadataWrapper,
)

from .providers import Parents, Scopes
from .result import Assumption

_FOUND, _PURE, _STOP = 0, 1, 2


class _Scan:
    """Walks one statement in evaluation order looking for ``target``."""

    def __init__(self, target: cst.Name, free_names: Set[str], guarded: bool) -> None:
        self.target = target
        self.free_names = free_names
        self.guarded = guarded
        self.assumptions: List[Assumption] = []
        self.blocked_by_module_attribute = False  # strict mode stopped at `np.sum`-like chain

    def seq(self, nodes: List[Optional[cst.CSTNode]]) -> int:
        for node in nodes:
            if node is None:
                continue
            r = self.expr(node)
            if r != _PURE:
                return r
        return _PURE

    def expr(self, node: cst.CSTNode) -> int:
        if node is self.target:
            return _FOUND
        if isinstance(node, cst.Name):
            return _PURE
        if isinstance(node, (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.Ellipsis)):
            return _PURE
        if isinstance(node, (cst.Tuple, cst.List)):
            return self.seq([e.value for e in node.elements if isinstance(e, cst.Element)]) if all(
                isinstance(e, cst.Element) for e in node.elements) else _STOP
        if isinstance(node, cst.Attribute):
            root = self._chain_root(node)
            if root is not None and root.value in self.free_names:
                if self.guarded:
                    self.assumptions.append(("module", root.value))
                    return _PURE
                self.blocked_by_module_attribute = True
            return self._then_stop([node.value])
        # operations: operands are evaluated first, then the operation itself may run code
        if isinstance(node, cst.BinaryOperation):
            return self._then_stop([node.left, node.right])
        if isinstance(node, cst.UnaryOperation):
            return self._then_stop([node.expression])
        if isinstance(node, cst.BooleanOperation):
            return self._then_stop([node.left])  # the right operand is conditional
        if isinstance(node, cst.Comparison):
            first = node.comparisons[0].comparator if node.comparisons else None
            return self._then_stop([node.left, first])  # later links are conditional
        if isinstance(node, cst.IfExp):
            return self._then_stop([node.test])
        if isinstance(node, cst.Call):
            if any(a.star for a in node.args):
                return self._then_stop([node.func])
            return self._then_stop([node.func, *[a.value for a in node.args]])
        if isinstance(node, cst.Subscript):
            slices = []
            for el in node.slice:
                if isinstance(el.slice, cst.Index):
                    slices.append(el.slice.value)
                else:
                    return self._then_stop([node.value])
            return self._then_stop([node.value, *slices])
        if isinstance(node, cst.Dict):
            parts: List[Optional[cst.CSTNode]] = []
            for el in node.elements:
                if not isinstance(el, cst.DictElement):
                    return _STOP
                parts += [el.key, el.value]
            return self._then_stop(parts)
        if isinstance(node, cst.FormattedString):
            exprs = [p.expression for p in node.parts if isinstance(p, cst.FormattedStringExpression)]
            return self._then_stop(exprs)
        return _STOP

    def _then_stop(self, operands: List[Optional[cst.CSTNode]]) -> int:
        r = self.seq(operands)
        return r if r == _FOUND else _STOP

    @staticmethod
    def _chain_root(node: cst.Attribute) -> Optional[cst.Name]:
        value: cst.BaseExpression = node
        while isinstance(value, cst.Attribute):
            value = value.value
        return value if isinstance(value, cst.Name) else None

    def statement(self, stmt: cst.BaseStatement) -> int:
        if isinstance(stmt, cst.SimpleStatementLine):
            if len(stmt.body) != 1:
                return _STOP
            small = stmt.body[0]
            if isinstance(small, (cst.Return, cst.Expr)):
                return self.seq([small.value]) if small.value is not None else _STOP
            if isinstance(small, cst.Assign):
                r = self.seq([small.value])
                if r != _PURE:
                    return r
                for t in small.targets:
                    target = t.target
                    if isinstance(target, cst.Subscript):
                        return self._then_stop([target.value, *[
                            e.slice.value for e in target.slice if isinstance(e.slice, cst.Index)]])
                    if isinstance(target, cst.Attribute):
                        return self._then_stop([target.value])
                return _STOP
            if isinstance(small, cst.Raise):
                return self.seq([small.exc]) if small.exc is not None and small.cause is None else _STOP
            return _STOP
        if isinstance(stmt, cst.If):
            return self.seq([stmt.test])
        if isinstance(stmt, cst.For):
            return self.seq([stmt.iter])
        if isinstance(stmt, cst.With):
            return self.seq([stmt.items[0].item]) if stmt.items else _STOP
        return _STOP


_FORBIDDEN_IN_TEMPORARY = (m.Yield() | m.Await() | m.NamedExpr() | m.Lambda() | m.ListComp() | m.SetComp()
                           | m.DictComp() | m.GeneratorExp())


def _contains_forbidden(node: cst.CSTNode) -> bool:
    return bool(m.findall(node, _FORBIDDEN_IN_TEMPORARY))


def _has_nonlocal(module: cst.Module) -> bool:
    return bool(m.findall(module, m.Nonlocal()))


class _Substitute(cst.CSTTransformer):
    def __init__(self, plans: Dict[cst.CSTNode, Tuple[str, object]]) -> None:
        self.plans = plans

    def on_leave(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        plan = self.plans.get(original_node)
        if plan is None:
            return super().on_leave(original_node, updated_node)
        kind, payload = plan
        if kind == "remove":
            return cst.RemovalSentinel.REMOVE
        assert isinstance(payload, cst.BaseExpression)
        return payload.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


class InlineResult:
    def __init__(self, module: cst.Module, wrapper: MetadataWrapper, assumptions: List[Assumption],
                 blocked: bool) -> None:
        self.module = module
        self.wrapper = wrapper  # metadata of ``module``, reusable by the next step
        self.assumptions = assumptions
        self.blocked_by_module_attribute = blocked


def _free_names(scopes) -> Set[str]:  # type: ignore[no-untyped-def]
    """Names read in the function that no scope of it binds (globals, closure variables, builtins)."""
    free: Set[str] = set()
    for scope in {id(s): s for s in scopes.values() if s is not None}.values():
        for access in scope.accesses:
            if not access.referents or all(isinstance(r.scope, (GlobalScope, BuiltinScope)) for r in access.referents):
                if isinstance(access.node, cst.Name):
                    free.add(access.node.value)
    return free


def _one_pass(wrapper: MetadataWrapper, guarded: bool) -> Tuple[Optional[cst.Module], List[Assumption], bool]:
    scopes = wrapper.resolve(Scopes)
    parents = wrapper.resolve(Parents)
    free_names = _free_names(scopes)
    blocked = False
    plans: Dict[cst.CSTNode, Tuple[str, object]] = {}
    touched: Set[int] = set()
    assumptions: List[Assumption] = []
    function_scopes = {id(s): s for s in scopes.values() if isinstance(s, FunctionScope)}
    for scope in function_scopes.values():
        by_name: Dict[str, list] = {}
        for a in scope.assignments:
            by_name.setdefault(a.name, []).append(a)
        for name, assigns in sorted(by_name.items()):
            if len(assigns) != 1 or not isinstance(assigns[0].node, cst.Name):
                continue
            refs = list(assigns[0].references)
            if len(refs) != 1 or not isinstance(refs[0].node, cst.Name) or scopes.get(refs[0].node) is not scope:
                continue
            target_name: cst.Name = assigns[0].node
            assign_target = parents.get(target_name)
            assign = parents.get(assign_target) if isinstance(assign_target, cst.AssignTarget) else None
            if not isinstance(assign, cst.Assign) or len(assign.targets) != 1 or _contains_forbidden(assign.value):
                continue
            line = parents.get(assign)
            block = parents.get(line)
            if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
                continue
            if not isinstance(block, cst.IndentedBlock):
                continue
            index = next(i for i, s in enumerate(block.body) if s is line)
            if index + 1 >= len(block.body):
                continue
            nxt = block.body[index + 1]
            if id(line) in touched or id(nxt) in touched:
                continue
            scan = _Scan(refs[0].node, free_names, guarded)
            found = scan.statement(nxt)
            blocked = blocked or scan.blocked_by_module_attribute
            if found != _FOUND:
                continue
            plans[line] = ("remove", None)
            plans[refs[0].node] = ("replace", assign.value)
            touched.update({id(line), id(nxt)})
            assumptions.extend(scan.assumptions)
    if not plans:
        return None, [], blocked
    return wrapper.module.visit(_Substitute(plans)), assumptions, blocked


def inline_temporaries(module: cst.Module, guarded: bool, allowed: bool = True) -> InlineResult:
    """Inline single-use temporaries until none is left (none at all when not ``allowed``)."""
    assumptions: List[Assumption] = []
    blocked = False
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)  # our own fresh tree: no copy needed
    if not allowed or _has_nonlocal(module):
        return InlineResult(module, wrapper, assumptions, blocked)  # nonlocal: a nested function could rebind a local read before E
    for _ in range(10_000):
        new, used, was_blocked = _one_pass(wrapper, guarded)
        blocked = blocked or was_blocked
        if new is None:
            break
        assumptions.extend(used)
        wrapper = MetadataWrapper(new, unsafe_skip_copy=True)
    return InlineResult(wrapper.module, wrapper, assumptions, blocked)
