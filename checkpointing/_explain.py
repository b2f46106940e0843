"""Why did a call miss? The components of a key, and what changed since the last entry.

A key is written component by component (see ``_key``): the function's own code, each argument,
each decorator layer, each value its code reads, each reachable helper, class and module (deep
mode), the environment variables and command line read. Every byte of the key belongs to one of
them, and each carries two digests: ``exact``, of the very bytes it added to the key, and
``digest``, one that does not shift when an unrelated helper is met earlier (items named by
name and code instead of position). The directory store keeps the components of the last
entries of each function; on a miss the lists are compared: what differs by its stable digest
is said in words, and when nothing does (a difference only in positions), what differs by its
exact digest, so a different key is always explained by at least one component.
"""

from __future__ import annotations

import functools
import linecache
import logging
import os
import re
import reprlib
import sys
from dataclasses import dataclass, field, fields
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ._objects import MISSING

logger = logging.getLogger("checkpointing")

_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 6


def short_repr(value: Any) -> str:
    """A short text of a value, never an object's address alone: what differs is said from its
    content (a partial's function and bound values, an object's attributes)."""
    try:
        text = _repr.repr(value)
    except Exception:
        text = f"<{type(value).__qualname__}>"
    if " at 0x" not in text:
        return text
    return _described(value)


def _described(value: Any, depth: int = 0) -> str:
    """What an object whose repr is its address holds."""
    import functools

    if isinstance(value, functools.partial):
        bound = [short_repr(a) for a in value.args] + [f"{k}={short_repr(v)}" for k, v in value.keywords.items()]
        return f"partial({_named(value.func)}{''.join(', ' + b for b in bound)})"
    name = _named(value)
    if callable(value) and hasattr(value, "__qualname__"):
        return name
    state = getattr(value, "__dict__", None)
    if isinstance(state, dict) and state and depth == 0:
        shown = ", ".join(f"{k}={short_repr(v) if ' at 0x' not in _repr.repr(v) else _described(v, 1)}"
                          for k, v in list(state.items())[:4])
        more = ", ..." if len(state) > 4 else ""
        return f"{type(value).__qualname__}({shown}{more})"
    return f"<{type(value).__qualname__}>"


def _named(value: Any) -> str:
    return str(getattr(value, "__qualname__", None) or getattr(value, "__name__", None) or
               f"<{type(value).__qualname__}>")


#: component kinds whose value is shown (the others are code, named by where they are)
_SHOWN = frozenset({"global", "argument", "argv", "environment", "decorator", "import", "setting"})


def shown_value(kind: str, value: Any) -> str:
    """The value a component shows in a message: short, and never an address alone."""
    if value is MISSING or kind not in _SHOWN:
        return ""
    if kind == "environment":
        return "" if value is None else str(value)
    if isinstance(value, (int, float, str, bytes, tuple, list, dict, set)):
        return short_repr(value)
    qualname = getattr(value, "__qualname__", None)
    return qualname if isinstance(qualname, str) else short_repr(value)


@dataclass(frozen=True)
class Component:
    """One input of a key: ``kind`` is code, helper, class, module, global, environment, argv,
    generator or argument."""

    kind: str
    name: str
    digest: str  # stable: items by name and code (empty: only its exact digest says what it is)
    location: str = ""  # "file.py:12" for code, "file.py" for a global of a module
    value: str = ""  # a short repr, for globals and arguments
    exact: str = ""  # of the bytes it added to the key (empty: a part of another component)

    @property
    def ident(self) -> "tuple[str, str]":
        # a global is one per module (its location is a file name, with no line to shift)
        return (self.kind, f"{self.location}:{self.name}" if self.kind == "global" else self.name)


_COMPONENT_FIELDS = tuple(f.name for f in fields(Component))


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
    #: compared with an entry of the same arguments, written when every source file of the
    #: program was as it is now: a different key then comes from something that differs between
    #: runs by itself (see UnstableKeyWarning)
    unchanged_program: bool = False
    #: the files read (and folders listed, ending in ``/``) by the computation of the entry, as
    #: recorded with it: on a hit they were found unchanged
    inputs: List[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.cached:
            read = ""
            if self.inputs:
                more = f" and {len(self.inputs) - 3} more" if len(self.inputs) > 3 else ""
                read = f"; the files its computation read are unchanged: {', '.join(self.inputs[:3])}{more}"
            return f"{self.function}: served from the cache (key {self.key}){read}"
        if self.previous_key is None:
            return f"{self.function}: no earlier entry for this function: it will be computed"
        if not self.changes:
            return f"{self.function}: the earlier entry has the same inputs; it was removed or is unreadable"
        return f"{self.function}: recomputed because " + "; ".join(c.message for c in self.changes)


def location(path: str, line: Optional[int] = None) -> str:
    """Where a file (and a line of it) is, as the user sees it: a notebook cell by its execution
    number (``In [3], line 2``), else by its first line; a file under the current directory by its
    path relative to it, one under the home directory from ``~``, any other by its full path."""
    if not path:
        return "?"
    cell = notebook_cell(path)
    if cell is not None:
        return f"{cell}, line {line}" if line else cell
    shown = _relative(path)
    return f"{shown}:{line}" if line else shown


_IPYTHON_INPUT = re.compile(r"<ipython-input-(\d+)-[0-9a-f]+>")


def notebook_cell(path: str) -> Optional[str]:
    """The notebook or IPython cell whose code has the file name ``path``: ``In [n]`` when the
    running shell knows its execution number, else the cell's first line; None for a real file."""
    found = _IPYTHON_INPUT.fullmatch(path)
    if found:
        return f"In [{found.group(1)}]"
    ipython = sys.modules.get("IPython")
    shell = getattr(ipython, "get_ipython", lambda: None)() if ipython is not None else None
    numbers = getattr(getattr(shell, "compile", None), "_filename_map", None)
    if isinstance(numbers, dict) and isinstance(numbers.get(path), int):
        return f"In [{numbers[path]}]"
    if shell is None or os.path.exists(path):
        return None
    first = next((text.strip() for text in linecache.getlines(path) if text.strip()), "")
    return f"the cell `{short_repr(first)[1:-1]}`" if first else None


def _relative(path: str) -> str:
    return _relative_to(path, os.getcwd(), os.path.expanduser("~"))


@functools.lru_cache(maxsize=1024)
def _relative_to(path: str, here: str, home: str) -> str:
    absolute = os.path.join(here, path) if not os.path.isabs(path) else path
    absolute = os.path.normpath(absolute)
    if absolute == here or absolute.startswith(here.rstrip(os.sep) + os.sep):
        return os.path.relpath(absolute, here)
    if home not in ("", "~", os.sep) and absolute.startswith(home.rstrip(os.sep) + os.sep):
        return "~" + os.sep + os.path.relpath(absolute, home)
    return absolute


_NOUNS = {"code": "the code of", "helper": "helper", "class": "class", "module": "module", "function": "function",
          "decorator": "decorator", "import": "imported", "generator": "the state of generator",
          "argument": "argument", "global": "global", "environment": "environment variable",
          "argv": "the command-line arguments", "reads": "what the code reaches", "unnamed": "a part of the key",
          "setting": "library setting", "package": "the file", "registered": "user code stored at"}


def _describe(before: Optional[Component], after: Optional[Component]) -> str:
    c = after or before
    assert c is not None
    where = f" ({c.location})" if c.location else ""
    noun = _NOUNS.get(c.kind, c.kind)
    if c.kind == "setting":  # (a component only while it differs from the library's defaults)
        was = before.value if before is not None else "its defaults"
        now = after.value if after is not None else "its defaults"
        return f"{noun} `{c.name}` changed from {was} to {now}"
    if before is None:
        return f"it now reads {noun} `{c.name}`{where}"
    if after is None:
        return f"it no longer reads {noun} `{c.name}`{where}"
    if c.kind == "environment":
        return f"environment variable `{c.name}` changed from {before.value or '(unset)'} to {after.value or '(unset)'}"
    if c.kind == "argv":
        return f"the command-line arguments changed from {before.value} to {after.value}"
    if c.kind in ("global", "decorator", "import") and before.value != after.value:
        return f"{noun} `{c.name}`{where} changed from {before.value} to {after.value}"
    if c.kind == "code":
        return f"the code of `{c.name}`{where} changed"
    return f"{noun} `{c.name}`{where} changed"


def diff(before: Sequence[Component], after: Sequence[Component], arguments: Dict[str, Any]) -> List[Change]:
    """What differs between the components of an earlier entry and those of a call whose key
    differs: what differs by its stable digest, else (a difference of positions only) what
    differs by its exact digest. Never empty when both lists are complete and the keys differ."""
    changes = _changes(before, after) or _reordered(before, after)
    if not changes:
        changes = [c for c in _exact_changes(before, after) if c.kind != "reads"] or _exact_changes(before, after)
    code_changed = any(c.kind != "argument" for c in changes)
    if changes and not code_changed:
        changes = [Change(c.kind, c.name, f"argument `{c.name}` changed while the code did not"
                          + _nondeterminism_hint(arguments.get(c.name)), c.before, c.after) for c in changes]
    return changes


def _changes(before: Sequence[Component], after: Sequence[Component]) -> List[Change]:
    old = {c.ident: c for c in before}
    new = {c.ident: c for c in after}
    moved = _moved(old, new)
    changes = []
    for ident in list(dict.fromkeys([*new, *old])):
        if ident in moved:
            if ident not in new:
                continue  # (said with the component it became)
            was, now = old[moved[ident]], new[ident]
            if was.digest != now.digest:
                changes.append(Change(now.kind, now.name, _describe(was, now), was, now))
            continue
        b, a = old.get(ident), new.get(ident)
        if b is not None and a is not None and b.digest == a.digest:
            continue
        if (b is None or not b.digest) and (a is None or not a.digest):
            continue  # known by its exact digest only: compared there
        c = a or b
        assert c is not None
        changes.append(Change(c.kind, c.name, _describe(b, a), b, a))
    return changes


def _moved(old: Dict[Any, Component], new: Dict[Any, Component]) -> Dict[Any, Any]:
    """Globals of the same name found in one place only before and in one place only now (a cell
    run again under another number, a module moved): the same component, compared by value.
    Maps each of the two idents to the other."""
    def alone(components: Dict[Any, Component], others: Dict[Any, Component]) -> Dict[str, Any]:
        by_name: Dict[str, List[Any]] = {}
        for ident, c in components.items():
            if c.kind == "global" and ident not in others:
                by_name.setdefault(c.name, []).append(ident)
        return {name: idents[0] for name, idents in by_name.items() if len(idents) == 1}

    gone, came = alone(old, new), alone(new, old)
    pairs = {}
    for name in gone.keys() & came.keys():
        pairs[gone[name]], pairs[came[name]] = came[name], gone[name]
    return pairs


def _reordered(before: Sequence[Component], after: Sequence[Component]) -> List[Change]:
    """The same arguments passed in another order: the code now uses its parameters in another
    order (``f(b, a)`` where it was ``f(a, b)``: the canonical code is the same, the call is not)."""
    old = [c.name for c in before if c.kind == "argument" and c.exact]
    new = [c.name for c in after if c.kind == "argument" and c.exact]
    if old == new or sorted(old) != sorted(new):
        return []
    code = next((c for c in after if c.kind == "code"), None)
    name = code.name if code is not None else "the function"
    return [Change("code", name, f"the code of `{name}` now uses its arguments in another order ({', '.join(new)} "
                                 f"where it used {', '.join(old)})", code, code)]


def _exact_changes(before: Sequence[Component], after: Sequence[Component]) -> List[Change]:
    """The components of the key itself (those with an exact digest), paired in the order the
    walk wrote them, whose bytes differ."""
    def numbered(components: Sequence[Component]) -> Dict[Any, Component]:
        seen: Dict[Any, int] = {}
        found = {}
        for c in components:
            if c.exact:
                n = seen[c.ident] = seen.get(c.ident, -1) + 1
                found[(c.ident, n)] = c
        return found

    old, new = numbered(before), numbered(after)
    changes = []
    for ident in list(dict.fromkeys([*new, *old])):
        b, a = old.get(ident), new.get(ident)
        if b is not None and a is not None and b.exact == a.exact:
            continue
        c = a or b
        assert c is not None
        changes.append(Change(c.kind, c.name, _describe(b, a), b, a))
    if not changes and list(old) != list(new):  # the same parts, written in another order
        b, a = next((old[i], new[j]) for i, j in zip(old, new) if i != j)
        changes.append(Change(a.kind, a.name, f"{_NOUNS.get(a.kind, a.kind)} `{a.name}` is now read at another "
                                              f"point (the code reads its inputs in another order)", b, a))
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
    names = _COMPONENT_FIELDS
    return [{name: getattr(c, name) for name in names} for c in components]  # (asdict copies deeply: slow)


def from_json(data: Any) -> List[Component]:
    try:
        return [Component(**{k: str(v) for k, v in item.items()}) for item in data or ()]
    except (TypeError, AttributeError):  # a record of another shape: nothing to compare with
        return []


# -- the record of earlier entries ---------------------------------------------------------------
#
# The store keeps one document per function (``CacheBase.record_latest``): the key and components
# of its last entry, and the same for the last entries of up to RECENT different argument sets,
# each with the signature of the program's source files when it was written. A miss is compared
# with the entry of the same arguments where there is one (what changed is then the code or a
# value it reads, not "another call"), else with the last entry.

RECENT = 16


def arguments_digest(components: Sequence[Component]) -> str:
    """The digest of a call's arguments, from its components."""
    import xxhash

    h = xxhash.xxh3_64()
    for c in components:
        if c.kind == "argument":
            h.update(f"{c.name}={c.digest};".encode())
    return h.hexdigest()


def sources_signature() -> str:
    """Size and modification time of every source file of the program loaded now (its user
    modules), the cells run in a notebook, and the command line: the same signature means the
    same program was run the same way (no source file edited or replaced, no other arguments)."""
    import xxhash

    h = xxhash.xxh3_64()
    for path in _user_files(len(sys.modules)):
        try:
            st = os.stat(path)
        except OSError:
            continue
        h.update(f"{path}:{st.st_size}:{st.st_mtime_ns};".encode("utf-8", "surrogatepass"))
    main = sys.modules.get("__main__")
    if isinstance(getattr(main, "__file__", None), str):  # a script: values it derives from its arguments
        h.update(repr(sys.argv[1:]).encode("utf-8", "surrogatepass"))
    else:  # code typed in (a kernel's arguments name its connection file: not counted)
        cells = _cells()
        if cells is None:  # (python -c, a pipe): what it was is not known, so never "unchanged"
            h.update(run_id().encode())
        for text in cells or ():
            h.update(xxhash.xxh3_64_digest(text.encode("utf-8", "surrogatepass")))
    return h.hexdigest()


def _cells() -> Optional[List[str]]:
    """The code of the cells run so far in this IPython session or notebook kernel, in an order
    that does not depend on their numbers; None outside IPython."""
    ipython = sys.modules.get("IPython")
    shell = getattr(ipython, "get_ipython", lambda: None)() if ipython is not None else None
    numbers = getattr(getattr(shell, "compile", None), "_filename_map", None)
    if not isinstance(numbers, dict):
        return None
    return sorted("".join(linecache.getlines(name)) for name in list(numbers))


@functools.lru_cache(maxsize=4)
def _user_files(count: int) -> Tuple[str, ...]:
    """The files of the program's modules, while ``count`` modules are loaded (a program does not
    rebind a loaded module's name to another file: a new module makes a new count)."""
    import sys

    from ._usercode import is_user_module

    roots = _plain_library_folders()
    paths = set()
    for module in list(sys.modules.values()):  # (a file may be loaded twice: __main__ and __mp_main__)
        path = getattr(module, "__file__", None)
        # a file under a library folder as written is library code (most modules: no link to resolve)
        if isinstance(path, str) and not path.startswith(roots) and is_user_module(module):
            paths.add(os.path.abspath(path))
    return tuple(sorted(paths))


@functools.lru_cache(maxsize=1)
def _plain_library_folders() -> Tuple[str, ...]:
    """Folders that hold only library code, found without sysconfig (which takes milliseconds to
    load): the interpreter's prefixes, the standard library's folder and checkpointing's own.
    Files elsewhere are asked of ``is_user_module``."""
    import sys

    from . import analysis

    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, os.path.dirname(os.__file__),
               os.path.dirname(os.path.abspath(__file__)), *getattr(analysis, "__path__", ())}
    return tuple(sorted(os.path.join(folder, "") for folder in folders if folder))


def record_of(document: Any, components: Sequence[Component]) -> Optional[Dict[str, Any]]:
    """The earlier entry to compare a call with: the one of the same arguments, else the last one
    (``{"key", "components", "arguments", "sources"}``), from the function's document."""
    if not isinstance(document, dict):
        return None
    latest = {"key": document.get("key"), **(_details(document.get("components")))}
    wanted = arguments_digest(components)
    for record in latest.get("recent", ()) if isinstance(latest.get("recent"), list) else ():
        if isinstance(record, dict) and record.get("arguments") == wanted:
            return record
    return latest


def _details(stored: Any) -> Dict[str, Any]:
    """The stored components: a list (an older record), or a dict with the recent entries."""
    if isinstance(stored, dict):
        return dict(stored)
    return {"components": stored}


_run: Dict[int, str] = {}


def run_id() -> str:
    """This process, among the runs that wrote records (its id and a random token: forked children differ)."""
    pid = os.getpid()
    found = _run.get(pid)
    if found is None:
        found = _run[pid] = f"{pid}-{os.urandom(6).hex()}"
    return found


def document(key: str, components: Sequence[Component], previous: Any) -> Dict[str, Any]:
    """What ``record_latest`` stores as components after an entry for ``key`` was saved."""
    mine = {"key": key, "components": to_json(components), "arguments": arguments_digest(components),
            "sources": sources_signature(), "run": run_id()}
    earlier = _details(previous.get("components")) if isinstance(previous, dict) else {}
    recent = [r for r in earlier.get("recent", ()) if isinstance(r, dict) and r.get("arguments") != mine["arguments"]]
    return {**mine, "recent": [mine, *recent][:RECENT]}


def log_miss(explanation: Explanation) -> None:
    if explanation.previous_key is not None and explanation.changes:
        logger.info("%s", explanation)
