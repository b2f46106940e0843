"""Inline a single-use temporary: ``y = E`` immediately followed by a statement that uses ``y``.

``y = x + 1; return y`` becomes ``return x + 1``. The rewrite keeps behaviour only when moving
``E`` to the use site changes neither *whether*, *how often* nor *in which order relative to
other effects* it is evaluated. It is applied when all of these hold:

- ``y`` is a local of a function scope with exactly one binding (a plain ``y = E``, the only
  statement on its line) and exactly one read, in the very next statement of the same block,
  in the same scope (not in a nested function, lambda or comprehension);
- that read is evaluated exactly once and unconditionally (not in the right operand of
  ``and``/``or``, a branch of ``x if c else y``, a later link of a chained comparison, a
  ``while`` test, an ``assert``, a ``del``);
- everything that statement evaluates before the read only *reads*: constants, local names,
  tuple/list displays of those. A free name (a global) or an attribute read there is allowed
  only when ``E`` itself runs no code that could rebind it: ``E`` is made of constants and
  names, or, in the guarded variant, of operators over parameters and free names that the
  runtime checks are plain builtin data (``("plain", name)``); an attribute read also needs its
  root to be a module (``("module", name)``);
- ``E`` contains no ``yield``, ``await``, ``:=``, lambda or comprehension, and the function does
  not observe its own local names (``locals()``, ``eval``, ``f"{y=}"``) or rebind a local
  from a nested function (``nonlocal``).

Locals cannot be rebound by evaluating ``E`` under these conditions; globals and module
attributes can (a helper with a ``global`` statement, ``config.VALUE = ...``), hence the rule
for free names.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from ..scopes import LOAD, PARAM, PLAIN, Block, Occurrence, ScopeModel, parent_map
from .result import Assumption
from .shapes import contains

_FOUND, _PURE, _STOP = 0, 1, 2


class _Scan:
    """Walks one statement in evaluation order looking for ``target``."""

    def __init__(self, target: cst.Name, free_names: Set[str], e_pure: bool, e_assumptions: List[Assumption],
                 guarded: bool) -> None:
        self.target = target
        self.free_names = free_names
        self.e_pure = e_pure  # evaluating E runs no code that could rebind a name
        self.e_assumptions = e_assumptions
        self.guarded = guarded
        self.assumptions: List[Assumption] = []
        self.blocked_by_free_read = False  # stopped where a guarded variant may go on

    def seq(self, nodes: List[Optional[cst.CSTNode]]) -> int:
        for node in nodes:
            if node is None:
                continue
            r = self.expr(node)
            if r != _PURE:
                return r
        return _PURE

    def _free_read(self) -> int:
        if not self.e_pure:
            self.blocked_by_free_read = True
            return _STOP
        self.assumptions.extend(self.e_assumptions)
        return _PURE

    def expr(self, node: cst.CSTNode) -> int:
        if node is self.target:
            return _FOUND
        if isinstance(node, cst.Name):
            return self._free_read() if node.value in self.free_names else _PURE
        if isinstance(node, (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.Ellipsis)):
            return _PURE
        if isinstance(node, (cst.Tuple, cst.List)):
            return self.seq([e.value for e in node.elements if isinstance(e, cst.Element)]) if all(
                isinstance(e, cst.Element) for e in node.elements) else _STOP
        if isinstance(node, cst.Attribute):
            root = node.value
            # `np.sum`: a module's attribute is a dict lookup, no code runs (checked per call)
            if isinstance(root, cst.Name) and root.value in self.free_names:
                if not self.guarded:
                    self.blocked_by_free_read = True
                elif self._free_read() == _PURE:
                    self.assumptions.append(("module", root.value))
                    return _PURE
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
            for item in node.elements:
                if not isinstance(item, cst.DictElement):
                    return _STOP
                parts += [item.key, item.value]
            return self._then_stop(parts)
        if isinstance(node, cst.FormattedString):
            exprs: List[Optional[cst.CSTNode]] = [
                p.expression for p in node.parts if isinstance(p, cst.FormattedStringExpression)]
            return self._then_stop(exprs)
        return _STOP

    def _then_stop(self, operands: List[Optional[cst.CSTNode]]) -> int:
        r = self.seq(operands)
        return r if r == _FOUND else _STOP

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
            if isinstance(small, cst.AugAssign):
                # ``x += V`` reads its target (x, obj.a, d[k]) before V, as ``x = x + (V)`` does
                return self._then_stop([small.target, small.value])
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


_FORBIDDEN_IN_TEMPORARY = (cst.Yield, cst.Await, cst.NamedExpr, cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp,
                           cst.GeneratorExp)


def _contains_forbidden(node: cst.CSTNode) -> bool:
    return contains(node, _FORBIDDEN_IN_TEMPORARY)


def _has_nonlocal(module: cst.Module) -> bool:
    return contains(module, cst.Nonlocal)


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
    def __init__(self, module: cst.Module, assumptions: List[Assumption], blocked: bool,
                 model: Optional[ScopeModel] = None) -> None:
        self.module = module
        self.model = model  # the scope model of ``module``, if one was built
        self.assumptions = assumptions
        #: a read of a free name or attribute stopped an inlining that a guarded variant may allow
        self.blocked_by_free_read = blocked


def _pure(node: cst.BaseExpression, model: ScopeModel, top: Block, guarded: bool) -> Tuple[bool, List[Assumption]]:
    """Does evaluating ``node`` run no code at all (so it cannot rebind a name)? Constants and
    names, and displays of those; in the guarded variant also operators, subscripts and
    conditionals over parameters and free names, assumed (checked per call) to hold plain data."""
    assumptions: List[Assumption] = []

    def name_ok(name: cst.Name, operand: bool) -> bool:
        if name.value in ("True", "False", "None") or not operand:
            return True
        occ = model.occurrence(name)
        if occ is None or not guarded:
            return False
        if occ.kind == "global" or (occ.owner is top and PARAM in top.bindings.get(name.value, ())):
            assumptions.append(("plain", name.value))
            return True
        return False

    def check(n: cst.CSTNode, operand: bool) -> bool:
        if isinstance(n, cst.Name):
            return name_ok(n, operand)
        if isinstance(n, (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.ConcatenatedString)):
            return True
        if isinstance(n, (cst.Tuple, cst.List)):
            return all(isinstance(e, cst.Element) and check(e.value, operand) for e in n.elements)
        if not guarded:
            return False
        if isinstance(n, cst.BinaryOperation):
            return check(n.left, True) and check(n.right, True)
        if isinstance(n, cst.UnaryOperation):
            return check(n.expression, True)
        if isinstance(n, cst.BooleanOperation):
            return check(n.left, True) and check(n.right, True)
        if isinstance(n, cst.IfExp):
            return check(n.test, True) and check(n.body, True) and check(n.orelse, True)
        if isinstance(n, cst.Comparison):
            return check(n.left, True) and all(check(c.comparator, True) for c in n.comparisons)
        if isinstance(n, cst.Subscript):
            return check(n.value, True) and all(
                isinstance(e.slice, cst.Index) and check(e.slice.value, True) for e in n.slice)
        return False

    return check(node, False), assumptions


def _one_pass(module: cst.Module, model: ScopeModel, guarded: bool
              ) -> Tuple[Optional[cst.Module], List[Assumption], bool]:
    parents = parent_map(module)
    function = module.body[0]
    top = model.block_of_node[function]
    free_names = {occ.name for occ in model.occurrences if occ.kind == "global" or occ.may_read_global}
    blocked = False
    plans: Dict[cst.CSTNode, Tuple[str, object]] = {}
    touched: Set[int] = set()
    assumptions: List[Assumption] = []
    by_variable: Dict[Tuple[int, str], List[Occurrence]] = {}
    for occ in model.occurrences:
        if occ.owner is not None and occ.owner.kind == "function":
            by_variable.setdefault((id(occ.owner), occ.name), []).append(occ)
    for (_, name), occs in sorted(by_variable.items(), key=lambda kv: kv[0][1]):
        owner = occs[0].owner
        assert owner is not None
        if owner.bindings.get(name) != [PLAIN]:
            continue
        stores = [o for o in occs if o.context != LOAD]
        loads = [o for o in occs if o.context == LOAD]
        if len(stores) != 1 or len(loads) != 1 or stores[0].context != "store" or loads[0].block is not owner:
            continue
        target_name, use = stores[0].node, loads[0].node
        assign_target = parents.get(target_name)
        assign = parents.get(assign_target) if isinstance(assign_target, cst.AssignTarget) else None
        if not isinstance(assign, cst.Assign) or len(assign.targets) != 1 or _contains_forbidden(assign.value):
            continue
        line = parents.get(assign)
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
            continue
        block = parents.get(line)
        if not isinstance(block, cst.IndentedBlock):
            continue
        index = next(i for i, s in enumerate(block.body) if s is line)
        if index + 1 >= len(block.body):
            continue
        nxt = block.body[index + 1]
        if id(line) in touched or id(nxt) in touched:
            continue
        e_pure, e_assumptions = _pure(assign.value, model, top, guarded)
        scan = _Scan(use, free_names, e_pure, e_assumptions, guarded)
        found = scan.statement(nxt)
        blocked = blocked or scan.blocked_by_free_read
        if found != _FOUND:
            continue
        plans[line] = ("remove", None)
        plans[use] = ("replace", assign.value)
        touched.update({id(line), id(nxt)})
        assumptions.extend(scan.assumptions)
    if not plans:
        return None, [], blocked
    return module.visit(_Substitute(plans)), assumptions, blocked


def inline_temporaries(module: cst.Module, guarded: bool, allowed: bool = True) -> InlineResult:
    """Inline single-use temporaries until none is left (none at all when not ``allowed``)."""
    assumptions: List[Assumption] = []
    blocked = False
    if not allowed or _has_nonlocal(module):
        return InlineResult(module, assumptions, blocked)  # nonlocal: a nested function could rebind a local read before E
    model = ScopeModel(module)
    for _ in range(10_000):
        new, used, was_blocked = _one_pass(module, model, guarded)
        blocked = blocked or was_blocked
        if new is None:
            break
        assumptions.extend(used)
        module = new
        model = ScopeModel(module)
    return InlineResult(module, assumptions, blocked, model)
