"""``checkpointing graph``: the checkpointed functions and the code they reach, as a picture."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from typing import Any

DESCRIPTION = """\
Draw the checkpointed functions and the code of yours they reach (read statically, never run):
as a Mermaid flowchart (paste it in Markdown), DOT, or SVG. With --store, each checkpointed
function shows its stored entries and compute time, and the data files and folders its entries
were computed from (recorded at run time) are drawn above it; with --base REV, the functions whose keys
change since that revision are red, shallow functions that will serve stale results orange,
and the code that changed yellow.

SVG is drawn without Graphviz; when Graphviz's `dot` is installed it is used instead
(--renderer builtin to keep the built-in drawing).
Exit status: 0, or 2 on a usage error.
"""


def add_command(sub: Any) -> None:
    p = sub.add_parser("graph", help="draw the checkpointed functions and the code they reach",
                       description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to read (default: .)")
    p.add_argument("--format", choices=("mermaid", "dot", "svg"), default="mermaid", help="default: mermaid")
    p.add_argument("--output", "-o", metavar="FILE", help="write to this file instead of standard output")
    p.add_argument("--store", metavar="URL", help="show each checkpointed function's entries, compute time and the "
                                                  "data files they read")
    p.add_argument("--base", metavar="REV", help="highlight what changed since this git revision, as `impact` says")
    p.add_argument("--max-depth", type=int, default=0, metavar="N",
                   help="only code at most N calls away from a checkpointed function (default: all)")
    p.add_argument("--renderer", choices=("auto", "builtin", "graphviz"), default="auto",
                   help="for SVG: Graphviz's dot when installed (auto), or the built-in drawing")
    p.add_argument("--decorator", action="append", metavar="QUALNAME", default=[],
                   help="also draw functions cached by this decorator (as `checkpointing lint` does)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ._impact_cli import UsageError, compute, stored_totals
    from .analysis.callgraph import SourceFile
    from .analysis.lint.config import ConfigError, load_config
    from .analysis.lint.discover import discover
    from .analysis.lint.engine import display_path
    from .analysis.pipeline_graph import build
    from .graph_formats import dot, mermaid, svg
    from .stores.usage import of_node

    paths = args.paths or ["."]
    if args.max_depth < 0:
        print("checkpointing graph: --max-depth must be 0 (no limit) or more", file=sys.stderr)
        return 2
    dot_program = shutil.which("dot") if args.format == "svg" and args.renderer != "builtin" else None
    if args.renderer == "graphviz" and args.format == "svg" and dot_program is None:
        print("checkpointing graph: --renderer graphviz needs Graphviz's `dot` on the PATH (apt install graphviz, "
              "brew install graphviz); without it, the built-in drawing is used by default", file=sys.stderr)
        return 2
    try:
        config = load_config(paths[0])
        files = [SourceFile(p, display_path(p)) for p in discover(paths, config.exclude, config.root)]
    except ConfigError as exc:
        print(f"checkpointing graph: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"checkpointing graph: {exc.args[0]}: no such file or directory", file=sys.stderr)
        return 2
    decorators = [*config.decorators, *args.decorator]
    graph = build(files, decorators, args.max_depth)
    if args.store:
        stored = stored_totals(args.store)
        for node in graph.checkpointed():
            found = of_node(node.id, stored)
            node.entries, node.compute_seconds = found.entries, found.compute_seconds
            graph.add_reads(node.id, found.inputs)
        graph.drop_inherited_reads()
    if args.base:
        try:
            impacts = compute(args.base, None, paths, args.decorator)
        except UsageError as exc:
            print(f"checkpointing graph: {exc}", file=sys.stderr)
            return 2
        for impact in impacts:
            for changed in impact.changed_nodes:
                if changed in graph.nodes and graph.nodes[changed].kind != "checkpointed":
                    graph.nodes[changed].status = "edited"
        for impact in impacts:
            marked = graph.nodes.get(impact.node)
            if marked is not None and (impact.status == "changed" or impact.unseen):
                marked.status = "changed" if impact.status == "changed" else "stale"
    if not graph.nodes:
        print("checkpointing graph: no checkpointed function found in " + ", ".join(paths), file=sys.stderr)
    if args.format == "mermaid":
        text = mermaid.render(graph)
    elif args.format == "dot":
        text = dot.render(graph)
    elif dot_program is not None and graph.nodes:
        text = svg.render_with_graphviz(dot.render(graph), dot_program)
    else:
        text = svg.render(graph)
    if args.output:
        directory = os.path.dirname(os.path.abspath(args.output))
        os.makedirs(directory, exist_ok=True)
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0
