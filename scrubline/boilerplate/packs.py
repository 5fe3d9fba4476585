"""Per-outlet rule packs as data: ``packs/<outlet_id>.yaml``.

A pack adds phrases (same syntax as the lexicons: categories, ``^`` for anchored) and
disables rules, for one outlet only::

    outlet_id: example_outlet
    version: 1                  # bump when the pack changes (part of the ruleset version)
    phrases:
      promo:
        - ^jetzt weiterlesen mit
    disable:
      - lexicon_navigation      # rule ids (see scrubline.boilerplate.rules.default_rules)

``Engine.for_outlet(pack, templates)`` builds the outlet's engine. Phrases in a pack follow
the lexicon rules (generic phrasing of that outlet's template, never a copied sentence of
one article).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scrubline.yamlfile import load_yaml

from .lexicon import Phrase, parse_phrases

PACKS_DIR = Path(__file__).parent / "packs"


@dataclass(frozen=True)
class RulePack:
    """Extra phrases and disabled rules for one outlet."""

    outlet_id: str
    version: int = 1
    phrases: tuple[Phrase, ...] = ()
    disable: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping, outlet_id: str | None = None) -> RulePack:
        """A pack from its YAML mapping; unknown keys are an error (a typo must not silently
        turn a pack off)."""
        unknown = set(data) - {"outlet_id", "version", "phrases", "disable", "language", "notes"}
        if unknown:
            raise ValueError(f"rule pack: unknown keys {sorted(unknown)}")
        oid = str(data.get("outlet_id") or outlet_id or "")
        if not oid:
            raise ValueError("rule pack: outlet_id missing")
        language = str(data.get("language") or "xx")
        phrases = parse_phrases(data.get("phrases") or {}, language)
        disable = tuple(str(r) for r in data.get("disable") or ())
        return cls(oid, int(data.get("version") or 1), tuple(phrases), disable)

    @classmethod
    def load(cls, path: Path) -> RulePack:
        data = load_yaml(path) or {}
        pack = cls.from_dict(data, outlet_id=path.stem)
        if pack.outlet_id != path.stem:
            raise ValueError(f"{path}: outlet_id {pack.outlet_id!r} does not match the file name")
        return pack


def load_pack(outlet_id: str, packs_dir: Path | None = None) -> RulePack | None:
    """The pack of ``outlet_id``, or None when it has none."""
    path = (packs_dir or PACKS_DIR) / f"{outlet_id}.yaml"
    return RulePack.load(path) if path.is_file() else None


def available_packs(packs_dir: Path | None = None) -> dict[str, Path]:
    """Outlet id -> pack file, for every pack in ``packs_dir``."""
    return {p.stem: p for p in sorted((packs_dir or PACKS_DIR).glob("*.yaml"))}
