"""Why did a call miss? The components of a key, and what changed since the last entry.

A key is built from components: the function's own code, each reachable helper and class
(deep mode), each free name's value, each argument. With ``record=True`` the key builder
collects them; the directory store keeps the components of the last entry of each function.
On a miss the two lists are compared and the differences are said in words.
"""

from __future__ import annotations

import logging
import os
import reprlib
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Sequence

logger = logging.getLogger("checkpointing")

_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 6


def short_repr(value: Any) -> str:
    try:
        return _repr.repr(value)
    except Exception:
        return f"<{type(value).__qualname__}>"


@dataclass(frozen=True)
class Component:
    """One input of a key: ``kind`` is code, helper, class, module, global, environment or argument."""

    kind: str
    name: str
    digest: str
    location: str = ""  # "file.py:12" for code, "file.py" for a global of a module
    value: str = ""  # a short repr, for globals and arguments

    @property
    def ident(self) -> "tuple[str, str]":
        # a global is one per module (its location is a file name, with no line to shift)
        return (self.kind, f"{self.location}:{self.name}" if self.kind == "global" else self.name)


@dataclass(frozen=True)
class Change:
    kind: str
    name: str
    message: str
    before: Optional[Component] = None
    after: Optional[Component] = None


@dataclass
class Explanation:
    """What ``foo.explain(*args)`` returns: the key of the call, whether an entry exists for it,
    its components, and how they differ from the last entry stored for the function."""

    function: str
    key: str
    cached: Optional[bool]
    components: List[Component]
    previous_key: Optional[str] = None
    changes: List[Change] = field(default_factory=list)

    def __str__(self) -> str:
        if self.cached:
            return f"{self.function}: served from the cache (key {self.key})"
        if self.previous_key is None:
            return f"{self.function}: no earlier entry for this function: it will be computed"
        if not self.changes:
            return f"{self.function}: the earlier entry has the same inputs; it was removed or is unreadable"
        return f"{self.function}: recomputed because " + "; ".join(c.message for c in self.changes)


def location(path: str, line: Optional[int] = None) -> str:
    name = os.path.basename(path) if path else "?"
    return f"{name}:{line}" if line else name


def _describe(before: Optional[Component], after: Optional[Component]) -> str:
    c = after or before
    assert c is not None
    where = f" ({c.location})" if c.location else ""
    if before is None:
        return f"it now reads {c.kind} `{c.name}`{where}"
    if after is None:
        return f"it no longer reads {c.kind} `{c.name}`{where}"
    if c.kind == "code":
        return f"the code of `{c.name}`{where} changed"
    if c.kind in ("helper", "class"):
        return f"{c.kind} `{c.name}`{where} changed"
    if c.kind == "global":
        return f"global `{c.name}`{where} changed from {before.value} to {after.value}"
    if c.kind == "environment":
        return f"environment variable `{c.name}` changed from {before.value or '(unset)'} to {after.value or '(unset)'}"
    return f"argument `{c.name}` changed"


def diff(before: Sequence[Component], after: Sequence[Component], arguments: Dict[str, Any]) -> List[Change]:
    old = {c.ident: c for c in before}
    new = {c.ident: c for c in after}
    changes = []
    for ident in list(dict.fromkeys([*new, *old])):
        b, a = old.get(ident), new.get(ident)
        if b is not None and a is not None and b.digest == a.digest:
            continue
        c = a or b
        assert c is not None
        changes.append(Change(c.kind, c.name, _describe(b, a), b, a))
    code_changed = any(c.kind != "argument" for c in changes)
    if changes and not code_changed:
        changes = [Change(c.kind, c.name, f"argument `{c.name}` changed while the code did not"
                          + _nondeterminism_hint(arguments.get(c.name)), c.before, c.after) for c in changes]
    return changes


def _nondeterminism_hint(value: Any) -> str:
    get_params = getattr(value, "get_params", None)
    if callable(get_params):
        try:
            params = get_params()
        except Exception:
            params = {}
        if "random_state" in params and params["random_state"] is None:
            return (f"; it is a {type(value).__name__} whose random_state is None, so fitting it gives a different "
                    f"model on every run: pass random_state=<an int> where it is built")
    # No guess otherwise: an argument usually changes because the caller passed something else.
    return ""


def to_json(components: Sequence[Component]) -> List[Dict[str, str]]:
    return [asdict(c) for c in components]


def from_json(data: Any) -> List[Component]:
    return [Component(**{k: str(v) for k, v in item.items()}) for item in data or ()]


def log_miss(explanation: Explanation) -> None:
    if explanation.previous_key is not None and explanation.changes:
        logger.info("%s", explanation)
