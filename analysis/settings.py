"""Library-wide settings: one table, read by the runtime (which keys a setting's changed items
when a call reaches a library that reads it, see ``checkpointing/_settings.py``) and by the lint
(CKP109: a setting changed by a checkpointed function, a change a hit does not make).

A *setting* is state a library keeps for the whole process (or thread) and reads in its own
code: numpy's print options and floating-point error handling, scikit-learn's configuration,
pandas' options, the ``decimal`` context, the ``warnings`` filters, the locale, torch's default
dtype. The same call gives another result when one is changed (``sklearn.set_config(
transform_output="pandas")`` makes transformers return frames), so a call that reaches a
library that reads one depends on it.

Only the items that differ from the library's defaults are part of a key: a program that changes
nothing keys nothing (whether the library was imported or not), and a program that sets a value
deterministically gets the same key on every run. A setting with no known defaults
(``defaults is None``) counts whole.

``readers`` are the top-level packages whose code reads the setting: a call whose walk meets
one of them (a function, class or module of it, or a value of one of its types) is keyed on it.
Reading more packages than strictly needed costs nothing while the setting keeps its defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Tuple

_NUMPY_USERS = ("numpy", "scipy", "sklearn", "pandas", "statsmodels", "numba", "xarray", "skimage", "astropy")


@dataclass(frozen=True)
class LibrarySetting:
    name: str  # how the user knows it, in messages: "numpy print options"
    module: str  # loaded when the setting exists (none to read otherwise: it has its defaults)
    readers: Tuple[str, ...]  # top-level packages whose code reads it
    reader: str  # the call a program reads it with (for the docs and the lint)
    changers: Tuple[str, ...]  # qualified names of the calls that change it for the process
    #: (item, value) of each item a program that changed nothing has; None: no known defaults
    defaults: Optional[Tuple[Tuple[str, Any], ...]] = ()


LIBRARY_SETTINGS: Tuple[LibrarySetting, ...] = (
    LibrarySetting(
        "numpy print options", "numpy", _NUMPY_USERS, "numpy.get_printoptions",
        ("numpy.set_printoptions", "numpy.core.arrayprint.set_printoptions"),
        (("edgeitems", 3), ("threshold", 1000), ("floatmode", "maxprec"), ("precision", 8), ("suppress", False),
         ("linewidth", 75), ("nanstr", "nan"), ("infstr", "inf"), ("sign", "-"), ("formatter", None),
         ("legacy", False), ("override_repr", None))),
    LibrarySetting(
        "numpy floating-point errors", "numpy", _NUMPY_USERS, "numpy.geterr",
        ("numpy.seterr", "numpy.seterrcall"),
        (("divide", "warn"), ("over", "warn"), ("under", "ignore"), ("invalid", "warn"))),
    LibrarySetting(
        "scikit-learn configuration", "sklearn", ("sklearn",), "sklearn.get_config",
        ("sklearn.set_config",),
        (("assume_finite", False), ("working_memory", 1024), ("print_changed_only", True), ("display", "diagram"),
         ("pairwise_dist_chunk_size", 256), ("enable_cython_pairwise_dist", True), ("array_api_dispatch", False),
         ("transform_output", "default"), ("enable_metadata_routing", False), ("skip_parameter_validation", False),
         ("sparse_interface", "spmatrix"))),
    # each option's default is registered with it: read from pandas itself
    LibrarySetting(
        "pandas options", "pandas", ("pandas", "statsmodels", "seaborn", "xarray"), "pandas.get_option",
        ("pandas.set_option", "pandas.reset_option"), None),
    LibrarySetting(
        "decimal context", "decimal", ("decimal",), "decimal.getcontext",
        ("decimal.setcontext",),
        (("prec", 28), ("rounding", "ROUND_HALF_EVEN"), ("Emin", -999999), ("Emax", 999999), ("capitals", 1),
         ("clamp", 0), ("traps", ("DivisionByZero", "InvalidOperation", "Overflow")))),
    LibrarySetting(
        "warnings filters", "warnings", ("warnings",), "warnings.filters",
        ("warnings.simplefilter", "warnings.filterwarnings", "warnings.resetwarnings"), None),
    LibrarySetting(
        "locale", "locale", ("locale",), "locale.setlocale",
        ("locale.setlocale",),
        (("LC_COLLATE", "C"), ("LC_MONETARY", "C"), ("LC_NUMERIC", "C"), ("LC_TIME", "C"))),
    LibrarySetting(
        "torch defaults", "torch", ("torch",), "torch.get_default_dtype",
        ("torch.set_default_dtype", "torch.use_deterministic_algorithms", "torch.set_float32_matmul_precision"),
        (("default_dtype", "torch.float32"), ("deterministic_algorithms", False),
         ("float32_matmul_precision", "highest"))),
)

#: every call that changes a setting for the whole process (assigning to one, as
#: ``decimal.getcontext().prec = 5`` or ``pd.options.display.precision = 3`` does, changes it too)
CHANGERS = frozenset(name for setting in LIBRARY_SETTINGS for name in setting.changers)
