"""Scope-aware alpha-renaming to canonical names, and what the runtime must read.

Within the function, every variable gets a canonical spelling that depends only on the order
in which variables are first met, never on how they are spelled (scopes follow Python's
rules: :mod:`..scopes`):

- ``<prefix>p<i>``: its parameters, numbered by first use in the body (unused ones after, in
  signature order). Argument values are bound to these, so renaming or reordering parameters
  keeps the key and swapping their roles changes it;
- ``<prefix>v<i>``: locals of the function and of nested function and comprehension scopes
  (bound only by assignment-like statements);
- ``<prefix>g<i>``: free names (globals, closure variables, builtins), whose *values* are
  hashed at call time, so renaming a global that keeps its value keeps the key.

Left as written, because their spelling is observable or they are not plain variables:
attribute and keyword names, names bound by ``import``, ``def``, ``class`` and type
parameters, names in class bodies, names declared ``global``, parameters of nested functions
and lambdas that a call can bind by keyword (a call in the function passes that keyword or
unpacks ``**mapping``, the parameter is keyword-only, or the function takes ``**kwargs``), and
every name when the function observes its own names (``locals()``, ``eval``, ``f"{x=}"``).

Besides the renamed tree, the result lists what the runtime reads: the free names in canonical
order with the attribute chains read from each (``config.THRESHOLD``), the imports made
inside the body (``import settings`` binds a module the key must cover, like a global), and
the constant keys of subscripts and calls made on those chains (``os.environ["HOME"]``,
``os.getenv("SEED")``), so an environment variable can be keyed by its own value.

The prefix is chosen so that no canonical name can collide with a name kept as written.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from .. import dynamic_access
from ..scopes import AUG, DEF, LOAD, PARAM, PLAIN, Block, ScopeModel
from .result import Import, KeyedRead
from .shapes import constant_start


class RenameResult:
    """The renamed module and what the runtime must read (see the module docstring)."""

    def __init__(self, module: cst.Module, prefix: str, params: List[str], free: List[str],
                 chains: Dict[str, List[Tuple[str, ...]]], locals_: Set[str], imports: List[Import],
                 keyed: List[KeyedRead], uses: "_Uses", assumptions: Optional[List[Tuple[str, str]]] = None,
                 wrapped_defs: int = 0) -> None:
        self.module = module
        self.prefix = prefix
        self.params = params  # original parameter names, in canonical order
        self.free = free  # original free names, in canonical order
        self.chains = chains  # free or imported name -> attribute chains read from it
        self.locals = locals_  # spellings, after renaming, of the names bound in the function's own scope
        self.imports = imports
        self.keyed = keyed
        #: attribute names the code uses and identifiers in its strings (see Variant.attributes)
        self.attributes = uses.attributes
        self.has_augassign = uses.has_augassign
        #: ("wraps", dotted name): the nested defs renamed assume it is functools.wraps
        self.assumptions = assumptions or []
        #: how many nested defs a guarded renaming may rename (see _wrapped_defs)
        self.wrapped_defs = wrapped_defs


class _Apply(cst.CSTTransformer):
    def __init__(self, mapping: Dict[cst.Name, str]) -> None:
        self.mapping = mapping

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        new = self.mapping.get(original_node)
        return updated_node.with_changes(value=new) if new is not None else updated_node


class _Uses(cst.CSTVisitor):
    """For every Name at the root of an attribute chain: the maximal chain read from it, and
    how that chain is used when the use has a constant string key (``x.a["k"]``, ``x.a("k")``);
    imports made anywhere in the tree."""

    def __init__(self) -> None:
        self.stack: List[cst.CSTNode] = []
        self.chain: Dict[cst.Name, Tuple[str, ...]] = {}
        self.keyed: Dict[cst.Name, Tuple[str, str]] = {}  # root -> ("getitem" | "call" | "any", key)
        self.imports: List[Tuple[cst.Name, str, str, str, int]] = []  # bound name, kind, module, attribute, level
        self.calls_import: List[str] = []  # modules imported by import_module("...")
        #: packages a computed name is imported from: import_module(f"plugins.{name}")
        self.calls_import_package: List[str] = []
        self.keywords: Set[str] = set()  # keyword names passed in calls
        self.star_star_call = False  # a call unpacks **mapping
        self.attributes: Set[str] = set()  # attribute names, and identifiers in string constants
        self.has_augassign = False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.attributes.add(node.attr.value)

    def visit_MatchClass(self, node: cst.MatchClass) -> None:
        """``case Point(a, b)`` reads ``Point.__match_args__``, ``case Point(x=0)`` reads ``.x``."""
        if node.patterns:
            self.attributes.add("__match_args__")
        for keyword in node.kwds:
            self.attributes.add(keyword.key.value)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        """``getattr(m, "fit")``, ``attrgetter("a.b")`` and ``"{0.size}".format(x)`` read attributes
        named in strings."""
        value = node.evaluated_value
        if isinstance(value, str):
            self.attributes.update(_IDENTIFIER.findall(value))

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        self.attributes.update(_IDENTIFIER.findall(node.value))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.has_augassign = True

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.stack.append(node)
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        super().on_leave(original_node)
        self.stack.pop()

    def visit_Name(self, node: cst.Name) -> None:
        chain: List[str] = []
        i = len(self.stack) - 1
        child: cst.CSTNode = node
        while i > 0:
            outer = self.stack[i - 1]
            if not (isinstance(outer, cst.Attribute) and outer.value is child):
                break
            child = outer
            chain.append(outer.attr.value)
            i -= 1
        parent = self.stack[i - 1] if i > 0 else None
        # getattr(x, "a"), vars(x)["a"], x.__dict__["a"]: the attribute chain x.a
        constant = self._constant_lookup(child, i, chain)
        if constant is not None:
            chain, child, i = constant
            parent = self.stack[i - 1] if i > 0 else None
        self.chain[node] = tuple(chain)
        how, key = "any", ""
        if isinstance(parent, cst.Subscript) and parent.value is child and len(parent.slice) == 1:
            index = parent.slice[0].slice
            value = _constant_string(index.value) if isinstance(index, cst.Index) else None
            if value is not None:
                how, key = "getitem", value
        elif isinstance(parent, cst.Call) and parent.func is child and parent.args:
            first = parent.args[0]
            value = _constant_string(first.value) if first.keyword is None and not first.star else None
            if value is not None:
                how, key = "call", value
        self.keyed[node] = (how, key)

    def _constant_lookup(self, child: cst.CSTNode, i: int, chain: List[str]
                         ) -> Optional[Tuple[List[str], cst.CSTNode, int]]:
        """``getattr(x, "a"[, d])``, ``vars(x)["a"]`` and ``x.__dict__["a"]`` read ``x.a``."""
        stack = self.stack
        if chain == ["__dict__"] and i > 0:
            parent = stack[i - 1]
            if isinstance(parent, cst.Subscript) and parent.value is child and len(parent.slice) == 1:
                index = parent.slice[0].slice
                name = _constant_string(index.value) if isinstance(index, cst.Index) else None
                if name is not None and name.isidentifier():
                    return [name], parent, i - 1
        if chain or i < 2 or not isinstance(stack[i - 1], cst.Arg):
            return None
        call = stack[i - 2]
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Name) or not call.args:
            return None
        if call.args[0] is not stack[i - 1] or call.args[0].keyword is not None:
            return None
        if call.func.value in ("getattr", "hasattr") and len(call.args) in (2, 3):
            name = _constant_string(call.args[1].value)
            if name is not None and name.isidentifier():
                return [name], call, i - 2
        if call.func.value == "vars" and len(call.args) == 1 and i > 2:
            parent = stack[i - 3]
            if isinstance(parent, cst.Subscript) and parent.value is call and len(parent.slice) == 1:
                index = parent.slice[0].slice
                name = _constant_string(index.value) if isinstance(index, cst.Index) else None
                if name is not None and name.isidentifier():
                    return [name], parent, i - 3
        return None

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = _dotted(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.imports.append((alias.asname.name, "module", dotted, "", 0))  # binds `a.b` itself
            else:
                root: cst.BaseExpression = alias.name
                while isinstance(root, cst.Attribute):
                    root = root.value
                if isinstance(root, cst.Name):  # `import a.b` imports `a.b` and binds `a`
                    self.imports.append((root, "top", dotted, "", 0))

    def visit_Call(self, node: cst.Call) -> None:
        """Keywords passed (see ``_positional_parameter``); ``importlib.import_module("config")``,
        ``__import__("config")``: an import whose module is known, though what is read from the
        result is not, so every attribute counts (``*``)."""
        for arg in node.args:
            if arg.keyword is not None:
                self.keywords.add(arg.keyword.value)
            elif arg.star == "**":
                self.star_star_call = True
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(
            func, cst.Name) else ""
        if name in ("import_module", "__import__") and node.args and node.args[0].keyword is None:
            module = _constant_string(node.args[0].value)
            if module and not module.startswith("."):
                self.calls_import.append(module)
            elif module is None:
                package = dynamic_access.package_of_start(constant_start(node.args[0].value))
                if package:
                    self.calls_import_package.append(package)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        module = _dotted(node.module) if node.module is not None else ""
        for alias in node.names:
            bound = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(bound, cst.Name) and isinstance(alias.name, cst.Name):
                self.imports.append((bound, "from", module, alias.name.value, len(node.relative)))


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _positional_parameter(owner: Block, name: str, uses: "_Uses") -> bool:
    """Is ``name`` a parameter of a nested function or lambda that no call can bind by keyword?
    Not if any call in the function passes a keyword of that name or unpacks ``**mapping``, if
    the parameter is keyword-only, or if the function takes ``**kwargs`` (a renamed parameter
    would silently move a keyword argument into it)."""
    node = owner.node
    params = getattr(node, "params", None)
    if not isinstance(params, cst.Parameters) or uses.star_star_call or name in uses.keywords:
        return False
    if isinstance(params.star_kwarg, cst.Param):
        return False
    return all(p.name.value != name for p in params.kwonly_params)


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return _dotted(node.value) + "." + node.attr.value
    return ""


def _constant_string(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _choose_prefix(kept: Set[str]) -> str:
    """A prefix no name kept as written starts with, so renamed names can never capture one."""
    prefix = "_ck"
    while any(n.startswith(prefix) for n in kept):
        prefix += "_"
    return prefix


def _inside(block: Optional[Block], top: Block) -> bool:
    while block is not None:
        if block is top:
            return True
        block = block.parent
    return False


def _wrapped_defs(function: cst.FunctionDef, model: ScopeModel, top: Block) -> Dict[Tuple[int, str], str]:
    """The nested defs whose name nothing can observe if ``functools.wraps`` is what decorates
    them: ``@functools.wraps(f)`` (or ``@wraps(f)``, a global name) is their only decorator, so
    ``__name__``, ``__qualname__`` and ``__doc__`` are the wrapped function's, and they contain no
    def, class or lambda (whose qualified names would include theirs). Keyed by (id of the
    block that binds the name, name), with the dotted name of the decorator."""
    found: Dict[Tuple[int, str], str] = {}

    class Defs(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> Optional[bool]:
            if node is function or len(node.decorators) != 1:
                return True
            decorator = node.decorators[0].decorator
            if not isinstance(decorator, cst.Call):
                return True
            dotted = _dotted(decorator.func)
            if dotted.rpartition(".")[2] != "wraps" or dotted.count(".") > 1:
                return True
            root = decorator.func if isinstance(decorator.func, cst.Name) else getattr(decorator.func, "value", None)
            read = model.occurrence(root) if isinstance(root, cst.Name) else None
            if read is None or read.kind != "global" or _contains_scopes(node.body):
                return True
            binding = model.occurrence(node.name)
            if binding is not None and binding.owner is not None and _inside(binding.owner, top):
                found[(id(binding.owner), node.name.value)] = dotted
            return True

    function.visit(Defs())
    return found


def _contains_scopes(node: cst.CSTNode) -> bool:
    class Finder(cst.CSTVisitor):
        found = False

        def visit_FunctionDef(self, node: cst.FunctionDef) -> Optional[bool]:
            self.found = True
            return False

        visit_ClassDef = visit_FunctionDef  # type: ignore[assignment]
        visit_Lambda = visit_FunctionDef  # type: ignore[assignment]

    finder = Finder()
    node.visit(finder)
    return finder.found


def rename(module: cst.Module, name_sensitive: bool, model: Optional[ScopeModel] = None,
           guarded: bool = False) -> RenameResult:
    """Rename the single function of ``module`` (see the module docstring); ``model``, if given,
    is the scope model of exactly ``module``. ``guarded``: also rename the nested defs that
    ``functools.wraps`` decorates (see _wrapped_defs), assuming the decorator is it."""
    function = module.body[0]
    assert isinstance(function, cst.FunctionDef)
    model = model if model is not None else ScopeModel(module)
    top = model.block_of_node[function]
    uses = _Uses()
    function.visit(uses)
    wrapped = _wrapped_defs(function, model, top) if not name_sensitive else {}
    renamed_defs = wrapped if guarded else {}

    params_in_order = [p.name.value for p in (
        *function.params.posonly_params, *function.params.params, *function.params.kwonly_params,
        *[p for p in (function.params.star_arg, function.params.star_kwarg) if isinstance(p, cst.Param)])]
    declared_global: Set[str] = set()
    for block in model.blocks():
        if _inside(block, top):
            declared_global |= block.declared_global

    def renameable(owner: Block, name: str) -> bool:
        if name_sensitive or owner.kind == "class":
            return False
        kinds = owner.bindings.get(name, ())
        if (id(owner), name) in renamed_defs and kinds == [DEF]:
            return True
        allowed = (PLAIN, PARAM) if owner is top or _positional_parameter(owner, name, uses) else (PLAIN,)
        return bool(kinds) and all(k in allowed for k in kinds)

    mapping: Dict[cst.Name, str] = {}
    canon: Dict[Tuple[int, str], str] = {}
    free_index: Dict[str, str] = {}
    free: List[str] = []
    chains: Dict[str, Set[Tuple[str, ...]]] = {}
    params_used: List[str] = []
    n_locals = 0
    locals_: Set[str] = set()  # the function's own names, kept as written
    renamed_locals: Set[str] = set()  # canonical short names of the function's own names
    imported: Dict[Tuple[int, str], str] = {}  # import-bound variable -> its key in `chains`

    top_params = {p.name for p in (
        *function.params.posonly_params, *function.params.params, *function.params.kwonly_params,
        *[p for p in (function.params.star_arg, function.params.star_kwarg) if isinstance(p, cst.Param)])}
    import_owner: Dict[cst.Name, Block] = {}
    for occ in model.occurrences:
        if occ.owner is not None:
            import_owner[occ.node] = occ.owner

    for occ in model.occurrences:
        node, name = occ.node, occ.name
        if not _inside(occ.block, top):
            continue  # the function's own name, bound outside
        if occ.kind == "global" or occ.may_read_global:
            if occ.context in (LOAD, AUG) or occ.may_read_global:
                if name not in free_index:
                    free_index[name] = f"g{len(free)}"
                    free.append(name)
                if uses.chain.get(node):
                    chains.setdefault(name, set()).add(uses.chain[node])
            if occ.kind == "global" and name in free_index and name not in declared_global and not name_sensitive:
                mapping[node] = free_index[name]
            continue
        owner = occ.owner
        assert owner is not None
        key = (id(owner), name)
        if node in top_params:
            continue  # numbered by first use in the body, below
        if not renameable(owner, name):
            if owner is top:
                locals_.add(name)
            continue
        if key not in canon:
            if owner is top and name in params_in_order:
                canon[key] = f"p{len(params_used)}"
                params_used.append(name)
            else:
                canon[key] = f"v{n_locals}"
                n_locals += 1
        mapping[node] = canon[key]
        if owner is top:
            renamed_locals.add(canon[key])

    # imports made inside the function: the runtime resolves them like free names
    imports: List[Import] = []
    for bound, kind, dotted, attribute, level in uses.imports:
        owner = import_owner.get(bound)
        if owner is None or not _inside(owner, top):
            continue
        label = f"{bound.value}@{len(imports)}"
        imported[(id(owner), bound.value)] = label
        imports.append((label, kind, dotted, attribute, level))
    for dotted in uses.calls_import:
        label = f"import_module:{dotted}@{len(imports)}"
        imports.append((label, "module", dotted, "", 0))
        chains.setdefault(label, set()).add(("*",))
    for dotted in uses.calls_import_package:  # any module of the package: keyed by its files (not by
        label = f"import_module:{dotted}.*@{len(imports)}"  # its attributes: one per submodule imported)
        imports.append((label, "package", dotted, "", 0))
        chains.setdefault(label, set())
    if imported:  # chains on imported names: a second pass now that the labels exist
        for occ in model.occurrences:
            if occ.owner is not None and occ.context == LOAD and uses.chain.get(occ.node):
                chained = imported.get((id(occ.owner), occ.name))
                if chained is not None:
                    chains.setdefault(chained, set()).add(uses.chain[occ.node])

    # constant keys read on a name's chains (os.environ["HOME"]), with every other use of a
    # name that has one ("any"), so the runtime can tell "only these keys" from "anything"
    keyed: List[KeyedRead] = []
    for node, (how, read_key) in uses.keyed.items():
        read = model.occurrence(node)
        if read is None or not _inside(read.block, top) or read.context != LOAD:
            continue
        if read.kind == "global" or read.may_read_global:
            root = read.name
        else:
            found = imported.get((id(read.owner), read.name)) if read.owner is not None else None
            if found is None:
                continue
            root = found
        keyed.append((root, uses.chain.get(node, ()), how, read_key))
    with_keys = {root for root, _, how, _ in keyed if how != "any"}
    keyed = [k for k in keyed if k[0] in with_keys]

    unused = [p for p in params_in_order if p not in params_used]
    if name_sensitive:
        params = params_in_order
        mapping = {}
        locals_ |= set(params_in_order)
    else:
        params = params_used + unused
        for i, p in enumerate(unused, start=len(params_used)):
            canon[(id(top), p)] = f"p{i}"
    for param_name in top_params:
        key = (id(top), param_name.value)
        if key in canon and not name_sensitive:
            mapping[param_name] = canon[key]
            renamed_locals.add(canon[key])
    kept = {occ.name for occ in model.occurrences if occ.node not in mapping}
    kept |= {name for name in params_in_order if (id(top), name) not in canon or name_sensitive}
    prefix = _choose_prefix(kept)
    final = {node: prefix + short for node, short in mapping.items()}
    locals_ |= {prefix + n for n in renamed_locals}
    renamed = module.visit(_Apply(final))
    assumptions = sorted({("wraps", dotted) for dotted in renamed_defs.values()})
    return RenameResult(renamed, prefix, params, free, {k: sorted(v) for k, v in chains.items()}, locals_,
                        imports, sorted(set(keyed)), uses, assumptions, len(wrapped))
