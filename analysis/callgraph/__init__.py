"""The call graph of the user's code, read statically (see :mod:`.index` and :mod:`.graph`).

Used by ``checkpointing lint`` to find what each checkpointed function can reach. Deep mode
at run time resolves names in the live program instead (exact for dispatch tables,
``functools.partial`` and the runtime type of arguments), so it needs no parse of whole files.
"""

from .graph import CallGraph, Target, node_id
from .index import FunctionInfo, ModuleIndex, Reference, Span, dotted, index_module
from .project import Project, SourceFile, load_project, module_name_for

__all__ = ["CallGraph", "FunctionInfo", "ModuleIndex", "Project", "Reference", "SourceFile", "Span", "Target", "dotted",
           "index_module", "load_project", "module_name_for", "node_id"]
