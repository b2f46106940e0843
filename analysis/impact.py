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
import os
import textwrap
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

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
    parts: Dict[str, Dict[Tuple[str, str], Part]] = field(default_factory=dict)  # mode -> (kind, name) -> part

    @property
    def mode(self) -> str:
        return "deep" if self.deep else "shallow"

    @property
    def name(self) -> str:
        return self.node.replace(":", ".")


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


class _Version:
    """The checkpointed functions of one version of the code, and what their keys cover."""

    def __init__(self, files: Sequence[SourceFile], decorators: Iterable[str] = ()) -> None:
        self.project = Project(files)
        self.by_path = {os.path.abspath(f.path): f for f in self.project.files}
        self.functions: Dict[str, FunctionKeys] = {}
        self._assignments: Dict[str, Dict[str, List[ast.stmt]]] = {}
        for _, graph, found in checkpointed_by_root(self.project, decorators):
            starts = [f"{c.info.module}:{c.info.qualname}" for c, _ in found]
            reach = graph.reach(starts)
            for (checkpointed, source), start in zip(found, starts):
                info = checkpointed.info
                keys = FunctionKeys(start, source.display, info.span.line, checkpointed.deep)
                self.functions[start] = keys
                keys.keys["shallow"], keys.parts["shallow"] = self._shallow(graph, info)
                reached = [n for n in reach.members(reach.sets[start])]
                keys.keys["deep"], keys.parts["deep"] = self._deep(graph, start, reached)

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

    # -- parts ------------------------------------------------------------------------------------

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

    def _references(self, graph: CallGraph, info: FunctionInfo, names: bool = False
                    ) -> Tuple[str, List[Tuple[int, str, Target]]]:
        """The function's canonical code with its signature (default values; with ``names``, the
        names callers can pass by keyword too), and (free name's position, attributes after it,
        target) for each name it reads from outside."""
        code, free = canonical(self._text(graph, info.module, info.node))
        code += "\n# signature: " + repr(_signature(info.node.args, names))
        position = {name: i for i, name in enumerate(free)}
        refs = set()
        for ref in info.references:
            target, rest = graph.resolve(info.module, ref.chain)
            if target.in_project and target.name.split(".", 1)[0].split(":", 1)[0] == "checkpointing":
                # the decorator's own code, when the checkpointing sources are among the files read:
                # library code, which the runtime's key names and never walks
                target = Target("external", target.name.replace(":", "."))
            used = ref.chain[:len(ref.chain) - len(rest)] if rest else ref.chain
            refs.add((position.get(ref.chain[0], len(position)), ".".join(used[1:]), target))
        return code, sorted(refs, key=lambda r: (r[0], r[1], r[2].kind, r[2].name))

    def _shallow(self, graph: CallGraph, info: FunctionInfo) -> Tuple[str, Dict[Tuple[str, str], Part]]:
        code, refs = self._references(graph, info)
        start = f"{info.module}:{info.qualname}"
        path, line = self._where(graph, info.module, info.span.line)
        parts = {("code", start): Part("code", start.replace(":", "."), _digest(code),
                                       _digest(self._text(graph, info.module, info.node)), path, line)}
        items: List[object] = [code]
        for pos, suffix, target in refs:
            if target.kind == "variable":
                part = self._global(graph, target.name)
                parts[("global", target.name)] = part
                items.append((pos, suffix, "value", part.digest))
            elif target.kind in ("function", "class"):  # by name: an edit inside it is not seen
                parts[("name", target.name)] = Part("name", target.name.replace(":", "."), "", "")
                items.append((pos, suffix, "name", target.name))
            else:
                if target.kind in ("external", "builtin"):
                    parts[("library", target.name)] = Part("library", target.name, "", "")
                items.append((pos, suffix, target.kind, target.name))
        return _digest(*items), parts

    def _deep(self, graph: CallGraph, start: str, reached: List[str]) -> Tuple[str, Dict[Tuple[str, str], Part]]:
        number: Dict[str, int] = {start: 0}
        order = [start]
        records: List[object] = []
        parts: Dict[Tuple[str, str], Part] = {}
        local: Dict[str, Tuple[str, str]] = {}  # node -> (canonical content, raw text)

        def ref(node: str) -> int:
            if node not in number:
                number[node] = len(order)
                order.append(node)
            return number[node]

        done = 0
        while done < len(order):
            node = order[done]
            done += 1
            records.append(self._record(graph, node, ref, parts, node == start, local))
            if done == len(order):  # what is reached only by a method's name: in the order of its content
                rest = [n for n in reached if n not in number and not _checkpointing(n)]
                for n in sorted(rest, key=lambda n: self._content(graph, n, local)):
                    ref(n)
        return _digest(*records), parts

    def _content(self, graph: CallGraph, node: str, local: Dict[str, Tuple[str, str]]) -> str:
        found = local.get(node)
        if found is None:
            info = graph.function(node)
            module, qualname = node.split(":", 1)
            if info is not None:
                raw = self._text(graph, module, info.node)
                found = (canonical(raw)[0], raw)
            elif qualname in graph.modules[module].classes:
                cls = graph.modules[module].classes[qualname].node
                raw = self._text(graph, module, cls)
                found = (_skeleton(cls), raw)
            else:
                part = self._global(graph, node)
                found = (part.digest, part.raw)
            local[node] = found
        return found[0]

    def _record(self, graph: CallGraph, node: str, ref, parts: Dict[Tuple[str, str], Part],  # type: ignore[no-untyped-def]
                is_start: bool, local: Dict[str, Tuple[str, str]]) -> object:
        module, qualname = node.split(":", 1)
        info = graph.function(node)
        successors = graph.successors(node)
        if info is not None:
            code, refs = self._references(graph, info, names=not is_start)
            raw = self._text(graph, module, info.node)
            path, line = self._where(graph, module, info.span.line)
            kind = "code" if is_start else "helper"
            libraries = sorted({t.name for _, _, t in refs if t.kind in ("external", "builtin")})
            parts[(kind, node)] = Part(kind, node.replace(":", "."), _digest(code, libraries), _digest(raw), path,
                                       line)
            encoded: List[object] = [code]
            referenced = set()
            for pos, suffix, target in refs:
                if target.in_project:
                    referenced.add(target.name)
                    encoded.append((pos, suffix, ref(target.name)))
                else:
                    encoded.append((pos, suffix, target.kind, target.name))
            encoded.extend(("method", ref(s)) for s in successors if s not in referenced and not _checkpointing(s))
            return ("function", *encoded)
        index = graph.modules[module]
        if qualname in index.classes:
            cls = index.classes[qualname].node
            skeleton = _skeleton(cls)
            path, line = self._where(graph, module, cls.lineno)
            parts[("class", node)] = Part("class", node.replace(":", "."), _digest(skeleton),
                                          _digest(self._text(graph, module, cls)), path, line)
            return ("class", skeleton, *(ref(s) for s in successors if not _checkpointing(s)))
        part = self._global(graph, node)
        parts[("global", node)] = part
        return ("global", part.digest, *(ref(s) for s in successors if not _checkpointing(s)))


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


def checkpointed_keys(files: Sequence[SourceFile], decorators: Iterable[str] = ()) -> Dict[str, FunctionKeys]:
    """Every checkpointed function of these files, by node ("module:qualname"), with its keys."""
    return _Version(files, decorators).functions


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
             nodes: Optional[List[str]] = None) -> Tuple[List[str], List[Tuple[str, int, str]], bool]:
    """Why, where, and whether only the form of something changed (``nodes`` collects what changed)."""
    reasons: List[str] = []
    where: List[Tuple[str, int, str]] = []
    form = False
    for ident in [*after, *(i for i in before if i not in after)]:
        b, a = before.get(ident), after.get(ident)
        if a is not None and b is not None:
            if a.digest == b.digest:
                form = form or a.raw != b.raw
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
    return reasons, where, form


def compare(before: Dict[str, FunctionKeys], after: Dict[str, FunctionKeys]) -> List[Impact]:
    """For each checkpointed function of either version, what the change does to its key."""
    impacts = []
    for node in sorted({*before, *after}):
        b, a = before.get(node), after.get(node)
        if a is None or b is None:
            f = a or b
            assert f is not None
            impacts.append(Impact(node, f.name, f.path, f.line, f.mode, "added" if a is not None else "removed",
                                  ["it is new: no entry yet" if a is not None else "it is no longer checkpointed"]))
            continue
        mode = a.mode
        other = "shallow" if mode == "deep" else "deep"
        changed_nodes: List[str] = []
        reasons, where, form = _reasons(b.parts[mode], a.parts[mode], changed_nodes)
        changed = a.keys[mode] != b.keys[mode]
        if changed and not reasons:
            reasons = ["the way it reaches its code changed"]
        impact = Impact(node, a.name, a.path, a.line, mode, "changed" if changed else ("formatting" if form or reasons
                                                                                   else "unchanged"),
                        reasons if changed else (["only formatting, comments or names changed: keys unchanged"]
                                                 if form or reasons else []), where if changed else [])
        if a.deep != b.deep:
            impact.status, impact.reasons = "changed", [f"it is now checkpointed in {mode} mode"] + \
                (impact.reasons if changed else [])
        impact.changed_nodes = changed_nodes if changed else []
        impact.other_mode_changes = a.keys[other] != b.keys[other]
        if mode == "shallow" and impact.other_mode_changes:
            deep_nodes: List[str] = []
            deep_reasons, deep_where, _ = _reasons(b.parts["deep"], a.parts["deep"], deep_nodes)
            impact.changed_nodes.extend(n for n in deep_nodes if n not in impact.changed_nodes)
            impact.unseen = [r for r in deep_reasons if r not in reasons and not r.startswith("its own code")]
            impact.locations.extend(w for w in deep_where if w[2] in impact.unseen)
        impacts.append(impact)
    return impacts
