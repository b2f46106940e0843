"""CKP107 side-effect-only."""

from __future__ import annotations

import ast
from typing import Iterator, List, Optional

from ...callgraph import FunctionInfo, Span
from ._common import open_mode
from .base import Example, Hit, Rule, RuleContext

#: methods whose call is an effect on the world outside the process (writing, plotting, sending)
_EFFECT_METHODS = frozenset({
    "to_csv", "to_parquet", "to_pickle", "to_excel", "to_json", "to_hdf", "to_feather", "to_sql", "to_netcdf",
    "to_zarr", "savefig", "save", "write_text", "write_bytes", "write", "writelines", "dump", "show", "imsave",
    "imwrite", "upload_file", "put_object", "send", "sendall", "mkdir", "unlink", "rename", "touch",
})
_EFFECT_FUNCTIONS = frozenset({
    "builtins.print", "pickle.dump", "json.dump", "numpy.save", "numpy.savez", "numpy.savez_compressed",
    "numpy.savetxt", "joblib.dump", "torch.save", "shutil.copy", "shutil.copyfile", "shutil.copytree", "shutil.move",
    "shutil.rmtree", "os.remove", "os.unlink", "os.rename", "os.replace", "os.makedirs", "os.mkdir",
    "matplotlib.pyplot.savefig", "matplotlib.pyplot.show", "subprocess.run", "subprocess.call",
    "subprocess.check_call", "cv2.imwrite", "imageio.imwrite", "soundfile.write", "scipy.io.savemat",
})


def own_nodes(info: FunctionInfo) -> Iterator[ast.AST]:
    """The function's own body, without nested functions, lambdas and classes."""
    stack: List[ast.AST] = list(reversed(info.node.body))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _returns_a_value(info: FunctionInfo) -> bool:
    for node in own_nodes(info):
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True  # a generator: its value is the generator
        if isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            return True
    return False


def _first_effect(context: RuleContext, info: FunctionInfo) -> Optional[ast.Call]:
    for node in own_nodes(info):
        if not isinstance(node, ast.Call):
            continue
        name = context.qualified(info, node.func)
        if name in _EFFECT_FUNCTIONS or (name == "builtins.open" and any(c in open_mode(node) for c in "wax+")):
            return node
        if name is None and isinstance(node.func, ast.Attribute) and node.func.attr in _EFFECT_METHODS:
            return node
    return None


class SideEffectOnly(Rule):
    code = "CKP107"
    name = "side-effect-only"
    summary = "a checkpointed function returns nothing: what it does is skipped on a hit"
    rationale = (
        "On a hit the function's body does not run: only its return value comes back. A function that returns "
        "None is kept for what it does (writing files, plotting, printing, uploading), and all of that happens "
        "on the first run only; the cache stores nothing useful."
    )
    fix = ("Return the result and write it outside (`save(compute(x))`), or remove @checkpoint from a function "
           "that is run for its effects.")
    examples = (
        Example("Writing a report and returning nothing", {
            "main.py": "from checkpointing import checkpoint\n\n\n@checkpoint\ndef report(frame, path):\n"
                       "    summary = frame.describe()\n    summary.to_csv(path)\n",
        }, (("main.py", 5),)),
        Example("Returning the result, or a generator", {
            "main.py": "from checkpointing import checkpoint\n\n\n@checkpoint\ndef summarize(frame):\n"
                       "    return frame.describe()\n\n\n@checkpoint\ndef chunks(frame):\n"
                       "    yield from frame.itertuples()\n\n\n@checkpoint\ndef maybe(x):\n"
                       "    if x:\n        return None\n    return x\n",
        }),
    )

    def check(self, context: RuleContext) -> Iterator[Hit]:
        info = context.function
        body = info.node.body
        if _returns_a_value(info) or (body and isinstance(body[-1], ast.Raise)):
            return  # a value comes back; or it only ever raises (nothing is stored)
        effect = _first_effect(context, info)
        node = info.node
        span = Span(node.lineno, node.col_offset, node.lineno, node.col_offset + len("def ") + len(node.name))
        if isinstance(node, ast.AsyncFunctionDef):
            span = Span(node.lineno, node.col_offset, node.lineno, node.col_offset + len("async def ") + len(node.name))
        what = f" (such as line {effect.lineno})" if effect is not None else ""
        yield Hit(span, f"checkpointed `{info.qualname}` always returns None: on a hit its body does not run, so "
                        f"what it does{what} happens on the first run only")
