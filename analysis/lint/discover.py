"""Which files to lint: ``*.py`` under the given paths, minus what is never the user's source."""

from __future__ import annotations

import os
from typing import Iterable, Iterator, List

from .config import matches

#: directories never entered (virtual environments are also recognized by their pyvenv.cfg)
SKIPPED_DIRECTORIES = frozenset({".git", ".hg", ".svn", "__pycache__", "site-packages", "build", "dist", ".venv",
                                 "venv", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
                                 ".checkpointing", "node_modules", ".eggs"})


def _skipped(directory: str, name: str, exclude: List[str], root: str) -> bool:
    path = os.path.join(directory, name)
    return (name in SKIPPED_DIRECTORIES or name.endswith(".egg-info")
            or os.path.isfile(os.path.join(path, "pyvenv.cfg"))
            or any(matches(path, pattern, root) for pattern in exclude))


def discover(paths: Iterable[str], exclude: List[str], root: str = ".") -> Iterator[str]:
    """Python files under ``paths`` in a stable order. A file named explicitly is always linted;
    a missing path raises FileNotFoundError."""
    seen = set()
    for path in paths:
        if os.path.isfile(path):
            found = [path]
        elif os.path.isdir(path):
            found = []
            for directory, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not _skipped(directory, d, exclude, root))
                found.extend(os.path.join(directory, f) for f in sorted(files) if f.endswith(".py")
                             and not any(matches(os.path.join(directory, f), p, root) for p in exclude))
        else:
            raise FileNotFoundError(path)
        for file in found:
            key = os.path.abspath(file)
            if key not in seen:
                seen.add(key)
                yield file
