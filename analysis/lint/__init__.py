"""``checkpointing lint``: a static check of checkpointed functions (see docs/rules.md).

:func:`lint_paths` is the programmatic entry point; each rule is a module in :mod:`.rules`.
"""

from .config import ConfigError, LintConfig, load_config
from .engine import LintResult, lint_paths
from .finding import Finding
from .rules import BY_CODE, RULES

__all__ = ["BY_CODE", "ConfigError", "Finding", "LintConfig", "LintResult", "RULES", "lint_paths", "load_config"]
