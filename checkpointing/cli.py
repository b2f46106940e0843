"""The ``checkpointing`` command: arguments and exit codes only; the work is done elsewhere."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional


def _normalize(args: argparse.Namespace) -> int:
    """Print the canonical form of each function in a file (what the cache key sees of its code)."""
    import libcst as cst

    from .analysis import NormalizeError, normalize_function

    try:
        with open(args.path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        print(f"checkpointing: cannot read {args.path}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        print(f"{args.path}:{exc.raw_line}:{exc.raw_column}: syntax error: {exc.message}", file=sys.stderr)
        return 2
    found = 0
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef) and (not args.function or stmt.name.value in args.function):
            found += 1
            try:
                norm = normalize_function(module.code_for_node(stmt))
            except NormalizeError as exc:
                print(f"# {stmt.name.value}: {exc}")
                continue
            print(f"# {stmt.name.value}: parameters {list(norm.strict.params)}, free names {list(norm.strict.free_names)}")
            print(norm.strict.code)
            if norm.guarded is not None:
                assumed = ", ".join(f"{kind} {name}" for kind, name in norm.assumptions)
                print(f"# when {assumed}:")
                print(norm.guarded.code)
            print()
    if args.function and not found:
        print(f"checkpointing: no top-level function named {', '.join(args.function)} in {args.path}", file=sys.stderr)
        return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="checkpointing",
        description="A persistent cache for Python functions that is never stale.",
    )
    parser.add_argument("--version", action="version", version=f"checkpointing {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("normalize", help="print the canonical form of the functions in a file",
                       description="Print the canonical form of the top-level functions in a file: two "
                                   "versions of a function with the same canonical form share cache entries.")
    p.add_argument("path", help="a Python file")
    p.add_argument("function", nargs="*", help="only these functions (default: all)")
    p.set_defaults(run=_normalize)
    from .analysis.lint import cli as lint_cli

    p = sub.add_parser("lint", help="check checkpointed functions for stale-cache risks (static)",
                       description=lint_cli.DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    lint_cli.add_arguments(p)
    p.set_defaults(run=lint_cli.run)
    from ._manage_cli import add_commands

    add_commands(sub)
    from ._verify_cli import add_command as add_verify

    add_verify(sub)
    from ._impact_cli import add_command as add_impact

    add_impact(sub)
    from ._graph_cli import add_command as add_graph

    add_graph(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    try:
        return int(args.run(args))
    except (ValueError, TypeError, ImportError, NotImplementedError) as exc:  # bad sizes, URLs, stores
        print(f"checkpointing {args.command}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a store that cannot be written (read-only, permissions)
        print(f"checkpointing {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
