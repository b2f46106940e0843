"""Remove what cannot change a call's result, and record what the runtime must refuse or warn about.

- decorators, the function's name, parameter annotations and defaults of the checkpointed
  function (argument values are bound with defaults applied, so the default *expression*
  does not matter, only the bound value, which is hashed);
- its docstring; annotations everywhere in function bodies (a local variable annotation is
  never evaluated; ``x: int`` without a value still makes ``x`` local, so it stays as ``x: ...``);
- ``pass`` in blocks that have other statements; ``a; b`` is split into two statements.

Annotations of *nested* functions' parameters are dropped as well: they are evaluated when the
nested ``def`` runs, which only matters if evaluating them has a side effect.
"""

from __future__ import annotations

from typing import List, Sequence, Set, Tuple, Union

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .. import dynamic_access
from .shapes import constant_start, is_expression_line, is_line_of

_STRINGS = (cst.SimpleString, cst.ConcatenatedString)  # a docstring's expression

# calls through which a function can observe or change its own local names (see dynamic_access)
_READS_NAMES = dynamic_access.by_name(dynamic_access.READS_NAMES)
_OWN_LOCALS = dynamic_access.by_name(dynamic_access.OWN_LOCALS)
_LISTS_NAMES = dynamic_access.by_name(dynamic_access.LISTS_NAMES)
_NAME_ARGUMENT = dynamic_access.by_name(dynamic_access.NAME_ARGUMENT)
#: attributes through which code observes names or frames
_NAME_SENSITIVE_ATTRS = {"f_locals", "f_globals", "__code__", "__name__", "__qualname__", "_getframe", "currentframe"}


def _is_literal_string(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.SimpleString, cst.ConcatenatedString))


def _literal_value(node: cst.BaseExpression) -> str:
    value = node.evaluated_value if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)) else None
    return value if isinstance(value, str) else ""


class FunctionInspector(cst.CSTVisitor):
    """Finds global/nonlocal statements and dynamic accesses; :meth:`inspect` gives their lines
    (positions are computed only when something was found: they cost a rendering of the tree)."""

    def __init__(self) -> None:
        self.depth = 0
        self._globals: List[cst.CSTNode] = []
        self._nonlocals: List[cst.CSTNode] = []
        self._dynamic: List[Tuple[cst.CSTNode, str]] = []
        self.global_lines: List[int] = []
        self.nonlocal_lines: List[int] = []
        self.dynamic: List[Tuple[int, str]] = []
        self.name_sensitive = False
        self.constant_lookups: Set[cst.CSTNode] = set()  # vars(x) calls indexed by a constant name

    def inspect(self, module: cst.Module) -> "FunctionInspector":
        module.visit(self)
        if self._globals or self._nonlocals or self._dynamic:
            positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
            self.global_lines = [positions[n].start.line for n in self._globals]
            self.nonlocal_lines = [positions[n].start.line for n in self._nonlocals]
            self.dynamic = [(positions[n].start.line, what) for n, what in self._dynamic]
        return self

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.depth -= 1

    def visit_Global(self, node: cst.Global) -> None:
        self._globals.append(node)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        if self.depth == 1:
            self._nonlocals.append(node)

    def visit_FormattedStringExpression(self, node: cst.FormattedStringExpression) -> None:
        if node.equal is not None:  # f"{x=}" prints the expression's text, names included
            self.name_sensitive = True

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value in _NAME_SENSITIVE_ATTRS:
            self.name_sensitive = True

    def visit_Subscript(self, node: cst.Subscript) -> None:
        """``vars(x)["a"]`` reads the attribute ``a`` of ``x``: a constant lookup, not a dynamic one."""
        value = node.value
        if (isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "vars"
                and len(value.args) == 1 and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index)
                and _is_literal_string(node.slice[0].slice.value)):
            self.constant_lookups.add(value)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        # called by its bare name (getattr(...)), or as an attribute (operator.attrgetter(...),
        # importlib.import_module(...)) for the functions that are not builtins
        called = func.value if isinstance(func, cst.Name) else (
            func.attr.value if isinstance(func, cst.Attribute) else None)
        if called is None:
            return
        if isinstance(func, cst.Name) and called in _READS_NAMES:
            self.name_sensitive = True
            self._dynamic.append((node, dynamic_access.READS_NAMES[_READS_NAMES[called]]))
        elif isinstance(func, cst.Name) and (called in _OWN_LOCALS or (called in _LISTS_NAMES and not node.args)):
            self.name_sensitive = True  # the function's own local variables, by name
        elif isinstance(func, cst.Name) and called in _LISTS_NAMES:
            instance = (_LISTS_NAMES[called] == ("builtins", "vars") and len(node.args) == 1
                        and isinstance(node.args[0].value, cst.Name) and not node.args[0].star
                        and node.args[0].value.value == dynamic_access.INSTANCE)
            if node not in self.constant_lookups and not instance:  # another object's
                self._dynamic.append((node, dynamic_access.listing_message(_LISTS_NAMES[called])))
        elif called in _NAME_ARGUMENT:
            qualified = _NAME_ARGUMENT[called]
            if qualified[0] == "builtins" and not isinstance(func, cst.Name):
                return  # obj.getattr(...) is some method, not the builtin
            position = dynamic_access.NAME_ARGUMENT[qualified]
            arg = node.args[position] if len(node.args) > position else None
            # a name passed by *args, **kwargs or a keyword is as computed as any other
            argument = arg.value if arg is not None and not arg.star and arg.keyword is None else None
            if qualified in dynamic_access.IMPORTS and argument is not None and not _is_literal_string(argument) \
                    and dynamic_access.package_of_start(constant_start(argument)) is not None:
                return  # a module of a known package: keyed by the package's files (see rename)
            if argument is None or not _is_literal_string(argument) or (
                    qualified in dynamic_access.IMPORTS and _literal_value(argument).startswith(".")):
                self._dynamic.append((node, dynamic_access.computed_name_message(qualified)))


_CONSTANTS = (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis)


def _strip_suite(body: Sequence[cst.BaseStatement], keep_docstring: bool = False) -> List[cst.BaseStatement]:
    """Split ``a; b``, drop ``pass`` and constant expression statements (evaluating a literal does
    nothing), except a nested def's or class's docstring, which sets its ``__doc__``."""
    body = [s for i, s in enumerate(body)
            if not is_expression_line(s, _CONSTANTS) or (i == 0 and keep_docstring)]
    out: List[cst.BaseStatement] = []
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) > 1:
            out.extend(cst.SimpleStatementLine(body=[small]) for small in stmt.body)
        else:
            out.append(stmt)
    kept = [s for s in out if not is_line_of(s, cst.Pass)]
    return kept or [cst.SimpleStatementLine(body=[cst.Pass()])]


class Stripper(cst.CSTTransformer):
    """Applies the removals listed in the module docstring."""

    def __init__(self) -> None:
        self.function_depth = 0
        self.lambda_depth = 0
        self.class_depth: List[int] = []  # function depth at which each open class started
        self.doc_bodies: Set[int] = set()  # ids of bodies of nested defs and classes, whose docstrings stay

    def _in_class_body(self) -> bool:
        return bool(self.class_depth) and self.class_depth[-1] == self.function_depth

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.function_depth:
            self.doc_bodies.add(id(node.body))
        self.function_depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        self.function_depth -= 1
        node = updated_node.with_changes(returns=None)
        if self.function_depth == 0:  # the checkpointed function itself
            body = node.body
            if isinstance(body, cst.IndentedBlock) and body.body and is_expression_line(body.body[0], _STRINGS):
                body = body.with_changes(body=_strip_suite(body.body[1:]))
            node = node.with_changes(decorators=[], name=cst.Name("_f"), body=body)
        return node

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.doc_bodies.add(id(node.body))
        self.class_depth.append(self.function_depth)

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef) -> cst.ClassDef:
        self.class_depth.pop()
        return updated_node

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.lambda_depth += 1

    def leave_Lambda(self, original_node: cst.Lambda, updated_node: cst.Lambda) -> cst.Lambda:
        self.lambda_depth -= 1
        return updated_node

    def leave_Param(self, original_node: cst.Param, updated_node: cst.Param) -> cst.Param:
        node = updated_node.with_changes(annotation=None)
        if self.function_depth == 1 and self.lambda_depth == 0:
            # parameters of the checkpointed function: the bound value is hashed, not the default
            node = node.with_changes(default=None, equal=cst.MaybeSentinel.DEFAULT)
        return node

    def leave_AnnAssign(
        self, original_node: cst.AnnAssign, updated_node: cst.AnnAssign
    ) -> Union[cst.BaseSmallStatement, cst.RemovalSentinel]:
        if self._in_class_body() or self.function_depth == 0:
            return updated_node  # class attributes (dataclass fields) keep their annotations
        if updated_node.value is None:
            return updated_node.with_changes(annotation=cst.Annotation(cst.Ellipsis()))
        return cst.Assign(targets=[cst.AssignTarget(target=updated_node.target)], value=updated_node.value)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        keep = id(original_node) in self.doc_bodies
        return updated_node.with_changes(body=_strip_suite(updated_node.body, keep_docstring=keep))

    def leave_SimpleStatementSuite(
        self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite
    ) -> cst.IndentedBlock:
        lines = [cst.SimpleStatementLine(body=[small]) for small in updated_node.body]
        return cst.IndentedBlock(body=_strip_suite(lines))
