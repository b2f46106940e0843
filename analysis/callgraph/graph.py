"""The project's call graph: names resolved across modules, in a networkx graph.

Nodes are the project's functions and methods (``"pkg.mod:Model.fit"``), classes
(``"pkg.mod:Model"``) and module-level variables (``"pkg.mod:DISPATCH"``); an edge means "may
use". What a reference resolves to is a :class:`Target`: one of those nodes, or a name in the
standard library or an installed package (``"numpy.random.rand"``), which is not followed.

Reachability follows the edges, then methods by name: a call ``obj.fit()`` on something whose
type is unknown reaches ``fit`` in every class already reached (and, when ``obj`` is a
parameter without an annotation, in every class of the project that defines ``fit``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Deque, Dict, FrozenSet, Iterable, Iterator, List, Optional, Set, Tuple

import networkx as nx

from .index import BUILTIN_NAMES, Chain, ClassInfo, FunctionInfo, ModuleIndex, Reference, Span

#: methods that run when a class is used: constructing, calling, comparing, printing
_CLASS_HOOKS = ("__init__", "__new__", "__post_init__", "__init_subclass__", "__call__")


@dataclass(frozen=True)
class Target:
    kind: str  # "function", "class", "variable", "module", "external", "builtin", "unknown"
    name: str  # node id ("mod:qualname") for project code, dotted name for the rest
    module: Optional[str] = None  # the project module defining it

    @property
    def in_project(self) -> bool:
        return self.kind in ("function", "class", "variable")


#: methods of builtin containers, strings, files and arrays: on a value of unknown type, a call of
#: one of these is not linked to every project method of that name (``d.get(k)`` on a dict
#: parameter is not ``Registry.get``); an annotated parameter is still resolved exactly
COMMON_METHODS = frozenset({
    "get", "items", "keys", "values", "copy", "append", "extend", "insert", "pop", "popitem", "remove", "clear",
    "update", "setdefault", "add", "discard", "sort", "reverse", "index", "count", "join", "split", "rsplit",
    "strip", "lstrip", "rstrip", "format", "replace", "startswith", "endswith", "lower", "upper", "encode",
    "decode", "read", "readline", "readlines", "write", "writelines", "close", "flush", "seek", "tell",
    "tolist", "astype", "reshape", "sum", "mean", "min", "max", "any", "all", "item", "issubset", "union",
    "intersection", "difference", "__enter__", "__exit__",
})


def node_id(module: str, qualname: str) -> str:
    return f"{module}:{qualname}"


class CallGraph:
    """The call graph of a set of modules (the files of one lint run, or of one project)."""

    def __init__(self, modules: Iterable[ModuleIndex]) -> None:
        self.modules: Dict[str, ModuleIndex] = {m.name: m for m in modules}
        self.graph = nx.DiGraph()
        self._methods_by_name: Dict[str, List[str]] = {}
        # resolution is asked the same questions many times (every call of every reachable function)
        self._resolved: Dict[Tuple[str, Chain], Tuple[Target, Chain]] = {}
        self._mros: Dict[str, List[ClassInfo]] = {}
        self._found_methods: Dict[Tuple[str, str], Optional[str]] = {}
        self._adjacent: Dict[str, Tuple[Tuple[str, ...], FrozenSet[str], bool]] = {}
        self._functions: Dict[str, Optional[FunctionInfo]] = {}  # node -> its function (None: not one)
        self._edged: Set[str] = set()  # modules whose outgoing edges exist (built when first needed)
        for module in self.modules.values():
            for info in module.functions.values():
                self.graph.add_node(node_id(module.name, info.qualname), kind="function")
            for cls in module.classes.values():
                self.graph.add_node(node_id(module.name, cls.name), kind="class")
                for method, qualname in cls.methods.items():
                    self._methods_by_name.setdefault(method, []).append(node_id(module.name, qualname))
            for var in module.variables:
                if module.top_level_binding(var) == "variable":
                    self.graph.add_node(node_id(module.name, var), kind="variable")

    # -- resolution ---------------------------------------------------------------------------

    def resolve(self, module: str, chain: Chain) -> Tuple[Target, Chain]:
        """What ``chain`` written in ``module`` refers to, and the part of the chain after it."""
        key = (module, chain)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = self._resolve(module, chain, 0)
        return found

    def _resolve(self, module: str, chain: Chain, _depth: int) -> Tuple[Target, Chain]:
        index = self.modules.get(module)
        head, rest = chain[0], chain[1:]
        if index is None or _depth > 20:
            return Target("external", ".".join(chain)), ()
        kind = index.top_level_binding(head)
        if kind == "function":
            return Target("function", node_id(module, head), module), rest
        if kind == "class":
            if rest and rest[0] in index.classes[head].methods:
                return Target("function", node_id(module, f"{head}.{rest[0]}"), module), rest[1:]
            return Target("class", node_id(module, head), module), rest
        if kind == "variable":
            return Target("variable", node_id(module, head), module), rest
        if kind == "import":
            imp = index.imports[head]
            if imp.name is None:
                return self._in_module(imp.module, rest, _depth)
            if imp.module in self.modules:
                target, left = self._resolve(imp.module, (imp.name, *rest), _depth + 1)
                if target.kind != "unknown":
                    return target, left
            submodule = f"{imp.module}.{imp.name}"
            if submodule in self.modules:
                return self._in_module(submodule, rest, _depth)
            return Target("external", ".".join((imp.module, imp.name, *rest))), ()
        for star in index.star_imports:
            if star in self.modules and self.modules[star].top_level_binding(head) is not None:
                return self._resolve(star, chain, _depth + 1)
        if head in BUILTIN_NAMES:
            return Target("builtin", ".".join(("builtins", *chain))), ()
        return Target("unknown", ".".join(chain)), ()

    def _in_module(self, module: str, rest: Chain, depth: int) -> Tuple[Target, Chain]:
        """A chain continuing after a module object: ``helpers.clean``, ``pkg.sub.f``."""
        while rest and f"{module}.{rest[0]}" in self.modules and (
                module not in self.modules or self.modules[module].top_level_binding(rest[0]) in (None, "import")):
            module, rest = f"{module}.{rest[0]}", rest[1:]
        if module in self.modules:
            if not rest:
                return Target("module", module, module), ()
            return self._resolve(module, rest, depth + 1)
        return Target("external", ".".join((module, *rest))), ()

    def qualified_name(self, module: str, chain: Chain) -> Optional[str]:
        """The dotted name of a standard-library or installed-package object, or None."""
        target, _ = self.resolve(module, chain)
        if target.kind in ("external", "builtin"):
            return target.name
        return None

    def resolve_class(self, module: str, chain: Chain) -> Optional[ClassInfo]:
        target, rest = self.resolve(module, chain)
        if target.kind == "class" and not rest:
            mod, name = target.name.split(":")
            return self.modules[mod].classes[name]
        return None

    def function(self, node: str) -> Optional[FunctionInfo]:
        try:
            return self._functions[node]
        except KeyError:
            module, qualname = node.split(":", 1)
            index = self.modules.get(module)
            found = self._functions[node] = index.functions.get(qualname) if index is not None else None
            return found

    def definition(self, node: str) -> Tuple[str, Span]:
        """File and span of a project node's definition."""
        module, qualname = node.split(":", 1)
        index = self.modules[module]
        if qualname in index.functions:
            return index.path, index.functions[qualname].span
        if qualname in index.classes:
            return index.path, Span.of(index.classes[qualname].node)
        return index.path, index.variable_spans[qualname]

    def mro(self, cls: ClassInfo) -> List[ClassInfo]:
        """The class and its project bases, depth first (enough to find a method by name)."""
        key = node_id(cls.module, cls.name)
        found = self._mros.get(key)
        if found is None:
            found = self._mros[key] = self._bases(cls, set())
        return found

    def _bases(self, cls: ClassInfo, seen: Set[str]) -> List[ClassInfo]:
        key = node_id(cls.module, cls.name)
        if key in seen:
            return []
        seen.add(key)
        found = [cls]
        for base in cls.bases:
            base_info = self.resolve_class(cls.module, base)
            if base_info is not None:
                found.extend(self._bases(base_info, seen))
        return found

    def find_method(self, cls: ClassInfo, name: str) -> Optional[str]:
        key = (node_id(cls.module, cls.name), name)
        if key not in self._found_methods:
            self._found_methods[key] = next((node_id(k.module, k.methods[name]) for k in self.mro(cls)
                                             if name in k.methods), None)
        return self._found_methods[key]

    def methods_named(self, name: str) -> List[str]:
        """Every project method called ``name``."""
        return self._methods_by_name.get(name, [])

    # -- edges --------------------------------------------------------------------------------

    def _add_edges(self, module: ModuleIndex) -> None:
        g = self.graph
        for info in module.functions.values():
            source = node_id(module.name, info.qualname)
            for ref in info.references:
                target, _ = self.resolve(module.name, ref.chain)
                if target.in_project:
                    g.add_edge(source, target.name)
            cls = module.classes.get(info.class_name) if info.class_name else None
            for call in info.method_calls:
                found = None
                if cls is not None and call.receiver in ("self", "cls"):
                    found = self.find_method(cls, call.method)
                elif call.receiver in info.params and info.params[call.receiver] is not None:
                    annotated = self.resolve_class(module.name, info.params[call.receiver])  # type: ignore[arg-type]
                    found = self.find_method(annotated, call.method) if annotated is not None else None
                if found is not None:
                    g.add_edge(source, found)
                else:
                    demands = g.nodes[source].setdefault("demands", set())
                    demands.add(call.method)
                    if call.receiver in info.params and call.receiver not in ("self", "cls") \
                            and call.method not in COMMON_METHODS:
                        for method in self.methods_named(call.method):
                            g.add_edge(source, method)
        for cls in module.classes.values():
            source = node_id(module.name, cls.name)
            for hook in _CLASS_HOOKS:
                found = self.find_method(cls, hook)
                if found is not None:
                    g.add_edge(source, found)
            for base in cls.bases:
                base_info = self.resolve_class(module.name, base)
                if base_info is not None:
                    g.add_edge(source, node_id(base_info.module, base_info.name))
            for stmt in cls.node.body:  # class attributes: ``handler = staticmethod(f)``, dataclass defaults
                if not hasattr(stmt, "body"):
                    for ref in _statement_references(stmt):
                        target, _ = self.resolve(module.name, ref.chain)
                        if target.in_project:
                            g.add_edge(source, target.name)
        for var, refs in module.variables.items():
            if module.top_level_binding(var) != "variable":
                continue
            source = node_id(module.name, var)
            for ref in refs:
                target, _ = self.resolve(module.name, ref.chain)
                if target.in_project and target.name != source:
                    g.add_edge(source, target.name)

    # -- reachability -------------------------------------------------------------------------

    def _ensure_edges(self, module: str) -> None:
        """A module's outgoing edges, resolved when a node of it is first reached (linting a
        large project resolves only what checkpointed functions reach)."""
        if module not in self._edged:
            self._edged.add(module)
            self._add_edges(self.modules[module])

    def _adjacency_of(self, node: str) -> Tuple[Tuple[str, ...], FrozenSet[str], bool]:
        """A node's successors (sorted), the method names it calls on unknown objects, is a class."""
        found = self._adjacent.get(node)
        if found is None:
            self._ensure_edges(node.split(":", 1)[0])
            data = self.graph.nodes[node]
            found = self._adjacent[node] = (tuple(sorted(self.graph.successors(node), reverse=True)),
                                            frozenset(data.get("demands", ())), data.get("kind") == "class")
        return found

    def successors(self, node: str) -> List[str]:
        """What ``node`` uses directly (sorted): the edges of its module are resolved first."""
        if node not in self.graph:
            return []
        return sorted(self._adjacency_of(node)[0])

    def all_edges(self) -> nx.DiGraph:
        """The whole graph, every module's edges resolved."""
        for module in self.modules:
            self._ensure_edges(module)
        return self.graph

    def reachable(self, start: str) -> List[str]:
        """Every node ``start`` may use, itself included, nearest first (breadth first: the path
        by which each was first found is a shortest one, see :meth:`chains`)."""
        return self._walk(start)[0]

    def _walk(self, start: str, until: Optional[Set[str]] = None) -> Tuple[List[str], Dict[str, Optional[str]]]:
        """The breadth-first walk from ``start``: the nodes in order, and the node each was found
        from; with ``until``, stopped once every node of it has been found."""
        graph = self.graph
        parents: Dict[str, Optional[str]] = {start: None}
        order: List[str] = []
        demands: Set[str] = set()
        classes: List[str] = []
        pending: Deque[str] = deque([start]) if start in graph else deque()
        missing = set(until) - {start} if until is not None else None
        while pending:
            while pending:
                node = pending.popleft()
                order.append(node)
                if missing is not None:
                    missing.discard(node)
                    if not missing:
                        return order, parents
                successors, wanted, is_class = self._adjacency_of(node)
                demands |= wanted
                if is_class:
                    classes.append(node)
                for successor in reversed(successors):  # (successors are nodes of the graph)
                    if successor not in parents:
                        parents[successor] = node
                        pending.append(successor)
            for cls_node in sorted(classes):  # methods called by name on instances of reached classes
                module, name = cls_node.split(":")
                cls = self.modules[module].classes[name]
                for method in sorted(demands):
                    found = self.find_method(cls, method)
                    if found is not None and found not in parents:
                        parents[found] = cls_node
                        pending.append(found)
        return order, parents

    def chains(self, start: str, nodes: Iterable[str]) -> Dict[str, List[str]]:
        """A shortest path of uses from ``start`` to each of ``nodes`` (which it reaches), both
        ends included: the breadth-first walk of :meth:`reachable`, stopped once all are found."""
        wanted = set(nodes)
        _, parents = self._walk(start, wanted)
        found: Dict[str, List[str]] = {}
        for node in wanted:
            path = [node]
            while parents.get(path[-1]) is not None:
                path.append(parents[path[-1]])  # type: ignore[arg-type]
            found[node] = path[::-1]
        return found

    def reach(self, starts: Iterable[str]) -> "Reach":
        """What each of ``starts`` may use, for many starts at once (see :class:`Reach`)."""
        return Reach(self, starts)

    def cycles(self) -> List[List[str]]:
        """Groups of mutually recursive nodes (strongly connected components of two or more)."""
        return [sorted(c) for c in nx.strongly_connected_components(self.all_edges()) if len(c) > 1]


def _statement_references(stmt: object) -> List[Reference]:
    from .index import _value_references

    value = getattr(stmt, "value", None)
    return _value_references(value) if value is not None else []


class Reach:
    """What each of several start nodes may use (the same answer as :meth:`CallGraph.reachable`),
    computed for all of them together: a lint of a large project asks this for hundreds of
    checkpointed functions that reach most of the same code.

    Each node's closure over the edges is computed once, per strongly connected component
    (Tarjan's algorithm), as a bit set over one numbering of the nodes, with the method names
    called on values of unknown type in it; a start's answer is its closure plus, until nothing
    changes, the closures of the methods those names find in the classes it reaches.
    """

    def __init__(self, graph: CallGraph, starts: Iterable[str]) -> None:
        self.graph = graph
        self.number: Dict[str, int] = {}
        self.nodes: List[str] = []
        self._closures: Dict[str, Tuple[int, FrozenSet[str]]] = {}
        self._by_method: Dict[str, List[Tuple[str, str]]] = {}  # method name -> (class node, method node)
        self._fixed: Dict[int, int] = {}
        self.sets: Dict[str, int] = {}
        for start in starts:
            if start not in self.sets:
                self.sets[start] = self._fixpoint(start) if start in graph.graph else 0

    def _bit(self, node: str) -> int:
        number = self.number.get(node)
        if number is None:
            number = self.number[node] = len(self.nodes)
            self.nodes.append(node)
        return 1 << number

    def members(self, bits: int) -> Iterator[str]:
        """The nodes of a bit set, in the order they were numbered."""
        nodes = self.nodes
        number = 0
        while bits:
            chunk = bits & 0xFFFFFFFFFFFFFFFF
            while chunk:
                low = chunk & -chunk
                yield nodes[number + low.bit_length() - 1]
                chunk ^= low
            bits >>= 64
            number += 64

    def union(self) -> int:
        bits = 0
        for found in self.sets.values():
            bits |= found
        return bits

    def _candidates(self, method: str) -> List[Tuple[str, str]]:
        """(class, method node) for every project class in which ``method`` is found by name."""
        found = self._by_method.get(method)
        if found is None:
            graph = self.graph
            found = self._by_method[method] = []
            for module in graph.modules.values():
                for cls in module.classes.values():
                    target = graph.find_method(cls, method)
                    if target is not None:
                        found.append((node_id(module.name, cls.name), target))
        return found

    def _fixpoint(self, start: str) -> int:
        bits, demands = self._closure(start)
        done = self._fixed.get(bits)
        if done is not None:
            return done
        first = bits
        while True:
            added: List[str] = []
            for method in sorted(demands):
                for cls_node, target in self._candidates(method):
                    if bits & self._bit(cls_node) and not bits & self._bit(target):
                        added.append(target)
            if not added:
                break
            for target in added:
                more, wanted = self._closure(target)
                bits |= more
                demands |= wanted
        self._fixed[first] = bits
        return bits

    def _closure(self, root: str) -> Tuple[int, FrozenSet[str]]:
        """The bit set of every node reachable from ``root`` along edges, and the method names they
        call on unknown values (iterative Tarjan; every node's closure is kept)."""
        closures = self._closures
        found = closures.get(root)
        if found is not None:
            return found
        adjacency = self.graph._adjacency_of
        index: Dict[str, int] = {}
        low: Dict[str, int] = {}
        stack: List[str] = []
        on_stack: Set[str] = set()
        work: List[Tuple[str, Iterator[str]]] = []

        def enter(node: str) -> None:
            index[node] = low[node] = len(index)
            stack.append(node)
            on_stack.add(node)
            work.append((node, iter(adjacency(node)[0])))

        enter(root)
        while work:
            node, successors = work[-1]
            descended = False
            for successor in successors:
                if successor in closures:
                    continue
                if successor not in index:
                    enter(successor)
                    descended = True
                    break
                if successor in on_stack and index[successor] < low[node]:
                    low[node] = index[successor]
            if descended:
                continue
            work.pop()
            if work and low[node] < low[work[-1][0]]:
                low[work[-1][0]] = low[node]
            if low[node] != index[node]:
                continue
            component: List[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            bits = 0
            demands: Set[str] = set()
            for member in component:
                bits |= self._bit(member)
                successors_of, wanted, _ = adjacency(member)
                demands |= wanted
                for successor in successors_of:
                    outside = closures.get(successor)
                    if outside is not None:
                        bits |= outside[0]
                        demands |= outside[1]
            frozen = frozenset(demands)
            for member in component:
                closures[member] = (bits, frozen)
        return closures[root]
