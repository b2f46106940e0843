"""Keyword arguments in a canonical order: ``np.mean(x, keepdims=True, axis=0)`` is
``np.mean(x, axis=0, keepdims=True)``, with the order as written kept aside for the runtime.

A call sees the order of its keyword arguments in two ways only: the order their values are
evaluated in, and the order of the ``**kwargs`` dictionary of a callee that collects them
(``dict(b=2, a=1)`` keeps it). The rewrite sorts them by name when the first cannot tell and
the runtime can check the second:

- every keyword value is a constant or a name (evaluating it runs no code), the call has no
  ``*args`` or ``**mapping`` (whose order relative to the keywords is part of the call), and it
  has at least two keywords;
- the callee is a free name of the function or an attribute chain on one (``np.mean``,
  ``RandomForestClassifier``, ``pd.DataFrame.from_dict``).

Each such call (sorted already or not: the list depends on the canonical code only) is listed
as ``(callee, keywords in the order written)``, in source order: the runtime keys that order
unless the object found at the callee binds every keyword to a parameter of its name (a Python function without ``**kwargs``, a class or builtin whose
signature has none; see ``checkpointing._key.keywords``). A call on anything else (a method
of an argument, the result of a call) keeps its order in the code.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

from ..scopes import ScopeModel

_CONSTANTS = (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.ConcatenatedString)


#: a call whose keywords were sorted: (callee, keyword names in the order written)
KeywordOrder = Tuple[str, Tuple[str, ...]]


def sort_keywords(module: cst.Module, model: ScopeModel) -> Tuple[cst.Module, List[KeywordOrder]]:
    """(the module with the sortable calls sorted, each of those calls' order as written)."""
    finder = _Sortable(model)
    module.visit(finder)
    if not finder.found:
        return module, []
    orders = [(dotted, tuple(arg.keyword.value for arg in call.args if arg.keyword is not None))
              for call, dotted in finder.found]
    return module.visit(_Sort({id(call) for call, _ in finder.found})), orders


class _Sortable(cst.CSTVisitor):
    def __init__(self, model: ScopeModel) -> None:
        self.model = model
        self.found: List[Tuple[cst.Call, str]] = []

    def visit_Call(self, node: cst.Call) -> None:
        keywords = [arg for arg in node.args if arg.keyword is not None]
        if len(keywords) < 2 or any(arg.star for arg in node.args):
            return
        if not all(_runs_no_code(arg.value) for arg in keywords):
            return
        dotted = self._free_callee(node.func)
        if dotted is not None:
            self.found.append((node, dotted))

    def _free_callee(self, func: cst.BaseExpression) -> Optional[str]:
        parts: List[str] = []
        while isinstance(func, cst.Attribute):
            parts.append(func.attr.value)
            func = func.value
        if not isinstance(func, cst.Name):
            return None
        read = self.model.occurrence(func)
        if read is None or read.kind != "global" or read.may_read_global:
            return None
        return ".".join([func.value, *reversed(parts)])


def _runs_no_code(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.Name, *_CONSTANTS)):
        return True
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return isinstance(node.expression, (cst.Integer, cst.Float, cst.Imaginary))
    return False


class _Sort(cst.CSTTransformer):
    def __init__(self, calls: "set[int]") -> None:
        self.calls = calls

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if id(original_node) not in self.calls:
            return updated_node
        args = list(updated_node.args)
        first = next(i for i, arg in enumerate(args) if arg.keyword is not None)
        keywords = args[first:]
        if any(arg.keyword is None for arg in keywords):  # (a positional after a keyword: not Python)
            return updated_node
        ordered = sorted(keywords, key=lambda arg: arg.keyword.value if arg.keyword is not None else "")
        commas = [arg.comma for arg in keywords]  # (each place keeps its punctuation)
        return updated_node.with_changes(args=[*args[:first], *(a.with_changes(comma=c) for a, c in zip(ordered, commas))])
