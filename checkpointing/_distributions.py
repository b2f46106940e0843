"""Which installed distribution (and version) provides a module: upgrading a package you call
changes the key of deep-mode results that call it."""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import Dict, List


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
