"""CKP105 unseeded-estimator."""

from __future__ import annotations

import ast
from typing import Optional

from ...callgraph import FunctionInfo
from .. import library_source
from ..library_source import Parameter
from ._common import has_star_kwargs, keyword
from .base import CallRule, Example, RuleContext

#: parameters that seed a library's randomness: left at their default None, each run differs
SEED_PARAMETERS = ("random_state", "seed", "rng", "random_seed")


def seed_parameter(qualified: str) -> Optional[Parameter]:
    """The seeding parameter of an installed package's class or function whose default is None (the
    call is random unless it is given), read from the package's source without importing it."""
    if qualified.startswith("numpy.random."):
        return None  # CKP103's
    params = library_source.signature(qualified)
    for param in params or ():
        if param.name in SEED_PARAMETERS and param.default_none:
            return param
    return None


class UnseededEstimator(CallRule):
    code = "CKP105"
    name = "unseeded-estimator"
    summary = ("code reached by a checkpointed function builds an estimator or calls a function without its "
               "`random_state`/`seed`")
    rationale = (
        "A class or function from an installed package that takes `random_state`, `seed`, `rng` or "
        "`random_seed` with a default of None (most scikit-learn estimators, `sklearn.utils.shuffle`, "
        "`train_test_split`, `networkx.spring_layout`) is random when it is left at None: each run fits a "
        "different model or draws another sample. If the result is returned or passed on as an argument, its "
        "hash differs on every run and the cache never hits; if it is used inside, the cached result is one "
        "random draw among many. The signature is read from the package's source, which is never imported."
    )
    fix = "Pass `random_state=<an int>` (or a seed argument of the function)."
    examples = (
        Example("An estimator without a seed", {
            "main.py": "from checkpointing import checkpoint\nfrom sklearn.ensemble import RandomForestClassifier\n\n\n"
                       "@checkpoint\ndef fit(x, y):\n    return RandomForestClassifier(n_estimators=10).fit(x, y)\n",
        }, (("main.py", 7),)),
        Example("A function that shuffles", {
            "main.py": "from checkpointing import checkpoint\nfrom sklearn.model_selection import train_test_split\n"
                       "from sklearn.utils import shuffle\n\n\n@checkpoint\ndef split(x, y):\n"
                       "    x, y = shuffle(x, y)\n    return train_test_split(x, y, test_size=0.2)\n",
        }, (("main.py", 8), ("main.py", 9))),
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
        param = seed_parameter(name)
        if param is None or has_star_kwargs(call) or keyword(call, param.name) is not None:
            return None
        if param.position is not None and (param.position < len(call.args)
                                           or any(isinstance(a, ast.Starred) for a in call.args)):
            return None
        short = name.rsplit(".", 1)[1]
        return f"`{short}(...)` without `{param.name}` is random on every run"
