"""What an entry's environment records, and which differences make it a miss."""

import collections
import datetime
import pathlib
import pickle
import platform

import numpy as np
import pytest

from checkpointing import defaults
from checkpointing.stores import entry_format
from checkpointing.stores.entry_format import environment_of, mismatch, parse_environment

PYTHON = platform.python_version()


@pytest.mark.parametrize("value", [{"a": [1, 2.5, "x", b"y", {1, 2}, frozenset(), 1 + 2j, None]}, range(3),
                                   slice(1, 2), bytearray(b"x"), (True, ...)])
def test_plain_data_records_the_python_version_without_relying_on_it(value):
    assert parse_environment(environment_of(pickle.dumps(value, protocol=5))) == {"python~": PYTHON}


@pytest.mark.parametrize("value", [datetime.date(2020, 1, 1), pathlib.PurePosixPath("x"),
                                   collections.OrderedDict(a=1), collections.Counter("ab")])
def test_standard_library_objects_rely_on_the_python_version(value):
    assert parse_environment(environment_of(pickle.dumps(value, protocol=5)))["python"] == PYTHON


def test_pickled_bytecode_relies_on_the_python_version():
    cloudpickle = pytest.importorskip("cloudpickle")
    found = parse_environment(environment_of(cloudpickle.dumps(lambda x: x + 1, protocol=5)))
    assert found["python"] == PYTHON and "cloudpickle" in found


def test_library_values_record_their_distributions():
    found = parse_environment(environment_of(pickle.dumps(np.arange(3), protocol=5)))
    assert found == {"python~": PYTHON, "numpy": np.__version__}


def test_which_differences_are_a_miss(monkeypatch):
    other_python = "2.7.18"  # never the running one
    assert mismatch(f"python~={other_python}") is None  # recorded only
    assert "written with python 2.7.18" in str(mismatch(f"python={other_python}"))
    assert "written with numpy 0.1.0, running numpy " in str(mismatch(f"python~={PYTHON};numpy=0.1.0"))
    major, minor, patch = (np.__version__.split(".") + ["0"])[:3]
    other_patch = f"{major}.{minor}.{patch}9"
    assert mismatch(f"numpy={other_patch}") is None  # the same major.minor
    monkeypatch.setitem(defaults, "cache.environment", "exact")
    assert mismatch(f"numpy={other_patch}") is not None
    monkeypatch.setitem(defaults, "cache.environment", "ignore")
    assert mismatch(f"python={other_python};numpy=0.1.0") is None


def test_an_environment_mismatch_says_where_this_environments_entry_lives():
    exc = mismatch("numpy=0.1.0")
    assert exc is not None and entry_format.variant_key("k" * 32, exc.tag).startswith("k" * 32 + ".")
    assert mismatch("numpy=0.1.0").tag == exc.tag  # the same place every time
