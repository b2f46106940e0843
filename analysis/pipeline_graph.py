"""The checkpointed functions of a project and the code of yours they reach, as a graph to draw
(``checkpointing graph``): read with the lint's call graph, never run."""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass, field
from typing import Deque, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from .callgraph import Project, SourceFile
from .lint.checkpointed import checkpointed_by_root


@dataclass
class GraphNode:
    id: str  # "module:qualname"
    label: str  # qualname
    kind: str  # "checkpointed", "function", "class", or "data" (files its stored entries read)
    path: str
    line: int
    depth: int  # calls away from the nearest checkpointed function
    mode: Optional[str] = None  # a checkpointed function's: "shallow" or "deep"
    entries: Optional[int] = None  # stored entries (with a store)
    compute_seconds: Optional[float] = None
    #: with a base revision: "changed" (a checkpointed function's key changes), "stale" (a
    #: shallow one reaches changed code its key does not see), "edited" (code that changed)
    status: Optional[str] = None

    @property
    def name(self) -> str:
        return self.label if self.kind == "data" else self.id.replace(":", ".")

    @property
    def where(self) -> str:
        """Its file and line (a data node: its path)."""
        return self.path if self.kind == "data" else f"{self.path}:{self.line}"


@dataclass
class PipelineGraph:
    nodes: Dict[str, GraphNode] = field(default_factory=dict)
    #: (from, to, how): "calls" (a use in the code), "uses" (through a global: a dispatch table),
    #: "by name" (a method called on a value of unknown type, found by its name)
    #: "reads" (a data file the function's stored entries were computed from)
    edges: List[Tuple[str, str, str]] = field(default_factory=list)

    def checkpointed(self) -> List[GraphNode]:
        return [n for n in self.nodes.values() if n.kind == "checkpointed"]

    def add_reads(self, function: str, inputs: Dict[str, str], limit: int = 8) -> None:
        """Draw the files and folders the stored entries of ``function`` read (path -> "file" or
        "folder", as recorded at run time), above it. Past ``limit``, the files of one folder are
        one node ("data/raw/ (120 files)"), so that a function reading thousands stays legible."""
        shown: Dict[str, str] = {}  # node id -> label
        groups: Dict[str, List[str]] = {}
        for path, kind in sorted(inputs.items()):
            if kind == "folder":
                shown[f"data:{path}/"] = f"{path.rstrip('/')}/ (listed)"
            else:
                groups.setdefault(os.path.dirname(path), []).append(path)
        files = sum(len(g) for g in groups.values())
        for folder, members in sorted(groups.items()):
            if files + len(shown) > limit and len(members) > 1:
                shown[f"data:{folder}/*"] = f"{folder or '.'}/ ({len(members)} files)"
            else:
                shown.update((f"data:{m}", m) for m in members)
        for node, label in shown.items():
            if node not in self.nodes:
                path = node[len("data:"):].rstrip("*")
                self.nodes[node] = GraphNode(node, label, "data", path, 0, -1)
            self.edges.append((node, function, "reads"))

    def drop_inherited_reads(self) -> None:
        """A checkpointed function's entries also record the files read by the checkpointed
        functions it calls (their hits must be re-checked with it); drawn once, at the callee."""
        below: Dict[str, Set[str]] = {}
        for source, target, how in self.edges:
            if how != "reads":
                below.setdefault(source, set()).add(target)
        reads: Dict[str, Set[str]] = {}
        for source, target, how in self.edges:
            if how == "reads":
                reads.setdefault(target, set()).add(source)

        def reached(start: str) -> Set[str]:
            seen: Set[str] = set()
            pending = list(below.get(start, ()))
            while pending:
                node = pending.pop()
                if node not in seen:
                    seen.add(node)
                    pending.extend(below.get(node, ()))
            return seen

        inherited = {(data, function) for function in reads for callee in reached(function) if callee != function
                     for data in reads.get(callee, set()) & reads[function]}
        self.edges = [e for e in self.edges if (e[0], e[1]) not in inherited or e[2] != "reads"]

    def layers(self) -> List[List[GraphNode]]:
        by_depth: Dict[int, List[GraphNode]] = {}
        for node in self.nodes.values():
            by_depth.setdefault(node.depth, []).append(node)
        return [sorted(by_depth[d], key=lambda n: n.id) for d in sorted(by_depth)]


def build(files: Sequence[SourceFile], decorators: Iterable[str] = (), max_depth: int = 0) -> PipelineGraph:
    """The graph of these files; ``max_depth``: only code at most that many calls away (0: all)."""
    project = Project(files)
    by_path = {os.path.abspath(f.path): f for f in project.files}
    result = PipelineGraph()
    for _, graph, found in checkpointed_by_root(project, decorators):
        starts = [f"{c.info.module}:{c.info.qualname}" for c, _ in found]
        reach = graph.reach(starts)
        reached = set(reach.members(reach.union()))
        included: Set[str] = set()
        for node in reached:
            module, qualname = node.split(":", 1)
            if module.split(".", 1)[0] == "checkpointing":  # the decorator's own sources, when read too
                continue
            if graph.function(node) is not None or qualname in graph.modules[module].classes:
                included.add(node)
        # breadth first, each node at its distance from the nearest checkpointed function; a use
        # through a global (a dispatch table) links the code on either side of it
        depth: Dict[str, int] = {s: 0 for s in starts}
        anchor: Dict[str, str] = {s: s for s in starts}
        pending: Deque[str] = deque(starts)
        edges: Dict[Tuple[str, str], str] = {}
        while pending:
            node = pending.popleft()
            source = anchor[node]
            for successor in graph.successors(node):
                if successor not in reached:
                    continue
                if successor in included and successor != source:
                    edges.setdefault((source, successor), "calls" if node == source else "uses")
                if successor not in depth:
                    depth[successor] = depth[node] + (successor in included)
                    anchor[successor] = successor if successor in included else source
                    pending.append(successor)
        for node in sorted(included):  # methods reached by their name: below their class
            cls = node.rsplit(".", 1)[0]
            if "." in node.split(":", 1)[1] and cls in included and cls in depth and (cls, node) not in edges:
                edges[(cls, node)] = "by name"
                depth.setdefault(node, depth[cls] + 1)
        modes = {f"{c.info.module}:{c.info.qualname}": ("deep" if c.deep else "shallow") for c, _ in found}
        for node, d in depth.items():
            if node not in included or (max_depth and d > max_depth):
                continue
            path, span = graph.definition(node)
            home = by_path.get(os.path.abspath(path))
            result.nodes[node] = GraphNode(
                node, node.split(":", 1)[1], "checkpointed" if node in modes else
                ("function" if graph.function(node) is not None else "class"),
                home.display if home is not None else path, span.line, d, modes.get(node))
        result.edges.extend((a, b, how) for (a, b), how in sorted(edges.items())
                            if a in result.nodes and b in result.nodes)
    return result
