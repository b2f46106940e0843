"""The canonical text of a libcst tree: the same text for the same program, on every Python.

Formatting does not survive: comments, blank lines, line breaks inside brackets, redundant
parentheses, trailing commas, semicolons, quote styles and string prefixes, number spellings
(``0x10``, ``1_6``, ``16`` are ``16``), implicit string concatenation, ``else: if`` (``elif``).
What the interpreter distinguishes does: a list target is not a tuple target, ``f"{x}"`` is not
``str(x)``, ``(x): int`` is not ``x: int``.

Parentheses are derived from operator precedence, as :mod:`ast`'s unparser does, so the text
does not depend on how the source was bracketed; tuples are always bracketed (except as a
subscript, where ``x[a, b]`` and ``x[(a, b)]`` are the same). Strings and numbers are rendered
from their *values*, computed here (not by the running interpreter's parser: the input may use a
newer grammar than the Python that runs this).

The result is valid Python wherever the input was (tested against :mod:`ast` on the standard
library: parsing the rendering gives the tree of the source). A node this module does not know
raises :class:`RenderError`; the caller then keys the function by its bytecode (never by a
partial text).
"""

from __future__ import annotations

import ast
import re
import unicodedata
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Type, Union

import libcst as cst

# operator precedence, lowest first (the order of the Python grammar; the values of ast's _Precedence)
NAMED_EXPR, TUPLE, YIELD, TEST, OR, AND, NOT, CMP, EXPR, BXOR, BAND, SHIFT, ARITH, TERM, FACTOR, POWER, AWAIT, ATOM = (
    range(18))
BOR = EXPR

_BINARY: Dict[Type[cst.CSTNode], Tuple[str, int]] = {
    cst.Add: ("+", ARITH), cst.Subtract: ("-", ARITH), cst.Multiply: ("*", TERM), cst.Divide: ("/", TERM),
    cst.FloorDivide: ("//", TERM), cst.Modulo: ("%", TERM), cst.MatrixMultiply: ("@", TERM),
    cst.Power: ("**", POWER), cst.LeftShift: ("<<", SHIFT), cst.RightShift: (">>", SHIFT),
    cst.BitOr: ("|", BOR), cst.BitAnd: ("&", BAND), cst.BitXor: ("^", BXOR),
}
_AUGMENTED: Dict[Type[cst.CSTNode], str] = {
    cst.AddAssign: "+=", cst.SubtractAssign: "-=", cst.MultiplyAssign: "*=", cst.DivideAssign: "/=",
    cst.FloorDivideAssign: "//=", cst.ModuloAssign: "%=", cst.MatrixMultiplyAssign: "@=", cst.PowerAssign: "**=",
    cst.LeftShiftAssign: "<<=", cst.RightShiftAssign: ">>=", cst.BitOrAssign: "|=", cst.BitAndAssign: "&=",
    cst.BitXorAssign: "^=",
}
_COMPARISON: Dict[Type[cst.CSTNode], str] = {
    cst.LessThan: "<", cst.GreaterThan: ">", cst.Equal: "==", cst.NotEqual: "!=", cst.LessThanEqual: "<=",
    cst.GreaterThanEqual: ">=", cst.In: "in", cst.NotIn: "not in", cst.Is: "is", cst.IsNot: "is not",
}
_UNARY: Dict[Type[cst.CSTNode], Tuple[str, int]] = {
    cst.Not: ("not ", NOT), cst.Minus: ("-", FACTOR), cst.Plus: ("+", FACTOR), cst.BitInvert: ("~", FACTOR),
}
_INFINITY = "1e309"  # what a float literal too large to represent is (repr gives "inf": not a literal)
_QUOTES = ("'", '"', "'''", '"""')
_SIMPLE_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
                   "t": "\t", "v": "\v", "\n": ""}
_ESCAPE = re.compile(r"\\(N\{[^}]*\}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|.|\n)", re.S)


class RenderError(ValueError):
    """A node or literal this renderer does not know."""


def render(node: cst.CSTNode) -> str:
    """The canonical text of a module, a statement or an expression."""
    out: List[str] = []
    if isinstance(node, cst.Module):
        for statement in node.body:  # an empty module is empty, not "pass"
            _Renderer(out).statement(statement, 0)
    elif isinstance(node, (cst.BaseCompoundStatement, cst.SimpleStatementLine)):
        _Renderer(out).statement(node, 0)
    elif isinstance(node, cst.BaseExpression):
        out.append(_Renderer(out).expr(node, TUPLE))
    else:
        raise RenderError(f"cannot render a {type(node).__name__} on its own")
    text = "".join(out)
    return text[:-1] if text.endswith("\n") else text  # lines are separated, not terminated


# -- literals -----------------------------------------------------------------------------------


def decode_escapes(text: str) -> str:
    """The value of the body of a non-raw ``str`` literal (escape sequences resolved)."""
    if "\\" not in text:
        return text

    def one(match: "re.Match[str]") -> str:
        escape = match.group(1)
        first = escape[0]
        if first in _SIMPLE_ESCAPES and len(escape) == 1:
            return _SIMPLE_ESCAPES[first]
        if first == "N" and len(escape) > 1:
            try:
                return unicodedata.lookup(escape[2:-1])
            except KeyError as exc:
                raise RenderError(f"unknown character name in \\{escape}") from exc
        if first in "xuU" and len(escape) > 1:
            return chr(int(escape[1:], 16))
        if first in "01234567":
            return chr(int(escape, 8))
        return "\\" + escape  # an unknown escape keeps its backslash

    return _ESCAPE.sub(one, text)


def _string_value(literal: str) -> Union[str, bytes]:
    """The value of a simple string literal (any prefix, any quotes)."""
    try:
        value = ast.literal_eval(literal)  # a plain string token means the same in every Python 3
    except (SyntaxError, ValueError) as exc:
        raise RenderError(f"cannot read the string literal {literal[:40]!r}") from exc
    if not isinstance(value, (str, bytes)):
        raise RenderError(f"not a string literal: {literal[:40]!r}")
    return value


def _number(node: Union[cst.Integer, cst.Float, cst.Imaginary]) -> str:
    text = node.value.replace("_", "")
    if isinstance(node, cst.Integer):
        return str(int(text, 0))
    if isinstance(node, cst.Float):
        value = float(text)
        return _INFINITY if value == float("inf") else repr(value)
    imaginary = float(text[:-1])
    return (_INFINITY if imaginary == float("inf") else repr(imaginary)) + "j"


# an f-string as parts: literal text (a str) or (expression text, conversion, format spec parts)
FPart = Union[str, Tuple[str, Optional[str], Optional[List["FPart"]]]]


def _escape_fstring_text(text: str, quote: str) -> str:
    out = []
    for ch in text:
        if ch in "{}":
            out.append(ch * 2)
        elif ch == "\\":
            out.append("\\\\")
        elif ch == quote[0]:
            out.append("\\" + ch)
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])
    return "".join(out)


class _Renderer:
    def __init__(self, out: List[str]) -> None:
        self.out = out

    # -- statements -------------------------------------------------------------------------------

    def line(self, text: str, indent: int) -> None:
        self.out.append("    " * indent + text + "\n")

    def block(self, body: Sequence[cst.CSTNode], indent: int) -> None:
        if not body:
            self.line("pass", indent)
        for statement in body:
            self.statement(statement, indent)

    def suite(self, suite: cst.BaseSuite, indent: int) -> None:
        if isinstance(suite, cst.IndentedBlock):
            self.block(suite.body, indent)
        elif isinstance(suite, cst.SimpleStatementSuite):
            for small in suite.body:
                self.line(self.small(small), indent)
        else:
            raise RenderError(f"unknown suite {type(suite).__name__}")

    def statement(self, node: cst.CSTNode, indent: int) -> None:
        if isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                self.line(self.small(small), indent)
            return
        method = getattr(self, "stmt_" + type(node).__name__, None)
        if method is None:
            raise RenderError(f"unknown statement {type(node).__name__}")
        method(node, indent)

    def header(self, text: str, body: cst.BaseSuite, indent: int) -> None:
        self.line(text + ":", indent)
        self.suite(body, indent + 1)

    def decorators(self, decorators: Sequence[cst.Decorator], indent: int) -> None:
        for decorator in decorators:
            self.line("@" + self.expr(decorator.decorator, TEST), indent)

    def stmt_FunctionDef(self, node: cst.FunctionDef, indent: int) -> None:
        self.decorators(node.decorators, indent)
        prefix = "async def " if node.asynchronous is not None else "def "
        returns = f" -> {self.expr(node.returns.annotation, TEST)}" if node.returns is not None else ""
        text = f"{prefix}{node.name.value}{self.type_parameters(node)}({self.parameters(node.params)}){returns}"
        self.header(text, node.body, indent)

    def stmt_ClassDef(self, node: cst.ClassDef, indent: int) -> None:
        self.decorators(node.decorators, indent)
        arguments = [self.argument(a) for a in (*node.bases, *node.keywords)]
        bases = f"({', '.join(arguments)})" if arguments else ""
        self.header(f"class {node.name.value}{self.type_parameters(node)}{bases}", node.body, indent)

    def stmt_If(self, node: cst.If, indent: int, keyword: str = "if") -> None:
        self.header(f"{keyword} {self.expr(node.test, TEST)}", node.body, indent)
        orelse = node.orelse
        if isinstance(orelse, cst.Else):
            nested = orelse.body.body if isinstance(orelse.body, cst.IndentedBlock) else ()
            if len(nested) == 1 and isinstance(nested[0], cst.If):  # else: if ... is elif
                orelse = nested[0]
        if isinstance(orelse, cst.If):
            self.stmt_If(orelse, indent, "elif")
        elif isinstance(orelse, cst.Else):
            self.header("else", orelse.body, indent)

    def orelse(self, node: Optional[cst.Else], indent: int) -> None:
        if node is not None:
            self.header("else", node.body, indent)

    def stmt_For(self, node: cst.For, indent: int) -> None:
        prefix = "async for " if node.asynchronous is not None else "for "
        self.header(f"{prefix}{self.expr(node.target, TUPLE)} in {self.expr(node.iter, TUPLE)}", node.body, indent)
        self.orelse(node.orelse, indent)

    def stmt_While(self, node: cst.While, indent: int) -> None:
        self.header(f"while {self.expr(node.test, TEST)}", node.body, indent)
        self.orelse(node.orelse, indent)

    def stmt_Try(self, node: Union[cst.Try, cst.TryStar], indent: int, star: str = "") -> None:
        self.header("try", node.body, indent)
        for handler in node.handlers:
            text = "except" + star
            if handler.type is not None:
                text += " " + self.expr(handler.type, TEST)
                if handler.name is not None:
                    text += " as " + self.expr(handler.name.name, ATOM)
            self.header(text, handler.body, indent)
        self.orelse(node.orelse, indent)
        if node.finalbody is not None:
            self.header("finally", node.finalbody.body, indent)

    def stmt_TryStar(self, node: cst.TryStar, indent: int) -> None:
        self.stmt_Try(node, indent, "*")

    def stmt_With(self, node: cst.With, indent: int) -> None:
        items = []
        for item in node.items:
            text = self.expr(item.item, TEST)
            if item.asname is not None:
                text += " as " + self.expr(item.asname.name, TUPLE)
            items.append(text)
        prefix = "async with " if node.asynchronous is not None else "with "
        self.header(prefix + ", ".join(items), node.body, indent)

    def stmt_Match(self, node: cst.Match, indent: int) -> None:
        self.line(f"match {self.expr(node.subject, TUPLE)}:", indent)
        for case in node.cases:
            guard = f" if {self.expr(case.guard, TEST)}" if case.guard is not None else ""
            self.header(f"case {self.pattern(case.pattern)}{guard}", case.body, indent + 1)

    # -- small statements -------------------------------------------------------------------------

    def small(self, node: cst.BaseSmallStatement) -> str:
        method = getattr(self, "small_" + type(node).__name__, None)
        if method is None:
            raise RenderError(f"unknown statement {type(node).__name__}")
        text: str = method(node)
        return text

    def small_Expr(self, node: cst.Expr) -> str:
        return self.expr(node.value, TUPLE)

    def small_Assign(self, node: cst.Assign) -> str:
        targets = "".join(self.expr(t.target, TUPLE) + " = " for t in node.targets)
        return targets + self.expr(node.value, TUPLE)

    def small_AnnAssign(self, node: cst.AnnAssign) -> str:
        target = self.expr(node.target, TUPLE)
        if isinstance(node.target, cst.Name) and node.target.lpar:
            target = f"({target})"  # (x): int is not "simple": it is not recorded in __annotations__
        text = f"{target}: {self.expr(node.annotation.annotation, TEST)}"
        return text + (f" = {self.expr(node.value, TUPLE)}" if node.value is not None else "")

    def small_AugAssign(self, node: cst.AugAssign) -> str:
        operator = _AUGMENTED.get(type(node.operator))
        if operator is None:
            raise RenderError(f"unknown operator {type(node.operator).__name__}")
        return f"{self.expr(node.target, TUPLE)} {operator} {self.expr(node.value, TUPLE)}"

    def small_Return(self, node: cst.Return) -> str:
        return "return" if node.value is None else "return " + self.expr(node.value, TEST)

    def small_Raise(self, node: cst.Raise) -> str:
        if node.exc is None:
            return "raise"
        text = "raise " + self.expr(node.exc, TEST)
        return text + (" from " + self.expr(node.cause.item, TEST) if node.cause is not None else "")

    def small_Assert(self, node: cst.Assert) -> str:
        text = "assert " + self.expr(node.test, TEST)
        return text + (", " + self.expr(node.msg, TEST) if node.msg is not None else "")

    def small_Pass(self, node: cst.Pass) -> str:
        return "pass"

    def small_Break(self, node: cst.Break) -> str:
        return "break"

    def small_Continue(self, node: cst.Continue) -> str:
        return "continue"

    def small_Del(self, node: cst.Del) -> str:
        target = node.target
        if isinstance(target, cst.Tuple) and target.elements:  # del (a, b) deletes a, then b
            return "del " + ", ".join(self.expr(e.value, TEST) for e in target.elements)
        return "del " + self.expr(target, TEST)

    def small_Global(self, node: cst.Global) -> str:
        return "global " + ", ".join(n.name.value for n in node.names)

    def small_Nonlocal(self, node: cst.Nonlocal) -> str:
        return "nonlocal " + ", ".join(n.name.value for n in node.names)

    def alias(self, alias: cst.ImportAlias) -> str:
        text = self.dotted(alias.name)
        return text + (" as " + self.dotted(alias.asname.name) if alias.asname is not None else "")

    def dotted(self, node: cst.BaseExpression) -> str:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Attribute):
            return self.dotted(node.value) + "." + node.attr.value
        raise RenderError(f"not a dotted name: {type(node).__name__}")

    def small_Import(self, node: cst.Import) -> str:
        return "import " + ", ".join(self.alias(a) for a in node.names)

    def small_ImportFrom(self, node: cst.ImportFrom) -> str:
        module = "." * len(node.relative) + (self.dotted(node.module) if node.module is not None else "")
        names = "*" if isinstance(node.names, cst.ImportStar) else ", ".join(self.alias(a) for a in node.names)
        return f"from {module} import {names}"

    def small_TypeAlias(self, node: cst.CSTNode) -> str:
        return f"type {node.name.value}{self.type_parameters(node)} = {self.expr(node.value, TEST)}"  # type: ignore[attr-defined]

    # -- signatures -------------------------------------------------------------------------------

    def type_parameters(self, node: cst.CSTNode) -> str:
        parameters = getattr(node, "type_parameters", None)
        if parameters is None:
            return ""
        out = []
        for item in parameters.params:
            param = item.param
            kind = type(param).__name__
            if kind == "TypeVar":
                text = param.name.value + (f": {self.expr(param.bound, TEST)}" if param.bound is not None else "")
            elif kind == "TypeVarTuple":
                text = "*" + param.name.value
            elif kind == "ParamSpec":
                text = "**" + param.name.value
            else:
                raise RenderError(f"unknown type parameter {kind}")
            default = getattr(item, "default", None)
            if default is not None:
                text += " = " + ("*" if getattr(item, "star", "") == "*" else "") + self.expr(default, TEST)
            out.append(text)
        return "[" + ", ".join(out) + "]"

    def param(self, param: cst.Param, star: str = "") -> str:
        text = star + param.name.value
        if param.annotation is not None:
            annotation = param.annotation.annotation
            if isinstance(annotation, cst.StarredElement):  # *args: *Ts
                text += ": *" + self.expr(annotation.value, EXPR)
            else:
                text += ": " + self.expr(annotation, TEST)
        if param.default is not None:
            text += (" = " if param.annotation is not None else "=") + self.expr(param.default, TEST)
        return text

    def parameters(self, params: cst.Parameters) -> str:
        out = [self.param(p) for p in params.posonly_params]
        if params.posonly_params:
            out.append("/")
        out += [self.param(p) for p in params.params]
        star = params.star_arg
        if isinstance(star, cst.Param):
            out.append(self.param(star, "*"))
        elif isinstance(star, cst.ParamStar) or (params.kwonly_params and not isinstance(star, cst.Param)):
            out.append("*")
        out += [self.param(p) for p in params.kwonly_params]
        if params.star_kwarg is not None:
            out.append(self.param(params.star_kwarg, "**"))
        return ", ".join(out)

    def argument(self, arg: cst.Arg) -> str:
        if arg.star == "*":
            return "*" + self.expr(arg.value, EXPR)
        if arg.star == "**":
            return "**" + self.expr(arg.value, EXPR)
        if arg.keyword is not None:
            return f"{arg.keyword.value}={self.expr(arg.value, TEST)}"
        return self.expr(arg.value, TEST)

    # -- expressions ------------------------------------------------------------------------------

    def expr(self, node: cst.BaseExpression, context: int) -> str:
        """``node`` in a place that binds at least as tightly as ``context``."""
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is None:
            raise RenderError(f"unknown expression {type(node).__name__}")
        text, precedence = method(node)
        return f"({text})" if precedence < context else text

    def elements(self, elements: Iterable[cst.BaseElement]) -> List[str]:
        return ["*" + self.expr(e.value, EXPR) if isinstance(e, cst.StarredElement) else self.expr(e.value, TEST)
                for e in elements]

    def expr_Name(self, node: cst.Name) -> Tuple[str, int]:
        return node.value, ATOM

    def expr_Ellipsis(self, node: cst.Ellipsis) -> Tuple[str, int]:
        return "...", ATOM

    def expr_Integer(self, node: cst.Integer) -> Tuple[str, int]:
        return _number(node), ATOM

    def expr_Float(self, node: cst.Float) -> Tuple[str, int]:
        return _number(node), ATOM

    def expr_Imaginary(self, node: cst.Imaginary) -> Tuple[str, int]:
        return _number(node), ATOM

    def expr_SimpleString(self, node: cst.SimpleString) -> Tuple[str, int]:
        return repr(_string_value(node.value)), ATOM

    def expr_ConcatenatedString(self, node: cst.ConcatenatedString) -> Tuple[str, int]:
        pieces: List[cst.BaseExpression] = []
        stack: List[cst.BaseExpression] = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, cst.ConcatenatedString):
                stack += [item.right, item.left]
            else:
                pieces.append(item)
        if not any(isinstance(p, cst.FormattedString) for p in pieces):
            values = [_string_value(p.value) for p in pieces]  # type: ignore[attr-defined]
            if all(isinstance(v, str) for v in values):
                return repr("".join(values)), ATOM  # type: ignore[arg-type]
            if all(isinstance(v, bytes) for v in values):
                return repr(b"".join(values)), ATOM  # type: ignore[arg-type]
            raise RenderError("bytes and str literals concatenated")
        parts: List[FPart] = []
        for piece in pieces:
            if isinstance(piece, cst.FormattedString):
                parts += self.fstring_parts(piece.parts, "r" in piece.prefix.lower())
            else:
                value = _string_value(piece.value)  # type: ignore[attr-defined]
                if not isinstance(value, str):
                    raise RenderError("bytes and f-string literals concatenated")
                parts.append(value)
        return self.fstring(parts), ATOM

    def expr_FormattedString(self, node: cst.FormattedString) -> Tuple[str, int]:
        return self.fstring(self.fstring_parts(node.parts, "r" in node.prefix.lower())), ATOM

    def fstring_parts(self, parts: Sequence[cst.BaseFormattedStringContent], raw: bool) -> List[FPart]:
        out: List[FPart] = []
        for part in parts:
            if isinstance(part, cst.FormattedStringText):
                text = part.value.replace("{{", "{").replace("}}", "}")
                out.append(text if raw else decode_escapes(text))
            elif isinstance(part, cst.FormattedStringExpression):
                conversion = part.conversion
                spec = self.fstring_parts(part.format_spec, raw) if part.format_spec is not None else None
                if part.equal is not None:  # f"{x=}": the expression's text, then its repr by default
                    empty = cst.Module([])

                    def space(node: cst.CSTNode, empty: cst.Module = empty) -> str:
                        # a comment there (3.12+) is not part of the text
                        return re.sub(r"#[^\n]*", "", empty.code_for_node(node))

                    out.append(space(part.whitespace_before_expression) + empty.code_for_node(part.expression)
                               + space(part.whitespace_after_expression) + space(part.equal.whitespace_before)
                               + "=" + space(part.equal.whitespace_after))
                    if conversion is None and spec is None:
                        conversion = "r"
                out.append((self.expr(part.expression, TEST + 1), conversion, spec))
            else:
                raise RenderError(f"unknown f-string part {type(part).__name__}")
        return out

    def fstring(self, parts: List[FPart]) -> str:
        merged: List[FPart] = []
        for part in parts:
            if isinstance(part, str) and merged and isinstance(merged[-1], str):
                merged[-1] += part
            elif part != "":
                merged.append(part)
        inner = " ".join(self._expression_texts(merged))
        quote = next((q for q in _QUOTES if q not in inner and "\\" not in inner and "\n" not in inner), "'")
        return "f" + quote + self._fstring_body(merged, quote) + quote

    def _expression_texts(self, parts: List[FPart]) -> List[str]:
        texts: List[str] = []
        for part in parts:
            if not isinstance(part, str):
                texts.append(part[0])
                if part[2] is not None:
                    texts += self._expression_texts(part[2])
        return texts

    def _fstring_body(self, parts: Sequence[FPart], quote: str) -> str:
        out = []
        for part in parts:
            if isinstance(part, str):
                out.append(_escape_fstring_text(part, quote))
                continue
            text, conversion, spec = part
            # "{" followed by "{" would read as an escaped brace: a space keeps them apart
            body = (" " + text) if text.startswith("{") else text
            out.append("{" + body + (f"!{conversion}" if conversion else "")
                       + (":" + self._fstring_body(spec, quote) if spec is not None else "") + "}")
        return "".join(out)

    def expr_Attribute(self, node: cst.Attribute) -> Tuple[str, int]:
        value = self.expr(node.value, ATOM)
        if isinstance(node.value, cst.Integer):  # 1 .real: "1." would start a float
            value = f"({value})"
        return f"{value}.{node.attr.value}", ATOM

    def expr_Call(self, node: cst.Call) -> Tuple[str, int]:
        return f"{self.expr(node.func, ATOM)}({', '.join(self.argument(a) for a in node.args)})", ATOM

    def expr_Subscript(self, node: cst.Subscript) -> Tuple[str, int]:
        elements = node.slice
        only = elements[0].slice if len(elements) == 1 else None
        if (isinstance(only, cst.Index) and not getattr(only, "star", None) and isinstance(only.value, cst.Tuple)
                and not isinstance(elements[0].comma, cst.Comma)
                and only.value.elements and not any(isinstance(e, cst.StarredElement) for e in only.value.elements)):
            parts = self.elements(only.value.elements)  # x[(a, b)] is x[a, b]
            one_tuple = len(parts) == 1
        else:
            parts = [self.subscript_element(e.slice) for e in elements]
            # x[a,] and x[*a] index with a tuple
            one_tuple = len(elements) == 1 and (isinstance(elements[0].comma, cst.Comma)
                                                or bool(getattr(elements[0].slice, "star", None)))
        inside = ", ".join(parts) + ("," if one_tuple else "")
        return f"{self.expr(node.value, ATOM)}[{inside}]", ATOM

    def subscript_element(self, item: cst.BaseSlice) -> str:
        if isinstance(item, cst.Index):
            if getattr(item, "star", None):
                return "*" + self.expr(item.value, EXPR)
            return self.expr(item.value, TEST)
        if isinstance(item, cst.Slice):
            lower = self.expr(item.lower, TEST) if item.lower is not None else ""
            upper = self.expr(item.upper, TEST) if item.upper is not None else ""
            text = f"{lower}:{upper}"
            return text + (":" + self.expr(item.step, TEST) if item.step is not None else "")
        raise RenderError(f"unknown slice {type(item).__name__}")

    def expr_BinaryOperation(self, node: cst.BinaryOperation) -> Tuple[str, int]:
        found = _BINARY.get(type(node.operator))
        if found is None:
            raise RenderError(f"unknown operator {type(node.operator).__name__}")
        symbol, precedence = found
        if precedence == POWER:  # right-associative
            left, right = self.expr(node.left, POWER + 1), self.expr(node.right, POWER)
        else:
            left, right = self.expr(node.left, precedence), self.expr(node.right, precedence + 1)
        return f"{left} {symbol} {right}", precedence

    def expr_BooleanOperation(self, node: cst.BooleanOperation) -> Tuple[str, int]:
        is_and = isinstance(node.operator, cst.And)
        precedence = AND if is_and else OR
        operands: List[cst.BaseExpression] = []
        stack: List[cst.BaseExpression] = [node]
        while stack:  # (a and b) and c is a and b and c: the same evaluation, the same result
            item = stack.pop()
            if isinstance(item, cst.BooleanOperation) and isinstance(item.operator, cst.And) == is_and:
                stack += [item.right, item.left]
            else:
                operands.append(item)
        return (" and " if is_and else " or ").join(self.expr(o, precedence + 1) for o in operands), precedence

    def expr_UnaryOperation(self, node: cst.UnaryOperation) -> Tuple[str, int]:
        found = _UNARY.get(type(node.operator))
        if found is None:
            raise RenderError(f"unknown operator {type(node.operator).__name__}")
        symbol, precedence = found
        return symbol + self.expr(node.expression, precedence), precedence

    def expr_Comparison(self, node: cst.Comparison) -> Tuple[str, int]:
        text = self.expr(node.left, CMP + 1)
        for target in node.comparisons:
            symbol = _COMPARISON.get(type(target.operator))
            if symbol is None:
                raise RenderError(f"unknown comparison {type(target.operator).__name__}")
            text += f" {symbol} {self.expr(target.comparator, CMP + 1)}"
        return text, CMP

    def expr_IfExp(self, node: cst.IfExp) -> Tuple[str, int]:
        return (f"{self.expr(node.body, TEST + 1)} if {self.expr(node.test, TEST + 1)} else "
                f"{self.expr(node.orelse, TEST)}"), TEST

    def expr_Lambda(self, node: cst.Lambda) -> Tuple[str, int]:
        params = self.parameters(node.params)
        return f"lambda{' ' + params if params else ''}: {self.expr(node.body, TEST)}", TEST

    def expr_NamedExpr(self, node: cst.NamedExpr) -> Tuple[str, int]:
        return f"{self.expr(node.target, ATOM)} := {self.expr(node.value, TEST)}", NAMED_EXPR

    def expr_Await(self, node: cst.Await) -> Tuple[str, int]:
        return "await " + self.expr(node.expression, ATOM), AWAIT

    def expr_Yield(self, node: cst.Yield) -> Tuple[str, int]:
        value = node.value
        if value is None:
            return "yield", YIELD
        if isinstance(value, cst.From):
            return "yield from " + self.expr(value.item, TEST), YIELD
        return "yield " + self.expr(value, TUPLE), YIELD

    def expr_Tuple(self, node: cst.Tuple) -> Tuple[str, int]:
        parts = self.elements(node.elements)
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")", ATOM

    def expr_List(self, node: cst.List) -> Tuple[str, int]:
        return "[" + ", ".join(self.elements(node.elements)) + "]", ATOM

    def expr_Set(self, node: cst.Set) -> Tuple[str, int]:
        return "{" + ", ".join(self.elements(node.elements)) + "}", ATOM

    def expr_Dict(self, node: cst.Dict) -> Tuple[str, int]:
        parts = []
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                parts.append("**" + self.expr(element.value, EXPR))
            elif isinstance(element, cst.DictElement):
                parts.append(f"{self.expr(element.key, TEST)}: {self.expr(element.value, TEST)}")
            else:
                raise RenderError(f"unknown dict element {type(element).__name__}")
        return "{" + ", ".join(parts) + "}", ATOM

    def comprehension(self, for_in: cst.CompFor) -> str:
        out = []
        node: Optional[cst.CompFor] = for_in
        while node is not None:
            prefix = " async for " if node.asynchronous is not None else " for "
            out.append(f"{prefix}{self.expr(node.target, TUPLE)} in {self.expr(node.iter, OR)}")
            out += [f" if {self.expr(c.test, OR)}" for c in node.ifs]
            node = node.inner_for_in
        return "".join(out)

    def expr_ListComp(self, node: cst.ListComp) -> Tuple[str, int]:
        return f"[{self.expr(node.elt, TEST)}{self.comprehension(node.for_in)}]", ATOM

    def expr_SetComp(self, node: cst.SetComp) -> Tuple[str, int]:
        return "{" + self.expr(node.elt, TEST) + self.comprehension(node.for_in) + "}", ATOM

    def expr_GeneratorExp(self, node: cst.GeneratorExp) -> Tuple[str, int]:
        return f"({self.expr(node.elt, TEST)}{self.comprehension(node.for_in)})", ATOM

    def expr_DictComp(self, node: cst.DictComp) -> Tuple[str, int]:
        return ("{" + f"{self.expr(node.key, TEST)}: {self.expr(node.value, TEST)}"
                + self.comprehension(node.for_in) + "}"), ATOM

    # -- patterns ---------------------------------------------------------------------------------

    def pattern(self, node: cst.MatchPattern, alternative: bool = False) -> str:
        if isinstance(node, cst.MatchAs):
            if node.pattern is None:
                return node.name.value if node.name is not None else "_"
            text = f"{self.pattern(node.pattern, True)} as {node.name.value if node.name is not None else '_'}"
            return f"({text})" if alternative else text
        if isinstance(node, cst.MatchOr):
            text = " | ".join(self.pattern(p.pattern, True) for p in node.patterns)
            return f"({text})" if alternative else text
        if isinstance(node, cst.MatchValue):
            return self.expr(node.value, TEST + 1)
        if isinstance(node, cst.MatchSingleton):
            return node.value.value
        if isinstance(node, (cst.MatchList, cst.MatchTuple)):  # [a, b] and (a, b) are the same pattern
            return "[" + ", ".join(self.sequence_item(p) for p in node.patterns) + "]"
        if isinstance(node, cst.MatchMapping):
            parts = [f"{self.expr(e.key, TEST + 1)}: {self.pattern(e.pattern)}" for e in node.elements]
            if node.rest is not None:
                parts.append("**" + node.rest.value)
            return "{" + ", ".join(parts) + "}"
        if isinstance(node, cst.MatchClass):
            parts = [self.sequence_item(p) for p in node.patterns]
            parts += [f"{k.key.value}={self.pattern(k.pattern)}" for k in node.kwds]
            return f"{self.expr(node.cls, ATOM)}({', '.join(parts)})"
        raise RenderError(f"unknown pattern {type(node).__name__}")

    def sequence_item(self, item: Union[cst.MatchSequenceElement, cst.MatchStar]) -> str:
        if isinstance(item, cst.MatchStar):
            return "*" + (item.name.value if item.name is not None else "_")
        return self.pattern(item.value)
