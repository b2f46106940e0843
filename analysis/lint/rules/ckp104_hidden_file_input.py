"""CKP104 hidden-file-input."""

from __future__ import annotations

import ast
from typing import Optional

from ...callgraph import FunctionInfo
from .. import knowledge
from ._common import open_mode
from .base import CallRule, Example, RuleContext

_PATH_METHODS = frozenset({"read_text", "read_bytes"})
_LISTING_METHODS = frozenset({"iterdir", "glob", "rglob"})
#: opened for writing only: ``open(path, "w")``, ``h5py.File(path, "w")``
_WRITE_OPENERS = frozenset({"builtins.open", "io.open", "codecs.open", "h5py.File", "gzip.open", "bz2.open",
                            "lzma.open", "tarfile.open", "zipfile.ZipFile", "shelve.open", "fsspec.open",
                            "tables.open_file", "netCDF4.Dataset", "zarr.open"})


def _problem(context: RuleContext, info: FunctionInfo, call: ast.Call) -> Optional[str]:
    name = context.dotted_target(info, call.func)
    if name is not None:
        category = knowledge.inputs(context.inputs).category(name)
        if category is None or category == "environment":  # the environment is CKP106's
            return None
        if name in _WRITE_OPENERS and any(c in open_mode(call) for c in "wax"):  # "r+" reads too
            return None
        shown = name.replace("builtins.", "")
        return f"`{shown}(...)` {knowledge.describe(category)}, which is not part of the key"
    func = call.func
    if isinstance(func, ast.Attribute):
        receiver = func.value
        if func.attr in _PATH_METHODS:
            return f"`.{func.attr}()` reads a file whose contents are not part of the key"
        if func.attr == "open" and isinstance(receiver, ast.Call):
            if context.qualified(info, receiver.func) == "pathlib.Path":
                return "`Path(...).open()` reads a file whose contents are not part of the key"
        if func.attr in _LISTING_METHODS and isinstance(receiver, ast.Call):
            if context.qualified(info, receiver.func) == "pathlib.Path":
                return f"`Path(...).{func.attr}()` lists a directory, whose contents are not part of the key"
    return None


class HiddenFileInput(CallRule):
    code = "CKP104"
    name = "hidden-file-input"
    summary = ("code reached by a checkpointed function reads a file, a directory listing, the network, a database "
               "or a cloud service")
    rationale = (
        "The key covers the arguments, not what the function reads from disk, the network, a database or a cloud "
        "service. When the data changes, the cache still serves the result computed from its old contents. The "
        "calls recognised are a table (`analysis/lint/knowledge.py`: pandas, numpy, torch, h5py, xarray, scipy.io, "
        "requests, httpx, boto3, Google Cloud, Azure, sqlite3, SQLAlchemy, glob, os.listdir, ...), which a project "
        "extends with `inputs = [\"mylab.io.fetch\", \"mylab.db.*\"]` in `[tool.checkpointing.lint]`."
    )
    fix = (
        "Read the data outside and pass it (or a DataFrame) as an argument, so that it is hashed; or pass the "
        "file's modification time or checksum, or the query's version or date, as an extra argument."
    )
    examples = (
        Example("A cloud client, a directory listing and an HDF5 file", {
            "main.py": "import glob\n\nimport boto3\nimport h5py\nfrom checkpointing import checkpoint\n\n\n"
                       "@checkpoint\ndef collect(bucket):\n    s3 = boto3.client('s3')\n"
                       "    names = sorted(glob.glob('runs/*.h5'))\n    with h5py.File(names[0]) as f:\n"
                       "        first = f['x'][:]\n    return s3.list_objects(Bucket=bucket), first\n",
        }, (("main.py", 10), ("main.py", 11), ("main.py", 12))),
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
