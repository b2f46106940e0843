"""Control-flow rewrites that provably keep behaviour.

- ``if c: ...; return a`` followed by ``else: B``: the ``else`` is dropped and ``B`` follows the
  ``if`` (the branch never falls through, so ``B`` runs exactly when it did before). The same
  holds when the branch ends in ``raise``, ``continue`` or ``break``, and for ``elif`` chains.
- ``return None`` is ``return``; a bare ``return`` at the very end of a function body is
  dropped (falling off the end returns None, in generators too).
- ``if c: x = a`` / ``else: x = b`` is ``x = a if c else b``, and ``if c: return a`` directly
  followed by ``return b`` is ``return a if c else b``: both evaluate ``c`` once, then exactly
  one of ``a`` and ``b``, then bind or return it.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

import libcst as cst

from .shapes import is_bare_return, is_line_of

_TERMINATORS = (cst.Return, cst.Raise, cst.Continue, cst.Break)


def _terminates(block: cst.BaseSuite) -> bool:
    return isinstance(block, cst.IndentedBlock) and bool(block.body) and is_line_of(block.body[-1], _TERMINATORS)


def _flatten_if(stmt: cst.If) -> List[cst.BaseStatement]:
    """``if`` whose branch terminates: hoist what its ``else``/``elif`` would run."""
    if stmt.orelse is None or not _terminates(stmt.body):
        return [stmt]
    head = stmt.with_changes(orelse=None)
    if isinstance(stmt.orelse, cst.Else):
        rest = list(stmt.orelse.body.body) if isinstance(stmt.orelse.body, cst.IndentedBlock) else []
        return [head, *rest]
    # elif: it becomes a plain `if` after this one, and may flatten further
    return [head, *_flatten_if(stmt.orelse)]


def _only(block: cst.BaseSuite) -> Optional[cst.BaseSmallStatement]:
    """The one small statement of a block holding exactly one, else None."""
    if isinstance(block, cst.IndentedBlock) and len(block.body) == 1:
        line = block.body[0]
        if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
            return line.body[0]
    return None


def _single_name_assign(stmt: Optional[cst.BaseSmallStatement]) -> Optional[str]:
    if isinstance(stmt, cst.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0].target, cst.Name):
        return stmt.targets[0].target.value
    return None


def _ternary(test: cst.BaseExpression, yes: cst.BaseExpression, no: cst.BaseExpression) -> cst.IfExp:
    return cst.IfExp(test=test, body=yes, orelse=no)


def _assignment_if(stmt: cst.If) -> Optional[cst.BaseStatement]:
    """``if c: x = a`` / ``else: x = b`` -> ``x = a if c else b``."""
    if not isinstance(stmt.orelse, cst.Else):
        return None
    yes, no = _only(stmt.body), _only(stmt.orelse.body)
    name = _single_name_assign(yes)
    if name is None or name != _single_name_assign(no):
        return None
    assert isinstance(yes, cst.Assign) and isinstance(no, cst.Assign)
    return cst.SimpleStatementLine(body=[yes.with_changes(value=_ternary(stmt.test, yes.value, no.value))])


def _return_value(stmt: cst.BaseStatement) -> Optional[cst.BaseExpression]:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Return):
        return stmt.body[0].value
    return None


def _flatten_suite(body: Sequence[cst.BaseStatement]) -> List[cst.BaseStatement]:
    out: List[cst.BaseStatement] = []
    for stmt in body:
        if isinstance(stmt, cst.If):
            merged = _assignment_if(stmt)
            out.extend([merged] if merged is not None else _flatten_if(stmt))
        else:
            out.append(stmt)
    # `if c: return a` then `return b` -> `return a if c else b` (from the end: nested chains fold)
    i = len(out) - 2
    while i >= 0:
        stmt, after = out[i], out[i + 1]
        if isinstance(stmt, cst.If) and stmt.orelse is None:
            yes = _only(stmt.body)
            no = _return_value(after)
            if isinstance(yes, cst.Return) and yes.value is not None and no is not None:
                folded = cst.Return(value=_ternary(stmt.test, yes.value, no))
                out[i:i + 2] = [cst.SimpleStatementLine(body=[folded])]
        i -= 1
    return out


class FlowSimplifier(cst.CSTTransformer):
    def leave_Return(self, original_node: cst.Return, updated_node: cst.Return) -> cst.Return:
        if isinstance(updated_node.value, cst.Name) and updated_node.value.value == "None":
            return updated_node.with_changes(value=None)
        return updated_node

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        return updated_node.with_changes(body=_flatten_suite(updated_node.body))

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        body = updated_node.body
        if isinstance(body, cst.IndentedBlock):
            stmts = list(body.body)
            while len(stmts) > 1 and is_bare_return(stmts[-1]):
                stmts.pop()
            if len(stmts) == 1 and is_bare_return(stmts[0]):
                stmts = [cst.SimpleStatementLine(body=[cst.Pass()])]
            body = body.with_changes(body=stmts)
        return updated_node.with_changes(body=body)
