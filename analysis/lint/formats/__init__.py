"""Output formats: one module each, every one a ``render(findings, result) -> str``."""

from __future__ import annotations

from typing import Callable, Dict

from . import github, json_format, sarif, text

FORMATS: Dict[str, Callable[..., str]] = {"text": text.render, "json": json_format.render, "github": github.render,
                                "sarif": sarif.render}
