"""Property tests for the normalizer (hypothesis).

Functions are generated from a small grammar (int arithmetic, temporaries, aug-assignments,
branches, loops). Properties: output compiles; normalizing is idempotent; consistent renaming
and reformatting keep the form; mutations of an operator, a constant or an operand order change
it; and, most important, **equal canonical forms mean equal behaviour**: two generated variants
with the same canonical form return the same value on the same inputs.
"""

from __future__ import annotations

import ast
import os
import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checkpointing.analysis import normalize_function

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "25"))
OPS = ["+", "-", "*"]


@st.composite
def expressions(draw, names, depth=2):
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(names)) if draw(st.booleans()) else str(draw(st.integers(-3, 5)))
    left = draw(expressions(names, depth - 1))
    right = draw(expressions(names, depth - 1))
    return f"({left} {draw(st.sampled_from(OPS))} {right})"


@st.composite
def functions(draw):
    names = ["a", "b"]
    lines = []
    for i in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["assign", "aug", "selfadd", "if", "for"]))
        target = f"t{draw(st.integers(0, 2))}" if kind != "assign" else f"t{i % 3}"
        if kind in ("aug", "selfadd") and target not in names:
            kind = "assign"
        expr = draw(expressions(names))
        if kind == "assign":
            lines.append(f"    {target} = {expr}")
        elif kind == "aug":
            lines.append(f"    {target} {draw(st.sampled_from(OPS))}= {expr}")
        elif kind == "selfadd":
            op = draw(st.sampled_from(OPS))
            lines.append(f"    {target} = {target} {op} ({expr})")
        elif kind == "if":
            cond = draw(expressions(names, 1))
            test = draw(st.sampled_from(["{c} > 0", "not {c} in (0, 1)", "{c} not in (0, 1)",
                                         "not ({c} not in (2, 3))"]))
            lines.append(f"    if {test.format(c=cond)}:\n        {target} = {expr}\n    else:\n        {target} = {cond}")
        else:
            lines.append(f"    {target} = 0\n    for v in range(3):\n        {target} += v * ({expr})")
        if target not in names:
            names.append(target)
    result = draw(expressions(names))
    return "def f(a, b):\n" + "\n".join(lines) + f"\n    return {result}\n"


def run(source: str, a, b):
    ns: dict = {}
    exec(compile(source, "<gen>", "exec"), ns)
    try:
        return ("ok", ns["f"](a, b))
    except Exception as exc:  # both variants must fail the same way
        return ("error", type(exc).__name__)


def rename_locals(source: str) -> str:
    return re.sub(r"\bt(\d)\b", r"renamed_\1", source).replace("(a, b)", "(first, b)").replace(
        "a", "first").replace("def f(", "def other(")


def chosen(n, plain_inputs: bool) -> str:
    return n.guarded.code if (n.guarded is not None and plain_inputs) else n.strict.code


SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(functions())
def test_output_compiles_and_normalizing_is_idempotent(src: str) -> None:
    n = normalize_function(src)
    for code in filter(None, [n.strict.code, n.guarded.code if n.guarded else None]):
        ast.parse(code)
        assert normalize_function(code).strict.code == code


@SETTINGS
@given(functions())
def test_renaming_and_reformatting_keep_the_form(src: str) -> None:
    if "first" in src or "renamed" in src:
        return
    reformatted = rename_locals(src).replace(" = ", " =  ").replace("return ", "return (") .replace("\n", "  # c\n")
    reformatted = re.sub(r"return \((.*)  # c", r"return (\1)  # c", reformatted)
    assert normalize_function(reformatted).strict.code == normalize_function(src).strict.code


@SETTINGS
@given(functions(), st.data())
def test_mutating_an_operator_or_constant_changes_the_form_or_the_behaviour(src: str, data) -> None:
    spots = [m.start() for m in re.finditer(r" [+\-*] ", src)]
    assume(spots)
    at = data.draw(st.sampled_from(spots))
    old = src[at + 1]
    new = data.draw(st.sampled_from([o for o in OPS if o != old]))
    mutated = src[:at + 1] + new + src[at + 2:]
    if normalize_function(mutated).strict.code == normalize_function(src).strict.code:
        # only acceptable when the mutated operator sits in code that never runs
        for a in range(-3, 4):
            for b in range(-3, 4):
                assert run(src, a, b) == run(mutated, a, b)


@SETTINGS
@given(functions(), functions(), st.integers(-4, 4), st.integers(-4, 4))
def test_equal_canonical_forms_mean_equal_behaviour(src1: str, src2: str, a: int, b: int) -> None:
    n1, n2 = normalize_function(src1), normalize_function(src2)
    for plain in (True, False):
        if chosen(n1, plain) == chosen(n2, plain) and n1.strict.params == n2.strict.params:
            assert run(src1, a, b) == run(src2, a, b)


@SETTINGS
@given(functions(), st.integers(-4, 4), st.integers(-4, 4))
def test_guarded_form_is_equivalent_when_inputs_are_plain(src: str, a: int, b: int) -> None:
    """Execute the canonical forms themselves: each must behave as the source it came from."""
    n = normalize_function(src)
    free_ok = all(name in ("range",) for name in n.strict.free_names)
    assume(free_ok)
    for variant in filter(None, [n.strict, n.guarded]):
        code = variant.code
        for i, name in enumerate(variant.free_names):
            code = re.sub(rf"\b_ck_*g{i}\b", name, code)
        args = {"a": a, "b": b}
        canon = run(code.replace("def _f(", "def f("), *[args[p] for p in variant.params])
        assert canon == run(src, a, b)


_CALLEES = {
    "by_name": "def g(x=0, y=0, z=0, w=0):\n    return ((x * 7 + y) * 7 + z) * 7 + w\n",
    "collects": "def g(**kwargs):\n    return list(kwargs.items())\n",
}


@SETTINGS
@given(st.permutations(["x=a", "y=b", "z=3", "w=-1"]), st.permutations(["x=a", "y=b", "z=3", "w=-1"]),
       st.sampled_from(sorted(_CALLEES)), st.integers(-4, 4), st.integers(-4, 4))
def test_sorted_keywords_mean_equal_behaviour_where_the_callee_binds_by_name(
        first, second, callee: str, a: int, b: int) -> None:  # type: ignore[no-untyped-def]
    """Keyword orders whose canonical code agrees, with what the runtime keys of their order for
    the callee found (checkpointing._key.keywords), return the same value."""
    from checkpointing._key.keywords import orders_token

    def loaded(order):  # type: ignore[no-untyped-def]
        source = f"def f(a, b):\n    return g({', '.join(order)})\n"
        ns: dict = {}
        exec(compile(_CALLEES[callee] + source, "<gen>", "exec"), ns)
        n = normalize_function(source).strict
        return (n.code, orders_token(ns["f"], n.keyword_orders)), ns["f"](a, b)

    (form1, value1), (form2, value2) = loaded(first), loaded(second)
    if form1 == form2:
        assert value1 == value2
    if callee == "by_name":
        assert form1 == form2  # (what the rewrite is for)
