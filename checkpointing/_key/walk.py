"""The walk: the key of one call, written component by component into one stream.

``KeyBuilder.key`` writes the fingerprint's prefix (the canonical code of the checkpointed
function), each bound argument in canonical parameter order, each decorator layer, then what
the code reads: in the default mode the free names and imports of the checkpointed function
itself, in deep mode the whole graph of code and values reachable from it (see ``policy``).
Functions, classes and modules identified by content are *items*: numbered as the walk meets
them (``numbering``), and their *records* (``members``) are added once everything reachable
has been met, which encodes any graph (recursion, cycles) without recursion in Python.

Three seams vary what the one walk does, and none of them calls back into a mode: the
**policy** (what the two modes answer differently), the **numbering** (how an item is named in
the bytes: by position for the key, by identity for a plan's probe, by name and code for
explanations and for ordering a set), and the **observer** (who listens: nobody on the hot
path, the components of an explanation, the reads of a deep-mode plan).
"""

from __future__ import annotations

from functools import partial
from types import FunctionType, MappingProxyType, ModuleType
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Set, Tuple, cast

from .. import _objects
from .._fingerprint import Fingerprint, Reading, code_identity
from .._hashing import ValueHasher, bounded_recursion, is_plain, new_hasher
from . import numbering as _numbering
from . import policy as _policy
from .assumptions import helper_reading, holds
from .keywords import orders_token
from .members import Members, signature_spec
from .observers import NOBODY, Components, Observer, Planning, Stream
from .reads import Reads, packages_of
from .registered import Registered
from .tokens import Tokens

if TYPE_CHECKING:
    from .._hashing import Sink
    from .plan import Plan

_EMPTY: Mapping[Any, Any] = MappingProxyType({})
_ITEM_KINDS = {FunctionType: "helper", type: "class", ModuleType: "module"}


class KeyBuilder(Reads, Members, Tokens, Registered):
    """Computes the key of one call (one instance per call).

    ``deep`` chooses the policy; ``record=True`` attaches the observer that collects the key's
    components (for explanations); ``numbering`` is for the builders other builders make (a
    plan's probe, a component's stable digest).
    """

    __slots__ = ("algorithm", "pickle_protocol", "policy", "numbering", "observer", "hasher", "attributes",
                 "dynamic", "dynamic_sites", "_index", "objects", "records", "_cursor", "classes", "functions",
                 "modules_whole", "member_tokens", "selection", "seen", "generators", "in_arguments",
                 "reads_global_state", "plan", "packages", "types", "entry_packages", "registries_met",
                 "registered", "direct", "meeting_bases", "uses_super")

    def __init__(self, pickle_protocol: int = 5, algorithm: str = "xxh3_128", deep: bool = False,
                 record: bool = False, numbering: Optional[_numbering.Numbering] = None) -> None:
        self.algorithm = algorithm
        self.pickle_protocol = pickle_protocol
        self.policy: _policy.Policy = _policy.DEEP if deep else _policy.SHALLOW
        self.numbering: _numbering.Numbering = numbering or _numbering.POSITIONS
        self.observer: Observer = Components(self.stable_digest, algorithm) if record else NOBODY
        #: library packages met (by their code, see tokens) and the types of the values hashed:
        #: the library settings a call depends on (see reads.library_settings)
        self.packages: Set[str] = set()
        self.types: Set[type] = set()
        #: deep mode: the packages met in the arguments; those whose state was searched for user
        #: code registered in it; what was found there (label, code, tokens), see registered
        self.entry_packages: FrozenSet[str] = frozenset()
        self.registries_met: Set[str] = cast("Set[str]", frozenset())
        self.registered: List[Tuple[str, Tuple[Any, ...], bytes]] = cast("List[Tuple[str, Tuple[Any, ...], bytes]]", ())
        self.hasher = ValueHasher(self.identify, pickle_protocol, algorithm, self.provisional, types=self.types)
        self.attributes: Set[str] = set()  # attribute names used by the code met so far
        self.dynamic = False  # code met looks attributes up by computed names, eval, ...
        self.dynamic_sites: List[Tuple[FunctionType, int, str]] = []
        # the items met: empty and read-only until the first one is (a call without any is the hot
        # path): _start_items puts writable containers in their place before anything is added, so
        # a write before it would raise, never be lost
        self._index: Dict[int, int] = cast("Dict[int, int]", _EMPTY)  # id(item) -> position
        self.objects: List[Any] = cast("List[Any]", ())  # position -> item (keeps the ids valid)
        self.records: List[bytes] = cast("List[bytes]", ())
        self._cursor = 0
        self.classes: List[int] = cast("List[int]", ())
        self.functions: List[int] = cast("List[int]", ())
        self.modules_whole: Set[int] = cast("Set[int]", frozenset())  # module items whose every attribute counts
        self.member_tokens: Dict[Tuple[int, str], bytes] = cast("Dict[Tuple[int, str], bytes]", _EMPTY)
        self.selection: Dict[int, List[str]] = cast("Dict[int, List[str]]", _EMPTY)
        #: the objects a probe identifies by identity (a plan keeps them alive)
        self.seen: List[Any] = cast("List[Any]", ())
        #: the random generators met, other than the global ones: (label, generator, kind), kind
        #: "argument" (keyed by its state) or "static" (reached through code: keyed by where it was
        #: met; its state counts when the computation draws from it, see _run_record)
        self.generators: List[Tuple[str, Any, str]] = cast("List[Tuple[str, Any, str]]", ())
        #: hashing the call's arguments (True) or a value on its own ("value"): generators by state
        self.in_arguments: object = False
        #: the global generators whose state reachable code reads without drawing (np.random.get_state)
        self.reads_global_state: Set[str] = cast("Set[str]", frozenset())
        #: deep mode: the plan of what this call's walk read (see plan), when one was kept
        self.plan: Optional["Plan"] = None
        #: the items met other than as the base of a class met (see Members._shadowed), whether
        #: the walk is meeting bases now, and whether code met calls super()
        self.direct: Set[int] = cast("Set[int]", frozenset())
        self.meeting_bases = False
        self.uses_super = False

    def _start_items(self) -> None:
        self._index, self.objects, self.records, self.classes, self.functions = {}, [], [], [], []
        self.direct = set()
        self.modules_whole, self.member_tokens, self.selection, self.seen = set(), {}, {}, []

    @property
    def components(self) -> Optional[List[Any]]:
        """With ``record=True``, the key's components (see _explain)."""
        return self.observer.found if isinstance(self.observer, Components) else None

    # -- the numbering's primitives ----------------------------------------------------------------

    def position(self, obj: Any) -> bytes:
        """An item's token in the key: its position, given when first met."""
        if self._index is _EMPTY:
            self._start_items()
        index = self._index.get(id(obj))
        if index is None:
            index = self._index[id(obj)] = len(self.objects)
            self.objects.append(obj)
            self.records.append(b"")
        if not self.meeting_bases:
            self.direct.add(index)
        return b"#%d" % index

    def keep(self, obj: Any) -> None:
        """Keep an object identified by its identity alive while the builder is."""
        if self._index is _EMPTY:
            self._start_items()
        self.seen.append(obj)

    def note_generator(self, generator: Any) -> Tuple[str, bool]:
        """The label of a random generator met (see _replay), and whether it is met for the first time."""
        for label, known, _ in self.generators:
            if known is generator:
                return label, False
        if not isinstance(self.generators, list):
            self.generators = []
        where = "argument" if self.in_arguments else "static"
        label = f"{where}#{sum(1 for _, _, k in self.generators if k == where)}"
        self.generators.append((label, generator, where))
        return label, True

    def read_whole(self, module: ModuleType) -> None:
        """Every attribute of the (user) module item ``module`` counts."""
        self.modules_whole.add(self._index[id(module)])

    def stable_digest(self, value: Any, argument: bool = False) -> bytes:
        """A value's digest for a component of an explanation, by names rather than positions (its
        own builder: the key is untouched); an argument's random generators count by their state."""
        try:  # (never a class by its name alone: what it is counts)
            builder = KeyBuilder(self.pickle_protocol, self.algorithm, True, numbering=_numbering.NAMES)
            builder.in_arguments = argument
            return builder.hasher.digest(value)
        except Exception:
            return b"?"

    # -- the key of a call ----------------------------------------------------------------------

    def key(self, fp: Fingerprint, bound: Optional[Mapping[str, Any]],
            raw_call: Optional[Tuple[Sequence[Any], Mapping[str, Any]]] = None) -> str:
        """The key of calling ``fp.func`` with ``bound`` arguments (or, if they could not be bound,
        ``raw_call``). The guarded reading is used exactly when all its assumptions hold."""
        try:
            with bounded_recursion():
                return self._key(fp, bound, raw_call)
        except RecursionError:  # a value nested deeper than the interpreter allows
            raise ValueHasher.too_deep(bound if bound is not None else raw_call) from None

    def _key(self, fp: Fingerprint, bound: Optional[Mapping[str, Any]],
             raw_call: Optional[Tuple[Sequence[Any], Mapping[str, Any]]] = None) -> str:
        reading = fp.strict
        if bound is not None and fp.guarded is not None and all(
                _holds(kind, name, fp, bound) for kind, name in fp.identity.assumptions):
            reading = fp.guarded
        observer = self.observer
        h = Stream(new_hasher(self.algorithm), observer)
        observer.begin("code", fp.qualname, fp.func, stable=reading.code_digest)
        h.update(fp.strict_prefix if reading is fp.strict else fp.guarded_prefix)
        if reading.keyword_orders:  # (the order of keywords a callee can see)
            h.update(b"keywords:" + orders_token(fp.func, reading.keyword_orders))
        observer.end()
        self.note_code(fp.func, fp.identity)
        self._arguments(h, reading, bound, raw_call)
        for layer in fp.layers:
            observer.begin("decorator", getattr(layer, "__qualname__", "?"), layer, layer)
            h.update(b"layer")
            self.hasher.feed(layer, h)
            observer.end()
        self.policy.read(self, fp, reading, h)
        self.library_settings(h)
        return h.hexdigest()

    def value_digest(self, value: Any) -> bytes:
        """The digest of a value on its own, with the content of the code it holds (no code
        reads it here: every member of a class counts; a random generator counts by its state)."""
        self.dynamic = True
        h = new_hasher(self.algorithm)
        try:
            with bounded_recursion():
                self.in_arguments = "value"
                self.hasher.feed(value, h)
                self.in_arguments = False
                self.finish(h)
        except RecursionError:
            raise ValueHasher.too_deep(value) from None
        return h.digest()

    def _arguments(self, h: "Sink", reading: Reading, bound: Optional[Mapping[str, Any]],
                   raw_call: Optional[Tuple[Sequence[Any], Mapping[str, Any]]]) -> None:
        self.in_arguments = True
        try:
            self._bound_arguments(h, reading, bound, raw_call)
        finally:
            self.in_arguments = False

    def _bound_arguments(self, h: "Sink", reading: Reading, bound: Optional[Mapping[str, Any]],
                         raw_call: Optional[Tuple[Sequence[Any], Mapping[str, Any]]]) -> None:
        feed = self.hasher.feed
        observer = self.observer
        if bound is None:
            assert raw_call is not None
            given = (tuple(raw_call[0]), dict(sorted(raw_call[1].items())))
            observer.begin("argument", "(arguments that do not bind)", "", given, argument=True)
            h.update(b"raw")
            feed(given, h)
            observer.end()
            return
        for name in reading.params:
            if name in bound:
                value = bound[name]
                observer.begin("argument", name, "", value, argument=True)
                feed(value, h)
            else:
                observer.begin("argument", name, stable=b"")
                h.update(b"unbound")
            observer.end()

    # -- what the code reads ----------------------------------------------------------------------

    def _fresh_hasher(self) -> None:
        """What the code reads gets a value hasher of its own: aliasing between an argument and a
        global is not encoded, so a deep-mode plan's digest does not depend on the arguments."""
        self.hasher = ValueHasher(self.identify, self.pickle_protocol, self.algorithm, self.provisional,
                                  types=self.types)

    def read_code(self, fp: Fingerprint, reading: Reading, h: "Sink") -> None:
        """The default mode: the checkpointed function's own reads, and the items met in them."""
        self._fresh_hasher()
        self.read_names(h, fp.func, reading, fp.identity)
        self.finish(h)

    def read_reachable(self, fp: Fingerprint, reading: Reading, h: "Sink") -> None:
        """Deep mode: all the code the function reaches and the values it reads. The first call
        walks the graph and keeps a plan of what it read; later calls replay the plan and walk
        again only when a read gives a different answer (see plan)."""
        self._fresh_hasher()
        entry = tuple(self.objects)  # items met in the arguments and layers
        given = tuple(id(g) for _, g, kind in self.generators if kind == "argument")
        # (the packages of the arguments' types: their registered user code is reached)
        self.entry_packages = frozenset(self.packages | packages_of(self.types) if self.types else self.packages)
        slot = (reading is fp.guarded, self.algorithm, self.pickle_protocol, tuple(map(id, entry)), given,
                self.entry_packages)
        explaining = self.observer.collects  # (an explanation walks: each component is told)
        if not explaining:
            plan = fp.plans.get(slot)
            if plan is not None and plan.holds(self._probe):
                self.plan = plan
                self.packages.update(plan.packages)
                self.dynamic_sites.extend(plan.dynamic_sites)
                if plan.generators:
                    self.generators = [*self.generators, *plan.generators]
                h.update(plan.digest)
                return
            self.observer = Planning()
        reads = Stream(new_hasher(self.algorithm), self.observer)
        outer_packages, outer_types = self.packages, self.types  # (a plan keeps what its reads met)
        self.packages, self.types = set(), set()
        self.hasher.types = self.types
        self.read_names(reads, fp.func, reading, fp.identity)
        self.finish(reads)
        digest = reads.digest()
        met = frozenset(self.packages | packages_of(self.types))
        self.packages, self.types = outer_packages | met, outer_types
        self.hasher.types = outer_types
        planning = self.observer
        self.observer = NOBODY if not explaining else planning
        if isinstance(planning, Planning) and not self.reads_generator_state():
            plans = fp.plans
            if len(plans) >= 16:  # arguments reaching ever new classes: keep the latest plans only
                plans.pop(next(iter(plans)))
            plan = plans[slot] = planning.recorder.plan(digest, entry, self, self._probe)
            plan.generators = tuple(g for g in self.generators if g[2] == "static")
            plan.packages = met
            plan.new_probe = partial(KeyBuilder, self.pickle_protocol, self.algorithm, True,
                                     numbering=_numbering.IDENTITIES)
            self.plan = plan
        self.observer.begin("reads", "what the code reaches (a digest of the components above)", stable=b"")
        h.update(digest)
        self.observer.end()

    def _probe(self) -> "KeyBuilder":
        """A builder that digests a plan's reads: items by identity, never by name (what they are
        is checked by the plan's own reads)."""
        return KeyBuilder(self.pickle_protocol, self.algorithm, True, numbering=_numbering.IDENTITIES)

    # -- expanding items ------------------------------------------------------------------------

    def finish(self, h: "Sink") -> None:
        """Expand every item met, until the attribute names reachable code uses are final; then
        add the implicit inputs, the generators' states read and the records in position order."""
        registers = self.policy.reaches_registered
        if registers:
            self.registered_code()
        if not self.objects:
            self.implicit_inputs(h)
            self.generator_states(h)
            self.registered_components(h)
            return
        while True:
            while self._cursor < len(self.objects):
                index = self._cursor
                self._cursor += 1
                self.expand(index)
            state = (len(self.objects), len(self.attributes), self.dynamic, len(self.modules_whole), len(self.direct),
                     self.uses_super)
            for index in list(self.classes):
                self.class_members(index)
            for index in sorted(self.modules_whole):
                self.module_members(index)
            if registers:
                self.registered_code()
            if self._cursor == len(self.objects) and state == (
                    len(self.objects), len(self.attributes), self.dynamic, len(self.modules_whole), len(self.direct),
                    self.uses_super):
                break
        self.implicit_inputs(h)
        self.generator_states(h)
        self.registered_components(h)
        for index in self.classes:
            self.records[index] = self.class_record(index)
        for index in self.functions:
            self.records[index] += self.function_attributes(index)
        for index in self.modules_whole:
            self.records[index] += self.module_record(index)
        observer = self.observer
        for index, record in enumerate(self.records):
            if observer.collects:
                self._begin_item(index)
            h.update(b"|#%d:" % index)
            h.update(record)
            observer.end()

    def _begin_item(self, index: int) -> None:
        """An item's component: its stable digest from its own content (not from positions, which
        shift when an unrelated helper is met earlier)."""
        obj = self.objects[index]
        kind = next((k for t, k in _ITEM_KINDS.items() if isinstance(obj, t)), "helper")
        if isinstance(obj, FunctionType) and not _objects.is_library_code(obj):
            identity = code_identity(obj.__code__, obj.__qualname__)
            reading = helper_reading(obj, identity)
            stable = reading.code_digest + orders_token(obj, reading.keyword_orders) + signature_spec(obj.__code__, reading) + \
                self.stable_digest((obj.__defaults__, obj.__kwdefaults__))
        elif kind == "module" and index not in self.modules_whole:
            stable = b"module"  # what is read from it is a component where it is read (config.THRESHOLD)
        else:
            stable = self.records[index]
        h = new_hasher(self.algorithm)
        h.update(stable)
        self.observer.begin(kind, getattr(obj, "__qualname__", getattr(obj, "__name__", "?")), obj,
                            stable=h.digest())


def _holds(kind: str, name: str, fp: Fingerprint, bound: Mapping[str, Any]) -> bool:
    """Does the assumption ``(kind, name)`` of a guarded reading hold for this call?"""
    if kind == "plain" and name in bound:
        return is_plain(bound[name])
    return holds(kind, name, fp.func)
