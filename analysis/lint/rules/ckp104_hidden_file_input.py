"""CKP104 hidden-file-input."""

from __future__ import annotations

import ast
from typing import Optional

from ...callgraph import FunctionInfo
from .base import CallRule, Example, RuleContext

_READERS = frozenset({
    "builtins.open", "io.open", "json.load", "pickle.load", "numpy.load", "numpy.loadtxt", "numpy.genfromtxt",
    "numpy.fromfile", "urllib.request.urlopen", "requests.get", "pathlib.Path.read_text",
    "pathlib.Path.read_bytes", "pathlib.Path.open", "joblib.load", "yaml.safe_load", "tomllib.load",
})
_PATH_METHODS = frozenset({"read_text", "read_bytes"})


def _problem(context: RuleContext, info: FunctionInfo, call: ast.Call) -> Optional[str]:
    name = context.qualified(info, call.func)
    if name is not None:
        if name in _READERS or (name.startswith("pandas.read_") and name.count(".") == 1):
            if name == "builtins.open" and _writes(call):
                return None
            return f"`{name.replace('builtins.', '')}(...)` reads input that is not part of the key"
        return None
    func = call.func
    if isinstance(func, ast.Attribute):
        receiver = func.value
        if func.attr in _PATH_METHODS:
            return f"`.{func.attr}()` reads a file whose contents are not part of the key"
        if func.attr == "open" and isinstance(receiver, ast.Call):
            if context.qualified(info, receiver.func) == "pathlib.Path":
                return "`Path(...).open()` reads a file whose contents are not part of the key"
    return None


def _writes(call: ast.Call) -> bool:
    mode = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
    return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and any(c in mode.value for c in "wax")


class HiddenFileInput(CallRule):
    code = "CKP104"
    name = "hidden-file-input"
    summary = "code reached by a checkpointed function reads a file or URL"
    rationale = (
        "The key covers the arguments, not what the function reads from disk or the network. When the file "
        "changes, the cache still serves the result computed from its old contents."
    )
    fix = (
        "Read the file outside and pass its contents (or a DataFrame) as an argument, so that they are hashed; "
        "or pass the file's modification time or checksum as an extra argument."
    )
    examples = (
        Example("Reading a CSV and a JSON file inside", {
            "main.py": "import json\n\nimport pandas as pd\nfrom checkpointing import checkpoint\n\n\n@checkpoint\n"
                       "def load(path):\n    frame = pd.read_csv(path)\n    with open('meta.json') as f:\n"
                       "        meta = json.load(f)\n    return frame, meta\n",
        }, (("main.py", 9), ("main.py", 10), ("main.py", 11))),
        Example("Contents passed in are hashed", {
            "main.py": "import pandas as pd\nfrom checkpointing import checkpoint\n\n\n@checkpoint\n"
                       "def summarize(frame):\n    return frame.describe()\n\n\n"
                       "summarize(pd.read_csv('data.csv'))\n",
        }),
        Example("Writing a file is not reading one", {
            "main.py": "from checkpointing import checkpoint\n\n\n@checkpoint\ndef report(x):\n"
                       "    with open('out.txt', 'w') as f:\n        f.write(str(x))\n    return x\n",
        }),
    )

    def problem(self, context: RuleContext, info: FunctionInfo, call: ast.Call) -> Optional[str]:
        return _problem(context, info, call)
