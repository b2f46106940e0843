"""The lint rules: one module per rule, named after its code and name."""

from __future__ import annotations

from typing import Dict, Tuple

from .base import Example, Hit, Rule, RuleContext
from .ckp001_untracked_callee import UntrackedCallee
from .ckp002_untracked_method_call import UntrackedMethodCall
from .ckp003_dynamic_reference import DynamicReference
from .ckp101_global_statement import GlobalStatement
from .ckp102_argument_mutation import ArgumentMutation
from .ckp103_nondeterministic_call import NondeterministicCall
from .ckp104_hidden_file_input import HiddenFileInput
from .ckp105_unseeded_estimator import UnseededEstimator
from .ckp106_environment_read import EnvironmentRead
from .ckp107_side_effect_only import SideEffectOnly
from .ckp108_returns_client import ReturnsClient
from .ckp109_setting_changed import SettingChanged
from .ckp900_syntax_error import SyntaxErrorRule

RULES: Tuple[Rule, ...] = (UntrackedCallee(), UntrackedMethodCall(), DynamicReference(), GlobalStatement(),
                           ArgumentMutation(), NondeterministicCall(), HiddenFileInput(), UnseededEstimator(),
                           EnvironmentRead(), SideEffectOnly(), ReturnsClient(), SettingChanged(), SyntaxErrorRule())
BY_CODE: Dict[str, Rule] = {rule.code: rule for rule in RULES}

__all__ = ["BY_CODE", "RULES", "Example", "Hit", "Rule", "RuleContext"]
