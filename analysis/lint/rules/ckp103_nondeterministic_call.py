"""CKP103 nondeterministic-call."""

from __future__ import annotations

import ast
from typing import List, Optional

from ...callgraph import FunctionInfo
from ...generators import GLOBAL_GENERATORS
from .. import knowledge
from .base import CallRule, Example, Hit, Rule, RuleContext

_CLOCKS = frozenset(knowledge.CLOCKS)
_ALWAYS = frozenset({"uuid.uuid1", "uuid.uuid4", "os.urandom", "random.SystemRandom"})
#: seeding calls and seeded constructors: not draws
_RANDOM_SEEDING = frozenset({"random.seed", "random.getstate", "random.setstate", "random.Random"})
_NUMPY_NOT_DRAWS = frozenset({"seed", "get_state", "set_state", "default_rng", "RandomState", "Generator",
                              "SeedSequence", "BitGenerator", "PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"})


def _seeded(info: FunctionInfo, context: RuleContext, module_prefix: str, before: int) -> bool:
    """Does the function seed the global generator (``random.seed(0)``) before this line?"""
    for call in Rule.calls(info):
        if call.lineno <= before and call.args:
            name = context.qualified(info, call.func)
            if name == f"{module_prefix}.seed":
                return True
    return False


def _problem(context: RuleContext, info: FunctionInfo, call: ast.Call) -> Optional[str]:
    name = context.qualified(info, call.func)
    if name is None:
        return None
    if name in _CLOCKS:
        return f"`{name}()` reads the clock: its value differs on every run"
    if name in _ALWAYS or name.startswith("secrets."):
        return f"`{name}()` is random on every run"
    if name.startswith("random.") and name.count(".") == 1:
        if name in _RANDOM_SEEDING and (name != "random.Random" or call.args or call.keywords):
            return None
        if name == "random.Random":
            return "`random.Random()` without a seed is random on every run"
        if _seeded(info, context, "random", call.lineno):
            return None
        return f"`{name}()` draws from the unseeded global generator"
    if name.startswith("numpy.random."):
        leaf = name[len("numpy.random."):]
        if leaf in ("default_rng", "RandomState"):
            if call.args or call.keywords:
                return None
            return f"`{name}()` without a seed is random on every run"
        if "." in leaf or leaf in _NUMPY_NOT_DRAWS:
            return None
        if _seeded(info, context, "numpy.random", call.lineno):
            return None
        return f"`{name}()` draws from numpy's unseeded global generator"
    return None


#: where the global generators live (``numpy.random.mtrand._rand``): reading one hands it out to draw from
_GLOBAL_INSTANCES = {spec.instance: spec.name for spec in GLOBAL_GENERATORS if spec.instance}
_INSTANCE_NAMES = frozenset(instance.rpartition(".")[2] for instance in _GLOBAL_INSTANCES)


def _global_generator_reads(context: RuleContext, info: FunctionInfo) -> List[Hit]:
    """Reads of a global generator object itself (``np.random.mtrand._rand``, the scikit-learn
    ``check_random_state(None)`` idiom): what draws from it later draws from the unseeded generator."""
    hits = []
    for ref in info.references:
        if ref.called or ref.chain[-1] not in _INSTANCE_NAMES or ref.chain[0] in info.local_names:
            continue
        target = context.graph.qualified_name(info.module, ref.chain)
        if target in _GLOBAL_INSTANCES:
            hits.append(Hit(ref.span, f"`{target}` is the global `{_GLOBAL_INSTANCES[target]}` generator: what draws "
                                      f"from it depends on the state the program left it in", info))
    return hits


class NondeterministicCall(CallRule):
    code = "CKP103"
    name = "nondeterministic-call"
    summary = "code reached by a checkpointed function draws random numbers without a seed or reads the clock"
    rationale = (
        "A checkpointed function must give the same result for the same inputs: that is what makes serving it "
        "from the cache correct. Clocks, uuids, `os.urandom` and generators made without a seed differ on every "
        "run, so the first run's value is frozen in the cache while a rerun would compute another one. A draw from "
        "a global generator (`random`, numpy's `np.random.*`, torch's) is recorded instead: the result is keyed on "
        "the generator's state, so it is served when the program seeds the generator before the call and computed "
        "again on every run when it does not (the run warns with `UnstableKeyWarning`)."
    )
    fix = (
        "Seed the generator (`numpy.random.default_rng(seed)`, `random.Random(seed)`) with a seed passed as an "
        "argument, or seed the global one once before the call (`np.random.seed(0)` at the top of the script); pass "
        "the time or the id in as an argument."
    )
    examples = (
        Example("Unseeded draws and the clock", {
            "main.py": "import random\nimport time\n\nimport numpy as np\nfrom checkpointing import checkpoint\n\n\n"
                       "@checkpoint\ndef sample(n):\n    noise = np.random.rand(n)\n    jitter = random.random()\n"
                       "    return noise.sum() + jitter + time.time()\n",
        }, (("main.py", 10), ("main.py", 11), ("main.py", 12))),
        Example("Seeded generators", {
            "main.py": "import random\n\nimport numpy as np\nfrom checkpointing import checkpoint\n\n\n@checkpoint\n"
                       "def sample(n, seed):\n    rng = np.random.default_rng(seed)\n    random.seed(seed)\n"
                       "    return rng.random(n).sum() + random.random()\n",
        }),
        Example("The global generator handed out (scikit-learn's check_random_state idiom)", {
            "main.py": "import numpy as np\nfrom checkpointing import checkpoint\n\n\ndef check_random_state(seed):\n"
                       "    if seed is None:\n        return np.random.mtrand._rand\n"
                       "    return np.random.RandomState(seed)\n\n\n@checkpoint(deep=True)\n"
                       "def bootstrap(x, seed=None):\n    return check_random_state(seed).choice(x, 3)\n",
        }, (("main.py", 7),)),
        Example("In a helper", {
            "main.py": "from datetime import datetime\n\nfrom checkpointing import checkpoint\n\n\ndef stamp(x):\n"
                       "    return (x, datetime.now())\n\n\n@checkpoint(deep=True)\ndef run(x):\n    return stamp(x)\n",
        }, (("main.py", 7),)),
    )

    def problem(self, context: RuleContext, info: FunctionInfo, call: ast.Call) -> Optional[str]:
        return _problem(context, info, call)

    def check_function(self, context: RuleContext, info: FunctionInfo,
                       calls: Optional[List[ast.Call]] = None) -> List[Hit]:
        return super().check_function(context, info, calls) + _global_generator_reads(context, info)
