"""What a change does to the keys of checkpointed functions, read from two versions of the code
without running either (``checkpointing impact``).

For each checkpointed function this computes, statically, what its key is made of in each mode,
the way the runtime builds it (``checkpointing/_key.py``):

- **shallow**: the function's canonical code (the normalizer's, with its free names in order),
  and for each free name what it resolves to: a global's value *as written* (its assignments,
  re-rendered: formatting does not count), a function or class of yours *by name*, a library
  object by its qualified name;
- **deep**: the same for every function, class and global it can reach (the lint's call graph),
  functions and classes by their content; references between them are numbered in the order
  they are met, never named, so renaming a helper consistently keeps the key.

Two versions' keys are equal when everything a key covers is equal; the parts that differ say
why ("helper `clean` changed"). A value computed at run time (``DATA = load()``) is compared as
the expression that computes it: what it reads at run time is not known here, and a key that
changes for that reason is not predicted.
"""

from __future__ import annotations

import ast
import gc
import os
import textwrap
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

import xxhash

from .callgraph import CallGraph, FunctionInfo, ModuleIndex, Project, SourceFile, Target
from .lint.checkpointed import checkpointed_by_root

MODES = ("shallow", "deep")


@dataclass(frozen=True)
class Part:
    """One thing a key covers."""

    kind: str  # "code" (the function itself), "helper", "class", "global", "name", "library"
    name: str  # dotted: module.qualname, or a library's qualified name
    digest: str  # of its canonical content: equal digests, equal keys
    raw: str  # of its text as written: differs from the other version's when only the form changed
    path: str = ""
    line: int = 0
    value: str = ""  # a global's value as written, shortened


@dataclass
class FunctionKeys:
    """A checkpointed function of one version of the code."""

    node: str  # "module:qualname"
    path: str
    line: int
    deep: bool
    keys: Dict[str, str] = field(default_factory=dict)  # mode -> digest
    #: mode -> digest of the text as written of everything the key covers (formatting counts)
    raw: Dict[str, str] = field(default_factory=dict)
    version: Optional["_Version"] = field(default=None, repr=False)
    ident: str = ""  # "file::qualname": how the two versions' functions are paired

    @property
    def mode(self) -> str:
        return "deep" if self.deep else "shallow"

    @property
    def name(self) -> str:
        return self.node.replace(":", ".")

    def parts(self, mode: str) -> Dict[Tuple[str, str], Part]:
        """What the key of ``mode`` covers, part by part (made when a reason is asked for)."""
        assert self.version is not None
        return self.version.parts(self.ident, mode)


def _digest(*items: object) -> str:
    return xxhash.xxh3_128_hexdigest(repr(items).encode("utf-8", "surrogatepass"))


_canonical: Dict[str, Tuple[str, Tuple[str, ...]]] = {}


def canonical(text: str) -> Tuple[str, Tuple[str, ...]]:
    """A function's canonical code and its free names in order (the normalizer's strict form);
    what it cannot normalize is kept as written, its names in sorted order (fail closed: any
    edit counts)."""
    found = _canonical.get(text)
    if found is None:
        from .normalize import NormalizeError, normalize_function

        try:
            norm = normalize_function(text)
            found = (norm.strict.code, tuple(norm.strict.free_names))
        except (NormalizeError, ValueError, SyntaxError):
            found = (text, ())
        _canonical[text] = found
    return found


_Local = Tuple[str, str, Part, List[Tuple[int, str, Target]]]  # digest, raw digest, part, references


class _Version:
    """The checkpointed functions of one version of the code, and what their keys cover.

    A key is computed from per-node digests made once however many checkpointed functions reach
    the node: its *local* digest (its canonical code and signature, a class's skeleton, a global's
    assignments; the library names it uses) and its *node* digest (the local one with the local
    digests of what it refers to, by position: content, never names). A deep key is the start's
    node digest with the sorted node digests of everything it reaches.
    """

    def __init__(self, files: Sequence[SourceFile], decorators: Iterable[str] = ()) -> None:
        self.project = Project(files)
        self.by_path = {os.path.abspath(f.path): f for f in self.project.files}
        self._assignments: Dict[str, Dict[str, List[ast.stmt]]] = {}
        #: texts also found in the other version: kept as written (the same on both sides), so that
        #: only what changed is normalized (see :func:`versions`)
        self.shared: FrozenSet[str] = frozenset()
        # by (graph, node, is the checkpointed function): two roots may both have a ``main:run``
        self._local: Dict[Tuple[int, str, bool], _Local] = {}
        self._node: Dict[Tuple[int, str, bool], str] = {}
        #: by "file::qualname" (unique, and the same in both versions): graph, function, what it reaches
        self._found: Dict[str, Tuple[CallGraph, FunctionInfo, List[str], bool, str]] = {}
        for _, graph, found in checkpointed_by_root(self.project, decorators):
            starts = [f"{c.info.module}:{c.info.qualname}" for c, _ in found]
            reach = graph.reach(starts)
            for (checkpointed, source), start in zip(found, starts):
                reached = [n for n in reach.members(reach.sets[start]) if n != start and not _checkpointing(n)]
                where = graph.modules[checkpointed.info.module].path
                home = self.by_path.get(os.path.abspath(where))
                ident = f"{home.display if home is not None else source.display}::{checkpointed.info.qualname}"
                self._found[ident] = (graph, checkpointed.info, reached, checkpointed.deep, start)

    def texts(self) -> Set[str]:
        """The text of every function the checkpointed functions reach."""
        nodes: Dict[Tuple[int, str], CallGraph] = {}
        for graph, _, reached, _, start in self._found.values():
            nodes[(id(graph), start)] = graph
            nodes.update(((id(graph), node), graph) for node in reached)
        found: Set[str] = set()
        for (_, node), graph in nodes.items():
            info = graph.function(node)
            if info is not None:
                found.add(self._text(graph, info.module, info.node))
        return found

    def keys(self) -> Dict[str, FunctionKeys]:
        out: Dict[str, FunctionKeys] = {}
        for ident, (graph, info, reached, deep, start) in self._found.items():
            keys = FunctionKeys(start, ident.rsplit("::", 1)[0], info.span.line, deep, version=self, ident=ident)
            digest, raw, _, _ = self._local_of(graph, start, True)
            shallow = self._shallow_items(graph, start)
            keys.keys["shallow"] = _digest(digest, [item for item, _ in shallow])
            keys.raw["shallow"] = _digest(raw, sorted(part.raw for _, part in shallow if part is not None))
            helpers = sorted(self._node_of(graph, n, False) for n in reached)
            keys.keys["deep"] = _digest(self._node_of(graph, start, True), helpers)
            keys.raw["deep"] = _digest(raw, sorted(self._local_of(graph, n, False)[1] for n in reached))
            out[ident] = keys
        return out

    def parts(self, ident: str, mode: str) -> Dict[Tuple[str, str], Part]:
        graph, _, reached, _, start = self._found[ident]
        _, _, own, _ = self._local_of(graph, start, True)
        parts = {("code", start): own}
        if mode == "shallow":
            for _, part in self._shallow_items(graph, start):
                if part is not None:
                    parts[(part.kind, part.name)] = part
            return parts
        for node in reached:
            part = self._local_of(graph, node, False)[2]
            parts[(part.kind, node)] = part
        return parts

    # -- sources ----------------------------------------------------------------------------------

    def _source(self, index: ModuleIndex) -> Optional[SourceFile]:
        return self.by_path.get(os.path.abspath(index.path))

    def _text(self, graph: CallGraph, module: str, node: ast.AST) -> str:
        source = self._source(graph.modules[module])
        if source is None:
            return ast.unparse(node)
        first = min([getattr(node, "lineno", 1), *(d.lineno for d in getattr(node, "decorator_list", ()))])
        last = getattr(node, "end_lineno", None) or first
        return textwrap.dedent("\n".join(source.lines[first - 1:last])) + "\n"

    def _canonical(self, text: str) -> Tuple[str, Tuple[str, ...]]:
        return (text, ()) if text in self.shared else canonical(text)

    def _where(self, graph: CallGraph, module: str, line: int) -> Tuple[str, int]:
        source = self._source(graph.modules[module])
        return (source.display if source is not None else graph.modules[module].path), line

    def _assigned(self, graph: CallGraph, module: str, name: str) -> List[ast.stmt]:
        """Every module-level statement that binds ``name`` (a global may be assigned, then changed)."""
        table = self._assignments.get(module)
        if table is None:
            table = self._assignments[module] = {}
            from .callgraph.index import _statements

            for stmt in _statements(graph.modules[module].tree.body):
                if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                    for target in targets:
                        for n in ast.walk(target):
                            if isinstance(n, ast.Name):
                                table.setdefault(n.id, []).append(stmt)
        return table.get(name, [])

    # -- digests ----------------------------------------------------------------------------------

    def _global(self, graph: CallGraph, node: str) -> Part:
        module, name = node.split(":", 1)
        statements = self._assigned(graph, module, name)
        canonical_text = "\n".join(ast.unparse(s) for s in statements)
        raw = "\n".join(self._text(graph, module, s) for s in statements)
        last: Optional[ast.expr] = getattr(statements[-1], "value", None) if statements else None
        value = ast.unparse(last) if last is not None else ""
        path, line = self._where(graph, module, statements[0].lineno if statements else 0)
        return Part("global", node.replace(":", "."), _digest(canonical_text), _digest(raw), path, line,
                    value if len(value) <= 40 else value[:37] + "...")

    def _references(self, graph: CallGraph, info: FunctionInfo, text: str) -> Tuple[str, List[Tuple[int, str, Target]]]:
        """The function's canonical code, and (free name's position, attributes after it, target)
        for each name it reads from outside."""
        code, free = self._canonical(text)
        position = {name: i for i, name in enumerate(free)}
        refs = set()
        for ref in info.references:
            target, rest = graph.resolve(info.module, ref.chain)
            if target.in_project and _checkpointing(target.name):
                # the decorator's own code, when the checkpointing sources are among the files read:
                # library code, which the runtime's key names and never walks
                target = Target("external", target.name.replace(":", "."))
            used = ref.chain[:len(ref.chain) - len(rest)] if rest else ref.chain
            refs.add((position.get(ref.chain[0], len(position)), ".".join(used[1:]), target))
        return code, sorted(refs, key=lambda r: (r[0], r[1], r[2].kind, r[2].name))

    def _local_of(self, graph: CallGraph, node: str, start: bool) -> _Local:
        """A node's own content (without what it refers to): digest, raw digest, part, references.
        ``start``: the checkpointed function itself (its parameters' names do not count; a
        helper's keyword names do)."""
        key = (id(graph), node, start)
        found = self._local.get(key)
        if found is not None:
            return found
        if start and graph.function(node) is None:  # (only a function has a role)
            found = self._local[key] = self._local_of(graph, node, False)
            return found
        module, qualname = node.split(":", 1)
        info = graph.function(node)
        if info is not None:
            text = self._text(graph, module, info.node)
            code, refs = self._references(graph, info, text)
            libraries = [(pos, suffix, t.kind, t.name) for pos, suffix, t in refs if not t.in_project]
            digest = _digest(code, _signature(info.node.args, not start), libraries)
            path, line = self._where(graph, module, info.span.line)
            kind = "code" if start else "helper"
            found = (digest, _digest(text), Part(kind, node.replace(":", "."), digest, _digest(text), path, line),
                     refs)
        elif qualname in graph.modules[module].classes:
            cls = graph.modules[module].classes[qualname].node
            digest = _digest(_skeleton(cls))
            raw = _digest(self._text(graph, module, cls))
            path, line = self._where(graph, module, cls.lineno)
            found = (digest, raw, Part("class", node.replace(":", "."), digest, raw, path, line), [])
        else:
            part = self._global(graph, node)
            found = (part.digest, part.raw, part, [])
        self._local[key] = found
        return found

    def _node_of(self, graph: CallGraph, node: str, start: bool) -> str:
        """The local digest with the local digests of what the node refers to, in order."""
        key = (id(graph), node, start)
        found = self._node.get(key)
        if found is None:
            digest, _, _, refs = self._local_of(graph, node, start)
            referenced = {t.name for _, _, t in refs if t.in_project}
            targets = [(pos, suffix, self._local_of(graph, t.name, False)[0]) for pos, suffix, t in refs if t.in_project]
            others = sorted(self._local_of(graph, s, False)[0] for s in graph.successors(node)
                            if s not in referenced and not _checkpointing(s))
            found = self._node[key] = _digest(digest, targets, others)
        return found

    def _shallow_items(self, graph: CallGraph, start: str) -> List[Tuple[object, Optional[Part]]]:
        """What the shallow key reads besides the code: each name's value or name, with its part."""
        _, _, _, refs = self._local_of(graph, start, True)
        items: List[Tuple[object, Optional[Part]]] = []
        for pos, suffix, target in refs:
            if target.kind == "variable":
                value = self._global(graph, target.name)
                items.append(((pos, suffix, "value", value.digest), value))
            elif target.kind in ("function", "class"):  # by name: an edit inside it is not seen
                items.append(((pos, suffix, "name", target.name),
                              Part("name", target.name.replace(":", "."), target.name, "")))
            else:
                library = Part("library", target.name, target.name, "") \
                    if target.kind in ("external", "builtin") else None
                items.append(((pos, suffix, target.kind, target.name), library))
        return items


def _checkpointing(node: str) -> bool:
    """A node of checkpointing's own code (linted along with the project, as in its own repository)."""
    return node.split(":", 1)[0].split(".", 1)[0] == "checkpointing"


def _signature(args: ast.arguments, names: bool) -> List[Tuple[str, str, Optional[str]]]:
    """(kind, name, default as written) of each parameter: the name only where a caller can pass it
    by keyword and ``names`` (the checkpointed function's own parameters are matched by position,
    a helper's keyword names are part of what callers rely on)."""
    positional = [*args.posonlyargs, *args.args]
    defaults: List[Optional[ast.expr]] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    out: List[Tuple[str, str, Optional[str]]] = []
    for i, (param, default) in enumerate(zip(positional, defaults)):
        kind = "positional" if i < len(args.posonlyargs) else "either"
        out.append((kind, param.arg if names and kind == "either" else "",
                    ast.unparse(default) if default is not None else None))
    if args.vararg is not None:
        out.append(("*", "", None))
    for param, kw_default in zip(args.kwonlyargs, args.kw_defaults):
        out.append(("keyword", param.arg if names else "", ast.unparse(kw_default) if kw_default is not None else None))
    if args.kwarg is not None:
        out.append(("**", "", None))
    return out


def _skeleton(cls: ast.ClassDef) -> str:
    """A class as its key sees it apart from its methods (reached on their own): bases, keywords,
    decorators and class-level statements, re-rendered; methods kept by name and signature."""
    extra: Dict[str, Any] = {"type_params": []} if hasattr(cls, "type_params") else {}
    copy = ast.ClassDef(name="_", bases=cls.bases, keywords=cls.keywords, decorator_list=cls.decorator_list,
                        body=[], **extra)
    for stmt in cls.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            copy.body.append(ast.parse(f"def {stmt.name}(): ...").body[0])
        elif not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value,
                                                                                                      str)):
            copy.body.append(stmt)
    if not copy.body:
        copy.body.append(ast.Pass())
    return ast.unparse(copy)


def versions(before: Sequence[SourceFile], after: Sequence[SourceFile], decorators: Iterable[str] = ()
             ) -> Tuple[Dict[str, FunctionKeys], Dict[str, FunctionKeys]]:
    """The checkpointed functions of two versions of the code, by node ("module:qualname"), with
    their keys. A function's text found in both versions is compared as written; only the others
    are normalized (the normalizer is the slow part), which gives equal keys exactly when
    normalizing everything would, except that a text equal to one of the other version's may be
    seen as changed."""
    collecting = gc.isenabled()
    gc.disable()  # (millions of syntax-tree nodes that live until the end: see the lint's engine)
    try:
        old, new = _Version(before, decorators), _Version(after, decorators)
        shared = frozenset(old.texts() & new.texts())
        old.shared = new.shared = shared
        return old.keys(), new.keys()
    finally:
        if collecting:
            gc.enable()


def checkpointed_keys(files: Sequence[SourceFile], decorators: Iterable[str] = ()) -> Dict[str, FunctionKeys]:
    """The checkpointed functions of one version, with keys comparable to another's made the same way."""
    return _Version(files, decorators).keys()


@dataclass
class Impact:
    """What a change does to one checkpointed function's key."""

    node: str  # module:qualname
    function: str  # module.qualname
    path: str
    line: int
    mode: str  # the mode of its decorator in the new version (in the old one if removed)
    #: "changed" (its key changes), "formatting" (only the form of what it covers changed),
    #: "unchanged", "added", "removed"
    status: str
    reasons: List[str] = field(default_factory=list)
    #: where the change is, for annotations: (path, line, what changed)
    locations: List[Tuple[str, int, str]] = field(default_factory=list)
    #: shallow mode only: changes to code it reaches that its key does not see (stale results)
    unseen: List[str] = field(default_factory=list)
    #: in the other mode, would its key change?
    other_mode_changes: bool = False
    #: the nodes ("module:qualname") whose change gives the new key (or goes unseen)
    changed_nodes: List[str] = field(default_factory=list)


def _reasons(before: Dict[Tuple[str, str], Part], after: Dict[Tuple[str, str], Part],
             nodes: Optional[List[str]] = None) -> Tuple[List[str], List[Tuple[str, int, str]]]:
    """Why, and where (``nodes`` collects what changed)."""
    reasons: List[str] = []
    where: List[Tuple[str, int, str]] = []
    for ident in [*after, *(i for i in before if i not in after)]:
        b, a = before.get(ident), after.get(ident)
        if a is not None and b is not None:
            if a.digest == b.digest:
                continue
            reason = {"code": "its own code changed", "helper": f"helper `{a.name}` changed",
                      "class": f"class `{a.name}` changed", "global": f"global `{a.name}` changed"
                      + (f" from {b.value} to {a.value}" if a.value or b.value else "")}.get(a.kind, "")
        elif a is not None:
            reason = {"helper": f"it now reaches helper `{a.name}`", "class": f"it now uses class `{a.name}`",
                      "global": f"it now reads global `{a.name}`", "name": f"it now calls `{a.name}`",
                      "library": f"it now uses `{a.name}`", "code": "it is new"}[a.kind]
        else:
            assert b is not None
            reason = {"helper": f"it no longer reaches helper `{b.name}`", "class": f"it no longer uses class "
                      f"`{b.name}`", "global": f"it no longer reads global `{b.name}`", "name": f"it no longer calls "
                      f"`{b.name}`", "library": f"it no longer uses `{b.name}`", "code": "it was removed"}[b.kind]
        if reason:
            reasons.append(reason)
            if a is not None and a.path:
                where.append((a.path, a.line, reason))
            if nodes is not None and a is not None and ident[0] in ("code", "helper", "class", "global"):
                nodes.append(ident[1])
    return reasons, where


def compare(before: Dict[str, FunctionKeys], after: Dict[str, FunctionKeys]) -> List[Impact]:
    """For each checkpointed function of either version (paired by file and qualified name), what
    the change does to its key."""
    impacts = []
    for ident in sorted({*before, *after}):
        b, a = before.get(ident), after.get(ident)
        if a is None or b is None:
            f = a or b
            assert f is not None
            impacts.append(Impact(f.node, f.name, f.path, f.line, f.mode, "added" if a is not None else "removed",
                                  ["it is new: no entry yet" if a is not None else "it is no longer checkpointed"]))
            continue
        mode = a.mode
        other = "shallow" if mode == "deep" else "deep"
        changed_nodes: List[str] = []
        if a.keys[mode] != b.keys[mode]:
            reasons, where = _reasons(b.parts(mode), a.parts(mode), changed_nodes)
            impact = Impact(a.node, a.name, a.path, a.line, mode, "changed",
                            reasons or ["the way it reaches its code changed"], where, changed_nodes=changed_nodes)
        elif a.raw[mode] != b.raw[mode]:
            impact = Impact(a.node, a.name, a.path, a.line, mode, "formatting",
                            ["only formatting, comments or names changed: keys unchanged"])
        else:
            impact = Impact(a.node, a.name, a.path, a.line, mode, "unchanged")
        if a.deep != b.deep:
            impact.reasons = [f"it is now checkpointed in {mode} mode"] + \
                (impact.reasons if impact.status == "changed" else [])
            impact.status = "changed"
        impact.other_mode_changes = a.keys[other] != b.keys[other]
        if mode == "shallow" and impact.other_mode_changes:
            deep_nodes: List[str] = []
            deep_reasons, deep_where = _reasons(b.parts("deep"), a.parts("deep"), deep_nodes)
            impact.changed_nodes.extend(n for n in deep_nodes if n not in impact.changed_nodes)
            impact.unseen = [r for r in deep_reasons if r not in impact.reasons and not r.startswith("its own code")]
            impact.locations.extend(w for w in deep_where if w[2] in impact.unseen)
        impacts.append(impact)
    return impacts
