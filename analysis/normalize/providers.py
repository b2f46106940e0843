"""libcst's metadata providers, with their visitor methods looked up once per class.

libcst finds a batched visitor's ``visit_*``/``leave_*`` methods with ``inspect.getmembers``
on every resolution: over a third of the time of normalizing a small function. These
subclasses cache the method *names* per class (``get_visitors`` is libcst's public hook) and
are otherwise the providers themselves. ``Scopes`` depends on the cached expression-context
provider instead of libcst's, under the key libcst's scope code asks for.
"""

from __future__ import annotations

from typing import Any, Collection, Dict, Mapping, Tuple

from libcst.metadata import ExpressionContextProvider, ParentNodeProvider, ScopeProvider

_VISITOR_NAMES: Dict[type, Tuple[str, ...]] = {}


class _CachedVisitors:
    def get_visitors(self) -> Mapping[str, Any]:
        names = _VISITOR_NAMES.get(type(self))
        if names is None:
            names = _VISITOR_NAMES[type(self)] = tuple(super().get_visitors())  # type: ignore[misc]
        return {name: getattr(self, name) for name in names}


class ExpressionContexts(_CachedVisitors, ExpressionContextProvider):
    pass


class Parents(_CachedVisitors, ParentNodeProvider):
    pass


class Scopes(_CachedVisitors, ScopeProvider):
    METADATA_DEPENDENCIES = (ExpressionContexts,)

    @classmethod
    def get_inherited_dependencies(cls) -> Collection[Any]:
        return frozenset((ExpressionContexts,))

    def get_metadata(self, key: Any, node: Any, default: Any = ...) -> Any:
        if key is ExpressionContextProvider:
            key = ExpressionContexts
        if default is ...:
            return super().get_metadata(key, node)
        return super().get_metadata(key, node, default)
