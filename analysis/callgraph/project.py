"""Files to modules: module names from the package layout, each file parsed once.

A file's module name is its path below the topmost directory that still holds an
``__init__.py`` (``src/pkg/sub/mod.py`` is ``pkg.sub.mod``); a file outside any package is
named by its stem, as a script run from its own directory would import it. That directory
is the file's *root*; the files of one root import each other, so each root gets its own
call graph (two scripts folders may both have a ``helpers.py``).
"""

from __future__ import annotations

import ast
import os
import warnings
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple

from .graph import CallGraph
from .index import ModuleIndex, index_module


@dataclass
class SourceFile:
    path: str  # as given (absolute or relative)
    display: str  # as reported
    text: str = ""
    lines: List[str] = field(default_factory=list)
    index: Optional[ModuleIndex] = None
    root: str = ""
    syntax_error: Optional[Tuple[int, int, str]] = None  # line, column (0-based), message

    def column(self, line: int, byte_col: int) -> int:
        """``ast`` columns count UTF-8 bytes; findings count characters."""
        if 0 < line <= len(self.lines):
            text = self.lines[line - 1]
            if not text.isascii():
                return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))
        return byte_col


def module_name_for(path: str) -> Tuple[str, str, bool]:
    """(module name, root directory, is a package ``__init__``) of a Python file."""
    path = os.path.abspath(path)
    directory, filename = os.path.split(path)
    stem = filename[:-3] if filename.endswith(".py") else filename
    is_package = stem == "__init__"
    parts = [] if is_package else [stem]
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        directory, package = os.path.split(directory)
        parts.insert(0, package)
    return ".".join(parts) or stem, directory, is_package


def parse_file(source: SourceFile) -> None:
    """Read and parse one file; a file that does not parse gets ``syntax_error`` instead."""
    with open(source.path, "rb") as f:
        data = f.read()
    try:
        source.text = data.decode("utf-8")
    except UnicodeDecodeError:
        source.text = data.decode("latin-1")
    source.lines = source.text.splitlines()
    name, root, is_package = module_name_for(source.path)
    source.root = root
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like are not ours to report
            tree = ast.parse(data, filename=source.display)
    except SyntaxError as exc:
        line = exc.lineno or 1
        col = max((exc.offset or 1) - 1, 0)
        source.syntax_error = (line, col, exc.msg)
        return
    except ValueError as exc:  # null bytes
        source.syntax_error = (1, 0, str(exc))
        return
    source.index = index_module(tree, name, source.path, is_package)


class Project:
    """Parsed files; the call graph of a root is built when first asked for."""

    def __init__(self, files: Iterable[SourceFile]) -> None:
        self.files = list(files)
        self._by_root: Dict[str, List[ModuleIndex]] = {}
        for source in self.files:
            parse_file(source)
            if source.index is not None:
                self._by_root.setdefault(source.root, []).append(source.index)
        self._graphs: Dict[str, CallGraph] = {}

    def graph_for(self, root: str) -> CallGraph:
        graph = self._graphs.get(root)
        if graph is None:
            own = self._by_root.get(root, [])
            names = {m.name for m in own}
            # modules of other roots are importable too when their name is not ambiguous
            others: Dict[str, List[ModuleIndex]] = {}
            for other_root, modules in self._by_root.items():
                if other_root != root:
                    for m in modules:
                        if m.name not in names:
                            others.setdefault(m.name, []).append(m)
            graph = self._graphs[root] = CallGraph([*own, *(ms[0] for ms in others.values() if len(ms) == 1)])
        return graph


def load_project(files: Iterable[SourceFile]) -> Project:
    """Parse every file (see :class:`Project`)."""
    return Project(files)
