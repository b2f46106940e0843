"""CKP001 untracked-callee."""

from __future__ import annotations

from typing import Iterator

from ._common import where_defined
from .base import Example, Hit, Rule, RuleContext


class UntrackedCallee(Rule):
    code = "CKP001"
    name = "untracked-callee"
    summary = "a shallow-mode checkpointed function uses a user-defined function or class"
    modes = ("shallow",)
    rationale = (
        "In shallow mode (the default) the key covers the checkpointed function's own code, its "
        "arguments and the values of the globals it reads. A user-defined function or class it calls "
        "is identified by its name only, so editing that helper does not invalidate cached results: "
        "the next run serves a value the new code would not compute."
    )
    fix = (
        "Use `@checkpoint(deep=True)`, which follows the helpers you wrote, or call the helper outside "
        "and pass its result as an argument."
    )
    examples = (
        Example("A helper in another module", {
            "main.py": "from checkpointing import checkpoint\nimport helpers\n\n\n@checkpoint\ndef total(xs):\n"
                       "    return helpers.clean(xs) + 1\n",
            "helpers.py": "def clean(xs):\n    return [x for x in xs if x is not None]\n",
        }, (("main.py", 7),)),
        Example("Deep mode follows the helper", {
            "main.py": "from checkpointing import checkpoint\nimport helpers\n\n\n@checkpoint(deep=True)\n"
                       "def total(xs):\n    return helpers.clean(xs) + 1\n",
            "helpers.py": "def clean(xs):\n    return [x for x in xs if x is not None]\n",
        }),
        Example("An enum's member is read from the class, by name too", {
            "main.py": "import enum\n\nfrom checkpointing import checkpoint\n\n\nclass Color(enum.Enum):\n"
                       "    RED = 1\n\n\n@checkpoint\ndef paint(x):\n    return x * Color.RED.value\n",
        }, (("main.py", 12),)),
        Example("Library functions and modules are not callees", {
            "main.py": "import numpy as np\nimport helpers\nfrom checkpointing import checkpoint\n\n\n@checkpoint\n"
                       "def total(xs):\n    return np.sum(xs) + helpers.OFFSET\n",
            "helpers.py": "OFFSET = 3\n",
        }),
    )

    def check(self, context: RuleContext) -> Iterator[Hit]:
        info = context.function
        me = f"{info.module}:{info.qualname}"
        seen = set()  # one finding per helper (its first use), however often it is used
        for ref in info.references:
            target, _ = context.graph.resolve(info.module, ref.chain)
            if target.kind in ("function", "class") and target.name != me and target.name not in seen:
                seen.add(target.name)
                what = "class" if target.kind == "class" else "function"
                name = target.name.split(":", 1)[1]
                verb = "calls" if ref.called else "uses"  # Color.RED uses the class; Color("red") calls it
                yield Hit(ref.span, f"{verb} user-defined {what} `{name}` ({where_defined(context, target.name)}) "
                                    f"that shallow mode does not track: editing it will not invalidate cached "
                                    f"results of `{info.qualname}`")
