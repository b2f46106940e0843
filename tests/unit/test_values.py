"""Argument values (issue 10): no two values a function can tell apart share a hash, and equal
values always do, however they were built, copied, pickled, or rebuilt in another process with
another ``PYTHONHASHSEED``. The values themselves are in ``tests/values.py``."""

from __future__ import annotations

import copy
import json
import os
import pickle
import subprocess
import sys
import warnings

import pytest

from checkpointing import hash_anything
from checkpointing._key import KeyBuilder
from tests.values import DIFFERENT, EQUAL


def deep_hash(value):
    return KeyBuilder(deep=True).value_digest(value).hex()


def test_the_tables_are_large_enough():
    assert len(DIFFERENT) >= 120 and len(EQUAL) >= 40


@pytest.mark.parametrize("name", sorted(DIFFERENT))
def test_values_a_function_can_tell_apart_hash_differently(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_a, build_b = DIFFERENT[name]
        a, b = build_a(), build_b()
    assert hash_anything(a) != hash_anything(b)
    assert deep_hash(a) != deep_hash(b)


@pytest.mark.parametrize("name", sorted(EQUAL))
def test_equal_values_hash_equal_however_rebuilt(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = EQUAL[name]()
        again = EQUAL[name]()
    digest = hash_anything(value)
    assert hash_anything(again) == digest
    assert hash_anything(copy.deepcopy(value)) == digest
    try:
        round_trip = pickle.loads(pickle.dumps(value))
    except (pickle.PicklingError, AttributeError, TypeError):
        return  # a lambda or a local class: nothing to compare
    assert hash_anything(round_trip) == digest


SCRIPT = """
import json, sys, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, {root!r})
from checkpointing import hash_anything
from tests.values import EQUAL
print(json.dumps({{name: hash_anything(build()) for name, build in sorted(EQUAL.items())}}))
"""


def test_equal_values_hash_equal_in_processes_with_other_hash_seeds():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    digests = []
    for seed in ("1", "2", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run([sys.executable, "-c", SCRIPT.format(root=root)], capture_output=True, text=True,
                             env=env, check=True).stdout
        digests.append(json.loads(out))
    assert digests[0] == digests[1] == digests[2]


def test_sharing_equal_immutable_parts_does_not_change_the_hash():
    """Pickle's memo works by identity; equal strings and tuples must not depend on it."""
    from tests.values import _Pair

    s, t = "".join(["ab", "cd"]), "".join(["a", "bcd"])
    assert s is not t
    assert hash_anything(_Pair(s, s)) == hash_anything(_Pair(s, t))
    u, v = ("x", [1][0]), ("x", [1][0])
    assert hash_anything(_Pair(u, u)) == hash_anything(_Pair(u, v))


class _Handle:
    """Pickles to its name only: the weights it holds would not reach the hash by pickling."""

    def __init__(self, name, weights):
        self.name = name
        self.weights = weights

    def __reduce__(self):
        return (_Handle, (self.name, None))


def test_a_registered_hasher_keys_a_class_its_own_way():
    from checkpointing import register_hasher

    a, b = _Handle("m", [1, 2]), _Handle("m", [1, 3])
    assert hash_anything(a) != hash_anything(b)  # its whole state, not what its __reduce__ keeps
    register_hasher(_Handle, lambda handle: handle.name)
    try:
        assert hash_anything(a) == hash_anything(b)  # the class's own way
        assert hash_anything([a]) == hash_anything([b])  # inside containers too
        assert hash_anything(a) != hash_anything(_Handle("n", [1, 2]))
    finally:
        from checkpointing import _hashing

        _hashing._REGISTERED.pop(_Handle)
        _hashing._DISPATCH.clear()


def test_register_hasher_says_what_it_needs():
    from checkpointing import register_hasher

    with pytest.raises(TypeError, match="needs a class"):
        register_hasher("not a class", len)
    with pytest.raises(TypeError, match="needs a function"):
        register_hasher(_Handle, 3)
