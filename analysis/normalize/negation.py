"""``not (a in b)`` -> ``a not in b`` and ``not (a is b)`` -> ``a is not b`` (and back).

The language defines ``x not in s`` as the negation of ``x in s`` and ``x is not y`` as the
negation of ``x is y``: both results are plain booleans, so the two spellings are the same
program (CPython compiles them to the same bytecode). Only these operators are rewritten:
``not a == b`` is not ``a != b`` for a class whose ``__ne__`` is not the negation of its
``__eq__``, and ``not a < b`` is not ``a >= b`` for NaN or sets.
"""

from __future__ import annotations

import ast

_NEGATED = {ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}


class NegatedComparisons(ast.NodeTransformer):
    """Applied to the final ``ast`` tree, just before rendering."""

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        operand = node.operand
        if (isinstance(node.op, ast.Not) and isinstance(operand, ast.Compare) and len(operand.ops) == 1
                and type(operand.ops[0]) in _NEGATED):
            return ast.copy_location(ast.Compare(operand.left, [_NEGATED[type(operand.ops[0])]()],
                                                 operand.comparators), node)
        return node
