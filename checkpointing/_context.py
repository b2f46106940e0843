"""FuncCallContext: what an identifier knows about one call (checkpointing 1.0.1 API)."""

from __future__ import annotations

import inspect
from types import FrameType
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple

from . import _fingerprint
from ._objects import MISSING


class FuncCallContext:
    """A call of ``func`` with ``args`` and ``kwargs``.

    ``def_frame`` is the frame the function was defined in; when given,
    :meth:`get_nonlocal_variable` also looks at that frame's locals.
    """

    __slots__ = ("func", "args", "kwargs", "def_frame", "_arguments", "_fingerprint", "generators", "plan")

    def __init__(self, func: Callable[..., Any], args: Sequence[Any] = (), kwargs: Optional[Mapping[str, Any]] = None,
                 def_frame: Optional[FrameType] = None) -> None:
        self.func = func
        self.args = tuple(args)
        self.kwargs = dict(kwargs or {})
        self.def_frame = def_frame
        self._arguments: Optional[Dict[str, Any]] = None
        self._fingerprint: Optional[_fingerprint.Fingerprint] = None
        #: the random generators the key walk met: (label, generator, "static" | "argument"), see _replay
        self.generators: Sequence[Tuple[str, Any, str]] = ()
        #: deep mode: the plan of what the key walk read (see _key.plan), if one was kept
        self.plan: Any = None

    @property
    def fingerprint(self) -> "_fingerprint.Fingerprint":
        if self._fingerprint is None:
            self._fingerprint = _fingerprint.fingerprint(self.func)
        return self._fingerprint

    @property
    def arguments(self) -> Dict[str, Any]:
        """Bound arguments by parameter name, defaults applied (raises TypeError if they do not bind)."""
        if self._arguments is None:
            self._arguments = self.fingerprint.bind(self.args, self.kwargs)
        return self._arguments

    @property
    def module(self) -> str:
        return str(getattr(self.func, "__module__", ""))

    @property
    def name(self) -> str:
        return str(getattr(self.func, "__name__", ""))

    @property
    def qualified_name(self) -> str:
        return str(getattr(self.func, "__qualname__", self.name))

    @property
    def full_name(self) -> str:
        return f"{self.module}.{self.qualified_name}"

    @property
    def code(self) -> str:
        """The function's source text as written (decorators, comments and all)."""
        return inspect.getsource(self.func)

    def get_nonlocal_variable(self, name: str) -> Any:
        """Value of a name the function reads from outside, looked up as checkpointing 1.0.1's
        documentation says: closure cells, then the defining frame's locals, then globals, then
        builtins. Returns None when the name is defined nowhere (as 1.0.1 did)."""
        inner = self.fingerprint.func
        code = inner.__code__
        if name in code.co_freevars and inner.__closure__ is not None:
            try:
                return inner.__closure__[code.co_freevars.index(name)].cell_contents
            except ValueError:  # an empty cell
                return None
        if self.def_frame is not None and name in self.def_frame.f_locals:
            return self.def_frame.f_locals[name]
        value = _fingerprint.resolve_free_name(inner, name)
        return None if value is MISSING else value
