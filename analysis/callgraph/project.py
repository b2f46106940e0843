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
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple

from . import grammar
from .graph import CallGraph
from .index import ModuleIndex, Scope, index_module
from .index_store import Indexed, IndexStore


@dataclass
class SourceFile:
    path: str  # as given (absolute or relative)
    display: str  # as reported
    text: str = ""
    lines: List[str] = field(default_factory=list)
    index: Optional[ModuleIndex] = None  # built when the file's call graph is first needed
    root: str = ""
    module: str = ""
    is_package: bool = False
    tree: Optional[ast.Module] = field(default=None, repr=False)
    syntax_error: Optional[Tuple[int, int, str]] = None  # line, column (0-based), message
    #: valid for a newer Python than the one running, which cannot read it (not checked)
    newer_syntax: Optional[str] = None
    parsed: bool = False
    explicit: bool = False  # named on the command line: always parsed
    data: Optional[bytes] = field(default=None, repr=False)  # the bytes read, until parsed

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


def read_file(source: SourceFile) -> None:
    """Read one file and name its module (parsing waits until the file is needed: see :class:`Project`)."""
    with open(source.path, "rb") as f:
        data = f.read()
    source.data = data
    try:
        source.text = data.decode("utf-8")
    except UnicodeDecodeError:
        source.text = data.decode("latin-1")
    source.lines = source.text.splitlines()
    source.module, source.root, source.is_package = module_name_for(source.path)


def compute_index(source: SourceFile) -> Indexed:
    """Parse and index a file read by :func:`read_file`: its index, or its syntax error (or
    ``newer_syntax`` when it is valid only for a newer Python than the one running)."""
    data = source.data if source.data is not None else source.text.encode("utf-8")
    target = grammar.target_version(source.path)
    try:
        tree, text = grammar.parse(data, source.display, target)
        # what ast accepts and the compiler refuses (``nonlocal x`` with no ``x``) is an error too
        scope = Scope.of_module(text, source.display)  # type: ignore[arg-type]
    except grammar.NewerSyntax as exc:
        return Indexed(newer_syntax=str(exc))
    except SyntaxError as exc:
        line = exc.lineno or 1
        col = max((exc.offset or 1) - 1, 0)
        message = exc.msg if target is None else f"{exc.msg} (for {grammar.describe(target)}, the lowest " \
                                                  f"requires-python allows)"
        return Indexed(syntax_error=(line, col, message))
    except ValueError as exc:  # null bytes
        return Indexed(syntax_error=(1, 0, str(exc)))
    return Indexed(index_module(tree, source.module, source.path, source.is_package, scope))


def store_key(source: SourceFile) -> str:
    data = source.data if source.data is not None else source.text.encode("utf-8", "surrogatepass")
    return IndexStore.key(data, source.path, source.display, source.module, source.is_package,
                          grammar.target_version(source.path))


def apply_index(source: SourceFile, indexed: Indexed) -> None:
    source.parsed = True
    source.data = None
    source.index = indexed.index
    source.tree = indexed.index.tree if indexed.index is not None else None
    source.syntax_error = indexed.syntax_error
    source.newer_syntax = indexed.newer_syntax


def _imported(index: ModuleIndex) -> List[str]:
    """Module names an index may import: each import, its parent packages, and ``from a import b``'s ``a.b``."""
    names: List[str] = list(index.star_imports)
    for imp in index.imports.values():
        names.append(imp.module)
        if imp.name is not None:
            names.append(f"{imp.module}.{imp.name}")
    expanded: List[str] = []
    for name in names:
        parts = name.split(".")
        expanded.extend(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return expanded


class Project:
    """Read files. A file is parsed, indexed and put in a call graph only when first needed:
    the call graph of a root is built from the root's own files and the files of other roots
    they import (by an unambiguous name), so a tree no checkpointed function reaches is only read."""

    def __init__(self, files: Iterable[SourceFile], store: Optional[IndexStore] = None, jobs: int = 0) -> None:
        self.files = list(files)
        self.store = store
        self.jobs = jobs
        self._by_root: Dict[str, List[SourceFile]] = {}
        self._by_module: Dict[str, List[SourceFile]] = {}
        for source in self.files:
            read_file(source)
            self._by_root.setdefault(source.root, []).append(source)
            self._by_module.setdefault(source.module, []).append(source)
        self._graphs: Dict[str, CallGraph] = {}

    def files_of(self, root: str) -> List[SourceFile]:
        return self._by_root.get(root, [])

    def index(self, sources: List[SourceFile]) -> None:
        """Parse and index files not done yet: from the store when it has them, the rest in
        parallel across cores when there are many (:func:`.indexing.index_files`)."""
        from .indexing import index_files

        index_files([s for s in sources if not s.parsed], self.store, self.jobs)

    def index_of(self, source: SourceFile) -> Optional[ModuleIndex]:
        """The file's index (None for a file that does not parse)."""
        if not source.parsed:
            self.index([source])
        return source.index

    def graph_for(self, root: str) -> CallGraph:
        graph = self._graphs.get(root)
        if graph is None:
            modules: Dict[str, ModuleIndex] = {}
            self.index(self._by_root.get(root, []))
            for source in self._by_root.get(root, []):
                found = source.index
                if found is not None:
                    modules[found.name] = found
            pending = [name for m in modules.values() for name in _imported(m)]
            while pending:
                name = pending.pop()
                candidates = self._by_module.get(name, [])
                if name in modules or len(candidates) != 1:
                    continue  # ours, not in the linted files, or ambiguous between roots
                found = self.index_of(candidates[0])
                if found is not None:
                    modules[name] = found
                    pending.extend(_imported(found))
            graph = self._graphs[root] = CallGraph(modules.values())
        return graph


def load_project(files: Iterable[SourceFile], store: Optional[IndexStore] = None) -> Project:
    """Read every file (see :class:`Project`)."""
    return Project(files, store)
