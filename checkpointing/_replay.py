"""How a result whose computation used random generators is stored, found and replayed.

A result whose run used no generator is stored as it is, under the call's key. Otherwise
(see ``_run_record``):

- :class:`Recorded` wraps the result with the state each generator was left in (``effects``):
  a hit sets them so, and the program after the call draws exactly what it draws after the
  computation;
- when the result also depends on the state a generator was in *before* the run (it drew from
  it, without seeding it first), the call's key holds a :class:`Conditional` naming those
  generators, and the result lives under :func:`variant_key`, the key combined with their
  states. A seeded program finds it on every run; an unseeded one finds the generators in
  another state each time, and recomputes.

A generator is named by a *label*: the global generator's name (``numpy.random``), or where the
key walk met it (``static#0``: the first generator reached through code, ``argument#0``: the
first inside the arguments), which is the same in every run of the same program.
"""

from __future__ import annotations

import collections
from functools import partial
from typing import Any, Callable, Dict, Iterable, Optional, Sequence, Tuple

import xxhash

from . import _generators, _run_record
from ._fingerprint import resolve_free_name


class Recorded:
    """A stored result, with the state each generator its computation used was left in:
    ``effects`` are ``(label, state, independent)``, ``independent`` when that state does not
    depend on the one the generator was in before (the computation seeded it first); and the
    files it read (see ``_inputs``)."""

    __slots__ = ("value", "effects", "inputs")

    def __init__(self, value: Any, effects: Sequence[Tuple[str, Any, bool]], inputs: Sequence[Any] = ()) -> None:
        self.value = value
        self.effects = tuple(effects)
        #: the files and folders the computation read (``_inputs.Input``, or after unpickling the
        #: plain tuples of their fields: ``_inputs.changed`` reads either): a hit checks them first
        self.inputs = tuple(inputs)

    def __reduce__(self) -> Any:
        if not self.inputs:
            return Recorded, (self.value, self.effects)
        # plain tuples: unpickled by the C unpickler alone (a named tuple calls Python once per input)
        return Recorded, (self.value, self.effects, tuple(map(tuple, self.inputs)))


class Conditional:
    """Stored under a call's key when its results depend on the state of generators: their labels,
    and the signature of the program's source files when a result was last added (a miss in an
    unchanged program then means the generators are not seeded, see UnstableKeyWarning)."""

    __slots__ = ("labels", "sources")

    def __init__(self, labels: Iterable[str], sources: str = "") -> None:
        self.labels = tuple(sorted(set(labels)))
        self.sources = sources

    def __reduce__(self) -> Any:
        return Conditional, (self.labels, self.sources)

    def __repr__(self) -> str:
        return f"Conditional({', '.join(self.labels)})"


#: the types a store may hold besides plain results (one type check per hit)
STORED_FORMS = (Recorded, Conditional)


def variant_key(key: str, states: Sequence[Tuple[str, bytes]]) -> str:
    """The key of a result computed with the generators ``states`` ((label, state digest)) found."""
    h = xxhash.xxh3_128(b"checkpointing-generators/1|" + key.encode())
    for label, digest in sorted(states):
        h.update(label.encode() + b"=" + digest + b";")
    return h.hexdigest()


def in_another_state(labels: Sequence[str]) -> str:
    """"the global `numpy.random` generator is in another state", or "... are in other states"."""
    return describe(labels) + (" is in another state" if len(labels) == 1 else " are in other states")


def describe(labels: Sequence[str]) -> str:
    """The generators ``labels`` name, in words."""
    parts = []
    for label in labels:
        if label.startswith("static#"):
            parts.append("a random generator its code reaches (a module-level `default_rng(...)`, or one an object "
                         "holds)")
        elif label.startswith("argument#"):
            parts.append("a random generator in its arguments")
        else:
            parts.append(f"the global `{label}` generator")
    return " and ".join(dict.fromkeys(parts))


def changes(labels: Sequence[str], moved_on: bool = False) -> "list[Any]":
    """The explanation of a miss on a :class:`Conditional`: the generators are in other states,
    because the program drew from them since the last call (``moved_on``) or did not seed them."""
    from ._explain import Change

    why = ("the program drew from it since the last call with these arguments" if moved_on else
           "the program does not seed it before the call, or seeds it differently")
    return [Change("generator", label, f"{in_another_state([label])} than when its stored results were computed "
                                       f"({why})") for label in labels]


class CallState:
    """The state one call's computation can change, by label: the loaded global generators, the
    generators its key walk met, and the values its key read: in deep mode every value its walk
    read (``read#3``: the fourth read of the walk's plan, a module global or a class attribute),
    in the default mode the checkpointed function's own free names (``own#0``)."""

    def __init__(self, context: Any = None) -> None:
        self._walked: Sequence[Tuple[str, Any, str]] = getattr(context, "generators", ()) or ()
        self._plan: Any = getattr(context, "plan", None)
        self._globals: Optional[Dict[str, Any]] = None
        fp = context.fingerprint if context is not None and self._plan is None else None
        #: default mode: the checkpointed function and the free names it reads
        self._own: Optional[Tuple[Any, Tuple[str, ...]]] = (fp.func, fp.strict.free_names) if fp is not None else None
        self._own_before: Dict[int, bytes] = {}

    def before_run(self) -> None:
        """Note the digests of the containers the function's own free names hold (default mode: the
        deep plan already holds what the walk read)."""
        for index, value in self._own_containers():
            self._own_before[index] = _run_record.digest(value)

    def _own_containers(self) -> "list[Tuple[int, Any]]":
        if self._own is None:
            return []
        func, names = self._own
        found = []
        for index, name in enumerate(names):
            value = resolve_free_name(func, name)
            if _content(value) is not None:
                found.append((index, value))
        return found

    def _global(self) -> Dict[str, Any]:
        if self._globals is None:
            self._globals = {g.name: g for g in _generators.loaded_globals()}
        return self._globals

    def watches(self) -> "list[_run_record.Watch]":
        """What a :class:`~checkpointing._run_record.RunRecord` watches for this call."""
        found: "list[_run_record.Watch]" = [(g.name, g.state, g.set_state, "global") for g in self._global().values()]
        for label, obj, kind in self._walked:
            found.append((label, partial(_generators.state_of, obj), partial(_generators.set_state, obj), kind))
        return found

    def _accessor(self, label: str) -> Optional[Tuple[Callable[[], Any], Callable[[Any], None]]]:
        g = self._global().get(label)
        if g is not None:
            return g.state, g.set_state
        for walked_label, obj, _ in self._walked:
            if walked_label == label:
                return partial(_generators.state_of, obj), partial(_generators.set_state, obj)
        if label.startswith("read#") and self._plan is not None:
            index = int(label[5:])
            if index < len(self._plan.reads):
                read = self._plan.reads[index]
                return read.reader, partial(_restore, read.reader, read.writer)
        if label.startswith("own#") and self._own is not None:
            func, names = self._own
            index = int(label[4:])
            if index < len(names):
                reader = partial(resolve_free_name, func, names[index])
                return reader, partial(_restore, reader, None)
        return None

    def states(self, labels: Sequence[str]) -> Optional["list[Tuple[str, bytes]]"]:
        """(label, digest of its current state) for each generator label; None if one cannot be found."""
        found = []
        for label in labels:
            accessor = self._accessor(label)
            if accessor is None:
                return None
            found.append((label, _run_record.digest(accessor[0]())))
        return found

    def read_effects(self) -> "list[Tuple[str, Any, bool]]":
        """After a computation (deep mode): what it changed of the values its key walk read (a
        memo dictionary a helper fills, a counter a helper's ``global`` statement rebinds), as
        effects a hit replays. The key covered their values before it, so the state after is the
        same on every run with this key."""
        plan = self._plan
        if plan is None:
            return [(f"own#{index}", ("content", _content(value)), True) for index, value in self._own_containers()
                    if index in self._own_before and _run_record.digest(value) != self._own_before[index]]
        if plan.new_probe is None:
            return []
        effects = []
        for index in plan.changed(plan.new_probe):
            read = plan.reads[index]
            try:
                value = read.reader()
            except Exception:
                continue
            snapshot = _content(value)
            if snapshot is not None:
                effects.append((f"read#{index}", ("content", snapshot), True))
            elif read.writer is not None:
                effects.append((f"read#{index}", ("bind", value), True))
        return effects

    def apply(self, effects: Sequence[Tuple[str, Any, bool]]) -> bool:
        """Leave each generator and value in the state the stored computation left it in (False,
        and nothing changed, if one is not in this process)."""
        accessors = [self._accessor(label) for label, _, _ in effects]
        if any(a is None for a in accessors):
            return False
        for (label, state, independent), accessor in zip(effects, accessors):
            if independent and not label.startswith(("read#", "own#")):  # a generator set anew
                _run_record.announce_reset(label)
            accessor[1](state)  # type: ignore[index]
        return True

    def snapshot(self) -> Callable[[], None]:
        """A function that puts every generator back in its current state (for recomputing)."""
        saved = [(set_, get()) for _, get, set_, _ in self.watches()]

        def rewind() -> None:
            for put, state in saved:
                put(state)
        return rewind


def _rebuild(kind: str, items: Any) -> Any:
    if kind == "ndarray":
        return items
    return {"dict": dict, "list": list, "set": set, "bytearray": bytearray, "deque": collections.deque}[kind](items)


def _content(value: Any) -> Any:
    """A copy of a mutable container's content, to put back in place (None: not a container)."""
    if isinstance(value, dict):
        return ("dict", list(value.items()))
    if isinstance(value, list):
        return ("list", list(value))
    if isinstance(value, set):
        return ("set", list(value))
    if isinstance(value, bytearray):
        return ("bytearray", bytes(value))
    if isinstance(value, collections.deque):
        return ("deque", list(value))
    if type(value).__module__ == "numpy" and type(value).__name__ == "ndarray" and value.flags.writeable:
        return ("ndarray", value.copy())
    return None


def _restore(reader: Callable[[], Any], writer: Optional[Callable[[Any], None]], state: Tuple[str, Any]) -> None:
    """Put a read value in the state a computation left it in: its content, or a new binding."""
    how, payload = state
    if how == "bind":
        if writer is not None:
            writer(payload)
        return
    kind, items = payload
    target = reader()
    if kind == "dict" and isinstance(target, dict):
        target.clear()
        target.update(items)
    elif kind in ("list", "bytearray") and isinstance(target, (list, bytearray)):
        target[:] = items
    elif kind == "set" and isinstance(target, set):
        target.clear()
        target.update(items)
    elif kind == "deque" and isinstance(target, collections.deque):
        target.clear()
        target.extend(items)
    elif kind == "ndarray" and getattr(target, "shape", None) == items.shape and \
            getattr(target, "dtype", None) == items.dtype:
        target[...] = items
    elif writer is not None:
        writer(_rebuild(kind, items))
