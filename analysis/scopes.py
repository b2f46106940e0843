"""Python's scope rules over a libcst tree: which variable each name occurrence refers to.

libcst's ``ScopeProvider`` tracks assignments per occurrence and departs from Python in a few
places that matter for a cache key (an assignment expression inside a comprehension binds in
the enclosing function, PEP 572; the first iterable of a comprehension is evaluated in the
enclosing scope, even in a class body). This module follows CPython's symbol table instead:
a name's meaning is decided per *block* (module, class, function or lambda, comprehension),
never per occurrence:

- a name bound anywhere in a function block (assignment, augmented assignment, annotation,
  ``for``/``with``/``except`` targets, ``del``, ``import``, ``def``/``class``, ``match``
  captures, parameters) is local to it in the whole block, unless declared ``global`` or
  ``nonlocal``;
- otherwise it is *free*, bound by the nearest enclosing function block that binds it (class
  blocks are skipped), or *global* (module global or builtin) if none does;
- in a class body, a bound name is local to the class; a load of it falls back to the
  globals when the class dict does not hold it yet, so such a load is also reported as a
  possible global read (:attr:`Occurrence.may_read_global`);
- an assignment expression in a comprehension binds in the nearest enclosing non-comprehension
  block;
- ``__class__`` in a method is the class's implicit cell.

``tests/unit/test_scopes.py`` checks every classification against :mod:`symtable`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

LOAD, STORE, DEL, AUG = "load", "store", "del", "aug"  # AUG: ``x += 1``, read then written

#: binding kinds: how a name is bound in a block
PLAIN = "plain"  # assignment-like targets: =, +=, annotated, for, with, except, :=, del, match capture
PARAM = "param"
IMPORT = "import"
DEF = "def"  # def and class statements
TYPE_PARAM = "type_param"


@dataclass(eq=False)
class Block:
    """One Python scope."""

    kind: str  # "module", "class", "function" (def and lambda) or "comprehension"
    node: cst.CSTNode
    parent: Optional["Block"]
    bindings: Dict[str, List[str]] = field(default_factory=dict)  # name -> binding kinds, in order
    declared_global: Set[str] = field(default_factory=set)
    declared_nonlocal: Set[str] = field(default_factory=set)
    star_import: bool = False
    children: List["Block"] = field(default_factory=list)

    def bind(self, name: str, kind: str) -> None:
        self.bindings.setdefault(name, []).append(kind)

    @property
    def is_function(self) -> bool:
        return self.kind in ("function", "comprehension")


@dataclass(eq=False)
class Occurrence:
    """One occurrence of a variable name: where it is evaluated and how it is used."""

    node: cst.Name
    block: Block
    context: str  # LOAD, STORE, DEL or AUG
    #: "local" (bound in ``block``), "free" (bound in ``owner``, an enclosing function) or "global"
    kind: str = "global"
    owner: Optional[Block] = None
    may_read_global: bool = False  # a class-body load that falls back to the globals

    @property
    def name(self) -> str:
        return self.node.value

    @property
    def variable(self) -> Tuple[Optional[Block], str]:
        """The variable itself: (defining block, name); the block is None for globals."""
        return (self.owner, self.node.value)


class ScopeModel:
    """Blocks and name occurrences of one module; see the module docstring for the rules."""

    def __init__(self, module: cst.Module) -> None:
        builder = _Builder(module)
        builder.run(module, builder.root)
        self.root = builder.root
        self.occurrences: List[Occurrence] = builder.occurrences
        self.block_of_node: Dict[cst.CSTNode, Block] = builder.block_of_node
        self._by_name_node: Dict[cst.Name, Occurrence] = {}
        for occ in self.occurrences:
            occ.kind, occ.owner = resolve(occ.block, occ.name)
            occ.may_read_global = (occ.context in (LOAD, AUG) and occ.block.kind == "class" and occ.kind == "local")
            self._by_name_node[occ.node] = occ

    def occurrence(self, node: cst.Name) -> Optional[Occurrence]:
        """The variable occurrence of a Name node (None for attribute names, keywords, ...)."""
        return self._by_name_node.get(node)

    def blocks(self) -> Iterable[Block]:
        stack = [self.root]
        while stack:
            block = stack.pop()
            yield block
            stack.extend(reversed(block.children))

    def references(self, owner: Block, name: str) -> List[Occurrence]:
        return [o for o in self.occurrences if o.owner is owner and o.name == name]


def resolve(block: Block, name: str) -> Tuple[str, Optional[Block]]:
    """("local", block), ("free", defining block) or ("global", None) for ``name`` used in ``block``."""
    if name in block.declared_global:
        return "global", None
    if block.kind == "module":
        return "global", None
    if name not in block.declared_nonlocal and name in block.bindings:
        return "local", block
    parent = block.parent
    while parent is not None:
        if parent.kind == "class":
            if name == "__class__":  # the implicit cell of methods (what super() uses)
                return "free", parent
            parent = parent.parent
            continue
        if parent.kind == "module" or name in parent.declared_global:
            return "global", None
        if name in parent.bindings and name not in parent.declared_nonlocal:
            return "free", parent
        parent = parent.parent
    return "global", None


_Task = Union[Tuple[cst.CSTNode, "Block"], Callable[[], None]]
_Targets = Union[cst.BaseExpression, cst.BaseAssignTargetExpression, cst.BaseDelTargetExpression]


class _Builder:
    """One pass over the tree: blocks, bindings and occurrences, in source order."""

    def __init__(self, module: cst.Module) -> None:
        self.root = Block("module", module, None)
        self.occurrences: List[Occurrence] = []
        self.block_of_node: Dict[cst.CSTNode, Block] = {module: self.root}
        self._tasks: List[_Task] = []  # a work list, not recursion: nesting depth is unbounded

    # -- helpers ---------------------------------------------------------------------------

    def _new_block(self, kind: str, node: cst.CSTNode, parent: Block) -> Block:
        block = Block(kind, node, parent)
        parent.children.append(block)
        self.block_of_node[node] = block
        return block

    def _use(self, node: cst.Name, block: Block, context: str) -> None:
        self.occurrences.append(Occurrence(node, block, context))

    def _bind_name(self, node: cst.Name, block: Block, kind: str = PLAIN, context: str = STORE) -> None:
        block.bind(node.value, kind)
        self._use(node, block, context)

    def walk_all(self, nodes: Iterable[Optional[cst.CSTNode]], block: Block) -> None:
        for node in nodes:
            if node is not None:
                self.walk(node, block)

    def then(self, action: Callable[[], None]) -> None:
        """Run ``action`` once everything walked so far by the current handler is done."""
        self._pending.append(action)

    def target(self, node: _Targets, block: Block, context: str = STORE) -> None:
        """An assignment or deletion target: names are bound, the rest is evaluated."""
        if isinstance(node, cst.Name):
            self._bind_name(node, block, PLAIN, context)
        elif isinstance(node, (cst.Tuple, cst.List)):
            for element in node.elements:
                self.target(element.value, block, context)
        elif isinstance(node, cst.StarredElement):
            self.target(node.value, block, context)
        else:  # attribute, subscript: their parts are loads
            self.walk(node, block)

    # -- the walk --------------------------------------------------------------------------

    def walk(self, node: cst.CSTNode, block: Block) -> None:
        """Schedule ``node``: handlers schedule their parts in order, and the work list runs them."""
        self._pending.append((node, block))

    def run(self, node: cst.CSTNode, block: Block) -> None:
        self._pending: List[_Task] = []
        self.walk(node, block)
        tasks = self._tasks
        while True:
            tasks.extend(reversed(self._pending))
            self._pending = []
            if not tasks:
                return
            task = tasks.pop()
            if callable(task):
                task()
                continue
            node, block = task
            method = _HANDLERS.get(type(node))
            if method is not None:
                method(self, node, block)
            else:
                for child in child_nodes(node):
                    self._pending.append((child, block))

    def _Name(self, node: cst.Name, block: Block) -> None:
        if node.value not in ("True", "False", "None"):
            self._use(node, block, LOAD)

    def _Attribute(self, node: cst.Attribute, block: Block) -> None:
        self.walk(node.value, block)  # node.attr is not a variable

    def _Arg(self, node: cst.Arg, block: Block) -> None:
        self.walk(node.value, block)  # node.keyword is not a variable

    def _Assign(self, node: cst.Assign, block: Block) -> None:
        for t in node.targets:
            self.target(t.target, block)
        self.walk(node.value, block)

    def _AugAssign(self, node: cst.AugAssign, block: Block) -> None:
        if isinstance(node.target, cst.Name):
            block.bind(node.target.value, PLAIN)
            self._use(node.target, block, AUG)
        else:
            self.walk(node.target, block)
        self.walk(node.value, block)

    def _AnnAssign(self, node: cst.AnnAssign, block: Block) -> None:
        self.walk(node.annotation, block)
        self.target(node.target, block)
        if node.value is not None:
            self.walk(node.value, block)

    def _Del(self, node: cst.Del, block: Block) -> None:
        self.target(node.target, block, DEL)

    def _For(self, node: cst.For, block: Block) -> None:
        self.target(node.target, block)
        self.walk(node.iter, block)
        self.walk_all((node.body, node.orelse), block)

    def _WithItem(self, node: cst.WithItem, block: Block) -> None:
        self.walk(node.item, block)
        if node.asname is not None:
            self.target(node.asname.name, block)

    def _ExceptHandler(self, node: Union[cst.ExceptHandler, cst.ExceptStarHandler], block: Block) -> None:
        self.walk_all((node.type,), block)
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self._bind_name(node.name.name, block)
        self.walk(node.body, block)

    _ExceptStarHandler = _ExceptHandler

    def _NamedExpr(self, node: cst.NamedExpr, block: Block) -> None:
        self.walk(node.value, block)
        target = node.target
        if not isinstance(target, cst.Name):
            self.walk(target, block)
            return
        # PEP 572: in a comprehension, the target belongs to the nearest enclosing non-comprehension block
        home = block
        while home.kind == "comprehension" and home.parent is not None:
            home = home.parent
        if home is not block:
            inner: Optional[Block] = block
            while inner is not None and inner is not home:
                (inner.declared_global if home.kind == "module" else inner.declared_nonlocal).add(target.value)
                inner = inner.parent
        home.bind(target.value, PLAIN)
        self._use(target, block, STORE)

    def _Global(self, node: cst.Global, block: Block) -> None:
        block.declared_global.update(item.name.value for item in node.names)

    def _Nonlocal(self, node: cst.Nonlocal, block: Block) -> None:
        block.declared_nonlocal.update(item.name.value for item in node.names)

    def _Import(self, node: cst.Import, block: Block) -> None:
        for alias in node.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._bind_name(alias.asname.name, block, IMPORT)
            else:
                root: cst.BaseExpression = alias.name
                while isinstance(root, cst.Attribute):
                    root = root.value
                if isinstance(root, cst.Name):
                    self._bind_name(root, block, IMPORT)

    def _ImportFrom(self, node: cst.ImportFrom, block: Block) -> None:
        if isinstance(node.names, cst.ImportStar):
            block.star_import = True
            return
        for alias in node.names:
            bound = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(bound, cst.Name):
                self._bind_name(bound, block, IMPORT)

    # definitions ------------------------------------------------------------------------

    def _outside_parameters(self, params: cst.Parameters, outer: Block) -> List[cst.Param]:
        """Walk what is evaluated outside (defaults, annotations); the parameters, to bind inside."""
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                every.append(extra)
        for param in every:
            self.walk_all((param.default,), outer)
        for param in every:
            self.walk_all((param.annotation.annotation if param.annotation else None,), outer)
        return every

    def _type_parameters(self, node: Optional[cst.TypeParameters], inner: Block) -> None:
        if node is None:
            return
        for tp in node.params:
            param = tp.param
            self._bind_name(param.name, inner, TYPE_PARAM)
            bound = getattr(param, "bound", None)
            if bound is not None:
                self.walk(bound, inner)

    def _FunctionDef(self, node: cst.FunctionDef, block: Block) -> None:
        # CPython's order: defaults and annotations, the return annotation, decorators, then the body
        every = self._outside_parameters(node.params, block)
        if node.returns is not None:
            self.walk(node.returns.annotation, block)
        for decorator in node.decorators:
            self.walk(decorator.decorator, block)

        def body() -> None:
            self._bind_name(node.name, block, DEF)
            inner = self._new_block("function", node, block)
            self._type_parameters(getattr(node, "type_parameters", None), inner)
            for param in every:
                self._bind_name(param.name, inner, PARAM)
            self.walk(node.body, inner)
        self.then(body)

    def _Lambda(self, node: cst.Lambda, block: Block) -> None:
        every = self._outside_parameters(node.params, block)

        def body() -> None:
            inner = self._new_block("function", node, block)
            for param in every:
                self._bind_name(param.name, inner, PARAM)
            self.walk(node.body, inner)
        self.then(body)

    def _ClassDef(self, node: cst.ClassDef, block: Block) -> None:
        for arg in (*node.bases, *node.keywords):
            self.walk(arg.value, block)
        for decorator in node.decorators:
            self.walk(decorator.decorator, block)

        def body() -> None:
            self._bind_name(node.name, block, DEF)
            inner = self._new_block("class", node, block)
            self._type_parameters(getattr(node, "type_parameters", None), inner)
            self.walk(node.body, inner)
        self.then(body)

    def _TypeAlias(self, node: cst.CSTNode, block: Block) -> None:
        self._bind_name(node.name, block, DEF)  # type: ignore[attr-defined]
        inner = self._new_block("function", node, block)
        self._type_parameters(getattr(node, "type_parameters", None), inner)
        self.walk(node.value, inner)  # type: ignore[attr-defined]

    # comprehensions ------------------------------------------------------------------------

    def _comprehension(self, node: cst.CSTNode, for_in: cst.CompFor, results: Sequence[cst.BaseExpression],
                       block: Block) -> None:
        self.walk(for_in.iter, block)  # the first iterable is evaluated outside

        def body() -> None:
            inner = self._new_block("comprehension", node, block)
            clause: Optional[cst.CompFor] = for_in
            first = True
            while clause is not None:
                self.target(clause.target, inner)
                if not first:
                    self.walk(clause.iter, inner)
                first = False
                for condition in clause.ifs:
                    self.walk(condition.test, inner)
                clause = clause.inner_for_in
            self.walk_all(results, inner)
        self.then(body)

    def _ListComp(self, node: cst.ListComp, block: Block) -> None:
        self._comprehension(node, node.for_in, [node.elt], block)

    _SetComp = _ListComp
    _GeneratorExp = _ListComp

    def _DictComp(self, node: cst.DictComp, block: Block) -> None:
        self._comprehension(node, node.for_in, [node.key, node.value], block)

    # pattern matching ----------------------------------------------------------------------

    def _MatchAs(self, node: cst.MatchAs, block: Block) -> None:
        self.walk_all((node.pattern,), block)
        if node.name is not None:
            self._bind_name(node.name, block)

    def _MatchStar(self, node: cst.MatchStar, block: Block) -> None:
        if node.name is not None:
            self._bind_name(node.name, block)

    def _MatchMapping(self, node: cst.MatchMapping, block: Block) -> None:
        for element in node.elements:
            self.walk(element.key, block)
            self.walk(element.pattern, block)
        if node.rest is not None:
            self._bind_name(node.rest, block)

    def _MatchClass(self, node: cst.MatchClass, block: Block) -> None:
        self.walk(node.cls, block)
        for element in node.patterns:
            self.walk(element, block)
        for keyword in node.kwds:  # keyword.key is an attribute name
            self.walk(keyword.pattern, block)


_HANDLERS: Dict[type, Callable[[_Builder, Any, Block], None]] = {
    getattr(cst, name[1:]): method for name, method in vars(_Builder).items()
    if name[:1] == "_" and name[1:2].isupper() and isinstance(getattr(cst, name[1:], None), type)
}
_FIELDS: Dict[type, Tuple[str, ...]] = {}


def child_nodes(node: cst.CSTNode) -> List[cst.CSTNode]:
    """A node's child nodes in field order (cheaper than libcst's ``children``, which re-visits)."""
    names = _FIELDS.get(type(node))
    if names is None:
        names = _FIELDS[type(node)] = tuple(f.name for f in fields(node))
    out: List[cst.CSTNode] = []
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            out.append(value)
        elif isinstance(value, (list, tuple)):
            out.extend(v for v in value if isinstance(v, cst.CSTNode))
    return out


def parent_map(module: cst.Module) -> Dict[cst.CSTNode, cst.CSTNode]:
    """Every node's parent (a work list over the tree, as the scope model walks it)."""
    parents: Dict[cst.CSTNode, cst.CSTNode] = {}
    stack: List[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        for child in child_nodes(node):
            parents[child] = node
            stack.append(child)
    return parents
