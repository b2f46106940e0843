"""Which installed distribution (and version) provides a module: upgrading a package you call
changes the key of deep-mode results that call it."""

from __future__ import annotations

from functools import lru_cache
from typing import Dict, List, Optional, Tuple

from .analysis.stdlib import is_stdlib_module


@lru_cache(maxsize=1)
def _top_level_to_distributions() -> Dict[str, List[str]]:
    try:
        from importlib.metadata import packages_distributions
    except ImportError:  # Python 3.9
        return _packages_distributions()
    try:
        return dict(packages_distributions())
    except Exception:  # broken metadata
        return {}


def _packages_distributions() -> Dict[str, List[str]]:
    """``importlib.metadata.packages_distributions`` (3.10+), for Python 3.9: each distribution's
    declared top-level names (``top_level.txt``), else the top folders and modules of its files."""
    from importlib.metadata import distributions

    found: Dict[str, List[str]] = {}
    for dist in distributions():
        try:
            name = dist.metadata["Name"]
            declared = (dist.read_text("top_level.txt") or "").split()
            tops = declared or sorted({_top_of(str(f)) for f in dist.files or ()} - {""})
        except Exception:  # broken metadata: skip this distribution
            continue
        for top in tops:
            found.setdefault(top, []).append(name)
    return found


def _top_of(path: str) -> str:
    first = path.split("/", 1)[0]
    if "/" not in path:
        first = first.rsplit(".", 1)[0] if first.endswith((".py", ".so", ".pyd")) else ""
    return first if first.isidentifier() else ""


@lru_cache(maxsize=1024)
def version_of(module_name: str) -> str:
    """``"name==version"`` of the distribution providing ``module_name``; "" for the standard library."""
    top = module_name.split(".", 1)[0]
    if is_stdlib_module(top):
        return ""
    from importlib.metadata import PackageNotFoundError, version

    for dist in _top_level_to_distributions().get(top, [top]):
        try:
            return f"{dist}=={version(dist)}"
        except (PackageNotFoundError, ValueError):
            continue
    return ""


@lru_cache(maxsize=1024)
def distribution_of(module_name: str) -> "Optional[Tuple[str, str]]":
    """(name, version) of the installed distribution providing ``module_name``; None for the
    standard library, the user's own modules and anything not installed."""
    found = version_of(module_name)
    if not found:
        return None
    name, _, number = found.partition("==")
    return name, number


@lru_cache(maxsize=1024)
def installed_version(distribution: str) -> "Optional[str]":
    """The installed version of ``distribution`` (None if it is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except (PackageNotFoundError, ValueError):
        return None
