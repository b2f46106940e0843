"""CKP105 unseeded-estimator."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
from typing import Dict, Optional

from ...callgraph import FunctionInfo
from ...stdlib import is_stdlib_module
from ._common import has_star_kwargs, keyword
from .base import CallRule, Example, RuleContext

#: qualified class name -> position of ``random_state`` among its positional parameters (None: keyword
#: only), or -1 when the class takes no ``random_state``
_signatures: Dict[str, int] = {}
_NO = -1
_KEYWORD_ONLY = 1 << 30


def random_state_position(qualified: str) -> int:
    """Imports the installed package (never the user's code) to read the class's signature."""
    found = _signatures.get(qualified)
    if found is not None:
        return found
    _signatures[qualified] = _NO
    module_name, _, attr = qualified.rpartition(".")
    top = module_name.split(".")[0]
    if not module_name or not attr[:1].isupper() or is_stdlib_module(top):
        return _NO
    try:
        if importlib.util.find_spec(top) is None:
            return _NO
        obj = getattr(importlib.import_module(module_name), attr)
        params = list(inspect.signature(obj).parameters.values()) if isinstance(obj, type) else []
    except Exception:  # not installed here, not importable, no signature: nothing to say
        return _NO
    for i, p in enumerate(params):
        if p.name == "random_state":
            position = i if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) else _KEYWORD_ONLY
            _signatures[qualified] = position
            return position
    return _NO


class UnseededEstimator(CallRule):
    code = "CKP105"
    name = "unseeded-estimator"
    summary = "code reached by a checkpointed function builds an estimator without `random_state`"
    rationale = (
        "A class from an installed package that takes `random_state` (most scikit-learn estimators) is random "
        "when it is left at None: each run fits a different model. If the estimator is returned or passed "
        "on as an argument, its hash differs on every run and the cache never hits; if it is used inside, "
        "the cached result is one random draw among many."
    )
    fix = "Pass `random_state=<an int>` (or a seed argument of the function)."
    examples = (
        Example("An estimator without a seed", {
            "main.py": "from checkpointing import checkpoint\nfrom sklearn.ensemble import RandomForestClassifier\n\n\n"
                       "@checkpoint\ndef fit(x, y):\n    return RandomForestClassifier(n_estimators=10).fit(x, y)\n",
        }, (("main.py", 7),)),
        Example("Seeded, or a class without randomness", {
            "main.py": "from checkpointing import checkpoint\nfrom sklearn.ensemble import RandomForestClassifier\n"
                       "from sklearn.linear_model import LinearRegression\n\n\n@checkpoint\ndef fit(x, y, seed):\n"
                       "    forest = RandomForestClassifier(random_state=seed).fit(x, y)\n"
                       "    return forest, LinearRegression().fit(x, y)\n",
        }),
    )

    def problem(self, context: RuleContext, info: FunctionInfo, call: ast.Call) -> Optional[str]:
        name = context.qualified(info, call.func)
        if name is None or name.startswith("builtins."):
            return None
        position = random_state_position(name)
        if position == _NO or has_star_kwargs(call) or keyword(call, "random_state") is not None:
            return None
        if position < len(call.args) or any(isinstance(a, ast.Starred) for a in call.args):
            return None
        short = name.rsplit(".", 1)[1]
        return f"`{short}(...)` without `random_state` is random on every run: pass random_state=<an int>"
