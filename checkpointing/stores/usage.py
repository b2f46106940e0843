"""What a store holds for each function: its entries, their compute time, and the files their
computations read (``checkpointing impact --store`` and ``checkpointing graph --store``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable

from .base import EntryInfo


@dataclass
class StoredFunction:
    entries: int = 0
    compute_seconds: float = 0.0
    #: the files read and folders listed by the computations of its entries: path -> "file" or "folder"
    inputs: Dict[str, str] = field(default_factory=dict)

    def add(self, other: "StoredFunction") -> "StoredFunction":
        return StoredFunction(self.entries + other.entries, self.compute_seconds + other.compute_seconds,
                              {**self.inputs, **other.inputs})


def by_function(entries: Iterable[EntryInfo]) -> Dict[str, StoredFunction]:
    """The entries of a store, summed per function id (entries with no function are left out)."""
    found: Dict[str, StoredFunction] = {}
    for entry in entries:
        if not entry.function:
            continue
        one = found.setdefault(entry.function, StoredFunction())
        one.entries += 1
        one.compute_seconds += entry.compute_time or 0.0
        for recorded in _inputs(entry.metadata.get("inputs")):
            one.inputs[recorded[0]] = recorded[1]
    return found


def _inputs(recorded: Any) -> Iterable["tuple[str, str]"]:
    """(path, kind) of each input in an entry's metadata (what is not one is passed over: the
    metadata of an entry written by another version)."""
    if not isinstance(recorded, list):
        return
    for one in recorded:
        path = one.get("path") if isinstance(one, dict) else None
        if isinstance(path, str) and path:
            yield path, "folder" if one.get("kind") == "folder" else "file"


def of_node(node: str, stored: Dict[str, StoredFunction]) -> StoredFunction:
    """The stored entries of a function known to the static analysis as ``module:qualname``: by
    ``module.qualname``, plus ``__main__.qualname`` for a top-level module a script may run as.
    When neither is stored, by the module's last parts: ``pkg.analysis:load`` run as a script from
    inside ``pkg/`` is stored as ``analysis.load`` (or ``__main__.load``)."""
    module, qualname = node.split(":", 1)
    total = stored.get(f"{module}.{qualname}") or StoredFunction()
    if "." not in module:
        main = stored.get(f"__main__.{qualname}")
        if main is not None:
            total = total.add(main)
    if total.entries or "." not in module:
        return total
    parts = module.split(".")
    for start in range(1, len(parts)):
        found = stored.get(".".join((*parts[start:], qualname)))
        if found is not None:
            total = total.add(found)
    main = stored.get(f"__main__.{qualname}")
    return total.add(main) if main is not None else total
