"""Diffing key components into messages."""

from checkpointing._explain import Component, diff


def test_globals_of_the_same_name_in_two_modules_are_told_apart() -> None:
    before = [Component("global", "THRESHOLD", "aa", "config.py", "0.5"),
              Component("global", "THRESHOLD", "bb", "main.py", "1")]
    after = [Component("global", "THRESHOLD", "aa", "config.py", "0.5"),
             Component("global", "THRESHOLD", "cc", "main.py", "2")]
    (change,) = diff(before, after, {})
    assert change.message == "global `THRESHOLD` (main.py) changed from 1 to 2"


def test_only_arguments_changed_says_the_code_did_not() -> None:
    before = [Component("code", "f", "c1", "m.py:1"), Component("argument", "x", "a1", "", "1")]
    after = [Component("code", "f", "c1", "m.py:3"), Component("argument", "x", "a2", "", "2")]
    assert [c.message for c in diff(before, after, {"x": 2})] == ["argument `x` changed while the code did not"]
