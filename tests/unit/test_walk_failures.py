"""No call can fail because of the key: a failure anywhere in the walk, the hashing or the
analysis is a warning and an uncached run, with the function's own value returned."""

from __future__ import annotations

import importlib.util
import itertools
import textwrap
import warnings

import pytest

from checkpointing import CheckpointFailedWarning, checkpoint

_counter = itertools.count()

SOURCE = '''
import os
import CONFIG as config

class Model:
    RATE = 2

    def fit(self, v):
        return v * self.RATE

def helper(v, k=3):
    import json
    return Model().fit(v) + k + config.OFFSET + len(os.environ.get("HOME", ""))

def f(x):
    return helper(x) + Settings.LIMIT

class Settings:
    LIMIT = 10
'''

BREAKABLE = [
    ("checkpointing._key.members", "Members._function_record"),
    ("checkpointing._key.members", "Members.class_members"),
    ("checkpointing._key.reads", "Reads._chain"),
    ("checkpointing._key.reads", "Reads._environment"),
    ("checkpointing._key.reads", "resolve_import"),
    ("checkpointing._objects", "static_attribute"),
    ("checkpointing._fingerprint", "code_identity"),
    ("checkpointing._hashing", "ValueHasher.feed"),
    ("checkpointing._key.plan", "Recorder.note"),
]


def load(tmp_path):
    name = f"walk_failure_{next(_counter)}"
    (tmp_path / f"{name}_config.py").write_text("OFFSET = 1\n")
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(SOURCE).replace("CONFIG", f"{name}_config"))
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(tmp_path))
    return module


@pytest.mark.parametrize("deep", [True, False], ids=["deep", "shallow"])
@pytest.mark.parametrize("module_name, attribute", BREAKABLE, ids=[b[1] for b in BREAKABLE])
def test_a_failure_inside_the_key_is_an_uncached_run(tmp_path, monkeypatch, module_name, attribute, deep):
    module = load(tmp_path)
    expected = module.f(1)
    target = importlib.import_module(module_name)
    owner, _, name = attribute.rpartition(".")
    holder = getattr(target, owner) if owner else target

    def broken(*args, **kwargs):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(holder, name, broken)
    def counting(x):
        return module.f(x)

    cached = checkpoint(deep=deep, directory=tmp_path / "store")(counting)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert cached(1) == expected
        assert cached(1) == expected
    failures = [w for w in caught if issubclass(w.category, CheckpointFailedWarning)]
    if attribute == "Recorder.note" and not deep:
        assert not failures  # shallow mode makes no plan
    else:  # the failing part was reached: the call ran uncached, twice, and nothing was stored
        assert len(failures) == 2 and "injected failure" in str(failures[0].message)
        assert not [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    monkeypatch.undo()
    assert checkpoint(deep=deep, directory=tmp_path / "store2")(counting)(1) == expected
