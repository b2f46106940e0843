"""Same code? The identity of a code object, and the fingerprint of a checkpointed function.

A code object's *identity* is computed once per process: the digest of its canonical form
(``checkpointing.analysis``), which parameters and free names it reads, the attribute chains
read from them, the imports made inside it and the attribute names it uses. The source is
used only if it provably is the source of the running code: it must compile to the same
bytecode (a file edited after it was imported, or code made by ``exec`` under a borrowed file
name, would otherwise lend the running code an identity it does not have). Code without a
readable, matching source is identified by its bytecode, constants and names instead, with
every name it uses treated as a possible input (a sound superset).

A checkpointed function's *fingerprint* adds what its calls need: how to bind arguments and
the first bytes of every key.
"""

from __future__ import annotations

import dis
import functools
import inspect
import linecache
import logging
import os
import symtable
import threading
import weakref
from dataclasses import dataclass, field
from types import CodeType, FunctionType, MethodType, ModuleType
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Sequence, Set, Tuple

import xxhash

from . import _analysis_cache
from ._objects import MISSING

if TYPE_CHECKING:
    from ._hashing import Sink
    from ._key.plan import Plan

logger = logging.getLogger("checkpointing")

#: part of every key: change it (deliberately, with tests/golden_digests.json) whenever the key of
#: some call changes (3: canonical text rendered from libcst, the same on every Python)
KEY_FORMAT = b"checkpointing-key/4"

#: (label, kind, module, attribute, level): an import made inside a function (see analysis.normalize.result)
Import = Tuple[str, str, str, str, int]
KeyedRead = Tuple[str, Tuple[str, ...], str, str]
#: attribute chains per free name or import label; None: unknown (bytecode identity), every attribute counts
Chains = Optional[Mapping[str, Tuple[Tuple[str, ...], ...]]]

_FUTURE_FLAGS = 0
for _feature in ("annotations", "generator_stop", "division", "absolute_import", "with_statement",
                 "print_function", "unicode_literals", "barry_as_FLUFL", "nested_scopes", "generators"):
    _FUTURE_FLAGS |= getattr(__import__("__future__"), _feature).compiler_flag
_CO_NESTED = 0x10


@dataclass(frozen=True)
class Reading:
    """One canonical form of a code object and how to read its inputs."""

    code_digest: bytes
    params: Tuple[str, ...]
    free_names: Tuple[str, ...]
    attribute_chains: Chains
    imports: Tuple[Import, ...] = ()
    keyed_reads: Tuple[KeyedRead, ...] = ()
    #: (callee, keywords as written) of each call whose keywords the code lists sorted
    keyword_orders: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    #: keyed_reads by root name: (chain, how, key)
    keyed_by_root: Mapping[str, Tuple[Tuple[Tuple[str, ...], str, str], ...]] = field(
        default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        by_root: Dict[str, List[Tuple[Tuple[str, ...], str, str]]] = {}
        for root, chain, how, key in self.keyed_reads:
            by_root.setdefault(root, []).append((tuple(chain), how, key))
        object.__setattr__(self, "keyed_by_root", {k: tuple(v) for k, v in by_root.items()})


@dataclass(frozen=True)
class CodeIdentity:
    """Everything about a code object that does not change between calls."""

    name: str
    strict: Reading
    guarded: Optional[Reading] = None
    assumptions: Tuple[Tuple[str, str], ...] = ()
    #: attribute names the code uses (and identifiers in its strings): which class members it can reach
    attributes: FrozenSet[str] = frozenset()
    #: (absolute line, what) of dynamic accesses the analysis cannot follow
    dynamic: Tuple[Tuple[int, str], ...] = ()
    global_lines: Tuple[int, ...] = ()
    nonlocal_lines: Tuple[int, ...] = ()
    source_kind: str = "source"  # or "bytecode"


# -- the identity of a code object ---------------------------------------------------------------

_identities: "weakref.WeakKeyDictionary[CodeType, CodeIdentity]" = weakref.WeakKeyDictionary()
_lock = threading.RLock()


def code_identity(code: CodeType, qualname: Optional[str] = None) -> CodeIdentity:
    """The identity of ``code`` (computed once per process); ``qualname``, the qualified name of a
    function with this code (for Python < 3.11, whose code objects lack ``co_qualname``)."""
    found = _identities.get(code)
    if found is None:
        with _lock:
            found = _identities.get(code)
            if found is None:
                found = _compute_identity(code, getattr(code, "co_qualname", qualname) or code.co_name)
                _identities[code] = found
    return found


def _strict_mode() -> bool:
    """Tests set CHECKPOINTING_STRICT=1: a normalizer failure is then an error, not a fallback."""
    return os.environ.get("CHECKPOINTING_STRICT") == "1"


def _reading(variant: Mapping[str, Any]) -> Reading:
    """A Reading from a normalized variant, as JSON (``analysis.normalize.result.Variant.to_json``)."""
    return Reading(xxhash.xxh3_128_digest(variant["code"].encode("utf-8", "surrogatepass")),
                   tuple(variant["params"]), tuple(variant["free_names"]),
                   {k: tuple(tuple(c) for c in v) for k, v in variant["attribute_chains"].items()},
                   tuple((a, b, c, d, int(e)) for a, b, c, d, e in variant.get("imports", ())),
                   tuple((a, tuple(b), c, d) for a, b, c, d in variant.get("keyed_reads", ())),
                   tuple((a, tuple(b)) for a, b in variant.get("keyword_orders", ())))


#: key computations running (``_identifier``): analysis workers started inside one are kept
#: until it ends, for the next file its walk enters; started outside one, they stop at once
computations = 0


def _compute_identity(code: CodeType, qualname: str) -> CodeIdentity:
    # the normalized form travels as JSON: building the identity from it needs no libcst and
    # none of the analysis package's modules (a warm rerun imports neither)
    norm = _analysis_cache.cached(code)
    if norm is None:
        from ._prefetch import prefetch

        prefetch(code, keep=computations > 0)  # this file's other functions too, in parallel, when worth it
        norm = _analysis_cache.cached(code)
    if norm is None:
        made = _normalize(code, qualname)
        if made is not None:
            norm = made.to_json()
            _analysis_cache.remember(code, norm)
    try:
        if norm is None or norm["name"] != code.co_name:
            return _bytecode_identity(code)
        first = code.co_firstlineno - 1
        strict = _reading(norm["strict"])
        guarded = _reading(norm["guarded"]) if norm.get("guarded") else None
        attributes = set(norm["strict"].get("attributes", ()))
        if norm.get("guarded"):
            attributes |= set(norm["guarded"].get("attributes", ()))
        return CodeIdentity(norm["name"], strict, guarded, tuple((a, b) for a, b in norm.get("assumptions", ())),
                            frozenset(attributes), tuple((first + int(line), str(what))
                                                         for line, what in norm.get("dynamic", ())),
                            tuple(first + n for n in norm.get("global_lines", ())),
                            tuple(first + n for n in norm.get("nonlocal_lines", ())))
    except (KeyError, TypeError, ValueError):  # an entry of another shape: made again
        made = _normalize(code, qualname)
        if made is None:
            return _bytecode_identity(code)
        _analysis_cache.remember(code, made.to_json())
        return _compute_identity(code, qualname)


def _normalize(code: CodeType, qualname: str) -> Optional[Any]:
    """The normalized form of ``code`` from its source (None: identify it by its bytecode)."""
    source = source_of(code, qualname)
    if source is None:
        return None
    from .analysis import NormalizeError, normalize_function

    try:
        return normalize_function(source)
    except Exception as exc:  # a normalizer bug must not break the user's program
        if _strict_mode() and not isinstance(exc, NormalizeError):
            raise
        logger.debug("cannot normalize %s (%s): identified by bytecode", qualname, exc)
        return None


def source_of(code: CodeType, qualname: Optional[str] = None) -> Optional[str]:
    """The source of ``code``, if it can be read and compiles to exactly this code."""
    try:
        source = _read_source(code)
    except (OSError, TypeError, SyntaxError, IndexError) as exc:
        logger.debug("no source for %s (%s): identified by bytecode", code.co_name, exc)
        return None
    imported = sorted(_all_names(code) & _imported_names(code.co_filename))
    parts = (getattr(code, "co_qualname", None) or qualname or code.co_name).split(".")
    owner = parts[-2] if len(parts) > 1 and parts[-2] != "<locals>" else None  # names are mangled in a class
    if not (_compiles_to(source, code, imported, owner) or (imported and _compiles_to(source, code, (), owner))):
        logger.debug("the source of %s does not compile to the running code: identified by bytecode", code.co_name)
        return None
    return source


def _read_source(code: CodeType) -> str:
    """The text of the block that starts at ``code``'s first line (its first decorator), from
    ``linecache`` as ``inspect`` reads it, but without ``inspect.getmodule``, which resolves the
    path of every loaded module (25 ms in a process with a few thousand). The caller checks that
    the text compiles to ``code``. From the code object: ``inspect.getsource(func)`` would follow
    ``__wrapped__`` to another function."""
    filename = code.co_filename
    linecache.checkcache(filename)
    lines = linecache.getlines(filename)
    if not lines or not 0 < code.co_firstlineno <= len(lines):
        return inspect.getsource(code)  # (a loader that needs the module: inspect finds it)
    return "".join(inspect.getblock(lines[code.co_firstlineno - 1:]))


@functools.lru_cache(maxsize=256)
def _imported_names(filename: str) -> FrozenSet[str]:
    """Names a module binds by ``import`` at its top level (CPython compiles ``name.f()``
    differently for those), read from the module's source with the symbol table."""
    try:
        table = symtable.symtable("".join(linecache.getlines(filename)), filename, "exec")
        return frozenset(sym.get_name() for sym in table.get_symbols() if sym.is_imported())
    except (SyntaxError, ValueError, TypeError):
        return frozenset()


def _all_names(code: CodeType) -> Set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= _all_names(const)
    return names


def _compiles_to(source: str, code: CodeType, imported: Sequence[str] = (), owner: Optional[str] = None) -> bool:
    """Does ``source`` (one ``def``, decorators included) compile to ``code``? As where it was
    defined: free variables are declared in an enclosing function, a method is compiled in a
    class named ``owner`` (private names are mangled with it; ``__class__`` is its cell), and
    ``imported`` names are imported first (CPython compiles ``mod.f()`` differently when ``mod``
    was bound by an import)."""
    # the text as written, never dedented: dedenting would change multi-line string constants
    lines = source.splitlines(keepends=True)
    indent = len(lines[0]) - len(lines[0].lstrip()) if lines else 0
    free = [v for v in code.co_freevars if v != "__class__"]
    method = owner is not None or "__class__" in code.co_freevars
    cls = f"class {owner or '_ck_class_'}:\n"
    if free and method:
        if indent < 2:
            return False
        head = "def _ck_outer_():\n" + "".join(f" {v} = None\n" for v in free) + " " + cls
    elif free:
        head = "def _ck_outer_():\n" + "".join(f"{' ' * indent}{v} = None\n" for v in free) if indent else ""
        if not indent:
            return False
    elif method:
        head = cls if indent else ""
        if not indent:
            return False
    else:
        head = "if 1:\n" if indent else ""
    text = "".join(f"import {name}\n" for name in imported) + head + source
    try:
        compiled = compile(text, code.co_filename, "exec", flags=code.co_flags & _FUTURE_FLAGS, dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    want = _structure(code)
    stack = [compiled]
    while stack:
        candidate = stack.pop()
        if candidate.co_name == code.co_name and _structure(candidate) == want:
            return True
        stack.extend(c for c in candidate.co_consts if isinstance(c, CodeType))
    return False


def _structure(code: CodeType) -> bytes:
    """What the interpreter runs, without positions: bytecode, constants, names, flags."""
    h = xxhash.xxh3_128()
    _feed_code(code, h, structure_only=True)
    return h.digest()


def structure_digest(code: CodeType) -> bytes:
    """The analysis cache's key of a code object: what the interpreter runs, whoever compiled it."""
    h = xxhash.xxh3_128()
    _feed_code(code, h)
    return h.digest()


def _feed_code(code: CodeType, h: "Sink", structure_only: bool = False) -> None:
    h.update(code.co_code)
    # CO_NESTED depends on where it is compiled; types.coroutine sets CO_ITERABLE_COROUTINE later
    flags = code.co_flags & ~(_CO_NESTED | 0x100) if structure_only else code.co_flags
    h.update(repr((code.co_name, code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount, flags,
                   code.co_names, code.co_varnames, code.co_freevars, code.co_cellvars)).encode())
    for const in code.co_consts:
        if isinstance(const, CodeType):
            h.update(b"<code>")
            _feed_code(const, h, structure_only)
        else:
            h.update(_const_repr(const).encode("utf-8", "surrogatepass") + b";")


def _const_repr(const: Any) -> str:
    """A constant's text, the same in every process (a frozenset's order depends on the hash seed)."""
    if isinstance(const, frozenset):
        return "frozenset(" + ",".join(sorted(_const_repr(c) for c in const)) + ")"
    if isinstance(const, tuple):
        return "(" + ",".join(_const_repr(c) for c in const) + ",)"
    return f"{type(const).__qualname__}:{const!r}"


def _bytecode_identity(code: CodeType) -> CodeIdentity:
    """Identity from the code object itself: bytecode, constants and every name it uses."""
    h = xxhash.xxh3_128()
    _feed_code(code, h)
    names: Set[str] = set()
    imports: List[Import] = []
    _scan_code(code, names, imports)
    params = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount
                              + bool(code.co_flags & inspect.CO_VARARGS) + bool(code.co_flags & inspect.CO_VARKEYWORDS)]
    free = tuple(sorted(names))
    reading = Reading(h.digest(), tuple(params), free, None, tuple(imports))
    return CodeIdentity(code.co_name, reading, attributes=frozenset(names), source_kind="bytecode",
                        dynamic=_bytecode_dynamic(code))


def _scan_code(code: CodeType, names: Set[str], imports: List[Import]) -> None:
    names.update(code.co_names)
    names.update(v for v in code.co_freevars if v != "__class__")
    consts: List[Any] = []
    for ins in dis.get_instructions(code):
        if ins.opname == "LOAD_CONST":
            consts.append(ins.argval)
        elif ins.opname == "IMPORT_NAME":
            level = consts[-2] if len(consts) >= 2 and isinstance(consts[-2], int) else 0
            fromlist = consts[-1] if consts else None
            label = f"{ins.argval}@{len(imports)}"
            imports.append((label, "module", str(ins.argval), "", level))
            for attr in fromlist or ():
                if attr != "*":
                    imports.append((f"{attr}@{len(imports)}", "from", str(ins.argval), str(attr), level))
    for const in code.co_consts:
        if isinstance(const, CodeType):
            _scan_code(const, names, imports)


def _bytecode_dynamic(code: CodeType) -> Tuple[Tuple[int, str], ...]:
    """Code read from bytecode alone may look anything up: say so once, at its first line."""
    return ((code.co_firstlineno, "code whose source cannot be read"),) if {"getattr", "eval", "exec", "globals", "import_module",
                                                                              "vars", "locals", "__import__"} & set(
        code.co_names) else ()


# -- free names ----------------------------------------------------------------------------------


def resolve_free_name(func: FunctionType, name: str) -> Any:
    """The current value of a free name of ``func``: closure cell, then global, then builtin."""
    code = func.__code__
    if name in code.co_freevars and func.__closure__ is not None:
        try:
            return func.__closure__[code.co_freevars.index(name)].cell_contents
        except ValueError:  # empty cell
            return MISSING
    g = func.__globals__
    if name in g:
        return g[name]
    b = g.get("__builtins__", __builtins__)
    if isinstance(b, ModuleType):
        b = b.__dict__
    return b.get(name, MISSING)


# -- the fingerprint of a checkpointed function --------------------------------------------------


@dataclass
class Fingerprint:
    """A checkpointed function: its innermost function, the identity of that function's code,
    how to bind a call's arguments, and the decorator layers between the two."""

    func: FunctionType
    code: CodeType  # the code the identity is of (a function's __code__ can be replaced)
    identity: CodeIdentity
    signature: Optional[inspect.Signature]
    layers: Tuple[Any, ...] = ()
    _simple_names: Optional[Tuple[str, ...]] = field(default=None, repr=False)
    #: a `global`/`nonlocal` statement in the function itself: raised on every call
    error: Optional[Exception] = None
    #: the first bytes of every key, per reading (computed once, not per call)
    strict_prefix: bytes = field(default=b"", init=False, repr=False)
    guarded_prefix: bytes = field(default=b"", init=False, repr=False)
    #: deep mode: plans of earlier walks (see _key.plan)
    plans: Dict[Any, "Plan"] = field(default_factory=dict, init=False, repr=False)
    #: (deep, algorithm) -> the hot path's key maker, or None where it does not apply (see _key.scalar)
    scalar_keys: Dict[Any, Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.strict_prefix = KEY_FORMAT + self.identity.strict.code_digest + b"|"
        if self.identity.guarded is not None:
            self.guarded_prefix = KEY_FORMAT + self.identity.guarded.code_digest + b"|"

    @property
    def qualname(self) -> str:
        return self.func.__qualname__

    @property
    def bound_names(self) -> Optional[Tuple[str, ...]]:
        """The parameter names, when a call binds its positional arguments to them in order
        (no defaults, no ``*args``, no keyword-only parameters)."""
        return self._simple_names

    @property
    def strict(self) -> Reading:
        return self.identity.strict

    @property
    def guarded(self) -> Optional[Reading]:
        return self.identity.guarded

    def bind(self, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Dict[str, Any]:
        """Bound arguments with defaults applied, by parameter name."""
        names = self._simple_names
        if names is not None and not kwargs and len(args) == len(names):
            return dict(zip(names, args))
        if self.signature is None:
            raise TypeError("no signature")
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return dict(bound.arguments)


def unwrap(func: Callable[..., Any]) -> Tuple[FunctionType, List[Any]]:
    """The innermost Python function behind decorators, and the wrapper layers on the way."""
    layers: List[Any] = []
    inner: Any = func
    seen: Set[int] = set()
    while hasattr(inner, "__wrapped__") and id(inner) not in seen:
        seen.add(id(inner))
        layers.append(inner)
        inner = inner.__wrapped__
    if isinstance(inner, MethodType):
        inner = inner.__func__
    if not isinstance(inner, FunctionType):
        raise TypeError(f"cannot checkpoint {func!r}: it is not a Python function")
    return inner, layers


_fingerprints: "weakref.WeakKeyDictionary[Any, Fingerprint]" = weakref.WeakKeyDictionary()
_by_id: Dict[int, Tuple["weakref.ref[Any]", Fingerprint]] = {}


def fingerprint(func: Callable[..., Any]) -> Fingerprint:
    """The fingerprint of a checkpointed callable (once per function object and code)."""
    cached = _by_id.get(id(func))
    if cached is not None and cached[0]() is func and cached[1].func.__code__ is cached[1].code:
        return cached[1]
    inner, layers = unwrap(func)
    with _lock:
        try:
            found = _fingerprints.get(func)
        except TypeError:  # not weak-referenceable
            found = None
        if found is None or found.func.__code__ is not found.code:
            sig, simple = _signature_info(inner)
            found = Fingerprint(inner, inner.__code__, code_identity(inner.__code__, inner.__qualname__), sig,
                                tuple(layer for layer in layers if not getattr(layer, "__checkpointing__", False)),
                                simple, statement_error(inner))
            try:
                _fingerprints[func] = found
            except TypeError:
                return found
        _remember_by_id(func, found)
        return found


def _remember_by_id(func: Any, found: Fingerprint) -> None:
    """The per-call fast path: a dict lookup by id, checked by a weak reference that drops the
    entry when the function is collected."""
    key = id(func)
    try:
        # the dict is bound here: at interpreter exit the module's globals may already be None
        def forget(_: Any, table: Dict[int, Any] = _by_id) -> None:
            table.pop(key, None)

        _by_id[key] = (weakref.ref(func, forget), found)
    except TypeError:
        pass


def _signature_info(func: FunctionType) -> Tuple[Optional[inspect.Signature], Optional[Tuple[str, ...]]]:
    try:
        sig = inspect.signature(func, follow_wrapped=False)
    except (TypeError, ValueError):
        return None, None
    params = list(sig.parameters.values())
    simple = all(p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty for p in params)
    return sig, tuple(p.name for p in params) if simple else None


def statement_error(func: FunctionType) -> Optional[Exception]:
    """A ``global``/``nonlocal`` statement in the checkpointed function itself (not in what it calls)."""
    from .exceptions import GlobalStatementError, NonlocalStatementError

    identity = code_identity(func.__code__, func.__qualname__)
    if identity.source_kind == "bytecode":
        line = func.__code__.co_firstlineno
        for ins in dis.get_instructions(func):
            line = ins.starts_line or line  # an int on every Python version we support
            if ins.opname in ("STORE_GLOBAL", "DELETE_GLOBAL"):
                return GlobalStatementError(_statement_message(func, "global", [line]))
            if ins.opname in ("STORE_DEREF", "DELETE_DEREF") and ins.argval in func.__code__.co_freevars:
                return NonlocalStatementError(_statement_message(func, "nonlocal", [line]))
        return None
    if identity.global_lines:
        return GlobalStatementError(_statement_message(func, "global", identity.global_lines))
    if identity.nonlocal_lines:
        return NonlocalStatementError(_statement_message(func, "nonlocal", identity.nonlocal_lines))
    return None


def _statement_message(func: FunctionType, keyword: str, lines: Sequence[int]) -> str:
    where = ", ".join(f"{func.__code__.co_filename}:{n}" for n in lines)
    return (
        f"`{keyword}` statement in checkpointed function {func.__qualname__}() at {where}: the function changes "
        f"a variable outside itself, which a cached result cannot reproduce. Return the value instead and "
        f"assign it at the call site, or remove @checkpoint from this function."
    )
