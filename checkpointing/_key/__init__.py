"""The key of a call: one walk over the function's code, its arguments and what the code reads,
written component by component into one hash (see docs/how-it-works.md).

================  =================================================================================
``walk``          ``KeyBuilder``: the walk (the call's key, a value's digest)
``policy``        what the default and deep modes answer differently
``numbering``     how an item is named in the bytes: by position, by identity, by name and code
``observers``     who listens: nobody (the hot path), an explanation's components, a plan's reads
``tokens``        what identifies an object met (library code by name, the rest by content)
``reads``         free names, imports, attribute chains, the environment, generators' states
``members``       the record of an item: a function's code and reads, a class's members
``plan``          deep mode: what a walk read, checked again on the next call instead of walking
``scalar``        the hot path: scalar arguments, a function that reads nothing
================  =================================================================================
"""

from .plan import EQUAL, SAME
from .scalar import ScalarKey
from .tokens import library_token
from .walk import KeyBuilder

__all__ = ["EQUAL", "SAME", "KeyBuilder", "ScalarKey", "library_token"]
