"""The order of keyword arguments the canonical code lists sorted (``analysis.normalize.keywords``):
part of the key where the callee can see it.

For each call sorted, in source order, the callee is found again (a free name of the function,
then attributes through modules and classes only: nothing runs) and the order as written is
keyed unless that object binds every keyword to a parameter of its name: a Python function
without ``**kwargs``, a class or builtin whose signature has none. ``dict(b=1, a=2)`` keeps its
order in the key (its keys are in that order); ``np.linspace(0, 1, endpoint=False, num=5)``
does not. An object whose signature cannot be read keeps its order.
"""

from __future__ import annotations

import inspect
from types import FunctionType
from typing import Any, Dict, List, Sequence, Tuple

from .._fingerprint import resolve_free_name
from .._objects import MISSING, static_attribute


def orders_token(func: FunctionType, orders: Sequence[Tuple[str, Tuple[str, ...]]]) -> bytes:
    """What the key holds of the calls of ``func`` whose keywords were sorted."""
    parts = []
    for callee, keywords in orders:  # (one part per call, in the canonical code's order)
        root, *chain = callee.split(".")
        seen = binds_by_name(_static_chain(resolve_free_name(func, root), chain))
        parts.append("" if seen else ",".join(keywords))
    return ";".join(parts).encode()


def _static_chain(value: Any, chain: List[str]) -> Any:
    """``value.a.b`` as a chain read sees it (``_objects.static_attribute``: no user code runs),
    a static or class method as its function."""
    for attribute in chain:
        if value is MISSING:
            break
        value = static_attribute(value, attribute)
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
    return value


_BINDS: Dict[int, Tuple[Any, bool]] = {}


def binds_by_name(callee: Any) -> bool:
    """Does calling ``callee`` bind every keyword argument to a parameter of that name, whatever
    their order (no ``**kwargs`` collects them)? False when its signature cannot be read."""
    if callee is MISSING or not callable(callee):
        return False
    if type(callee) is FunctionType:
        return not callee.__code__.co_flags & inspect.CO_VARKEYWORDS
    known = _BINDS.get(id(callee))
    if known is not None and known[0] is callee:
        return known[1]
    try:
        parameters = inspect.signature(callee).parameters.values()
        answer = all(p.kind is not inspect.Parameter.VAR_KEYWORD for p in parameters)
    except (TypeError, ValueError):
        answer = False
    if len(_BINDS) > 4096:
        _BINDS.clear()
    _BINDS[id(callee)] = (callee, answer)
    return answer
