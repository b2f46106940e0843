"""Diffing key components into messages."""

import os
from pathlib import Path

import pytest

from checkpointing._explain import Component, diff, location


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


def test_a_global_found_in_another_place_is_compared_by_value() -> None:
    """A notebook cell run again under another number, a module moved: one change, not two."""
    before = [Component("global", "SCALE", "aa", "read in In [2]", "2")]
    moved = [Component("global", "SCALE", "aa", "read in In [5]", "2")]
    assert diff(before, moved, {}) == []
    changed = [Component("global", "SCALE", "bb", "read in In [5]", "3")]
    assert [c.message for c in diff(before, changed, {})] == ["global `SCALE` (read in In [5]) changed from 2 to 3"]


def test_a_global_of_a_name_found_in_two_places_is_not_paired() -> None:
    before = [Component("global", "N", "aa", "a.py", "1"), Component("global", "N", "bb", "b.py", "2")]
    after = [Component("global", "N", "aa", "c.py", "1"), Component("global", "N", "bb", "d.py", "2")]
    assert sorted(c.message for c in diff(before, after, {}))[0].startswith("it n")  # "now reads", "no longer"


def test_locations_are_relative_to_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "home" / "lib").mkdir(parents=True)
    (tmp_path / "home" / "project" / "src").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path / "home" / "project")
    assert location(str(tmp_path / "home" / "project" / "src" / "steps.py"), 3) == os.path.join("src", "steps.py:3")
    assert location(str(tmp_path / "home" / "lib" / "util.py")) == os.path.join("~", "lib", "util.py")
    assert location("/elsewhere/x.py") == "/elsewhere/x.py"
    assert location("<ipython-input-7-0123456789ab>", 2) == "In [7], line 2"
    assert location("") == "?"
