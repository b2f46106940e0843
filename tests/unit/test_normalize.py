"""The normalizer: what must be equal and what must stay distinct."""

from __future__ import annotations

import pytest

from checkpointing.analysis import NormalizeError, normalize_function
from tests.helpers import assert_normalizes_different, assert_normalizes_equal, canonical

EQUAL = [
    # if/else that only assigns one name, or only returns, is a conditional expression
    ("def f(a, c):\n    if c:\n        y = a\n    else:\n        y = -a\n    return y\n",
     "def f(a, c):\n    y = a if c else -a\n    return y\n"),
    ("def f(a, c):\n    if c:\n        return a\n    else:\n        return -a\n",
     "def f(a, c):\n    return a if c else -a\n"),
    ("def f(c, d):\n    if c:\n        return 1\n    elif d:\n        return 2\n    return 3\n",
     "def f(c, d):\n    return 1 if c else 2 if d else 3\n"),
    # `not in` and `is not` are defined as the negations of `in` and `is`
    ("def f(a, b):\n    return not a in b\n", "def f(a, b):\n    return a not in b\n"),
    ("def f(a):\n    return not a is None\n", "def f(a):\n    return a is not None\n"),
    ("def f(a, b):\n    return not a not in b\n", "def f(a, b):\n    return a in b\n"),
    ("def f(a, b):\n    if not (a is b):\n        return 1\n    return 2\n",
     "def f(a, b):\n    if a is not b:\n        return 1\n    return 2\n"),
    ("def f(a):\n    return a\n", "def g(b):\n    return b\n"),
    ("def f(a):\n    y = a * 2\n    return y\n", "def f(a):\n    return a * 2\n"),
    # a temporary read by an augmented assignment is inlined (as into the assignment it may become)
    ("def f(a):\n    n = 0\n    t = a + 1\n    n += t\n    return n\n",
     "def f(a):\n    n = 0\n    n += a + 1\n    return n\n"),
    ("def f(a):\n    y = a * 2\n    z = y + 1\n    return z\n", "def f(a):\n    return a * 2 + 1\n"),
    ("def f(a):\n    '''doc'''\n    return a\n", "def f(a):\n    return a  # c\n"),
    ("def f(a: int = 3) -> int:\n    x: int = a\n    return x\n", "def f(a):\n    return a\n"),
    ("def f(a):\n    if a:\n        return 1\n    else:\n        return 2\n",
     "def f(a):\n    if a:\n        return 1\n    return 2\n"),
    ("def f(a):\n    if a:\n        return 1\n    elif a is None:\n        raise ValueError\n    else:\n        return 2\n",
     "def f(a):\n    if a:\n        return 1\n    if a is None:\n        raise ValueError\n    return 2\n"),
    ("def f(a):\n    print(a)\n    return None\n", "def f(a):\n    print(a)\n"),
    ("def f(a):\n    pass\n    return (a)\n", "def f(a):\n    return a\n"),
    ("def f(a): x = a; return x\n", "def f(a):\n    return a\n"),
    ("def f(a, b):\n    return [a,\n            b,]\n", "def f(a, b):\n    return [a, b]\n"),
    ("def f(a):\n    return np.sum(a)\n", "def f(a):\n    return numpy.sum(a)\n"),
    ("def f(a):\n    return [v * 2 for v in a]\n", "def f(a):\n    return [w * 2 for w in a]\n"),
    ("def f(a):\n    n = 0\n    n = n + 1\n    return n + a\n", "def f(a):\n    n = 0\n    n += 1\n    return n + a\n"),
]

DIFFERENT = [
    ("def f(a, b):\n    return a - b\n", "def f(a, b):\n    return b - a\n"),
    ("def f(a):\n    return a is None\n", "def f(a):\n    return a == None\n"),
    ("def f(a):\n    return a * 2\n", "def f(a):\n    return a * 2.0\n"),
    ("def f(a):\n    k = a + 1\n    return k + K\n", "def f(a):\n    K = a + 1\n    return K + K\n"),
    # evaluation order: the temporary is computed before another call
    ("def f(a):\n    x = g(a)\n    return h(a) + x\n", "def f(a):\n    return h(a) + g(a)\n"),
    # conditional evaluation: the right operand of `and` may not run
    ("def f(a):\n    x = g(a)\n    return a and x\n", "def f(a):\n    return a and g(a)\n"),
    # repeated evaluation: a while test runs many times
    ("def f(a):\n    x = g(a)\n    while x:\n        a -= 1\n", "def f(a):\n    while g(a):\n        a -= 1\n"),
    # used twice: not a single-use temporary
    ("def f(a):\n    x = g(a)\n    return x + x\n", "def f(a):\n    return g(a) + g(a)\n"),
    # keyword names and attribute names are semantic
    ("def f(a):\n    return g(x=a)\n", "def f(a):\n    return g(y=a)\n"),
    ("def f(a):\n    return a.real\n", "def f(a):\n    return a.imag\n"),
    # a nested function's parameters can be passed by keyword
    ("def f(a):\n    def g(p, q):\n        return p - q\n    return g(q=1, p=a)\n",
     "def f(a):\n    def g(q, p):\n        return q - p\n    return g(q=1, p=a)\n"),
    # f"{x=}" prints the variable's name
    ("def f(a):\n    x = a\n    return f'{x=}'\n", "def f(a):\n    y = a\n    return f'{y=}'\n"),
    ("def f(a):\n    return a[0]\n", "def f(a):\n    return a[1]\n"),
    ("def f(a):\n    return 'x'\n", "def f(a):\n    return \"y\"\n"),
    # a temporary is not moved into one branch of a conditional (it would not always run)
    ("def f(a, c):\n    t = g(a)\n    if c:\n        return t\n    return 0\n",
     "def f(a, c):\n    return g(a) if c else 0\n"),
    ("def f(a, c):\n    if c:\n        x = a\n    else:\n        y = a\n    return x\n",
     "def f(a, c):\n    x = a if c else a\n    return x\n"),
    # only `in` and `is` negate exactly: __ne__ need not negate __eq__, NaN is not ordered
    ("def f(a, b):\n    return not a == b\n", "def f(a, b):\n    return a != b\n"),
    ("def f(a, b):\n    return not a < b\n", "def f(a, b):\n    return a >= b\n"),
    ("def f(a, b, c):\n    return not a in b in c\n", "def f(a, b, c):\n    return a not in b in c\n"),
    ("def f(a, b):\n    return not a in b\n", "def f(a, b):\n    return a in b\n"),
]


@pytest.mark.parametrize("a, b", EQUAL)
def test_normalize_equal(a: str, b: str) -> None:
    assert_normalizes_equal(a, b)


@pytest.mark.parametrize("a, b", DIFFERENT)
def test_normalize_different(a: str, b: str) -> None:
    assert_normalizes_different(a, b)


def test_augassign_on_unknown_type_stays_distinct_strictly_but_has_guarded_form() -> None:
    a = normalize_function("def f(xs):\n    t = 0\n    for v in xs:\n        t += v\n    return t\n")
    b = normalize_function("def f(xs):\n    t = 0\n    for v in xs:\n        t = t + v\n    return t\n")
    assert a.strict.code != b.strict.code
    assert a.guarded is not None and a.guarded.code == b.strict.code
    assert a.assumptions == (("plain", "xs"),)


def test_augassign_on_parameter_alias_is_never_rewritten() -> None:
    n = normalize_function("def f(xs):\n    ys = xs\n    ys += [1]\n    return xs\n")
    assert n.guarded is None and "+=" in n.strict.code


def test_parameters_are_ordered_by_first_use() -> None:
    n = normalize_function("def f(a, b, unused):\n    return b - a\n")
    assert n.strict.params == ("b", "a", "unused")


def test_free_names_and_attribute_chains() -> None:
    n = normalize_function("def f(a):\n    return config.THRESHOLD + np.linalg.norm(a) + len(a)\n")
    assert n.strict.free_names == ("config", "np", "len")
    assert n.strict.attribute_chains == {"config": (("THRESHOLD",),), "np": (("linalg", "norm"),)}


def test_global_and_nonlocal_lines_are_reported() -> None:
    n = normalize_function("def f():\n    x = 1\n    global G\n    G = x\n")
    assert n.global_lines == (3,)
    n = normalize_function("def f():\n    nonlocal y\n    y = 1\n")
    assert n.nonlocal_lines == (2,)


def test_dynamic_access_is_reported_and_disables_renaming() -> None:
    n = normalize_function("def f(a):\n    b = a\n    return locals()\n")
    assert n.name_sensitive and not n.dynamic and "b" in n.strict.code  # its own locals: names kept
    n = normalize_function("def f(a):\n    b = a\n    return globals()[a]\n")
    assert n.name_sensitive and n.dynamic
    n = normalize_function("def f(a, name):\n    return getattr(a, name)\n")
    assert n.dynamic == ((2, "`getattr()` with a computed attribute name"),)


def test_not_a_function_is_a_normalize_error() -> None:
    with pytest.raises(NormalizeError):
        normalize_function("f = lambda x: x\n")


def test_renaming_never_captures_a_kept_name() -> None:
    # g's parameter is passed by keyword: it keeps its name, so canonical names avoid its prefix
    code = canonical("def f(a):\n    def g(_ckv0):\n        return _ckv0 + a\n    return g(_ckv0=1)\n")
    assert "return _ckv0 + _ck_p0" in code


def test_methods_and_indented_sources_normalize() -> None:
    src = "    def m(self, x):\n        return self.w * x\n"
    assert canonical(src) == "def _f(_ckp0, _ckp1):\n    return _ckp0.w * _ckp1"


def test_runtime_version_constant_matches_normalizer() -> None:
    from checkpointing import _analysis_cache
    from checkpointing.analysis import NORMALIZER_VERSION

    assert _analysis_cache.NORMALIZER_VERSION == NORMALIZER_VERSION


def test_constant_statements_are_dropped_but_nested_docstrings_kept() -> None:
    assert_normalizes_equal("def f(a):\n    print(a)\n    '''note'''\n    ...\n    return a\n",
                            "def f(a):\n    print(a)\n    return a\n")
    assert_normalizes_different("def f(a):\n    def g():\n        '''doc'''\n    return g.__doc__\n",
                                "def f(a):\n    def g():\n        pass\n    return g.__doc__\n")


def test_true_false_none_are_not_free_names() -> None:
    assert normalize_function("def f(a):\n    return (a, True, None)\n").strict.free_names == ()


def test_an_assignment_expression_in_a_comprehension_binds_in_the_function() -> None:
    """PEP 572: reading `last` after the comprehension reads the local, not a global."""
    binds = "def f(xs):\n    t = [last := g(v) for v in xs]\n    return t, last\n"
    reads_global = "def f(xs):\n    t = [other := g(v) for v in xs]\n    return t, last\n"
    assert canonical(binds) != canonical(reads_global)
    assert "last" not in normalize_function(binds).strict.free_names
    assert "last" in normalize_function(reads_global).strict.free_names


def test_the_first_iterable_of_a_comprehension_in_a_class_body_is_read() -> None:
    n = normalize_function("def f():\n    class A:\n        v = [i for i in range(3)]\n    return A\n")
    assert "range" in n.strict.free_names


def test_a_class_body_name_may_read_a_global() -> None:
    """`class A: x = x + 1` reads the global x when the class dict has none yet."""
    assert "x" in normalize_function("def f():\n    class A:\n        x = x + 1\n    return A\n").strict.free_names


def test_no_temporary_is_moved_past_a_global_read() -> None:
    """`y = g(); return cache[y]`: g may rebind the global `cache`, which is read before y."""
    assert_normalizes_different("def f(a):\n    y = g(a)\n    return cache[y]\n",
                                "def f(a):\n    return cache[g(a)]\n")
    assert_normalizes_equal("def f(a):\n    y = a + 1\n    return y\n", "def f(a):\n    return a + 1\n")
    assert_normalizes_equal("def f(a):\n    y = g(a)\n    return [a, y]\n", "def f(a):\n    return [a, g(a)]\n")


def test_a_guarded_form_inlines_plain_arithmetic_past_a_global_read() -> None:
    n = normalize_function("def f(a):\n    y = a + 1\n    return helper(y)\n")
    assert n.guarded is not None and "return _ckg0(_ckp0 + 1)" in n.guarded.code
    assert n.assumptions == (("plain", "a"),) and "_ckv0 = _ckp0 + 1" in n.strict.code


def test_imports_inside_the_body_are_reported_with_their_chains() -> None:
    n = normalize_function("def f(x):\n    import settings\n    from pkg import values as v\n"
                           "    from . import sibling\n    import a.b\n"
                           "    return settings.T + v.OFFSET + sibling.K + a.b.c\n").strict
    assert [i[1:] for i in n.imports] == [("top", "settings", "", 0), ("from", "pkg", "values", 0),
                                          ("from", "", "sibling", 1), ("top", "a.b", "", 0)]
    labels = [i[0] for i in n.imports]
    assert n.attribute_chains[labels[0]] == (("T",),) and n.attribute_chains[labels[3]] == (("b", "c"),)


def test_constant_keys_read_from_free_names_are_reported() -> None:
    n = normalize_function("def f():\n    return os.environ['A'], os.environ.get('B', 'x'), getenv('C'), k[0]\n")
    assert set(n.strict.keyed_reads) == {("os", ("environ",), "getitem", "A"), ("os", ("environ", "get"), "call", "B"),
                                         ("getenv", (), "call", "C")}


def test_identifiers_in_string_constants_count_as_attribute_names() -> None:
    n = normalize_function("def f(m):\n    return getattr(m, 'predict')(1), '{0.size}'.format(m)\n")
    assert {"predict", "size", "format"} <= set(n.strict.attributes)


_DECORATOR = '''
def logged(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return wrapper
'''


def test_a_guarded_form_renames_a_nested_def_that_functools_wraps_decorates() -> None:
    n = normalize_function(_DECORATOR)
    renamed = normalize_function(_DECORATOR.replace("wrapper", "inner"))
    assert n.assumptions == (("wraps", "functools.wraps"),)
    assert n.guarded is not None and renamed.guarded is not None and n.guarded.code == renamed.guarded.code
    assert n.strict.code != renamed.strict.code  # (whatever `functools` is, the name is kept)


@pytest.mark.parametrize("edit", [
    ("    @functools.wraps(func)\n", "    @functools.wraps(func)\n    @other\n"),  # another decorator
    ("return func(*args, **kwargs)", "return [lambda: 1, func(*args, **kwargs)]"),  # a qualified name inside
    ("    @functools.wraps(func)\n", "    wraps = make()\n    @wraps(func)\n"),  # not a global name
    ("functools.wraps", "functools.update"),
])
def test_a_nested_def_keeps_its_name_where_it_can_be_observed(edit) -> None:  # type: ignore[no-untyped-def]
    source = _DECORATOR.replace(*edit)
    n = normalize_function(source)
    assert not any(kind == "wraps" for kind, _ in n.assumptions)
    assert "wrapper" in (n.guarded or n.strict).code


def test_keyword_arguments_of_a_call_on_a_free_name_are_sorted_with_their_order_kept_aside() -> None:
    n = normalize_function("def f(x):\n    return np.mean(x, keepdims=True, axis=0), dict(b=1, a=2)\n").strict
    assert "mean(_ckp0, axis=0, keepdims=True)" in n.code and "(a=2, b=1)" in n.code
    assert n.keyword_orders == (("np.mean", ("keepdims", "axis")), ("dict", ("b", "a")))


@pytest.mark.parametrize("call", [
    "x.mean(b=True, a=0)",  # a method of an argument: its callee is not known
    "g(b=h(), a=1)",  # evaluating a value runs code: the order of the effects counts
    "g(b=1, a=2, **more)",  # the mapping's keys come after, in its order
    "g(*rest, b=1, a=2)",
])
def test_keyword_arguments_keep_their_order(call: str) -> None:
    n = normalize_function(f"def f(x, more, rest):\n    return {call}\n").strict
    assert n.keyword_orders == () and n.code.index("b=") < n.code.index("a=")


def test_each_call_whose_keywords_could_be_sorted_is_listed_in_place() -> None:
    """Two programs that swap which of two calls has its keywords out of order have the same
    canonical code: the list, one entry per such call in order, tells them apart."""
    first = normalize_function("def f():\n    return dict(b=1, a=1), dict(a=1, b=1)\n").strict
    second = normalize_function("def f():\n    return dict(a=1, b=1), dict(b=1, a=1)\n").strict
    assert first.code == second.code and first.keyword_orders != second.keyword_orders
