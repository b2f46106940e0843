"""``checkpointing lint``: options, output and exit status (0 clean, 1 findings, 2 usage or internal error)."""

from __future__ import annotations

import argparse
import sys
import traceback
from typing import List

from .config import ConfigError, load_config
from .formats import FORMATS
from .rules import RULES

DESCRIPTION = """\
Check checkpointed functions for what can make their cache stale or useless, without
running the code. Reports one line per finding (path:line:col: CODE message) and exits
with 1 when something is reported, 0 when nothing is, 2 on a usage or internal error.

rules:
""" + "\n".join(f"  {r.code} {r.name:<24} {r.summary}" for r in RULES) + """

Configuration: [tool.checkpointing.lint] in the nearest pyproject.toml (select, ignore,
exclude, per-file-ignores, inputs, max-findings-per-function, max-depth, decorators). Suppress a finding with "# noqa: CKP001" on its line, or a
whole file with a line "# checkpointing: noqa" (optionally ": CODES"). See docs/rules.md."""


def _code_list(value: str) -> List[str]:
    return [c.strip().upper() for c in value.split(",") if c.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    parser.add_argument("--format", choices=sorted(FORMATS), default="text", help="output format (default: text)")
    parser.add_argument("--select", type=_code_list, metavar="CODES",
                        help="only these rules: comma-separated codes or prefixes (CKP1) or ALL; replaces the "
                             "configured "
                             "selection, and re-enables those the configuration ignores")
    parser.add_argument("--ignore", type=_code_list, metavar="CODES",
                        help="skip these rules: codes or prefixes, added to the configured ones")
    parser.add_argument("--exclude", type=lambda v: [p for p in v.split(",") if p], metavar="GLOBS",
                        help="skip files and directories matching these comma-separated globs")
    parser.add_argument("--exit-zero", action="store_true", help="exit with 0 even when something is reported")
    parser.add_argument("--statistics", action="store_true", help="after the findings, count them per rule")
    parser.add_argument("--decorator", action="append", metavar="QUALNAME", default=[],
                        help="also check functions cached by this decorator (repeatable): joblib.Memory.cache, "
                             "cachier.cachier, diskcache.Cache.memoize, functools.cache, ...")
    parser.add_argument("--max-findings-per-function", type=int, metavar="N",
                        help="show at most N findings per checkpointed function and count the rest (default: 20, "
                             "or max-findings-per-function in the configuration; 0 shows all)")
    parser.add_argument("--max-depth", type=int, metavar="N",
                        help="report only what is at most N calls away from a checkpointed function, and count the "
                             "rest (default: any depth, or max-depth in the configuration)")
    parser.add_argument("--no-cache", action="store_true",
                        help="neither reuse nor keep the results of a previous run over the same files")
    parser.add_argument("--jobs", "-j", type=int, metavar="N",
                        help="parse files in N processes (default: one per core; 1: in this process only)")
    parser.add_argument("--config", metavar="PYPROJECT",
                        help="read [tool.checkpointing.lint] from this file instead of the nearest pyproject.toml")


def run(args: argparse.Namespace) -> int:
    from .engine import lint_paths

    paths = args.paths or ["."]
    try:
        config = load_config(args.config or paths[0])
        if args.config and config.source is None:
            raise ConfigError(f"{args.config}: no such file")
    except ConfigError as exc:
        print(f"checkpointing lint: {exc}", file=sys.stderr)
        return 2
    if args.select:  # the command line wins: what it selects is no longer ignored by the configuration
        config.select = args.select
        config.ignore = [i for i in config.ignore if not any(i.startswith(s) or s == "ALL" for s in args.select)]
    if args.ignore:
        config.ignore = [*config.ignore, *args.ignore]
    if args.exclude:
        config.exclude = [*config.exclude, *args.exclude]
    if args.no_cache:
        config.cache = False
    if args.decorator:
        config.decorators = [*config.decorators, *(d.strip() for d in args.decorator if d.strip())]
    for option in ("max_findings_per_function", "max_depth", "jobs"):
        value = getattr(args, option)
        if value is not None:
            if value < 0:
                print(f"checkpointing lint: --{option.replace('_', '-')} must be 0 ("
                      f"{'one per core' if option == 'jobs' else 'no limit'}) or more", file=sys.stderr)
                return 2
            setattr(config, option, value)
    known = {r.code for r in RULES}
    for code in [*config.select, *config.ignore]:
        if code != "ALL" and not any(k.startswith(code) for k in known):
            print(f"checkpointing lint: unknown rule code {code!r}; the codes are {', '.join(sorted(known))}",
                  file=sys.stderr)
            return 2
    try:
        result = lint_paths(paths, config)
    except FileNotFoundError as exc:
        print(f"checkpointing lint: {exc.args[0]}: no such file or directory", file=sys.stderr)
        return 2
    except Exception:  # an internal failure must not look like "no findings"
        print("checkpointing lint: internal error, please report it with this traceback:", file=sys.stderr)
        traceback.print_exc()
        return 2
    sys.stdout.write(FORMATS[args.format](result.findings, result, args.statistics))
    if args.format == "json":  # the array stays a list of findings
        for notice in result.notices():
            print(f"checkpointing lint: note: {notice}", file=sys.stderr)
    if args.format != "text" and args.statistics and result.findings:
        from .formats.text import statistics

        print("\n".join(statistics(result.findings)), file=sys.stderr)
    return 0 if args.exit_zero or not result.findings else 1
