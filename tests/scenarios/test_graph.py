"""`checkpointing graph`: Mermaid, DOT and SVG that parse and name every checkpointed function,
with stored entries (--store) and what changed since a revision (--base)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pydot
import pytest

from ..helpers import Project

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "graph"
CHECKPOINTED = {"main.train", "main.prepare", "main.route", "main.evaluate"}


def graph(cwd: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "checkpointing", "graph", *args], cwd=cwd, capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.fixture
def example(project: Project) -> Project:
    return project.write({name: (EXAMPLE / name).read_text() for name in ("lib.py", "main.py")})


_MERMAID = [re.compile(p) for p in (
    r'^    n\d+(\["[^"\]]+"\]|\[\["[^"\]]+"\]\]|\[\("[^"\]]+"\)\])$',
    r"^    n\d+ (-->|-\.->\|by name\||-->\|via a global\||-\.->\|read by\|) n\d+$",
    r"^    classDef \w+ fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6},color:#[0-9a-f]{6}(,stroke-dasharray:4 3)?$",
    r"^    class n\d+(,n\d+)* \w+$",
)]


def test_mermaid_parses_and_names_every_checkpointed_function(example: Project) -> None:
    done = graph(example.root)
    assert done.returncode == 0, done.stderr
    first, *rest = done.stdout.splitlines()
    assert first == "flowchart TD"
    for line in rest:
        assert any(p.match(line) for p in _MERMAID), line
    labels = re.findall(r'"([^"<]+)', done.stdout)
    assert CHECKPOINTED <= set(labels)
    assert {"lib.clean", "lib.norm", "lib.Scaler", "lib.Scaler.apply", "main.fit"} <= set(labels)
    declared = set(re.findall(r"^    (n\d+)\[", done.stdout, re.M))
    used = set(re.findall(r"(n\d+)", "\n".join(line for line in rest if "-->" in line or "-.->" in line)))
    assert used <= declared


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # (pyparsing, inside pydot)
def test_dot_parses_with_every_edge_between_declared_nodes(example: Project) -> None:
    done = graph(example.root, "--format", "dot")
    [parsed] = pydot.graph_from_dot_data(done.stdout)
    names = {n.get_name().strip('"') for n in parsed.get_nodes()} - {"node", "edge"}
    assert {n.replace(".", ":", 1) for n in CHECKPOINTED} <= names
    edges = {(e.get_source().strip('"'), e.get_destination().strip('"')) for e in parsed.get_edges()}
    assert ("main:train", "lib:feature") in edges and ("lib:dispatch", "lib:clean") in edges
    assert all(a in names and b in names for a, b in edges)


def _boxes_apart(root: ET.Element) -> list:
    """The node boxes of an SVG drawing, checked not to overlap."""
    svg = "{http://www.w3.org/2000/svg}"
    boxes = [tuple(float(r.get(k)) for k in ("x", "y", "width", "height")) for g in root.iter(f"{svg}g")
             for r in g.iter(f"{svg}rect")]
    for i, (x, y, w, h) in enumerate(boxes):
        for (x2, y2, w2, h2) in boxes[i + 1:]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y
    return boxes


def test_svg_is_well_formed_and_its_boxes_do_not_overlap(example: Project) -> None:
    done = graph(example.root, "--format", "svg", "--renderer", "builtin")
    root = ET.fromstring(done.stdout)
    svg = "{http://www.w3.org/2000/svg}"
    texts = {t.text for t in root.iter(f"{svg}text")}
    assert CHECKPOINTED <= texts
    assert len(_boxes_apart(root)) == 13
    for path in root.iter(f"{svg}path"):
        assert all(abs(float(v)) < 1e5 for v in re.findall(r"-?\d+(?:\.\d+)?", path.get("d")))


def test_the_docs_show_what_the_command_draws() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs")
    drawn = graph(EXAMPLE, "--format", "svg", "--renderer", "builtin").stdout
    assert (docs / "img" / "pipeline-graph.svg").read_text() == drawn, \
        "regenerate: cd docs/examples/graph && checkpointing graph --format svg --renderer builtin " \
        "-o ../../img/pipeline-graph.svg"
    mermaid = graph(EXAMPLE).stdout
    assert f"```mermaid\n{mermaid}```" in (docs / "cli.md").read_text()


def test_the_store_adds_entries_and_compute_time(project: Project) -> None:
    project.write({"lib.py": (EXAMPLE / "lib.py").read_text(),
                   "main.py": (EXAMPLE / "main.py").read_text() + "\nprint(train([1, 2]), route('clean', [1, 0]))\n"})
    project.run()
    done = graph(project.root, "--store", str(project.root / ".checkpointing"))
    assert re.search(r'main\.train<br/>deep · 1 entry · [\d.]+ s"', done.stdout), done.stdout
    assert re.search(r'main\.prepare<br/>shallow · 0 entries"', done.stdout)


def test_base_highlights_new_keys_stale_functions_and_edited_code(example: Project) -> None:
    root = example.root
    for args in (["init", "-q"], ["config", "user.email", "t@example.com"], ["config", "user.name", "t"],
                 ["add", "lib.py", "main.py"], ["commit", "-qm", "base"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    example.write({"lib.py": (EXAMPLE / "lib.py").read_text().replace("f.read()", "f.read(100)")
                   .replace("v / SCALE", "v / SCALE / 2")})
    done = graph(root, "--base", "HEAD")
    assert done.returncode == 0, done.stderr
    classes = dict(re.findall(r"^    class ([n\d,]+) (\w+)$", done.stdout, re.M))
    ids = dict(re.findall(r'^    (n\d+)\["([^"<]+)', done.stdout, re.M))
    by_class = {style: {ids[n] for n in members.split(",") if n in ids} for members, style in classes.items()}
    assert by_class["changed"] == {"main.train", "main.route"}  # deep: they reach lib.norm
    assert by_class["stale"] == {"main.prepare"}  # shallow: lib.load changed, its key did not
    assert by_class["edited"] == {"lib.norm", "lib.load"}
    assert "main.evaluate" in by_class["checkpointed"]


def test_max_depth_keeps_what_is_near(example: Project) -> None:
    done = graph(example.root, "--max-depth", "1")
    labels = set(re.findall(r'"([^"<]+)', done.stdout))
    assert CHECKPOINTED <= labels and "lib.feature" in labels and "lib.clean" not in labels


def test_graphviz_is_used_when_installed_and_asked_for_when_missing(example: Project, tmp_path: Path) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    fake = folder / "dot"
    fake.write_text('#!/bin/sh\ncat > "$0.input"\necho "<svg xmlns=\\"http://www.w3.org/2000/svg\\">from dot</svg>"\n')
    fake.chmod(0o755)
    env = dict(example.env, PATH=f"{folder}{os.pathsep}{os.environ['PATH']}")
    done = graph(example.root, "--format", "svg", env=env)
    assert done.stdout.strip() == '<svg xmlns="http://www.w3.org/2000/svg">from dot</svg>'
    assert (folder / "dot.input").read_text().startswith("digraph checkpointing {")
    assert graph(example.root, "--format", "svg", "--renderer", "builtin", env=env).stdout.count("<g>") == 13
    empty = dict(example.env, PATH=str(tmp_path / "nothing"))
    missing = subprocess.run([sys.executable, "-m", "checkpointing", "graph", "--format", "svg", "--renderer",
                              "graphviz"], cwd=example.root, capture_output=True, text=True, env=empty)
    assert missing.returncode == 2 and "needs Graphviz's `dot`" in missing.stderr


def test_usage_errors(tmp_path: Path) -> None:
    missing = graph(tmp_path, "nowhere")
    assert missing.returncode == 2 and "nowhere: no such file or directory" in missing.stderr
    negative = graph(tmp_path, "--max-depth", "-1")
    assert negative.returncode == 2 and "--max-depth" in negative.stderr
    nothing = graph(tmp_path)
    assert nothing.returncode == 0 and "no checkpointed function found" in nothing.stderr


READER = """
import os

from checkpointing import checkpoint


@checkpoint()
def settings(path):
    with open(path) as f:
        return f.read()


@checkpoint()
def samples(folder):
    return [open(os.path.join(folder, n)).read() for n in sorted(os.listdir(folder))]


print(settings("settings.txt"), len(samples("samples")))
"""


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # (pyparsing, inside pydot)
def test_the_store_draws_the_files_the_entries_read_in_every_format(project: Project) -> None:
    """Data files are nodes above the functions whose entries read them; past eight, the files of a
    folder are one node. Every format still parses, and the SVG's boxes do not overlap."""
    project.write({"main.py": READER, "settings.txt": "fast",
                   **{f"samples/{i:02}.txt": str(i) for i in range(12)}})
    project.run()
    store = str(project.root / ".checkpointing")
    mermaid = graph(project.root, "main.py", "--store", store).stdout
    first, *rest = mermaid.splitlines()
    for line in rest:
        assert any(p.match(line) for p in _MERMAID), line
    assert '[("settings.txt")]' in mermaid and '[("samples/ (12 files)")]' in mermaid
    assert '[("samples/ (listed)")]' in mermaid and "samples/00.txt" not in mermaid
    [parsed] = pydot.graph_from_dot_data(graph(project.root, "main.py", "--store", store, "--format", "dot").stdout)
    edges = {(e.get_source().strip('"'), e.get_destination().strip('"')) for e in parsed.get_edges()}
    assert edges == {("data:settings.txt", "main:settings"), ("data:samples/", "main:samples"),
                     ("data:samples/*", "main:samples")}
    svg = graph(project.root, "main.py", "--store", store, "--format", "svg", "--renderer", "builtin").stdout
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert "a file or folder its stored entries read" in {t.text for t in root.iter(f"{ns}text")}
    assert len(_boxes_apart(root)) == 5
