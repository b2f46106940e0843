"""``x op= e`` -> ``x = x op e`` where ``x`` provably holds an immutable builtin value.

For a type without in-place operators Python evaluates ``x += e`` exactly as ``x = x + e``
(load ``x``, evaluate ``e``, call ``__add__``/``__radd__``, store). For a list it mutates in place
(every alias sees it) and for a numpy array it casts differently, so the rewrite is applied only
where :mod:`.immutability` proves the kind of ``x``.
"""

from __future__ import annotations

from typing import Dict, List, Set, Tuple, Type

import libcst as cst

from .immutability import IMMUTABLE, KindInference
from .result import Assumption

_BINARY: Dict[str, Type[cst.BaseBinaryOp]] = {
    "AddAssign": cst.Add, "SubtractAssign": cst.Subtract, "MultiplyAssign": cst.Multiply,
    "DivideAssign": cst.Divide, "FloorDivideAssign": cst.FloorDivide, "ModuloAssign": cst.Modulo,
    "PowerAssign": cst.Power, "LeftShiftAssign": cst.LeftShift, "RightShiftAssign": cst.RightShift,
    "BitAndAssign": cst.BitAnd, "BitOrAssign": cst.BitOr, "BitXorAssign": cst.BitXor,
    "MatrixMultiplyAssign": cst.MatrixMultiply,
}


class _Rewrite(cst.CSTTransformer):
    def __init__(self, inference: KindInference, env) -> None:  # type: ignore[no-untyped-def]
        self.env = env
        self.inference = inference
        self.depth = 0
        self.assumptions: List[Assumption] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        self.depth -= 1
        return updated_node

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.depth += 1

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        self.depth -= 1
        return updated_node

    def leave_AugAssign(self, original_node: cst.AugAssign, updated_node: cst.AugAssign):  # type: ignore[no-untyped-def]
        target = updated_node.target
        if self.depth != 1 or not isinstance(target, cst.Name):
            return updated_node
        kind, deps = self.env.get(target.value, (None, frozenset()))
        if kind is None or kind > IMMUTABLE:
            return updated_node
        operator = _BINARY[type(updated_node.operator).__name__]()
        value = updated_node.value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        self.assumptions.extend(sorted(deps))
        return cst.Assign(targets=[cst.AssignTarget(target=cst.Name(target.value))],
                          value=cst.BinaryOperation(left=cst.Name(target.value), operator=operator, right=value))


def canonicalize_augassign(
    module: cst.Module, params: Set[str], locals_: Set[str], guarded: bool
) -> Tuple[cst.Module, List[Assumption]]:
    function = module.body[0]
    assert isinstance(function, cst.FunctionDef)
    inference = KindInference(function, params, locals_, guarded)
    env = inference.solve()
    rewrite = _Rewrite(inference, env)
    return module.visit(rewrite), rewrite.assumptions
