"""The canonical renderer (``analysis.normalize.render``) against Python's own parser: rendering a
module and parsing the result gives the tree of the source (up to what is provably the same
program: ``(a and b) and c`` is ``a and b and c``, ``del (a, b)`` is ``del a, b``), on the
standard library of the Python running the tests, and on tricky constructs. Formatting
variants render to the same text."""

from __future__ import annotations

import ast
import os
import sys
import sysconfig
import textwrap
import warnings
from typing import List, Union

import libcst as cst
import pytest

from checkpointing.analysis.normalize.render import RenderError, decode_escapes, render


class _Canonical(ast.NodeTransformer):
    """What the renderer may legitimately change: flattened boolean chains and deletions."""

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        values: List[ast.expr] = []
        for value in node.values:
            if isinstance(value, ast.BoolOp) and type(value.op) is type(node.op):
                values += value.values
            else:
                values.append(value)
        node.values = values
        return node

    def visit_Delete(self, node: ast.Delete) -> ast.AST:
        self.generic_visit(node)
        targets: List[ast.expr] = []
        for target in node.targets:
            targets += target.elts if isinstance(target, ast.Tuple) and target.elts else [target]
        node.targets = targets
        return node


def _tree(source: Union[str, bytes]) -> str:
    tree = _Canonical().visit(ast.parse(source))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant):
            node.kind = None  # u"x" and "x"
    return ast.dump(tree, include_attributes=False)


def assert_same_program(source: Union[str, bytes]) -> None:
    rendered = render(cst.parse_module(source))
    try:
        assert _tree(rendered) == _tree(source)
    except SyntaxError as exc:
        raise AssertionError(f"the rendering does not parse: {exc}\n{rendered}") from exc
    assert render(cst.parse_module(rendered)) == rendered, "rendering is not idempotent"


TRICKY = [
    "x = (a + b) * c - (d - e) - f ** -g ** h\ny = (-1) ** 2 + 2 ** -1 + -x ** 2 + (not a) + ~b\n",
    "v = a if b else (c if d else e)\nw = (a if b else c) if d else e\nl = (lambda: 1) if x else lambda y: y\n",
    "z = a < b < c == (d < e)\nq = not a in b\nr = not (a is b) is c\n",
    "t = ()\nt = (1,)\nt = 1, 2\n(a, b), c = x\n[a, *b] = y\nfor (i, j), k in z: pass\nfor i, in z: pass\n",
    "s = x[1:2, ::3]\ns = x[(1, 2)]\ns = x[1,]\ns = x[()]\ns = x[a:b:c][d]\ns = x[(a, b),]\n",
    "print(*a, *b, c=1, **d)\nf(a for a in b)\nf((a for a in b), c)\nclass C(B, *bases, metaclass=M, **kw): pass\n",
    "s = 'a' \"b\" '''c''' r'\\d' u'e'\nb = b'x' rb'\\y' B'z'\nn = 0x1F + 0o17 + 0b11 + 1_000 + 1e3 + 1.5j + 1e400 + 0.1\n",
    "s = f'{a!r:>{w}} {{x}} {b=} { c = !s} {d:%Y-%m-%d}' 'tail' f\"{e}\"\nt = f'{\"q\"}' + F'''{f'{x}'}'''\n",
    "s = f'{x:{\"a\"}}' + f'{ {1: 2}[1] }' + f'{(lambda: 1)()}' + f'{a, b}' + f'\\N{EM DASH}\\t\\x41\\101'\n",
    "del a, (b), c[1]\ndel (d, e)\ndel [f, g]\nglobal G\n",
    "if a:\n    pass\nelse:\n    if b:\n        pass\n    else:\n        pass\nwhile x: break\nelse: pass\n",
    "try:\n    pass\nexcept (A, B) as e:\n    raise C from e\nexcept D: raise\nelse: pass\nfinally: pass\n",
    "with a as (b, c), d as e.f, g: pass\nasync def h():\n    async with a: pass\n    async for i in j: await k\n"
    "    return [x async for x in y if await x]\n",
    "def f(a, /, b=1, *c, d, e=2, **g) -> int:\n    yield\n    x = yield a, b\n    yield from c\n"
    "    (y := 1)\n    z = (w := 2)\n    return (yield)\n",
    "def f(a: int = 1, *, b: 'x' = 2): pass\nlambda *, k=1: k\nlambda a, /, b, *c, **d: 0\n",
    "@dec\n@dec.attr(x)\n@(lambda f: f)\nclass K:\n    x: int\n    y: int = 1\n    z.a: str = 'b'\n",
    "import a.b as c, d\nfrom . import x\nfrom ..y.z import (p as q, r,)\nfrom m import *\n",
    "assert x, 'msg'\nx += 1; y //= 2; z **= 3; w @= v\nr = {**a, 'b': 1, **{'c': 2}}\ns = {*a, 1}\n",
    "r = [x for x in y for z in x if z if not z]\ns = {k: v for k, v in d.items()}\ng = (1 for _ in ())\n"
    "u = {x for x in (a if b else c)}\n",
    "x = 1 .real + 1.5.imag + (1).bit_length() + ...\ny = a.b.c(d)[e].f\nz = (yield)\n",
    "x = a or b or (c or d) and e and (f and g)\ny = (a or b) or c\n",
]

MATCHES = [
    "match x:\n    case 1 | 2 | -3:\n        pass\n    case (a, b, *rest) if a > b:\n        pass\n"
    "    case [a, *_]:\n        pass\n    case {'k': v, **kw}:\n        pass\n"
    "    case Point(x=0, y=(1 | 2) as y) as p:\n        pass\n    case Color.RED | None | True:\n        pass\n"
    "    case (a):\n        pass\n    case a, b:\n        pass\n    case _:\n        pass\n",
]


@pytest.mark.parametrize("source", TRICKY, ids=range(len(TRICKY)))
def test_tricky_constructs_render_to_the_same_program(source):
    assert_same_program(source)


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match statements are Python 3.10+")
@pytest.mark.parametrize("source", MATCHES)
def test_match_statements_render_to_the_same_program(source):
    assert_same_program(source)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="Python 3.11 syntax")
def test_star_unpacking_in_subscripts_and_annotations_renders_to_the_same_program():
    assert_same_program("def f(*args: *Ts): pass\nx = a[*b]\ny = a[*b, c]\nz = a[(*b, c)]\n")


@pytest.mark.skipif(sys.version_info < (3, 12), reason="Python 3.12 syntax")
def test_new_syntax_renders_to_the_same_program():
    assert_same_program("type A[T] = list[T]\ndef f[T: int, *Ts, **P](x: T) -> T: pass\nclass C[T]: pass\n"
                        "s = f'{x['k']}' + f'{'a' + \"b\"}' + f'{\"\\n\".join(y)}'\n")


def test_new_syntax_renders_whatever_python_runs_the_renderer():
    """libcst reads every grammar: a 3.12 file renders on 3.9 as on 3.13."""
    text = render(cst.parse_module("type A[T] = list[T]\ndef f[T: int](x: T) -> T:\n    return f'{x['k']}'\n"))
    assert text == "type A[T] = list[T]\ndef f[T: int](x: T) -> T:\n    return f\"{x['k']}\""


def test_formatting_variants_render_to_one_text():
    variants = [
        "def f(a, b):\n    return (a + b) * 2  # comment\n",
        "def f(a,\n      b,):\n    return ((a + b)) * (2)\n",
        "def f( a , b ) :\n    return (a+b)*0x2\n",
        "def f(a, b):\n\n    return (\n        a + b\n    ) * 2;\n",
    ]
    assert len({render(cst.parse_module(v)) for v in variants}) == 1


def test_strings_render_by_value():
    variants = ["x = 'a\\tb'", 'x = "a\\tb"', "x = 'a' '\\tb'", "x = '''a\tb'''", "x = u'a\\x09b'", "x = 'a\\11b'"]
    assert {render(cst.parse_module(v)) for v in variants} == {"x = 'a\\tb'"}
    assert render(cst.parse_module("x = f'a{b}' 'c' f'{d!r}'")) == render(cst.parse_module('x = f"a{b}c{d!r}"'))


def test_escapes_decode_like_python():
    for body in ["a\\nb", "\\x41\\u00e9\\U0001F600", "\\N{BULLET}", "\\101\\7", "\\q\\{", "a\\\nb", "it\\'s \\\\"]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "\\q" is an invalid escape on purpose (a Deprecation- or SyntaxWarning)
            expected = ast.literal_eval(f"'{body}'")
        assert decode_escapes(body) == expected, body


def test_an_unknown_node_is_an_error_not_a_partial_text():
    with pytest.raises(RenderError):
        render(cst.Arg(cst.Name("x")))


def _stdlib_modules() -> List[str]:
    root = sysconfig.get_paths()["stdlib"]
    names = ["argparse", "ast", "collections/__init__", "dataclasses", "enum", "functools", "inspect",
             "json/decoder", "pathlib", "pickle", "typing", "textwrap", "dis", "difflib", "tokenize", "statistics",
             "string", "configparser", "logging/__init__", "asyncio/tasks", "email/_header_value_parser",
             "unittest/mock", "datetime", "decimal", "_pydecimal", "fractions", "re/_parser", "sre_parse",
             "calendar", "locale", "shlex", "zipfile", "tarfile", "http/client", "urllib/parse", "pprint", "csv"]
    paths = []
    for name in names:
        module = os.path.join(root, name + ".py")
        package = os.path.join(root, name, "__init__.py")
        if os.path.exists(module):
            paths.append(module)
        elif os.path.exists(package):
            paths.append(package)
    if os.environ.get("CHECKPOINTING_RENDER_ALL"):
        paths = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) if "site-packages" not in d
                       for f in fs if f.endswith(".py"))
    return paths


@pytest.mark.parametrize("path", _stdlib_modules(), ids=os.path.basename)
def test_the_standard_library_renders_to_the_same_programs(path):
    with open(path, "rb") as f:  # in its declared encoding
        source = f.read()
    try:
        ast.parse(source)
    except SyntaxError:
        pytest.skip("not valid for this Python (a test fixture)")
    try:
        cst.parse_module(source)
    except cst.ParserSyntaxError:  # (x): int = 1: a function with it is keyed by its bytecode
        pytest.skip("libcst cannot read it")
    assert_same_program(source)


def test_a_function_keeps_its_text_whatever_its_indentation():
    method = textwrap.indent("def m(self):\n    return self.x\n", "    ")
    assert render(cst.parse_module(textwrap.dedent(method))) == "def m(self):\n    return self.x"


def test_the_normalize_command_reads_a_newer_grammar_than_the_running_python(tmp_path, capsys):
    from checkpointing.cli import main

    path = tmp_path / "new.py"
    path.write_text("def f[T](x: T) -> T:\n    return f\"{x[\"k\"]}\" + 'tail'\n")
    assert main(["normalize", str(path)]) == 0
    assert capsys.readouterr().out == "# f: parameters ['x'], free names []\ndef _f[T](_ckp0):\n" \
                                      "    return f\"{_ckp0['k']}\" + 'tail'\n\n"
