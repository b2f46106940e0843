"""Property test of explanations (hypothesis): whenever two versions of a program give a call
different keys, the explanation names at least one component that differs; when they give the
same key, the call is served (``explain().cached``).

Programs are generated: a checkpointed function calling a random chain of helpers, each reading
random globals (numbers, strings, lists, dicts, a frozen dataclass, a partial), a class with a
class attribute and a method, an environment variable, a module of settings read through an
attribute chain. One random edit makes the second version: a global's value, a constant in a
helper, an operator, the class attribute, the settings module's value, the environment
variable, the order of two arguments in a call, or nothing at all. Both modes.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import shutil
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List, Tuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkpointing import checkpoint
from checkpointing._context import FuncCallContext
from checkpointing._explain import diff

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "25"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
_names = itertools.count()

values = st.one_of(st.integers(-5, 5), st.text(max_size=3), st.lists(st.integers(0, 3), max_size=3),
                   st.dictionaries(st.sampled_from("abc"), st.integers(0, 3), max_size=2))


@st.composite
def programs(draw: Any) -> Dict[str, Any]:
    n_helpers = draw(st.integers(1, 3))
    return {
        "globals": [draw(values) for _ in range(3)],
        "reads": [draw(st.lists(st.integers(0, 2), min_size=1, max_size=2, unique=True)) for _ in range(n_helpers)],
        "constants": [draw(st.integers(0, 9)) for _ in range(n_helpers)],
        "rate": draw(st.integers(1, 4)),
        "setting": draw(st.integers(0, 9)),
        "env": draw(st.sampled_from(["x", "y"])),
        "swap": False,
        "op": "+",
    }


EDITS = ["none", "global", "constant", "operator", "rate", "setting", "env", "swap"]


def edited(program: Dict[str, Any], edit: str, which: int) -> Dict[str, Any]:
    new = {k: (list(v) if isinstance(v, list) else v) for k, v in program.items()}
    if edit == "global":
        i = which % 3
        value = new["globals"][i]
        new["globals"][i] = [value] if not isinstance(value, list) else value + [9]
    elif edit == "constant":
        i = which % len(new["constants"])
        new["constants"][i] += 1
    elif edit == "operator":
        new["op"] = "-"
    elif edit == "rate":
        new["rate"] += 1
    elif edit == "setting":
        new["setting"] += 1
    elif edit == "env":
        new["env"] = "z"
    elif edit == "swap":
        new["swap"] = True
    return new


def source(program: Dict[str, Any], settings_module: str) -> str:
    lines = ["import functools, os", f"import {settings_module} as settings", "from checkpointing import checkpoint",
             ""]
    for i, value in enumerate(program["globals"]):
        lines.append(f"G{i} = {value!r}")
    lines += ["PART = functools.partial(max, 0)", "", "class Model:", f"    rate = {program['rate']}", "",
              "    def score(self, v):", "        return v * self.rate", ""]
    helpers = program["reads"]
    for i, (reads, constant) in enumerate(zip(helpers, program["constants"])):
        body = f" {program['op']} ".join([f"len(repr(G{g}))" for g in reads] + [str(constant)])
        nxt = f" + h{i + 1}(x, y)" if i + 1 < len(helpers) else ""
        lines += [f"def h{i}(x, y):", f"    return x * ({body}) - y{nxt}", ""]
    call = "h0(b, a)" if program["swap"] else "h0(a, b)"
    lines += ["def f(a, b):", f"    return {call} + Model().score(settings.LEVEL) + PART(a)"
              " + len(os.environ.get('CKPT_PROPERTY_ENV', ''))", ""]
    return "\n".join(lines) + "\n"


def load(folder: Path, program: Dict[str, Any], n: int) -> Any:
    """Write the program and its settings module as the ``n``th program (a user's edit keeps the
    files' names), import them afresh, return ``f``."""
    settings_name, name = f"explain_settings_{n}", f"explain_program_{n}"
    shutil.rmtree(folder / "__pycache__", ignore_errors=True)  # an edit of the same size in the same second
    sys.modules.pop(settings_name, None)
    (folder / f"{settings_name}.py").write_text(f"LEVEL = {program['setting']}\n")
    (folder / f"{name}.py").write_text(source(program, settings_name))
    sys.path.insert(0, str(folder))
    try:
        spec = importlib.util.spec_from_file_location(name, folder / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    finally:
        sys.path.remove(str(folder))
    os.environ["CKPT_PROPERTY_ENV"] = program["env"]
    return module.f


def components(f: Any, deep: bool) -> Tuple[str, List[Any]]:
    identifier = checkpoint(deep=deep).identifier
    return identifier.components(FuncCallContext(f, (3, 5), {}))  # type: ignore[attr-defined]


@SETTINGS
@given(programs(), st.sampled_from(EDITS), st.integers(0, 5), st.booleans())
def test_a_different_key_is_always_explained(tmp_path_factory: Any, program: Dict[str, Any], edit: str, which: int,
                                             deep: bool) -> None:
    folder = tmp_path_factory.mktemp("explain")
    n = next(_names)
    before_key, before = components(load(folder, program, n), deep)
    after_key, after = components(load(folder, edited(program, edit, which), n), deep)
    changes = diff(before, after, {"a": 3, "b": 5})
    if before_key != after_key:
        assert changes, f"{edit}: the key changed and no component differs\n{textwrap.indent(source(program, 's'), '  ')}"
    else:
        assert not changes, f"{edit}: the same key, yet changes: {[c.message for c in changes]}"
