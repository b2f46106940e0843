"""What a rule is: a code, a name, documentation with examples, and a check."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, Iterator, List, Optional, Tuple

from ...callgraph import CallGraph, FunctionInfo, Span, dotted

if TYPE_CHECKING:
    from ..checkpointed import Checkpointed


@dataclass(frozen=True)
class Example:
    """A small project and the lines a rule reports in it (``main.py`` unless the file is named).

    Examples are the rule's documentation and its tests: ``docs/rules.md`` shows them, and
    the test suite lints each one and compares the exact ``(file, line)`` set.
    """

    title: str
    files: Dict[str, str]
    expected: Tuple[Tuple[str, int], ...] = ()  # (file, line); empty: nothing may be reported


@dataclass
class Hit:
    """What a check returns: where, what, and (for reachable code) in which function."""

    span: Span
    message: str
    where: Optional[FunctionInfo] = None  # the function holding the span (default: the checkpointed one)
    #: a file read the runtime records as an input of the entry and re-checks on every hit: not
    #: reported for a checkpointed function whose inputs are recorded (``Checkpointed.records_inputs``)
    recorded: bool = False


@dataclass
class RuleContext:
    """A checkpointed function and what its rules may ask about it."""

    checkpointed: "Checkpointed"
    graph: CallGraph
    #: a project's own input readers ([tool.checkpointing.lint] inputs)
    inputs: Tuple[str, ...] = ()

    @property
    def function(self) -> FunctionInfo:
        return self.checkpointed.info

    def qualified(self, info: FunctionInfo, node: ast.AST) -> Optional[str]:
        """The dotted standard-library / installed-package name an expression refers to."""
        chain = dotted(node)
        if chain is None:
            return None
        if chain[0] in info.local_names:
            return None
        return self.graph.qualified_name(info.module, chain)

    def dotted_target(self, info: FunctionInfo, node: ast.AST) -> Optional[str]:
        """Like :meth:`qualified`, and for the project's own code its dotted name too
        (``mylab.io.fetch``): what a table of known calls (``knowledge``) is looked up by."""
        chain = dotted(node)
        return self.chain_target(info, chain) if chain is not None else None

    def chain_target(self, info: FunctionInfo, chain: Tuple[str, ...]) -> Optional[str]:
        """:meth:`dotted_target` of a name and its attributes (``("os", "environ", "get")``)."""
        if chain[0] in info.local_names:
            return None
        target, rest = self.graph.resolve(info.module, chain)
        if target.kind in ("external", "builtin"):
            return target.name
        if target.kind in ("function", "class", "module"):
            return ".".join((target.name.replace(":", "."), *rest))
        return None


class Rule:
    """Subclass per rule, in a module named after the code and the name."""

    code: str = ""
    name: str = ""
    summary: str = ""  # one line, for --help and rule listings
    rationale: str = ""
    fix: str = ""
    modes: Tuple[str, ...] = ("shallow", "deep")
    scope: str = "own"  # "own": the checkpointed function's body; "reachable": and all it reaches
    examples: Tuple[Example, ...] = ()

    def check(self, context: RuleContext) -> Iterator[Hit]:
        raise NotImplementedError

    # helpers shared by rules

    @staticmethod
    def walk_own(info: FunctionInfo) -> Iterator[ast.AST]:
        """Every node of a function's body, nested functions and lambdas included."""
        for stmt in info.node.body:
            yield from ast.walk(stmt)

    @staticmethod
    def calls(info: FunctionInfo) -> List[ast.Call]:
        """Every call in a function's body (collected when the file was indexed)."""
        return info.calls


class FunctionRule(Rule):
    """A rule about each function of reachable code on its own: implement :meth:`check_function`.

    Its hits in a function do not depend on which checkpointed function reaches it, so the
    engine checks each function once however many reach it.
    """

    scope = "reachable"
    #: hits in the checkpointed function itself are not reported for it (only for others reaching it)
    skips_own = False

    def check_function(self, context: RuleContext, info: FunctionInfo,
                       calls: Optional[List[ast.Call]] = None) -> List[Hit]:
        raise NotImplementedError


class CallRule(FunctionRule):
    """A rule about single calls anywhere in reachable code: implement :meth:`problem`."""

    def problem(self, context: RuleContext, info: FunctionInfo, call: ast.Call) -> Optional[str]:
        raise NotImplementedError

    def check_function(self, context: RuleContext, info: FunctionInfo,
                       calls: Optional[List[ast.Call]] = None) -> List[Hit]:
        hits = []
        for call in (calls if calls is not None else self.calls(info)):
            message = self.problem(context, info, call)
            if message is not None:
                hits.append(Hit(Span.of(call), message, info))
        return hits
