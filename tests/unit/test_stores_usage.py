"""``checkpointing/stores/usage.py``: a store's entries summed per function, and found again by
the name the static analysis gives a function."""

from __future__ import annotations

from checkpointing.stores.base import EntryInfo
from checkpointing.stores.usage import StoredFunction, by_function, of_node


def _entry(function: str, seconds: float, inputs: list) -> EntryInfo:
    return EntryInfo(key=function + str(seconds), size=1, function=function, compute_time=seconds,
                     metadata={"inputs": inputs} if inputs else {})


def test_entries_are_summed_per_function_with_the_files_they_read() -> None:
    stored = by_function([
        _entry("pkg.steps.load", 1.0, [{"path": "data/a.csv", "kind": "file"}]),
        _entry("pkg.steps.load", 2.0, [{"path": "data/b.csv", "kind": "file"}, {"path": "data", "kind": "folder"}]),
        _entry("pkg.steps.fit", 0.5, ["not an input", {"kind": "file"}]),  # an entry of another version
        EntryInfo(key="k", size=1),  # no function recorded
    ])
    assert stored["pkg.steps.load"] == StoredFunction(2, 3.0, {"data/a.csv": "file", "data/b.csv": "file",
                                                             "data": "folder"})
    assert stored["pkg.steps.fit"] == StoredFunction(1, 0.5, {}) and len(stored) == 2


def test_a_function_is_found_by_its_module_or_as_a_script() -> None:
    stored = {"steps.load": StoredFunction(1, 1.0), "__main__.load": StoredFunction(2, 2.0),
              "pkg.steps.fit": StoredFunction(4, 4.0), "steps.fit": StoredFunction(8, 8.0)}
    assert of_node("steps:load", stored) == StoredFunction(3, 3.0)  # a top-level module, or run as a script
    assert of_node("pkg.steps:fit", stored) == StoredFunction(4, 4.0)  # its full name: nothing else is added
    assert of_node("pkg.steps:load", stored) == StoredFunction(3, 3.0)  # run from inside pkg/: by its last parts
    assert of_node("pkg.steps:other", stored) == StoredFunction()
