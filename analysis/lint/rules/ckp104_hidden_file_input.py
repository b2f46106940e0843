"""CKP104 hidden-file-input."""

from __future__ import annotations

import ast
import re
from typing import List, Optional, Tuple

from ...callgraph import FunctionInfo, Span
from ...compiled_readers import PATH_KEYWORDS, seen_at_run_time, watched
from .. import knowledge
from ._common import open_mode
from .base import CallRule, Example, Hit, RuleContext

_PATH_METHODS = frozenset({"read_text", "read_bytes"})
_LISTING_METHODS = frozenset({"iterdir", "glob", "rglob"})
#: opened for writing only: ``open(path, "w")``, ``h5py.File(path, "w")``
_WRITE_OPENERS = frozenset({"builtins.open", "io.open", "codecs.open", "h5py.File", "gzip.open", "bz2.open",
                            "lzma.open", "tarfile.open", "zipfile.ZipFile", "shelve.open", "fsspec.open",
                            "tables.open_file", "netCDF4.Dataset", "zarr.open"})


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
#: the keywords a reader takes its path as (besides its first argument)
_PATH_KEYWORDS = frozenset(PATH_KEYWORDS)


def _problem(context: RuleContext, info: FunctionInfo, call: ast.Call) -> Optional[Tuple[str, bool]]:
    """What the call reads that the key misses, and whether the runtime records it as an input of
    the entry (then it is reported only for functions whose inputs are not recorded)."""
    name = context.dotted_target(info, call.func)
    if name is not None:
        category = knowledge.inputs(context.inputs).category(name)
        if category is None or category == "environment":  # the environment is CKP106's
            return None
        if name in _WRITE_OPENERS and any(c in open_mode(call) for c in "wax"):  # "r+" reads too
            return None
        shown = name.replace("builtins.", "")
        if category == "process":
            return (f"`{shown}(...)` runs another program: what it prints and the files it reads are not part of the "
                    f"key (files read by a child process are not recorded)", False)
        message = f"`{shown}(...)` {knowledge.describe(category)}, which is not part of the key"
        if category not in ("file", "listing"):
            return message, False
        if _url(call):
            return f"`{shown}(...)` reads from a URL, which is not part of the key", False
        reader = watched(name)
        if reader is not None and "." not in reader and not isinstance(call.func, ast.Attribute):
            return (f"{message} (it is called under a name bound before the computation runs, so the run-time "
                    f"record of the files read cannot watch it: call it as `{shown}(...)`)", False)
        if not seen_at_run_time(name):
            return f"{message} (its read is not seen by the run-time record of the files read)", False
        return message, True
    func = call.func
    if isinstance(func, ast.Attribute):
        receiver = func.value
        if func.attr in _PATH_METHODS:
            return f"`.{func.attr}()` reads a file whose contents are not part of the key", True
        if func.attr == "open" and isinstance(receiver, ast.Call):
            if context.qualified(info, receiver.func) == "pathlib.Path":
                return "`Path(...).open()` reads a file whose contents are not part of the key", True
        if func.attr in _LISTING_METHODS and isinstance(receiver, ast.Call):
            if context.qualified(info, receiver.func) == "pathlib.Path":
                return f"`Path(...).{func.attr}()` lists a directory, whose contents are not part of the key", True
    return None


def _url(call: ast.Call) -> bool:
    """Is the path a reader is given a literal URL (``"https://..."``, ``"s3://..."``)?"""
    given = [call.args[0]] if call.args else []
    given += [kw.value for kw in call.keywords if kw.arg in _PATH_KEYWORDS]
    return any(isinstance(g, ast.Constant) and isinstance(g.value, str) and _URL.match(g.value) for g in given)


class HiddenFileInput(CallRule):
    code = "CKP104"
    name = "hidden-file-input"
    summary = ("code reached by a checkpointed function reads input its key cannot see: the network, a database, a "
               "cloud service, another program, or a file read where the run-time record of inputs cannot see it")
    rationale = (
        "The key covers the arguments and the code, not what the function reads from outside the program. "
        "`@checkpoint` records the files a computation reads and the folders it lists (through the interpreter's "
        "audit events, and by watching the compiled readers of pyarrow, h5py, PyTables, xarray, OpenCV, GDAL, "
        "libsndfile and safetensors) and re-checks them on every hit, so those reads are not reported for its "
        "functions. What that record cannot see is reported: the network, databases and cloud services; another "
        "program run with `subprocess` (its output, and the files a child process reads); files opened by compiled "
        "code it does not watch (polars, netCDF4, `torch.jit.load`, a `from pyarrow.parquet import read_table` "
        "name bound before the computation runs); a reader given a URL. With `@checkpoint(inputs=False)`, "
        "`defaults[\"checkpoint.inputs\"] = False`, or another caching decorator (`--decorator`, whose key never "
        "covers files), every file read and listing is reported too. (`CHECKPOINTING_INPUTS=0` in the environment "
        "is not seen by the lint.) The calls recognised are a table (`analysis/lint/knowledge.py`: pandas, numpy, "
        "torch, h5py, xarray, scipy.io, requests, httpx, boto3, Google Cloud, Azure, sqlite3, SQLAlchemy, glob, "
        "os.listdir, subprocess, ...), which a project extends with `inputs = [\"mylab.io.fetch\", "
        "\"mylab.db.*\"]` in `[tool.checkpointing.lint]` (those are always reported); which readers the runtime "
        "sees is the table in `analysis/compiled_readers.py`."
    )
    fix = (
        "Read the data outside and pass it (or a DataFrame) as an argument, so that it is hashed; or pass the "
        "file's modification time or checksum, or the query's version or date, as an extra argument."
    )
    examples = (
        Example("Files read are recorded at run time; the network, a cloud service and another program are not", {
            "main.py": "import glob\nimport subprocess\n\nimport boto3\nimport h5py\nimport requests\n"
                       "from checkpointing import checkpoint\n\n\n"
                       "@checkpoint\ndef collect(bucket):\n    s3 = boto3.client('s3')\n"
                       "    names = sorted(glob.glob('runs/*.h5'))\n    with h5py.File(names[0]) as f:\n"
                       "        first = f['x'][:]\n"
                       "    commit = subprocess.run(['git', 'rev-parse', 'HEAD'], capture_output=True).stdout\n"
                       "    meta = requests.get('https://example.org/meta.json').json()\n"
                       "    return s3.list_objects(Bucket=bucket), first, commit, meta\n",
        }, (("main.py", 12), ("main.py", 16), ("main.py", 17))),
        Example("Files read by compiled code the runtime does not watch, or given as a URL", {
            "main.py": "import pandas as pd\nimport polars as pl\nfrom pyarrow.parquet import read_table\n"
                       "from checkpointing import checkpoint\n\n\n@checkpoint\n"
                       "def load(path):\n    frame = pl.read_csv(path)\n    table = read_table('features.parquet')\n"
                       "    labels = pd.read_csv('https://example.org/labels.csv')\n    return frame, table, labels\n",
        }, (("main.py", 9), ("main.py", 10), ("main.py", 11))),
        Example("With inputs=False, every file read is reported", {
            "main.py": "import json\n\nimport pandas as pd\nfrom checkpointing import checkpoint\n\n\n"
                       "@checkpoint(inputs=False)\n"
                       "def load(path):\n    frame = pd.read_csv(path)\n    with open('meta.json') as f:\n"
                       "        meta = json.load(f)\n    return frame, meta\n",
        }, (("main.py", 9), ("main.py", 10), ("main.py", 11))),
        Example("Reading a CSV and a JSON file inside: recorded at run time", {
            "main.py": "import json\n\nimport pandas as pd\nfrom checkpointing import checkpoint\n\n\n@checkpoint\n"
                       "def load(path):\n    frame = pd.read_csv(path)\n    with open('meta.json') as f:\n"
                       "        meta = json.load(f)\n    return frame, meta\n",
        }),
        Example("Contents passed in are hashed", {
            "main.py": "import pandas as pd\nfrom checkpointing import checkpoint\n\n\n@checkpoint(inputs=False)\n"
                       "def summarize(frame):\n    return frame.describe()\n\n\n"
                       "summarize(pd.read_csv('data.csv'))\n",
        }),
        Example("Writing a file is not reading one", {
            "main.py": "from checkpointing import checkpoint\n\n\n@checkpoint(inputs=False)\ndef report(x):\n"
                       "    with open('out.txt', 'w') as f:\n        f.write(str(x))\n    return x\n",
        }),
    )

    def problem(self, context: RuleContext, info: FunctionInfo, call: ast.Call) -> Optional[str]:
        found = _problem(context, info, call)
        return found[0] if found is not None else None

    def check_function(self, context: RuleContext, info: FunctionInfo,
                       calls: Optional[List[ast.Call]] = None) -> List[Hit]:
        hits = []
        for call in (calls if calls is not None else self.calls(info)):
            found = _problem(context, info, call)
            if found is not None:
                hits.append(Hit(Span.of(call), found[0], info, recorded=found[1]))
        return hits
