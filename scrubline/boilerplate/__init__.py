"""Rule-based, auditable boilerplate removal: rules detect spans, one step removes them."""

from .document import DocView
from .engine import Engine, apply_spans, detect, merge_spans, restore
from .rules import Rule, default_rules

__all__ = ["DocView", "Engine", "Rule", "apply_spans", "default_rules", "detect", "merge_spans", "restore"]
