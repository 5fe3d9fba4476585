"""Rule-based, auditable boilerplate removal: rules detect spans, one step removes them."""

from .document import DocView
from .engine import Engine, apply_spans, detect, merge_spans, restore
from .packs import RulePack, load_pack
from .rules import Rule, default_rules
from .templates import TemplateSet, mine_outlet, mine_templates

__all__ = [
    "DocView", "Engine", "Rule", "RulePack", "TemplateSet", "apply_spans", "default_rules", "detect",
    "load_pack", "merge_spans", "mine_outlet", "mine_templates", "restore",
]  # fmt: skip
