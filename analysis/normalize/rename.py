"""Scope-aware alpha-renaming to canonical names.

Within the checkpointed function, every name gets a canonical spelling that depends only on
the order in which names are first used, never on how they are spelled:

- ``<prefix>p<i>``: its parameters, numbered by first use in the body (unused ones after, in
  signature order). Argument values are bound to these, so renaming or reordering parameters
  keeps the key and swapping their roles changes it;
- ``<prefix>v<i>``: locals of the function and of nested function and comprehension scopes
  (assigned only by plain name bindings);
- ``<prefix>g<i>``: free names (globals, closure variables, builtins), whose *values* are
  hashed at call time, so renaming a global that keeps its value keeps the key.

Left as written, because their spelling is observable: attribute and keyword names, names
bound by ``import``, ``def``, ``class``, ``except ... as`` in pattern matching, names in class
bodies, parameters of nested functions and lambdas (they can be passed by keyword), and every
name when the function observes its own names (``locals()``, ``eval``, ``f"{x=}"``).

The prefix is chosen so that no canonical name can collide with a name kept as written.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

import libcst as cst
from libcst.metadata import (
    BuiltinScope,
    ComprehensionScope,
    FunctionScope,
    GlobalScope,
    MetadataWrapper,
    Scope,
)

from .providers import Parents, Scopes


class RenameResult:
    """The renamed module; ``params``/``free`` are original names in canonical order and
    ``locals`` the spellings, after renaming, of the names bound in the function's own scope."""

    def __init__(self, module: cst.Module, prefix: str, params: List[str], free: List[str],
                 chains: Dict[str, List[Tuple[str, ...]]], locals_: Set[str]) -> None:
        self.module = module
        self.prefix = prefix
        self.params = params
        self.free = free
        self.chains = chains
        self.locals = locals_


class _Order(cst.CSTVisitor):
    """Collects Name nodes of the function body in source order."""

    def __init__(self) -> None:
        self.names: List[cst.Name] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node)


class _Apply(cst.CSTTransformer):
    def __init__(self, mapping: Dict[cst.Name, str]) -> None:
        self.mapping = mapping

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        new = self.mapping.get(original_node)
        return updated_node.with_changes(value=new) if new is not None else updated_node


def _scope_of_binding(referents) -> Optional[Scope]:  # type: ignore[no-untyped-def]
    """The one scope that binds a name (None when the assignments it may refer to disagree)."""
    bound = {id(r.scope): r.scope for r in referents}
    if len(bound) != 1:
        return None
    return next(iter(bound.values()))


def _attribute_chain(parents, name: cst.Name) -> Tuple[str, ...]:  # type: ignore[no-untyped-def]
    chain: List[str] = []
    node: cst.CSTNode = name
    parent = parents.get(node)
    while isinstance(parent, cst.Attribute) and parent.value is node:
        chain.append(parent.attr.value)
        node = parent
        parent = parents.get(node)
    return tuple(chain)


def _choose_prefix(kept: Set[str]) -> str:
    """A prefix no name kept as written starts with, so renamed names can never capture one."""
    prefix = "_ck"
    while any(n.startswith(prefix) for n in kept):
        prefix += "_"
    return prefix


def rename(module: cst.Module, name_sensitive: bool, wrapper: Optional[MetadataWrapper] = None) -> RenameResult:
    """Rename ``module``'s function; ``wrapper``, if given, holds metadata of exactly ``module``."""
    wrapper = wrapper if wrapper is not None else MetadataWrapper(module, unsafe_skip_copy=True)
    scopes = wrapper.resolve(Scopes)
    parents = wrapper.resolve(Parents)
    mod = wrapper.module
    function = mod.body[0]
    assert isinstance(function, cst.FunctionDef)
    top_scope = scopes[function.body.body[0]] if function.body.body else None  # type: ignore[union-attr]

    # which scopes are "ours": the function's scope and nested function/comprehension scopes
    own_scopes: Set[int] = set()
    for scope in scopes.values():
        s: Optional[Scope] = scope
        while s is not None and not isinstance(s, (GlobalScope, BuiltinScope)):
            if s is top_scope:
                if isinstance(scope, (FunctionScope, ComprehensionScope)):
                    own_scopes.add(id(scope))
                break
            s = s.parent

    # bindings: (scope id, name) -> renameable?
    renameable: Dict[Tuple[int, str], bool] = {}
    binding_nodes: Dict[cst.Name, Tuple[int, str]] = {}
    param_nodes: Dict[cst.Name, str] = {}
    for param in [*function.params.posonly_params, *function.params.params, *function.params.kwonly_params,
                  *[p for p in (function.params.star_arg, function.params.star_kwarg) if isinstance(p, cst.Param)]]:
        param_nodes[param.name] = param.name.value
    seen_scopes: Dict[int, Scope] = {}
    for scope in scopes.values():
        if scope is not None and id(scope) in own_scopes:
            seen_scopes[id(scope)] = scope
    for sid, scope in seen_scopes.items():
        for a in scope.assignments:
            key = (sid, a.name)
            ok = renameable.get(key, True)
            if isinstance(a.node, cst.Name):
                binding_nodes[a.node] = key
            elif isinstance(a.node, cst.Param) and scope is top_scope:
                binding_nodes[a.node.name] = key
            else:
                ok = False
            renameable[key] = ok and not name_sensitive

    # accesses: Name node -> binding key, or free
    access_binding: Dict[cst.Name, Optional[Tuple[int, str]]] = {}
    for sid, scope in seen_scopes.items():
        for acc in scope.accesses:
            if not isinstance(acc.node, cst.Name):
                continue
            target = _scope_of_binding(acc.referents)
            if target is None and acc.referents:
                access_binding[acc.node] = ("ambiguous", acc.node.value)  # type: ignore[assignment]
            elif target is None or isinstance(target, (GlobalScope, BuiltinScope)):
                access_binding[acc.node] = None
            elif id(target) in own_scopes:
                access_binding[acc.node] = (id(target), acc.node.value)
            else:
                access_binding[acc.node] = ("outer", acc.node.value)  # type: ignore[assignment]

    order = _Order()
    function.body.visit(order)

    mapping: Dict[cst.Name, str] = {}
    canon: Dict[Tuple[int, str], str] = {}
    free_index: Dict[str, str] = {}
    free: List[str] = []
    chains: Dict[str, Set[Tuple[str, ...]]] = {}
    params_used: List[str] = []
    counters = {"v": 0}
    top_id = id(top_scope)
    param_names = set(param_nodes.values())
    locals_: Set[str] = set()  # kept as written
    renamed_locals: Set[str] = set()  # short canonical names, prefixed below

    for node in order.names:
        if node.value in ("True", "False", "None"):
            continue  # keywords, not names
        if node in access_binding:
            key = access_binding[node]
            if key is None:
                name = node.value
                if name not in free_index:
                    free_index[name] = f"g{len(free)}" if not name_sensitive else name
                    free.append(name)
                mapping[node] = free_index[name]
                chain = _attribute_chain(parents, node)
                if chain:
                    chains.setdefault(name, set()).add(chain)
                continue
        elif node in binding_nodes:
            key = binding_nodes[node]
        else:
            continue  # attribute names, keywords, def/class/import names
        if not isinstance(key[0], int):
            continue
        if not renameable.get(key, False):
            if key[0] == top_id:
                locals_.add(key[1])
            continue
        if key not in canon:
            if key[0] == top_id and key[1] in param_names:
                canon[key] = f"p{len(params_used)}"
                params_used.append(key[1])
            else:
                canon[key] = f"v{counters['v']}"
                counters["v"] += 1
        mapping[node] = canon[key]
        if key[0] == top_id:
            renamed_locals.add(canon[key])

    signature_order = list(param_nodes.values())
    unused = [p for p in signature_order if p not in params_used]
    if name_sensitive:
        params = signature_order
    else:
        params = params_used + unused
        for i, p in enumerate(unused, start=len(params_used)):
            key = (top_id, p)
            canon[key] = f"p{i}"
    for pnode, pname in param_nodes.items():
        key = (top_id, pname)
        if key in canon:
            mapping[pnode] = canon[key]
            renamed_locals.add(canon[key])
        else:
            locals_.add(pname)

    if name_sensitive:
        mapping = {}
        locals_ |= set(param_nodes.values())
    kept = {n.value for n in order.names if n not in mapping}
    kept |= {n.value for n in param_nodes if n not in mapping}
    prefix = _choose_prefix(kept)
    final = {node: prefix + short for node, short in mapping.items()}
    locals_ |= {prefix + n for n in renamed_locals}
    renamed = mod.visit(_Apply(final))
    return RenameResult(renamed, prefix, params, free, {k: sorted(v) for k, v in chains.items()}, locals_)
