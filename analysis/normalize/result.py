"""What the normalizer returns: plain data that round-trips through JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Dict, Optional, Tuple

#: An assumption a guarded rewrite relies on, checked at call time by the runtime:
#: ``("plain", name)``   the argument or free variable ``name`` holds plain builtin data
#:                       (int, float, complex, bool, str, bytes, None and tuples, lists,
#:                       dicts, sets of plain data);
#: ``("module", name)``  the free variable ``name`` is a module;
#: ``("builtin", name)`` the free variable ``name`` is the builtin of that name.
Assumption = Tuple[str, str]

#: An import made inside the function body, which the runtime resolves like a free name:
#: ``(label, kind, module, attribute, level)``. ``label`` names it in ``attribute_chains`` and
#: ``keyed_reads``; ``kind`` is ``"module"`` (``import a.b as m``: the module ``a.b``), ``"top"``
#: (``import a.b``: imports ``a.b``, binds the package ``a``), ``"from"`` (``from a import x``:
#: the attribute ``x`` of ``a``, or its submodule) or ``"package"`` (``import_module(f"a.{name}")``:
#: any module of the package ``a``); ``level`` counts the leading dots.
Import = Tuple[str, str, str, str, int]

#: A read with a constant string key on a free or imported name's attribute chain:
#: ``(name or import label, chain, "getitem" | "call", key)``: ``os.environ["HOME"]`` is
#: ``("os", ("environ",), "getitem", "HOME")``, ``getenv("SEED")`` is ``("getenv", (), "call", "SEED")``.
#: For a name with such reads, every other use of it is listed too, as ``(name, chain, "any", "")``.
KeyedRead = Tuple[str, Tuple[str, ...], str, str]


@dataclass(frozen=True)
class Variant:
    """One canonical form of a function and how to read its inputs.

    ``code`` is the canonical source: parameters renamed ``<prefix>p0, p1, ...``, locals
    ``v0, v1, ...`` and free names (globals, closure variables, builtins) ``g0, g1, ...`` in
    order of first use. ``params[i]`` is the original name of parameter ``p<i>`` and
    ``free_names[i]`` the original name read through ``g<i>``; ``attribute_chains`` lists,
    per free name, the attribute chains read from it (``config.THRESHOLD`` -> ``["THRESHOLD"]``).
    """

    code: str
    params: Tuple[str, ...]
    free_names: Tuple[str, ...]
    attribute_chains: Dict[str, Tuple[Tuple[str, ...], ...]]
    #: every attribute name the function reads or calls (``self.fit``, ``x.shape``), and every
    #: identifier inside its string constants (``getattr(m, "fit")``, ``"{0.size}".format(x)``):
    #: deep mode uses them to decide which members of a user class the function can reach
    attributes: Tuple[str, ...] = ()
    imports: Tuple[Import, ...] = ()
    keyed_reads: Tuple[KeyedRead, ...] = ()
    #: the calls whose keyword arguments ``code`` lists sorted by name, in source order:
    #: (callee, the keywords in the order written); the runtime keys that order where the
    #: callee does not bind them by name (see normalize.keywords)
    keyword_orders: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class NormalizedFunction:
    """Canonical forms of one function plus what the runtime must know about it.

    ``strict`` holds for every input. ``guarded``, when present, is a further-simplified form
    that is equivalent only while every assumption in ``assumptions`` holds; the runtime uses
    it for a call exactly when it can check them all.
    """

    name: str
    strict: Variant
    guarded: Optional[Variant] = None
    assumptions: Tuple[Assumption, ...] = ()
    global_lines: Tuple[int, ...] = ()
    nonlocal_lines: Tuple[int, ...] = ()
    #: (line, description) of dynamic accesses the analysis cannot follow
    dynamic: Tuple[Tuple[int, str], ...] = ()
    #: the function observes its own local names (locals(), eval, f"{x=}", ...): no renaming
    name_sensitive: bool = False

    def to_json(self) -> Dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> "NormalizedFunction":
        def variant(v: Optional[Dict[str, Any]]) -> Optional[Variant]:
            if v is None:
                return None
            return Variant(
                code=v["code"],
                params=tuple(v["params"]),
                free_names=tuple(v["free_names"]),
                attribute_chains={k: tuple(tuple(c) for c in cs) for k, cs in v["attribute_chains"].items()},
                attributes=tuple(v.get("attributes", ())),
                imports=tuple((a, b, c, d, int(e)) for a, b, c, d, e in v.get("imports", ())),
                keyed_reads=tuple((a, tuple(b), c, d) for a, b, c, d in v.get("keyed_reads", ())),
                keyword_orders=tuple((a, tuple(b)) for a, b in v.get("keyword_orders", ())),
            )

        strict = variant(data["strict"])
        assert strict is not None
        return cls(
            name=data["name"],
            strict=strict,
            guarded=variant(data.get("guarded")),
            assumptions=tuple((a, b) for a, b in data.get("assumptions", ())),
            global_lines=tuple(data.get("global_lines", ())),
            nonlocal_lines=tuple(data.get("nonlocal_lines", ())),
            dynamic=tuple((int(a), str(b)) for a, b in data.get("dynamic", ())),
            name_sensitive=bool(data.get("name_sensitive", False)),
        )
