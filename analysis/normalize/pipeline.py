"""normalize_function: the source of one ``def`` -> :class:`NormalizedFunction`.

Steps, each a module of its own:

1. ``strip``: drop decorators, name, docstring, annotations, parameter defaults, ``pass``;
   record ``global``/``nonlocal`` statements and dynamic accesses;
2. ``flow``: ``else`` after ``return``/``raise``, ``return None``, a final bare ``return``;
3. ``inline``: single-use temporaries;
4. ``rename``: canonical names for parameters, locals and free names;
5. ``augassign``: ``x += e`` -> ``x = x + e`` where ``x`` is provably immutable;
6. ``render``: the canonical text of the tree, the same on every Python (formatting, comments,
   redundant parentheses, trailing commas, quote styles and number spellings do not survive);
   ``negation`` turns ``not a in b`` into ``a not in b`` (and ``is``); the signature becomes
   ``def _f(p0, p1, ...)``.

Steps 3-5 run twice: once using only what holds for every input (the *strict* variant) and once
allowing rewrites that hold under assumptions the runtime checks per call (the *guarded*
variant, kept only when it differs and needs assumptions).
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

from .._source import parse_function
from ..scopes import ScopeModel
from .augassign import canonicalize_augassign
from .flow import FlowSimplifier
from .inline import inline_temporaries
from .keywords import sort_keywords
from .negation import NegatedComparisons
from .rename import rename
from .render import RenderError, render
from .result import Assumption, NormalizedFunction, Variant
from .strip import FunctionInspector, Stripper

#: bump whenever the canonical form of any function may change: it keys the analysis cache
NORMALIZER_VERSION = 15


class NormalizeError(ValueError):
    """The source is not a single function definition that the normalizer can read."""


def _render(module: cst.Module, params: List[str], prefix: str, name_sensitive: bool) -> str:
    fn = module.body[0]
    assert isinstance(fn, cst.FunctionDef)
    names = params if name_sensitive else [f"{prefix}p{i}" for i in range(len(params))]
    fn = fn.with_changes(name=cst.Name("_f"), decorators=(), returns=None,
                         params=cst.Parameters(params=[cst.Param(cst.Name(n)) for n in names]))
    try:
        return render(cst.ensure_type(fn.visit(NegatedComparisons()), cst.FunctionDef))
    except RenderError as exc:
        raise NormalizeError(f"cannot render the canonical form: {exc}") from exc


def _variant(base: cst.Module, name_sensitive: bool, guarded: bool) -> Tuple[Variant, List[Assumption], bool]:
    """One canonical form; the flag says whether a guarded variant could differ from it."""
    assumptions: List[Assumption] = []
    inlined = inline_temporaries(base, guarded, allowed=not name_sensitive)
    assumptions += inlined.assumptions
    model = inlined.model if inlined.model is not None else ScopeModel(inlined.module)
    module, keyword_orders = sort_keywords(inlined.module, model)
    renamed = rename(module, name_sensitive, model if module is inlined.module else None, guarded)
    assumptions += renamed.assumptions
    module, prefix = renamed.module, renamed.prefix
    if renamed.has_augassign:
        canonical_params = set(renamed.params) if name_sensitive else {
            f"{prefix}p{i}" for i in range(len(renamed.params))}
        module, used = canonicalize_augassign(module, canonical_params, renamed.locals, guarded)
        assumptions += _original_names(used, renamed, prefix, name_sensitive)
    code = _render(module, renamed.params, prefix, name_sensitive)
    chains = {k: tuple(v) for k, v in sorted(renamed.chains.items())}
    guard_could_help = inlined.blocked_by_free_read or renamed.has_augassign or renamed.wrapped_defs > 0
    return (Variant(code=code, params=tuple(renamed.params), free_names=tuple(renamed.free),
                    attribute_chains=chains, attributes=tuple(sorted(renamed.attributes)),
                    imports=tuple(renamed.imports), keyed_reads=tuple(renamed.keyed),
                    keyword_orders=tuple(keyword_orders)), sorted(set(assumptions)),
            guard_could_help)


def _original_names(assumptions: List[Assumption], renamed, prefix: str, name_sensitive: bool) -> List[Assumption]:  # type: ignore[no-untyped-def]
    """Map canonical names in assumptions back to the names the runtime can look up."""
    if name_sensitive:
        return list(assumptions)
    out: List[Assumption] = []
    for kind, name in assumptions:
        if name.startswith(prefix + "p"):
            out.append((kind, renamed.params[int(name[len(prefix) + 1:])]))
        elif name.startswith(prefix + "g"):
            out.append((kind, renamed.free[int(name[len(prefix) + 1:])]))
        else:
            out.append((kind, name))
    return out


def normalize_function(source: str) -> NormalizedFunction:
    """Canonical forms of the function whose ``def`` (decorators included) is ``source``.

    Two functions with equal canonical forms return equal results for equal bound arguments
    and equal values of their free names (see ``docs/behaviour.md`` for the exact contract).
    """
    try:
        module, function = parse_function(source)
    except ValueError as exc:
        raise NormalizeError(str(exc)) from exc
    inspector = FunctionInspector().inspect(module)
    stripped = module.visit(Stripper()).visit(FlowSimplifier())
    sensitive = inspector.name_sensitive
    strict, _, guard_could_help = _variant(stripped, sensitive, guarded=False)
    guarded: Optional[Variant] = None
    assumptions: Tuple[Assumption, ...] = ()
    if guard_could_help:
        g, used, _ = _variant(stripped, sensitive, guarded=True)
        if used and g.code != strict.code:
            guarded, assumptions = g, tuple(used)
    return NormalizedFunction(
        name=function.name.value,
        strict=strict,
        guarded=guarded,
        assumptions=assumptions,
        global_lines=tuple(inspector.global_lines),
        nonlocal_lines=tuple(inspector.nonlocal_lines),
        dynamic=tuple(inspector.dynamic),
        name_sensitive=sensitive,
    )
