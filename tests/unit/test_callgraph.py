"""The static call graph: every import form resolves, reachability follows methods by name."""

from __future__ import annotations

import textwrap
from pathlib import Path

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
