"""What one computation used and changed, recorded while it runs (a miss).

The key of a call covers the code and the values the code reads; it cannot cover state that
differs between two runs of the same program by itself, such as a global random generator
seeded by the operating system. Such state is a dependency of an entry only when the run used
it. While a checkpointed function computes, a :class:`RunRecord` watches:

- every **global generator** that exists (``analysis/generators.py``: ``random``, numpy's legacy
  ``RandomState``, torch's default generator, numba's), and every generator the key walk met
  (a module-level ``default_rng(0)``, one held by an object, one passed as an argument);
- the calls that set a global generator's state (``np.random.seed(0)``, ``random.seed``,
  ``torch.manual_seed``, ``set_state``), made through their module while the record is open.

When the run ends, each generator is either *unused* (same state, no reset), *reset first*
(its first use was a seed or a saved state: the result does not depend on the state it found),
or *drawn* (its state changed otherwise: the result depends on the state before the run). A
reset that seeds from the operating system (``np.random.seed()``) makes the run
nondeterministic. The entry then records the state before the run of each generator drawn
from (``_replay`` keys the result on it) and the state after of each one used (a hit leaves
the generator where the computation would have).

A reset is seen when the code calls it through its module (``np.random.seed``,
``random.seed``), also from library code (``transformers.set_seed``); one bound to another
name before the run (``from random import seed``), or made in compiled code (numba), is not,
and the generator counts as drawn: the key then depends on its state before the run (a miss in
an unseeded program, never a stale result).
"""

from __future__ import annotations

import pickle
import sys
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import xxhash

from . import _other_threads
from ._hashing import ValueHasher
from ._objects import Watched
from .analysis.generators import GLOBAL_GENERATORS

#: a generator under watch: (label, read its state, set its state, kind); kind is "global",
#: "static" (reached through code: its state is a dependency when drawn) or "argument" (its
#: state is already part of the key)
Watch = Tuple[str, Callable[[], Any], Callable[[Any], None], str]


def digest(state: Any) -> bytes:
    """The digest of a generator's state: integers, floats, strings, arrays, in tuples and dicts
    the generator builds in the same order every time, so their pickle is the same in every
    process (and 30 times faster to make than the value hasher's stream)."""
    try:
        return xxhash.xxh3_128_digest(pickle.dumps(state, protocol=5))
    except Exception:
        return ValueHasher().digest(state)


@dataclass
class Use:
    """How one computation used one generator."""

    label: str
    kind: str
    before: Any
    before_digest: bytes
    after: Any = None
    drawn: bool = False  # the result depends on the state before the run
    reset: bool = False  # its first use set its state (a seed, a saved state)
    from_os: bool = False  # a reset seeded it from the operating system


@dataclass
class Outcome:
    """What the record found: the generators the result depends on, and the states to restore."""

    uses: List[Use] = field(default_factory=list)

    @property
    def dependencies(self) -> List[Use]:
        """Generators whose state before the run the result depends on and the key does not cover."""
        return [u for u in self.uses if u.drawn and u.kind != "argument"]

    @property
    def nondeterministic(self) -> Optional[str]:
        """Why the result differs on every run (a generator seeded from the OS), or None."""
        for use in self.uses:
            if use.from_os:
                return f"it seeds the `{use.label}` generator from the operating system"
        return None

    @property
    def effects(self) -> List[Tuple[str, Any, bool]]:
        """(label, state after, whether that state is independent of the state before) of every
        generator the computation used: what a hit sets them to."""
        return [(u.label, u.after, not u.drawn) for u in self.uses if u.drawn or u.reset]


class RunRecord:
    """Watches the given generators while a computation runs (use as a context manager)."""

    def __init__(self, watches: Sequence[Watch]) -> None:
        self._watches = list(watches)
        self._uses: Dict[str, Use] = {}
        self._getters: Dict[str, Callable[[], Any]] = {}
        self._others = _other_threads.Mark(0, frozenset(), False)
        self.outcome = Outcome()

    def __enter__(self) -> "RunRecord":
        for label, get, _, kind in self._watches:
            if label in self._uses:
                continue
            state = get()
            self._uses[label] = Use(label, kind, state, digest(state))
            self._getters[label] = get
        _stack().append(self)
        _watch.acquire()
        self._others = _other_threads.begin()
        return self

    def __exit__(self, *exc: Any) -> None:
        _watch.release()
        try:
            if exc[0] is None:
                self._conclude()
        finally:
            _other_threads.end()
            stack = _stack()
            if self in stack:
                stack.remove(self)

    def _conclude(self) -> None:
        for label, use in self._uses.items():
            after = self._getters[label]()
            use.after = after
            if use.reset or use.drawn or digest(after) == use.before_digest:
                continue
            if label == "random" and _other_threads.explained(self._others, use.before, after):
                continue  # drawn by threads that were running before (see _other_threads): not ours
            use.drawn = True
        self.outcome = Outcome([u for u in self._uses.values() if u.drawn or u.reset])

    def before(self, label: str) -> Optional[bytes]:
        """The digest of the state ``label`` was in when the run began (None: not watched)."""
        use = self._uses.get(label)
        return use.before_digest if use is not None else None

    def resetting(self, label: str, deterministic: bool) -> None:
        """The generator ``label`` is about to be set to a state that does not depend on its
        current one: if nothing drew from it since the run began, the run does not depend on the
        state it found."""
        use = self._uses.get(label)
        if use is None or use.drawn or use.reset:
            if use is not None and not deterministic:
                use.from_os = True
            return
        if digest(self._getters[label]()) != use.before_digest:
            use.drawn = True  # drawn before the reset
        else:
            use.reset = True
        if not deterministic:
            use.from_os = True


def announce_reset(label: str) -> None:
    """A hit is about to set the global generator ``label`` to a state that does not depend on its
    current one: the computations running on this thread see it as a reset."""
    for record in list(_stack()):
        record.resetting(label, True)


# -- the thread's open records, and the watch on the reset functions ------------------------------

_local = threading.local()


def _stack() -> List[RunRecord]:
    stack: Optional[List[RunRecord]] = getattr(_local, "records", None)
    if stack is None:
        stack = _local.records = []
    return stack


class _ResetWatch:
    """Puts a :class:`~checkpointing._objects.Watched` in the place of each loaded reset function
    while at least one record is open (in any thread), and the originals back after."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._placed: List[Tuple[Any, str, Watched]] = []

    def acquire(self) -> None:
        with self._lock:
            self._users += 1
            if self._users == 1:
                self._place()

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                self._remove()

    def _place(self) -> None:
        #: reset function -> the generators it may set (numba's set either of its two states)
        targets: Dict[str, List[Any]] = {}
        for spec in GLOBAL_GENERATORS:
            if spec.module in _sys_modules():
                for qualified in spec.resets:
                    targets.setdefault(qualified, []).append(spec)
        for qualified, specs in targets.items():
            owner_name, _, attr = qualified.rpartition(".")
            owner = _sys_modules().get(owner_name)
            original = getattr(owner, attr, None) if owner is not None else None
            if original is None or type(original) is Watched:
                continue
            watched = Watched(original, _on_reset([s.name for s in specs], qualified in specs[0].seeds_from_os,
                                                  qualified in specs[0].always_from_os), (owner_name, attr))
            setattr(owner, attr, watched)
            self._placed.append((owner, attr, watched))

    def _remove(self) -> None:
        for owner, attr, watched in reversed(self._placed):
            if getattr(owner, attr, None) is watched:  # unless the program replaced it meanwhile
                setattr(owner, attr, watched.original)  # type: ignore[union-attr]
        self._placed.clear()


def _sys_modules() -> Dict[str, Any]:
    return sys.modules


def _on_reset(names: List[str], may_use_os: bool, always_os: bool) -> Callable[[Tuple[Any, ...], Dict[str, Any]], None]:
    """What a watched reset function does before it runs: tell this thread's records."""
    def on_call(args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> None:
        stack = getattr(_local, "records", None)
        if not stack:
            return  # another thread's call: its computations are not ours to judge
        if len(names) > 1:  # numba._helperlib: the first argument points at the state it sets
            name = _numba_state_named(args[0] if args else None)
            seed = args[1] if len(args) > 1 else None
        else:
            name = names[0]
            seed = args[0] if args else kwargs.get("seed", kwargs.get("a"))
        if name is None:
            return
        deterministic = not always_os and not (may_use_os and seed is None)
        for record in list(stack):
            record.resetting(name, deterministic)
    return on_call


def _numba_state_named(pointer: Any) -> Optional[str]:
    helperlib = sys.modules.get("numba._helperlib")
    if helperlib is None:
        return None
    if pointer == helperlib.rnd_get_np_state_ptr():
        return "numba (numpy)"
    if pointer == helperlib.rnd_get_py_state_ptr():
        return "numba (random)"
    return None


_watch = _ResetWatch()
