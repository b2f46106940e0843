"""The load and fault test (scripts/load_test.py), small: processes killed at random, Redis restarted."""

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "load_test.py"


def _load_test():
    spec = importlib.util.spec_from_file_location("load_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _require(kind):
    if kind == "redis" and shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed: .ci/run installs it with apt-get")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")


@pytest.mark.parametrize("kind", ["directory", "redis"])
def test_values_right_and_saved_entries_kept_under_kills(kind, tmp_path, monkeypatch):
    """16 processes killed at random (and Redis restarted): every value right, every saved entry
    served, and after gc no temporary file or chunk left by a killed writer."""
    _require(kind)
    monkeypatch.delenv("CHECKPOINTING_STRICT", raising=False)
    figures = _load_test().run(kind, processes=16, calls=8, root=tmp_path, keys=40, seed=7)
    assert figures["calls"] == 16 * 8
    assert figures["saved"] > 0
    assert figures["kills"] > 0


@pytest.mark.parametrize("kind", ["directory", "redis"])
def test_the_check_catches_a_store_that_loses_entries(kind, tmp_path, monkeypatch):
    _require(kind)
    monkeypatch.delenv("CHECKPOINTING_STRICT", raising=False)
    load_test = _load_test()
    with pytest.raises(load_test.LoadTestFailure, match="reported saved and is not served"):
        load_test.run(kind, processes=2, calls=10, root=tmp_path, keys=10, seed=3, lose_entries=True)
