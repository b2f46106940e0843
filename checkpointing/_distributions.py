"""Which installed distribution (and version) provides a module: upgrading a package you call
changes the key of deep-mode results that call it."""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import Dict, List, Optional, Tuple


@lru_cache(maxsize=1)
def _top_level_to_distributions() -> Dict[str, List[str]]:
    try:
        from importlib.metadata import packages_distributions

        return dict(packages_distributions())
    except Exception:  # Python 3.9 has no packages_distributions; metadata can be broken
        return {}


@lru_cache(maxsize=1024)
def version_of(module_name: str) -> str:
    """``"name==version"`` of the distribution providing ``module_name``; "" for the standard library."""
    top = module_name.split(".", 1)[0]
    if top in sys.stdlib_module_names if hasattr(sys, "stdlib_module_names") else False:
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
