"""The static call graph: every import form resolves, reachability follows methods by name."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Dict, List

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkpointing.analysis.callgraph import SourceFile, load_project, module_name_for


def project(tmp_path: Path, files: dict):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    sources = [SourceFile(str(tmp_path / n), n) for n in files]
    loaded = load_project(sources)
    return loaded.graph_for(str(tmp_path))


FILES = {
    "main.py": """
        import helpers
        import pkg.sub
        import pkg.sub as ps
        from helpers import clean as tidy
        from pkg import sub
        from pkg.sub import *
        from model import Model

        STEPS = {"t": tidy}

        def entry(x, m: Model, anything):
            a = helpers.clean(x) + tidy(x) + pkg.sub.norm(x) + ps.norm(x) + sub.norm(x) + star_helper(x)
            b = STEPS["t"](x)
            Model(1).fit(x)
            m.score(x)
            anything.unknown_method()
            return a, b

        def unreached():
            return helpers.unused()
        """,
    "helpers.py": """
        def clean(x):
            return x

        def unused():
            return 0
        """,
    "pkg/__init__.py": "",
    "pkg/sub.py": """
        from .tools import shift

        def norm(x):
            return shift(x)

        def star_helper(x):
            return x
        """,
    "pkg/tools.py": "def shift(x):\n    return x\n",
    "model.py": """
        class Base:
            def step(self, x):
                return x

            def score(self, x):
                return self.step(x)

        class Model(Base):
            def __init__(self, w):
                self.w = w

            def fit(self, x):
                return self.step(x)

            def unused(self):
                return helpers_missing()
        """,
}


def test_module_names_follow_packages(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "sub.py").write_text("")
    assert module_name_for(str(tmp_path / "pkg" / "sub.py")) == ("pkg.sub", str(tmp_path), False)
    assert module_name_for(str(tmp_path / "pkg" / "__init__.py")) == ("pkg", str(tmp_path), True)
    assert module_name_for(str(tmp_path / "script.py")) == ("script", str(tmp_path), False)


def test_every_import_form_resolves(tmp_path: Path) -> None:
    graph = project(tmp_path, FILES)
    for chain, expected in [
        (("helpers", "clean"), "helpers:clean"),
        (("tidy",), "helpers:clean"),
        (("pkg", "sub", "norm"), "pkg.sub:norm"),
        (("ps", "norm"), "pkg.sub:norm"),
        (("sub", "norm"), "pkg.sub:norm"),
        (("star_helper",), "pkg.sub:star_helper"),
        (("Model",), "model:Model"),
        (("STEPS",), "main:STEPS"),
    ]:
        target, rest = graph.resolve("main", chain)
        assert (target.name, rest) == (expected, ()), chain
    assert graph.resolve("pkg.sub", ("shift",))[0].name == "pkg.tools:shift"  # relative import
    assert graph.qualified_name("main", ("len",)) == "builtins.len"


def test_reachable_follows_calls_dicts_classes_and_methods(tmp_path: Path) -> None:
    graph = project(tmp_path, FILES)
    reached = set(graph.reachable("main:entry"))
    assert {"helpers:clean", "pkg.sub:norm", "pkg.tools:shift", "pkg.sub:star_helper", "main:STEPS",
            "model:Model", "model:Model.__init__", "model:Model.fit", "model:Base.step", "model:Base.score"} <= reached
    assert not reached & {"helpers:unused", "main:unreached", "model:Model.unused"}


def test_mutual_recursion_is_a_cycle_and_terminates(tmp_path: Path) -> None:
    graph = project(tmp_path, {"m.py": "def a(n):\n    return b(n - 1) if n else 0\n\n\n"
                                       "def b(n):\n    return a(n)\n"})
    assert set(graph.reachable("m:a")) == {"m:a", "m:b"}
    assert graph.cycles() == [["m:a", "m:b"]]


def test_names_are_outside_references_exactly_where_the_symbol_table_says_they_are_globals(tmp_path: Path) -> None:
    """The index takes scoping from CPython's own symbol table: closures' free variables, class
    blocks, comprehension variables (inlined in their function on 3.12+), ``global`` and ``:=``."""
    graph = project(tmp_path, {"main.py": """
        def outer(items):
            scale = 2

            def inner(x):
                return x * scale + helper(x)

            total = [v for v in items if (last := v)]
            return inner, total, last, len(items)

        def declared():
            global counter
            counter = helper(1)
            return counter

        class Config:
            size = 3
            doubled = size * 2

            def get(self):
                return size_of(self)

        def helper(x):
            return x
        """})
    refs = {q: sorted({r.chain[0] for r in info.references}) for q, info in graph.modules["main"].functions.items()}
    assert refs["outer"] == ["helper", "len"]
    assert refs["declared"] == ["counter", "helper"]
    assert refs["Config.get"] == ["size_of"]


def test_what_the_compiler_refuses_is_a_syntax_error(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("def f():\n    nonlocal missing\n    missing = 1\n")
    source = SourceFile(str(tmp_path / "main.py"), "main.py")
    load_project([source]).graph_for(str(tmp_path))
    assert source.tree is None and source.syntax_error is not None and source.syntax_error[0] == 2


def test_globals_read_from_the_symbol_tables_flags_match_its_public_api() -> None:
    import symtable

    from checkpointing.analysis.callgraph.index import _globals_of

    source = Path(symtable.__file__).read_text()  # a real module: classes, closures, comprehensions
    stack = [symtable.symtable(source, "symtable.py", "exec")]
    while stack:
        table = stack.pop()
        assert _globals_of(table) == {s.get_name() for s in table.get_symbols() if s.is_global()}
        stack.extend(table.get_children())


def _random_program(draw: st.DrawFn) -> Dict[str, str]:
    """Two modules of functions and classes that call each other, directly, through classes, and
    by method name on values of unknown type (cycles, self-calls and inheritance included)."""
    functions = [f"f{i}" for i in range(draw(st.integers(1, 8)))]
    classes = [f"C{i}" for i in range(draw(st.integers(0, 4)))]
    methods = ["fit", "run", "step"]
    callables = functions + classes
    lines = {"a": ["import b", ""], "b": ["import a", ""]}

    def body(indent: str) -> List[str]:
        out = []
        for _ in range(draw(st.integers(0, 3))):
            kind = draw(st.sampled_from(["call", "method", "self"]))
            if kind == "call":
                module = draw(st.sampled_from(["a", "b"]))
                out.append(f"{indent}{module}.{draw(st.sampled_from(callables))}()")
            elif kind == "method":
                out.append(f"{indent}obj.{draw(st.sampled_from(methods))}()")
            else:
                out.append(f"{indent}self.{draw(st.sampled_from(methods))}()")
        return out + [f"{indent}return None"]

    for module in ("a", "b"):
        for name in functions:
            lines[module] += [f"def {name}(self=None, obj=None):", *body("    "), ""]
        for i, name in enumerate(classes):
            base = f"({classes[i - 1]})" if i and draw(st.booleans()) else ""
            lines[module].append(f"class {name}{base}:")
            for method in draw(st.lists(st.sampled_from(["__init__", *methods]), unique=True)):
                lines[module] += [f"    def {method}(self, obj=None):", *body("        ")]
            lines[module] += ["    pass", ""]
    return {f"{module}.py": "\n".join(text) + "\n" for module, text in lines.items()}


def _full_walk_path(graph, start: str, node: str) -> List[str]:
    """The path a walk that is not stopped early finds (the early stop must not lengthen it)."""
    _, parents = graph._walk(start)
    path = [node]
    while parents.get(path[-1]) is not None:
        path.append(parents[path[-1]])
    return path[::-1]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_reach_for_many_starts_is_what_each_start_reaches(tmp_path: Path, data: st.DataObject) -> None:
    files = data.draw(st.composite(_random_program)())
    folder = tmp_path / str(len(list(tmp_path.iterdir())))
    graph = project(folder, files)
    starts = sorted(graph.graph.nodes)
    reach = graph.reach(starts)
    for start in starts:
        expected = set(graph.reachable(start))
        assert set(reach.members(reach.sets[start])) == expected, start
        for node in expected:
            path = graph.chains(start, [node])[node]
            assert path[0] == start and path[-1] == node and len(path) == len(_full_walk_path(graph, start, node))
            for a, b in zip(path, path[1:]):  # each step a use, or a method of a reached class by name
                assert graph.graph.has_edge(a, b) or b.startswith(a + "."), (a, b)
