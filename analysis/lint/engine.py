"""The lint run: find files, parse each once, build the call graph, run every rule, filter.

Never imports or runs the linted code, nor installed packages (CKP105 reads their source).
"""

from __future__ import annotations

import gc
import os
import sys
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from ..callgraph import CallGraph, FunctionInfo, Project, SourceFile, Span
from ..callgraph.index_store import IndexStore
from . import result_cache
from .checkpointed import Checkpointed, checkpointed_by_root
from .config import LintConfig
from .discover import discover
from .finding import Finding
from .noqa import Suppressions, suppressions
from .rules import BY_CODE, RULES, RuleContext
from .rules.base import FunctionRule, Hit, Rule

#: the rule whose findings hide the others' on the same expression
_DYNAMIC = "CKP003"


@dataclass
class LintResult:
    findings: List[Finding] = field(default_factory=list)
    files: int = 0
    lines: int = 0
    checkpointed: int = 0
    #: findings not shown, per checkpointed function, beyond ``max_findings_per_function``
    omitted: Dict[str, int] = field(default_factory=dict)
    #: names used by checkpointed code whose module is neither among the linted files nor installed:
    #: their code could not be checked
    unresolved: List[str] = field(default_factory=list)

    #: files valid for a newer Python than the one running the lint, which cannot read them
    newer_syntax: List[str] = field(default_factory=list)
    #: configured decorators (``--decorator``, ``decorators = [...]``) that cache no function found
    unmatched_decorators: List[str] = field(default_factory=list)

    def notices(self) -> List[str]:
        """What could not be seen, one line each."""
        found = [n for n in (self.unresolved_notice(), self._newer_syntax_notice(), self._unmatched_notice())
                 if n is not None]
        return found

    def _unmatched_notice(self) -> Optional[str]:
        if not self.unmatched_decorators:
            return None
        names = ", ".join(f"`{d}`" for d in self.unmatched_decorators)
        n = len(self.unmatched_decorators)
        return (f"the decorator{'s' if n != 1 else ''} {names} matched no function, so nothing {'they' if n != 1 else 'it'} "
                f"cache{'' if n != 1 else 's'} was checked: give {'each' if n != 1 else 'it'} by the qualified name "
                f"of what is called, as imported (`joblib.Memory.cache` for `memory = joblib.Memory(...)` then "
                f"`@memory.cache`; `functools.lru_cache`; `cachier.cachier`)")

    def _newer_syntax_notice(self) -> Optional[str]:
        if not self.newer_syntax:
            return None
        n = len(self.newer_syntax)
        shown = ", ".join(self.newer_syntax[:5]) + (f" and {n - 5} more" if n > 5 else "")
        running = ".".join(map(str, sys.version_info[:2]))
        return (f"{n} file{'s' if n != 1 else ''} use{'' if n != 1 else 's'} syntax newer than Python {running}, "
                f"which runs the lint, and {'were' if n != 1 else 'was'} not checked: {shown}; run the lint with "
                f"the Python {'they are' if n != 1 else 'it is'} written for")

    def unresolved_notice(self) -> Optional[str]:
        """One line saying which names could not be resolved, or None."""
        if not self.unresolved:
            return None
        shown = ", ".join(self.unresolved[:5]) + (f" and {len(self.unresolved) - 5} more"
                                                   if len(self.unresolved) > 5 else "")
        n = len(self.unresolved)
        return (f"{n} name{'s' if n != 1 else ''} used by checkpointed code could not be resolved, so "
                f"{'their' if n != 1 else 'its'} code was not checked: {shown}; add the folder of "
                f"{'their' if n != 1 else 'its'} package to the paths linted (or install it)")


def display_path(path: str) -> str:
    """Relative to the current directory when below it, else absolute."""
    relative = os.path.relpath(os.path.abspath(path))
    return path if relative.startswith("..") else relative


def lint_paths(paths: Sequence[str], config: Optional[LintConfig] = None) -> LintResult:
    config = config or LintConfig()
    named = {os.path.abspath(p) for p in paths if os.path.isfile(p)}
    files = [SourceFile(p, display_path(p), explicit=os.path.abspath(p) in named)
             for p in discover(paths or ["."], config.exclude, config.root)]
    return lint_files(files, config)


def lint_files(files: Iterable[SourceFile], config: LintConfig) -> LintResult:
    # The run builds millions of syntax-tree nodes that live until it ends and hold no reference
    # cycles to reclaim; the collector's passes over them took half of a cold run (200k lines:
    # 13.1 s with it, 6.9 s without, the same peak memory): it is paused, and restored after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _lint_files(files, config)
    finally:
        if collecting:
            gc.enable()


def _lint_files(files: Iterable[SourceFile], config: LintConfig) -> LintResult:
    store = IndexStore(os.path.join(result_cache.directory(), "index")) if config.cache else None
    project = Project(files, store, config.jobs)
    cache_key = result_cache.key(project.files, config) if config.cache else None
    if cache_key is not None:
        cached = result_cache.load(cache_key)
        if cached is not None:
            return cached
    result = _lint(project, config)
    if cache_key is not None:
        result_cache.save(cache_key, result)
    if store is not None and store.written:
        store.trim()  # once per run, after what it wrote
    return result


def _lint(project: Project, config: LintConfig) -> LintResult:
    result = LintResult(files=len(project.files), lines=sum(len(f.lines) for f in project.files))
    by_path: Dict[str, SourceFile] = {os.path.abspath(f.path): f for f in project.files}
    rules = [rule for rule in RULES if config.enabled(rule.code)]  # per-file ignores only remove more
    checkers: Dict[str, _Checker] = {}
    matched: Set[str] = set()
    for root, graph, found in checkpointed_by_root(project, config.decorators):
        result.checkpointed += len(found)
        matched.update(c.decorator for c, _ in found)
        checker = checkers[root] = _Checker(graph, rules, by_path, tuple(config.inputs))
        checker.check_all(found)
    project.index([source for source in project.files if source.explicit])
    raw: List[Finding] = [_syntax_error(source) for source in project.files if source.syntax_error is not None]
    for checker in checkers.values():
        raw.extend(checker.findings())
    result.findings, result.omitted = _limit(_filter(raw, by_path, config), config.max_findings_per_function,
                                             config.max_depth)
    result.unresolved = sorted({name for checker in checkers.values() for name in checker.unresolved})
    result.newer_syntax = sorted(f.display for f in project.files if f.newer_syntax is not None)
    result.unmatched_decorators = sorted(set(config.decorators) - matched)
    return result


def _syntax_error(source: SourceFile) -> Finding:
    assert source.syntax_error is not None
    line, col, message = source.syntax_error
    rule = BY_CODE["CKP900"]
    column = source.column(line, col) + 1
    return Finding(source.display, line, column, line, column, rule.code, rule.name, f"syntax error: {message}",
                   hint=rule.fix)


_installed_modules: Dict[str, bool] = {}


def _installed(top: str) -> bool:
    """Is the top-level module part of the standard library or installed (found without importing it)?"""
    found = _installed_modules.get(top)
    if found is None:
        import importlib.util

        from ..stdlib import is_stdlib_module

        try:
            found = is_stdlib_module(top) or importlib.util.find_spec(top) is not None
        except (ImportError, ValueError):
            found = False
        _installed_modules[top] = found
    return found


class _Checker:
    """Runs the rules over the checkpointed functions of one root.

    What each checkpointed function reaches is computed for all of them together
    (:meth:`CallGraph.reach`); a function rule's hits in a function do not depend on who reaches
    it, so each function reached is checked once, in one pass over its calls, and its hits are
    attributed to every checkpointed function that reaches it.
    """

    def __init__(self, graph: CallGraph, rules: List[Rule], by_path: Dict[str, SourceFile],
                 inputs: Tuple[str, ...] = ()) -> None:
        self.graph = graph
        self.inputs = inputs
        self.own_rules = [r for r in rules if not isinstance(r, FunctionRule)]
        self.function_rules = [r for r in rules if isinstance(r, FunctionRule)]
        self.by_path = by_path
        self._records: Dict[Tuple[int, Span, str], _Record] = {}
        self.unresolved: Set[str] = set()

    def _note_unresolved(self, info: FunctionInfo) -> None:
        """Names ``info`` uses from modules that are neither linted nor installed."""
        for ref in info.references:
            target, _ = self.graph.resolve(info.module, ref.chain)
            if target.kind == "external" and not _installed(target.name.split(".")[0]):
                self.unresolved.add(target.name)

    def check_all(self, found: List[Tuple[Checkpointed, SourceFile]]) -> None:
        """Run the rules for each checkpointed function, in order; a line already found for an
        earlier one is attributed to the later ones too (one finding per line and rule)."""
        if not found:
            return
        graph = self.graph
        starts = [f"{c.info.module}:{c.info.qualname}" for c, _ in found]
        reach = graph.reach(starts)
        # each function reached by any of them, checked once: (its node's bit, it, its hits)
        checked: List[Tuple[int, FunctionInfo, List[Tuple[FunctionRule, Hit]]]] = []
        context = RuleContext(found[0][0], graph, self.inputs)
        # a rule runs on a function only if a checkpointed function of a mode it checks reaches it
        by_mode = {mode: 0 for mode in ("shallow", "deep")}
        for (checkpointed, _), start in zip(found, starts):
            by_mode["deep" if checkpointed.deep else "shallow"] |= reach.sets[start]
        for node in reach.members(reach.union()):
            info = graph.function(node)
            if info is None:
                continue
            self._note_unresolved(info)
            bit = 1 << reach.number[node]
            rules = [rule for rule in self.function_rules if any(by_mode[m] & bit for m in rule.modes)]
            if rules:
                calls = Rule.calls(info)
                hits = [(rule, hit) for rule in rules for hit in rule.check_function(context, info, calls)]
                if hits:
                    checked.append((bit, info, hits))
        for (checkpointed, home), start in zip(found, starts):
            self._check(checkpointed, home, start, reach.sets[start], checked)

    def _check(self, checkpointed: Checkpointed, home: SourceFile, start: str, reached: int,
               checked: List[Tuple[int, FunctionInfo, List[Tuple[FunctionRule, Hit]]]]) -> None:
        context = RuleContext(checkpointed, self.graph, self.inputs)
        mode = "deep" if checkpointed.deep else "shallow"
        hits: List[Tuple[Rule, Hit]] = [(rule, hit) for rule in self.own_rules if mode in rule.modes
                                        for hit in rule.check(context)]
        records_inputs = checkpointed.records_inputs
        for bit, info, found in checked:
            if reached & bit:
                own = info is checkpointed.info
                hits.extend((rule, hit) for rule, hit in found if mode in rule.modes
                            and not (own and rule.skips_own) and not (hit.recorded and records_inputs))
        concerned = (checkpointed.label, checkpointed.info.module)
        new: Dict[Tuple[int, Span, str], Tuple[Rule, Hit, FunctionInfo]] = {}
        for rule, hit in hits:
            where = hit.where or checkpointed.info
            key = (id(where), hit.span, rule.code)
            record = self._records.get(key)
            if record is not None:
                if concerned not in record.functions:
                    record.functions.append(concerned)
            elif key not in new:
                new[key] = (rule, hit, where)
        if not new:
            return
        targets = {f"{where.module}:{where.qualname}" for _, _, where in new.values() if where is not checkpointed.info}
        paths = self.graph.chains(start, targets) if targets else {}
        for key, (rule, hit, where) in new.items():
            source = self.by_path.get(os.path.abspath(self.graph.modules[where.module].path), home)
            chain: Tuple[str, ...] = ()
            chain_at: Tuple[Tuple[str, int], ...] = ()
            if where is not checkpointed.info:
                nodes = paths[f"{where.module}:{where.qualname}"]
                chain = tuple(n.split(":", 1)[1] for n in nodes)
                chain_at = tuple(self._location(n) for n in nodes)
            self._records[key] = _Record(source, hit.span, rule, hit.message, [concerned], chain, chain_at)

    def _location(self, node: str) -> Tuple[str, int]:
        path, span = self.graph.definition(node)
        source = self.by_path.get(os.path.abspath(path))
        return (source.display if source is not None else display_path(path)), span.line

    def findings(self) -> List[Finding]:
        return [record.finding() for record in self._records.values()]


@dataclass
class _Record:
    """A finding being gathered: the checkpointed functions concerned grow as they are checked."""

    source: SourceFile
    span: Span
    rule: Rule
    message: str
    functions: List[Tuple[str, str]]
    chain: Tuple[str, ...]
    chain_at: Tuple[Tuple[str, int], ...]

    def finding(self) -> Finding:
        source, span = self.source, self.span
        return Finding(source.display, span.line, source.column(span.line, span.col) + 1, span.end_line,
                       source.column(span.end_line, span.end_col) + 1, self.rule.code, self.rule.name, self.message,
                       self.functions[0][0], tuple(self.functions), self.chain, self.rule.fix, self.chain_at)


def _inside(inner: Finding, outer: Finding) -> bool:
    return (inner.path == outer.path and (inner.line, inner.column) >= (outer.line, outer.column)
            and (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column))


def _limit(findings: List[Finding], limit: int, depth: int = 0) -> Tuple[List[Finding], Dict[str, int]]:
    """At most ``limit`` findings per (first) checkpointed function, none more than ``depth``
    calls away from it (0: no limit); the rest counted."""
    shown: Dict[str, int] = {}
    omitted: Dict[str, int] = {}
    kept: List[Finding] = []
    for finding in findings:
        within = depth <= 0 or len(finding.chain) - 1 <= depth
        if within and (limit <= 0 or shown.get(finding.function, 0) < limit):
            shown[finding.function] = shown.get(finding.function, 0) + 1
            kept.append(finding)
        else:
            omitted[finding.function] = omitted.get(finding.function, 0) + 1
    return kept, omitted


def _filter(raw: List[Finding], by_path: Dict[str, SourceFile], config: LintConfig) -> List[Finding]:
    """One finding per position and code; what CKP003 reports hides the other rules; then
    configuration and ``noqa`` comments."""
    unique: Dict[Tuple[str, int, int, str], Finding] = {}
    for finding in raw:
        unique.setdefault((finding.path, finding.line, finding.column, finding.code), finding)
    dynamic = [f for f in unique.values() if f.code == _DYNAMIC]
    suppressed_in: Dict[str, Suppressions] = {}
    displayed = {f.display: f for f in by_path.values()}
    kept: List[Finding] = []
    for finding in unique.values():
        if finding.code != _DYNAMIC and any(_inside(finding, d) for d in dynamic):
            continue
        source = displayed.get(finding.path)
        if not config.enabled(finding.code, source.path if source is not None else finding.path):
            continue
        if source is not None:
            marks = suppressed_in.get(finding.path)
            if marks is None:
                marks = suppressed_in[finding.path] = suppressions(source.lines)
            if marks.suppressed(finding.line, finding.code):
                continue
        kept.append(finding)
    return sorted(kept)
