"""The current value of each library-wide setting of ``analysis/settings.py``, as the items that
differ from the library's defaults (see there for what a setting is and when a call is keyed on
one). A setting whose library is not loaded has its defaults: nothing.

Reading one never changes it and never imports anything. A reader that fails (a library that
renamed its internals) answers a marker that says so, the same on every run: a test reads each
setting that has defaults, of the libraries installed, in a fresh interpreter: a break is seen there.
"""

from __future__ import annotations

import itertools
import operator
import sys
from typing import AbstractSet, Any, Callable, Dict, FrozenSet, List, Optional, Tuple

from .analysis.settings import LIBRARY_SETTINGS, LibrarySetting

#: the changed items of a setting, by name
Changed = Dict[str, Any]


def changed(setting: LibrarySetting) -> Changed:
    """The items of ``setting`` that differ from its defaults now (empty: it has its defaults)."""
    module = sys.modules.get(setting.module)
    if module is None:
        return {}
    try:
        current = _READERS[setting.name](module)
    except Exception as exc:  # what it is cannot be read: a value that says so (keyed as such)
        return {"(unreadable)": f"{type(exc).__name__}"}
    defaults = _DEFAULTS.get(setting.name)
    if defaults is None:
        return current
    if current == defaults and list(map(type, current.values())) == _DEFAULT_TYPES[setting.name]:
        return {}  # (the common case, at C speed; 1 == True == 1.0 is told apart by the types)
    return {k: v for k, v in current.items() if k not in defaults or not _same(v, defaults[k])}


def _same(value: Any, default: Any) -> bool:
    try:
        return type(value) is type(default) and bool(value == default)
    except Exception:
        return False


_DEFAULTS = {s.name: dict(s.defaults) for s in LIBRARY_SETTINGS if s.defaults is not None}
#: the types of the defaults, in the order the library gives its items (another order: the slow path)
_DEFAULT_TYPES = {name: [type(v) for v in defaults.values()] for name, defaults in _DEFAULTS.items()}
_REACHED: Dict[FrozenSet[str], List[LibrarySetting]] = {}


def reached(packages: AbstractSet[str]) -> List[LibrarySetting]:
    """The settings read by code of any of ``packages`` (top-level names), in the table's order."""
    key = frozenset(packages)
    found = _REACHED.get(key)
    if found is None:
        if len(_REACHED) > 256:
            _REACHED.clear()
        found = _REACHED[key] = [s for s in LIBRARY_SETTINGS if not key.isdisjoint(s.readers)]
    return found


def _numpy_print(np: Any) -> Changed:
    return dict(np.get_printoptions())


def _numpy_errors(np: Any) -> Changed:
    found: Changed = dict(np.geterr())
    handler = np.geterrcall()
    if handler is not None:
        found["call"] = handler
    return found


def _sklearn(sklearn: Any) -> Changed:
    return dict(sklearn.get_config())


def _pandas(_: Any) -> Changed:
    """Every option whose value is not the default it was registered with (pandas computes some
    defaults from the terminal it starts in: those are defaults too). Options are kept in nested
    dictionaries: while none of them holds another object and no option was registered since,
    the last answer stands (checked in C: a call that reaches pandas pays microseconds)."""
    config = sys.modules["pandas._config.config"]
    registered = config._registered_options
    memo = _PANDAS[0]
    if memo is not None and memo[0] == len(registered) and list(map(len, memo[1])) == memo[2] and all(
            map(operator.is_, itertools.chain.from_iterable(map(dict.values, memo[1])), memo[3])):
        return dict(memo[4])
    found: Changed = {}
    for key, option in registered.items():
        value = _option(config._global_config, key)
        if not _same(value, option.defval):
            found[key] = value
    dicts = _dicts(config._global_config)
    values = tuple(itertools.chain.from_iterable(map(dict.values, dicts)))
    _PANDAS[0] = (len(registered), dicts, list(map(len, dicts)), values, dict(found))
    return found


#: (options registered, the dictionaries of options, their sizes, all their values, the changed
#: options) of the last read
_PANDAS: List[Optional[Tuple[int, List[Dict[str, Any]], List[int], Tuple[Any, ...], Changed]]] = [None]


def _dicts(tree: Dict[str, Any]) -> List[Dict[str, Any]]:
    found, stack = [], [tree]
    while stack:
        d = stack.pop()
        found.append(d)
        stack.extend(v for v in d.values() if type(v) is dict)
    return found


def _option(tree: Dict[str, Any], key: str) -> Any:
    *path, last = key.split(".")
    for part in path:
        tree = tree[part]
    return tree[last]


def _decimal(decimal: Any) -> Changed:
    context = decimal.getcontext()
    return {"prec": context.prec, "rounding": context.rounding, "Emin": context.Emin, "Emax": context.Emax,
            "capitals": context.capitals, "clamp": context.clamp,
            "traps": tuple(sorted(t.__name__ for t, on in context.traps.items() if on))}


def _warnings(warnings: Any) -> Changed:
    return {"filters": [(action, _pattern(message), category, _pattern(module), line)
                        for action, message, category, module, line in list(warnings.filters)]}


def _pattern(pattern: Optional[Any]) -> Optional[Tuple[str, int]]:
    return None if pattern is None else (pattern.pattern, pattern.flags)


def _locale(locale: Any) -> Changed:
    return {name: locale.setlocale(getattr(locale, name)) for name in ("LC_COLLATE", "LC_MONETARY", "LC_NUMERIC",
                                                                       "LC_TIME")}


def _torch(torch: Any) -> Changed:
    return {"default_dtype": str(torch.get_default_dtype()),
            "deterministic_algorithms": bool(torch.are_deterministic_algorithms_enabled()),
            "float32_matmul_precision": str(torch.get_float32_matmul_precision())}


_READERS: Dict[str, Callable[[Any], Changed]] = {
    "numpy print options": _numpy_print,
    "numpy floating-point errors": _numpy_errors,
    "scikit-learn configuration": _sklearn,
    "pandas options": _pandas,
    "decimal context": _decimal,
    "warnings filters": _warnings,
    "locale": _locale,
    "torch defaults": _torch,
}
assert set(_READERS) == {s.name for s in LIBRARY_SETTINGS}, "every setting of the table has a reader"
