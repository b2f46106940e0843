"""``not (a in b)`` -> ``a not in b`` and ``not (a is b)`` -> ``a is not b`` (and back).

The language defines ``x not in s`` as the negation of ``x in s`` and ``x is not y`` as the
negation of ``x is y``: both results are plain booleans, so the two spellings are the same
program (CPython compiles them to the same bytecode). Only these operators are rewritten:
``not a == b`` is not ``a != b`` for a class whose ``__ne__`` is not the negation of its
``__eq__``, and ``not a < b`` is not ``a >= b`` for NaN or sets.
"""

from __future__ import annotations

import libcst as cst

_NEGATED = {cst.In: cst.NotIn, cst.NotIn: cst.In, cst.Is: cst.IsNot, cst.IsNot: cst.Is}


class NegatedComparisons(cst.CSTTransformer):
    """Applied to the final tree, just before rendering."""

    def leave_UnaryOperation(self, original_node: cst.UnaryOperation,
                             updated_node: cst.UnaryOperation) -> cst.BaseExpression:
        operand = updated_node.expression
        if (isinstance(updated_node.operator, cst.Not) and isinstance(operand, cst.Comparison)
                and len(operand.comparisons) == 1 and type(operand.comparisons[0].operator) in _NEGATED):
            target = operand.comparisons[0]
            flipped = target.with_changes(operator=_NEGATED[type(target.operator)]())
            return cst.Comparison(operand.left, [flipped])
        return updated_node
