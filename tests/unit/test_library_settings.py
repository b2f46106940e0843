"""Library-wide settings in the key (checkpointing/_settings.py, analysis/settings.py): only the
items that differ from the library's defaults, and only for a call that reaches the library."""

from __future__ import annotations

import decimal
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from checkpointing import FuncCallContext
from checkpointing._identifier import AutoFuncCallIdentifier
from checkpointing.analysis.settings import LIBRARY_SETTINGS
from tests.helpers import load_function


def load(tmp_path: Path, source: str):  # type: ignore[no-untyped-def]
    return load_function(tmp_path, source)


def key(func, *args, deep: bool = False) -> str:
    return AutoFuncCallIdentifier(deep=deep).identify(FuncCallContext(func, args, {}))


def test_the_table_defaults_are_the_libraries_defaults_in_a_fresh_process() -> None:
    """A program that changes nothing keys nothing: every setting of an installed library reads
    as its defaults in a new interpreter (the table matches the versions installed here)."""
    modules = [s.module for s in LIBRARY_SETTINGS if s.defaults is not None or s.module == "pandas"]
    script = textwrap.dedent(f"""
        import importlib, json
        from checkpointing import _settings
        from checkpointing.analysis.settings import LIBRARY_SETTINGS
        found = {{}}
        for module in {sorted(set(modules))!r}:
            try:
                importlib.import_module(module)
            except ImportError:
                continue
        for setting in LIBRARY_SETTINGS:
            if setting.defaults is not None or setting.module == "pandas":
                found[setting.name] = repr(_settings.changed(setting))
        print(json.dumps(found))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    changed = {name: items for name, items in json.loads(out).items() if items != "{}"}
    assert changed == {}


def test_a_call_reaching_numpy_is_keyed_on_its_changed_print_options(tmp_path: Path) -> None:
    f = load(tmp_path, "def f(a):\n    return str(a)\n")
    a = np.arange(3) / 7
    before = key(f, a)
    with np.printoptions(precision=3):
        changed = key(f, a)
    assert changed != before
    assert key(f, a) == before  # back to the defaults: the same key again
    with np.printoptions(precision=8):  # (numpy's default, set explicitly)
        assert key(f, a) == before


def test_a_call_that_reaches_no_library_is_not_keyed_on_its_settings(tmp_path: Path) -> None:
    f = load(tmp_path, "def f(xs):\n    return [x * 2 for x in xs]\n")
    before = key(f, [1, 2])
    with np.printoptions(precision=3), np.errstate(all="raise"):
        assert key(f, [1, 2]) == before


def test_a_decimal_argument_reaches_the_decimal_context(tmp_path: Path) -> None:
    f = load(tmp_path, "def f(a, b):\n    return a / b\n")
    args = (decimal.Decimal(2), decimal.Decimal(3))
    before = key(f, *args)
    with decimal.localcontext() as context:
        context.prec = 5
        assert key(f, *args) != before
        assert str(f(*args)) == "0.66667"
    assert key(f, *args) == before


@pytest.mark.parametrize("deep", [False, True], ids=["default", "deep"])
def test_code_that_names_numpy_is_keyed_on_its_error_handling(tmp_path: Path, deep: bool) -> None:
    f = load(tmp_path, "import numpy as np\n\n\ndef f(n):\n    return np.float64(n) / 0.0\n")
    before = key(f, 1, deep=deep)
    with np.errstate(divide="raise"):
        assert key(f, 1, deep=deep) != before
    assert key(f, 1, deep=deep) == before


def test_deep_mode_sees_a_setting_changed_between_two_calls_of_one_process(tmp_path: Path) -> None:
    """The second call replays the first walk's plan: the libraries that walk met are kept."""
    f = load(tmp_path, """
        import numpy as np

        def helper(v):
            return np.round(v, 2)

        def f(n):
            return str(helper(np.arange(n) / 3))
    """)
    identifier = AutoFuncCallIdentifier(deep=True)
    context = FuncCallContext(f, (3,), {})
    first = identifier.identify(context)
    assert identifier.identify(context) == first
    with np.printoptions(precision=1):
        assert identifier.identify(context) != first
    assert identifier.identify(context) == first


def test_the_explanation_names_the_setting_and_its_changed_items(tmp_path: Path) -> None:
    f = load(tmp_path, "def f(a):\n    return str(a)\n")
    identifier = AutoFuncCallIdentifier()
    with np.printoptions(precision=3):
        _, components = identifier.components(FuncCallContext(f, (np.arange(2),), {}))
    (setting,) = [c for c in components if c.kind == "setting"]
    assert setting.name == "numpy print options" and setting.value == "{'precision': 3}"


def test_the_manual_lists_every_setting_with_its_readers() -> None:
    manual = (Path(__file__).resolve().parents[2] / "docs" / "deep-mode.md").read_text()
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip() for line in manual.splitlines()
            if line.startswith("| ") and line.count("|") == 4}
    for setting in LIBRARY_SETTINGS:
        assert rows.get(setting.name) == ", ".join(setting.readers), setting.name
