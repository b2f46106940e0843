"""Control-flow rewrites that provably keep behaviour.

- ``if c: ...; return a`` followed by ``else: B``: the ``else`` is dropped and ``B`` follows the
  ``if`` (the branch never falls through, so ``B`` runs exactly when it did before). The same
  holds when the branch ends in ``raise``, ``continue`` or ``break``, and for ``elif`` chains.
- ``return None`` is ``return``; a bare ``return`` at the very end of a function body is
  dropped (falling off the end returns None, in generators too).
"""

from __future__ import annotations

from typing import List, Sequence

import libcst as cst
import libcst.matchers as m

_TERMINATOR = m.SimpleStatementLine(body=[m.Return() | m.Raise() | m.Continue() | m.Break()])


def _terminates(block: cst.BaseSuite) -> bool:
    return isinstance(block, cst.IndentedBlock) and bool(block.body) and m.matches(block.body[-1], _TERMINATOR)


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


def _flatten_suite(body: Sequence[cst.BaseStatement]) -> List[cst.BaseStatement]:
    out: List[cst.BaseStatement] = []
    for stmt in body:
        out.extend(_flatten_if(stmt) if isinstance(stmt, cst.If) else [stmt])
    return out


class FlowSimplifier(cst.CSTTransformer):
    def leave_Return(self, original_node: cst.Return, updated_node: cst.Return) -> cst.Return:
        if m.matches(updated_node.value, m.Name("None")):
            return updated_node.with_changes(value=None)
        return updated_node

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        return updated_node.with_changes(body=_flatten_suite(updated_node.body))

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        body = updated_node.body
        if isinstance(body, cst.IndentedBlock):
            stmts = list(body.body)
            while len(stmts) > 1 and m.matches(stmts[-1], m.SimpleStatementLine(body=[m.Return(value=None)])):
                stmts.pop()
            if len(stmts) == 1 and m.matches(stmts[0], m.SimpleStatementLine(body=[m.Return(value=None)])):
                stmts = [cst.SimpleStatementLine(body=[cst.Pass()])]
            body = body.with_changes(body=stmts)
        return updated_node.with_changes(body=body)
