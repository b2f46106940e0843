"""What code reads, as the walk sees it: free names, imports made inside a function, attribute
chains read from a name (``config.THRESHOLD``), the process environment and the command line,
and what reachable code reads of a generator's state. Each read that can change at run time
is *live*: told to the observer (a deep-mode plan checks it again on the next call)."""

from __future__ import annotations

import builtins
import functools
import importlib
import os
import re
import sys
from functools import partial
from types import BuiltinFunctionType, FunctionType, ModuleType
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from .. import _generators, _objects, _settings
from .._explain import location as where
from .._explain import notebook_cell
from .._fingerprint import CodeIdentity, Import, Reading, resolve_free_name
from .._hashing import ValueHasher, _type_module, new_hasher
from .._objects import MISSING
from ..analysis.generators import STATE_READERS
from .plan import EQUAL, SAME

if TYPE_CHECKING:
    from .._hashing import Sink
    from .shared import Walk

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Chain: attribute names read in a row; Keyed: (chain, how, key) reads with constant keys
Chain = Tuple[str, ...]
Keyed = Tuple[Chain, str, str]


class Reads:
    """Reading what code reads (a part of ``walk.KeyBuilder``)."""

    __slots__ = ()

    def read_names(self: "Walk", h: "Sink", func: FunctionType, reading: Reading, identity: CodeIdentity) -> None:
        """The free names and imports of ``func``, each with the chains and keys read from it, each
        a component of the key. Code that looks names up dynamically may read any attribute."""
        chains = None if identity.dynamic else reading.attribute_chains
        keyed = reading.keyed_by_root
        where = func  # (the observer says where it is, only if it records it)
        observer = self.observer
        for name in reading.free_names:
            value = self.read_free(func, name)
            data = not isinstance(value, (FunctionType, type, ModuleType, BuiltinFunctionType))
            observer.begin(_kind(value), name, where, value if data else MISSING, None if data else b"")
            if is_same_function(value, func):
                h.update(b"self")
            else:
                h.update(self.reference(value, None if chains is None else chains.get(name, ()), keyed.get(name, ())))
            observer.end()
        for imp in reading.imports:
            value = self.note_read(partial(resolve_import, func.__globals__, imp), SAME)
            data = not isinstance(value, (FunctionType, type, ModuleType, BuiltinFunctionType))
            source = sys.modules.get(imp[2]) or func  # the module it imports from (its file), else the importer
            observer.begin("import", ".".join(filter(None, (imp[2], imp[3]))), source, value if data else MISSING,
                           None if data else b"")
            h.update(b"import" + self.reference(value, None if chains is None else chains.get(imp[0], ()),
                                                keyed.get(imp[0], ())))
            observer.end()
            if imp[1] == "package":  # any of its modules, by a name computed at run time: all their files
                for path, digest in self.package_files(value):
                    observer.begin("package", path, "", stable=digest)
                    h.update(b"package-file:" + path.encode("utf-8", "surrogatepass") + b"=" + digest)
                    observer.end()

    def package_files(self: "Walk", package: Any) -> List[Tuple[str, bytes]]:
        """(path in the package, digest of its bytes) of every source file of a package of the
        user's (a library's is identified by its version)."""
        if not isinstance(package, ModuleType) or _objects.is_library_module(package):
            return []
        signature = self.note_read(partial(_package_signature, package), EQUAL)
        return [(name, _file_digest(path, size, mtime)) for name, path, size, mtime in signature]

    def reference(self: "Walk", value: Any, chains: Optional[Iterable[Chain]], keyed: Sequence[Keyed] = ()) -> bytes:
        """The digest of a value read through a name, with the attribute chains read from it
        (``None``: not known, every attribute counts) and the reads with constant keys."""
        if value is MISSING:
            return b"missing"
        if type(value) is str:  # a format string or attribute name read from a global: "{0.size}"
            self.attributes.update(_IDENTIFIER.findall(value))
        h = new_hasher(self.algorithm)
        if self._environment(value, (), keyed, h):
            return h.digest()
        if _objects.implicit_input(value) is not None:
            self.attributes.add(value.__name__)
        if isinstance(value, ModuleType) and (chains is None or ("*",) in chains):
            h.update(self.module_token(value, whole=True))  # what is read from it is not known
            return h.digest()
        h.update(self._token(value))
        for chain in sorted(chains or ()):
            h.update(("." + ".".join(chain)).encode())
            self._chain(value, tuple(chain), keyed, h)
        return h.digest()

    def _token(self: "Walk", value: Any) -> bytes:
        """A name's value: by name where the mode says so, else by content."""
        named = self.policy.by_name(value)
        if named is not None:
            return named
        if isinstance(value, ModuleType):
            return self.module_token(value)
        return self.by_value(value)

    def _chain(self: "Walk", root: Any, chain: Chain, keyed: Sequence[Keyed], h: "Sink") -> None:
        """Follow ``root.a.b``, without running user code (``_objects.static_attribute``): the
        value found at each step, where it is not a module the next step reads from."""
        value = root
        for i, attr in enumerate(chain):
            holder = value
            value = self.note_read(partial(_objects.static_attribute, holder, attr), writer=partial(
                setattr, holder, attr) if isinstance(holder, ModuleType) else None)
            here = chain[:i + 1]
            if self._environment(value, here, keyed, h):
                return
            if value is MISSING:
                h.update(b"missing")
                hook = getattr(type(holder), "__getattr__", None)
                if hook is not None and not isinstance(holder, ModuleType):
                    h.update(self.by_value(hook))  # what answers instead
                return
            if isinstance(value, ModuleType):
                if _objects.is_library_module(value):
                    h.update(self.module_token(value))
                continue
            if isinstance(holder, ModuleType) and _objects.is_library_module(holder):
                self.note_state_reader(value)
                if not is_data(value):  # a library function, class or object: by name
                    h.update(self.by_value(value) if isinstance(value, (FunctionType, type, BuiltinFunctionType))
                             else self.library_token(type(value)))
                    return
                h.update(b"data" + self.by_value(value))
                name = f"{holder.__name__}.{attr}"  # sys.argv, np.pi: a library module's data
                self.observer.inform("argv" if name == "sys.argv" else "global", name, "", value)
                continue
            h.update(self._token(value))
            if not isinstance(value, (FunctionType, type)):  # (code is an item: a component of its own)
                # where it lives: the module it is an attribute of, else where the name is read
                self.observer.inform("global", ".".join(here), holder if isinstance(holder, ModuleType) else root,
                                     value)
            if _objects.is_python_descriptor(value) or isinstance(value, (staticmethod, classmethod)):
                return  # what it gives is computed by code the key already covers

    # -- the process environment and the command line ----------------------------------------------

    def _environment(self: "Walk", value: Any, chain: Chain, keyed: Sequence[Keyed], h: "Sink") -> bool:
        """If ``value`` (found at ``chain``) is the environment or reads it: add the variables read,
        by name when every use has a constant name, else the whole environment (fail closed)."""
        if _objects.is_environ(value):
            here = [(how, key) for c, how, key in keyed if c == chain]
            below = [(c, how, key) for c, how, key in keyed if len(c) > len(chain) and c[:len(chain)] == chain]
            uses = here + [("call" if len(c) == len(chain) + 1 and how == "call"
                            and c[-1] in ("get", "__getitem__") else "any", key) for c, how, key in below]
        elif _objects.environ_accessor(value) is not None:
            uses = [(how, key) for c, how, key in keyed if c == chain]
        else:
            return False
        if uses and all(how in ("getitem", "call") for how, _ in uses):
            self.environment_variables(sorted({key for _, key in uses}), h)
        else:
            h.update(b"environ" + self.environment_digest())
        return True

    def environment_variables(self: "Walk", names: Sequence[str], h: "Sink") -> None:
        """The value of each environment variable named (or its absence), each a component."""
        for name in names:
            current = self.note_read(partial(_objects.environment_value, name), EQUAL)
            self.observer.begin("environment", name, "", current)
            h.update(b"env:" + name.encode("utf-8", "surrogatepass") + b"=")
            h.update(b"-" if current is None else b"+" + current.encode("utf-8", "surrogatepass"))
            self.observer.end()

    def environment_digest(self: "Walk") -> bytes:
        return self.hasher.digest(self.note_read(_environment_items, EQUAL))

    def implicit_inputs(self: "Walk", h: "Sink") -> None:
        """Library calls that read the command line or the environment themselves:
        ``parser.parse_args()`` reads ``sys.argv``, ``os.path.expandvars`` the environment."""
        if self.attributes.isdisjoint(_objects.IMPLICIT_INPUTS):
            return
        reads = [_objects.IMPLICIT_INPUTS[name] for name in sorted(self.attributes & _objects.IMPLICIT_INPUTS.keys())]
        if any(what == "argv" for what, _ in reads):
            argv = self.note_read(_argv, EQUAL)
            self.observer.begin("argv", "sys.argv", "", argv)
            h.update(b"argv" + self.hasher.digest(argv))
            self.observer.end()
        variables = [names for what, names in reads if what == "environ"]
        if any(names is None for names in variables):
            self.observer.begin("environment", "(every variable)", stable=b"")
            h.update(b"environ" + self.environment_digest())
            self.observer.end()
        elif variables:  # the variables they read, each by its value (as os.environ.get("HOME") is)
            self.environment_variables(sorted({name for names in variables for name in names or ()}), h)

    # -- library-wide settings ----------------------------------------------------------------------

    def library_settings(self: "Walk", h: "Sink") -> None:
        """The changed items of each library-wide setting read by a library the call reached (its
        code, or a value of one of its types), each a component (see analysis/settings.py)."""
        packages = self.packages | packages_of(self.types) if self.types else self.packages
        if not packages:
            return
        for setting in _settings.reached(packages):
            items = _settings.changed(setting)
            if items:
                self.observer.begin("setting", setting.name, "", items)
                h.update(b"setting:" + setting.name.encode() + b"=")
                self.hasher.feed(items, h)
                self.observer.end()

    # -- what code reads of a random generator's state ----------------------------------------------

    def reads_generator_state(self: "Walk") -> bool:
        """Reachable code reads a generator's state without drawing from it (``np.random.get_state()``,
        ``rng.bit_generator.state``): the state itself is then an input."""
        return bool(self.reads_global_state) or (bool(self.generators)
                                                 and not self.attributes.isdisjoint(STATE_READERS))

    def generator_states(self: "Walk", h: "Sink") -> None:
        """Where reachable code reads generators' states: those states (a draw is recorded by the
        run, see _run_record; a read is not), each a component."""
        if self.reads_global_state:
            for generator in _generators.loaded_globals():
                if generator.name in self.reads_global_state:
                    state = generator.state()
                    self.observer.begin("generator", generator.name, "", state)
                    h.update(b"generator-state:" + generator.name.encode() + ValueHasher().digest(state))
                    self.observer.end()
        if self.generators and not self.attributes.isdisjoint(STATE_READERS):
            for label, generator, kind in self.generators:
                if kind == "static":
                    state = _generators.state_of(generator)
                    self.observer.begin("generator", label, "", state)
                    h.update(b"generator-state:" + label.encode() + ValueHasher().digest(state))
                    self.observer.end()

    # -- live reads ------------------------------------------------------------------------------

    def note_read(self: "Walk", reader: Any, kind: Optional[int] = None, digester: Any = None,
                  writer: Any = None) -> Any:
        value = reader()
        if self.observer.plans:
            self.observer.read(reader, value, digester or value_digester, kind, writer=writer)
        return value

    def read_free(self: "Walk", func: FunctionType, name: str) -> Any:
        value = resolve_free_name(func, name)
        if self.observer.plans:
            self._note_free_name(func, name, value)
        return value

    def _note_free_name(self: "Walk", func: FunctionType, name: str, value: Any) -> None:
        """How to read a free name again: the closure cell, the global or the builtin (then also
        that no global of that name appeared), with C-level readers."""
        read = self.observer.read
        code = func.__code__
        if name in code.co_freevars and func.__closure__ is not None:
            read(partial(resolve_free_name, func, name), value, value_digester)
            return
        g = func.__globals__
        if name in g:
            read(partial(g.get, name, MISSING), value, value_digester, key=("global", id(g), name),
                 writer=partial(g.__setitem__, name))
            return
        read(partial(g.get, name, MISSING), MISSING, None, SAME, ("global", id(g), name, "absent"))
        b = g.get("__builtins__", builtins)
        if isinstance(b, ModuleType):
            b = b.__dict__
        read(partial(b.get, name, MISSING), value, value_digester, key=("builtin", id(b), name))


def _package_signature(package: ModuleType) -> Tuple[Tuple[str, str, int, int], ...]:
    """(name in the package as the user sees it, path, size, modification time) of each ``.py``
    file under a package's folders: a deep-mode plan checks it again on each call (a file added,
    edited or removed)."""
    found = []
    for root in list(getattr(package, "__path__", None) or ()):
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
            for name in sorted(files):
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    try:
                        st = os.stat(path)
                    except OSError:
                        continue
                    shown = os.path.join(package.__name__.replace(".", os.sep), os.path.relpath(path, root))
                    found.append((shown, path, st.st_size, st.st_mtime_ns))
    return tuple(found)


@functools.lru_cache(maxsize=1024)
def _file_digest(path: str, size: int, mtime: int) -> bytes:
    """The digest of a file's bytes (as it was with that size and modification time)."""
    h = new_hasher()
    try:
        with open(path, "rb") as f:
            h.update(f.read())
    except OSError:
        return b"unreadable"
    return h.digest()


_PACKAGES: Dict[type, str] = {}


def packages_of(types: Iterable[type]) -> Set[str]:
    """The top-level packages of the modules that define ``types``."""
    found = set()
    for t in types:
        package = _PACKAGES.get(t)
        if package is None:
            package = _PACKAGES[t] = _type_module(t).partition(".")[0]
        found.add(package)
    return found


def _kind(value: Any) -> str:
    """The kind of component a free name's value makes."""
    if isinstance(value, ModuleType):
        return "module"
    if isinstance(value, type):
        return "class"
    if isinstance(value, (FunctionType, BuiltinFunctionType)):
        return "function"
    return "global"


def is_data(value: Any) -> bool:
    """Plain data, arrays and frames: keyed by value wherever they are read."""
    from .._hashing import _type_module, is_plain

    if is_plain(value):
        return True
    return _type_module(type(value)).startswith(("numpy", "pandas")) and not callable(value)


def is_same_function(value: Any, func: FunctionType) -> bool:
    seen = 0
    while value is not None and seen < 32:
        if value is func:
            return True
        value = getattr(value, "__wrapped__", None)
        seen += 1
    return False


def location(obj: Any, line: bool = True) -> str:
    """Where ``obj`` is, as a person finds it: a function's file (or notebook cell) and line, a
    module's file, a class's module's file; code made by ``exec`` (a namedtuple's methods) by its
    module's file."""
    from types import CodeType

    code = getattr(obj, "__code__", None)
    if isinstance(code, CodeType) and (not code.co_filename.startswith("<") or notebook_cell(code.co_filename)):
        return where(code.co_filename, code.co_firstlineno if line else None)
    module = obj if isinstance(obj, ModuleType) else sys.modules.get(getattr(obj, "__module__", "") or "")
    return where(getattr(module, "__file__", "") or "")


def value_digester(builder: "Walk", value: Any) -> bytes:
    return builder.by_value(value)


def reference_digester(builder: "Walk", value: Any) -> bytes:
    return builder.reference(value, ())


def _argv() -> List[str]:
    return list(sys.argv)


def _environment_items() -> List[Tuple[str, str]]:
    return sorted(os.environ.items())


def resolve_import(module_globals: Mapping[str, Any], imp: Import) -> Any:
    """What ``import``/``from ... import`` inside a function binds, as it would at run time."""
    _, kind, name, attribute, level = imp
    package = (module_globals.get("__package__") or str(module_globals.get("__name__", "")).rpartition(".")[0]) \
        if level else None
    try:
        module = importlib.import_module("." * level + name, package)
    except Exception:  # the function itself would fail to import it: part of its behaviour, keyed as such
        return MISSING
    if kind == "top":
        return sys.modules.get(name.split(".", 1)[0], MISSING)
    if kind == "from":
        value = _objects.unwatched(getattr(module, attribute, MISSING))
        if value is MISSING:
            try:
                value = importlib.import_module(f"{module.__name__}.{attribute}")
            except Exception:
                return MISSING
        return value
    return module
