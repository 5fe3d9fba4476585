"""Run the rules, merge their spans once, remove them, and put them back.

``apply_spans`` and ``restore`` are exact inverses: that is invariant 1 (reversible cleaning).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Sequence

from ..records import RemovedSpan, Span
from .document import DocView
from .lexicon import LEXICON_DIR, Lexicon, default_lexicon
from .packs import RulePack
from .rules import LexiconRule, LexiconRules, Rule, default_rules
from .templates import TemplateRule, TemplateSet


def detect(doc: DocView, rules: Sequence[Rule]) -> list[Span]:
    """Every span the rules find, stage by stage, merged (earlier rules win overlaps)."""
    return detect_staged(doc, by_stage(rules))


def by_stage(rules: Sequence[Rule]) -> list[list[Rule]]:
    """The rules grouped by stage, stages ascending, registry order kept within a stage;
    consecutive lexicon rules run as one ``LexiconRules`` (same spans, one call)."""
    stages = []
    for stage in sorted({r.stage for r in rules}):
        group: list[Rule] = []
        run: list[LexiconRule] = []
        for rule in (r for r in rules if r.stage == stage):
            if isinstance(rule, LexiconRule):
                run.append(rule)
                continue
            if run:
                group.append(LexiconRules(run))
                run = []
            group.append(rule)
        if run:
            group.append(LexiconRules(run))
        stages.append(group)
    return stages


def detect_staged(doc: DocView, stages: Sequence[Sequence[Rule]]) -> list[Span]:
    """``detect`` with the rules already grouped by ``by_stage`` (an engine groups once)."""
    merged: list[Span] = []
    for rules in stages:
        found: list[Span] = []
        for rule in rules:
            found.extend(rule.detect(doc, merged))
        if found:
            merged = merge_spans(found, merged)  # earlier stages win, then registry order
    return _extend_to_end(doc.text, merged)


def merge_spans(spans: Sequence[Span], kept: Sequence[Span] = ()) -> list[Span]:
    """Resolve overlaps once: a span overlapping an earlier-registered one is trimmed to what
    it adds, so each removed character is attributed to exactly one rule. ``kept``: spans
    already merged (disjoint, sorted), which win over ``spans``; the same as merging
    ``[*kept, *spans]``."""
    kept = list(kept)  # disjoint, sorted by start
    starts: list[int] = [s.start for s in kept]
    for span in spans:  # registry order = priority order
        if span.end <= span.start:
            continue
        if not kept or span.start >= kept[-1].end:  # after everything kept: no overlap
            starts.append(span.start)
            kept.append(span)
            continue
        j = max(bisect_right(starts, span.start) - 1, 0)
        cursor = span.start
        pieces: list[Span] = []
        while j < len(kept) and kept[j].start < span.end:
            other = kept[j]
            if other.end > cursor:
                if other.start > cursor:
                    pieces.append(_with(span, cursor, other.start))
                cursor = other.end
            j += 1
        if cursor < span.end:
            pieces.append(span if cursor == span.start else _with(span, cursor, span.end))
        for piece in pieces:
            k = bisect_right(starts, piece.start)
            starts.insert(k, piece.start)
            kept.insert(k, piece)
    return kept


def _with(span: Span, start: int, end: int) -> Span:
    return Span(start, end, span.rule_id, span.rule_version, span.category, span.evidence)


def _extend_to_end(text: str, spans: list[Span]) -> list[Span]:
    """A span that reaches the end of the text also takes the whitespace before it, so the
    clean text does not end in blank lines."""
    if not spans or spans[-1].end != len(text):
        return spans
    last = spans[-1]
    floor = spans[-2].end if len(spans) > 1 else 0
    start = last.start
    while start > floor and text[start - 1].isspace():
        start -= 1
    return [*spans[:-1], _with(last, start, last.end)]


def apply_spans(text: str, spans: Sequence[Span]) -> tuple[str, tuple[RemovedSpan, ...]]:
    """Remove non-overlapping ``spans`` from ``text``; return clean text and the record."""
    pieces: list[str] = []
    removed: list[RemovedSpan] = []
    cursor = 0
    for s in sorted(spans, key=lambda s: s.start):
        if s.start < cursor:
            raise ValueError(f"overlapping spans at {s.start}: merge them first")
        pieces.append(text[cursor : s.start])
        removed.append(
            RemovedSpan(
                s.start, s.end, s.rule_id, s.rule_version, s.category, text[s.start : s.end], s.evidence
            )
        )
        cursor = s.end
    pieces.append(text[cursor:])
    return "".join(pieces), tuple(removed)


def restore(clean: str, removed: Sequence[RemovedSpan]) -> str:
    """Put removed spans back into the clean text: the exact inverse of ``apply_spans``."""
    pieces: list[str] = []
    cursor_clean = 0
    cursor_orig = 0
    for span in sorted(removed, key=lambda s: s.start):
        keep = span.start - cursor_orig
        pieces.append(clean[cursor_clean : cursor_clean + keep])
        pieces.append(span.text)
        cursor_clean += keep
        cursor_orig = span.end
    pieces.append(clean[cursor_clean:])
    return "".join(pieces)


class Engine:
    """A configured rule set: rules + lexicon, with a version string for provenance."""

    def __init__(
        self, rules: Sequence[Rule] | None = None, lexicon: Lexicon | None = None,
        profile: str = "article",
    ) -> None:
        self.profile = profile
        self.rules: tuple[Rule, ...] = tuple(rules if rules is not None else default_rules(profile))
        self.lexicon = lexicon or default_lexicon()
        self.version = ruleset_version(self.rules, self.lexicon)
        self.outlet_id: str | None = None
        self._stages = by_stage(self.rules)

    def run(self, text: str, language: str | None = None) -> tuple[str, tuple[RemovedSpan, ...]]:
        """Detect and remove boilerplate in ``text``."""
        doc = DocView(text, language=language, lexicon=self.lexicon)
        return apply_spans(text, detect_staged(doc, self._stages))

    def without(self, rule_ids: Sequence[str]) -> Engine:
        """The same engine with some rules disabled (per-outlet overrides)."""
        drop = set(rule_ids)
        return Engine([r for r in self.rules if r.rule_id not in drop], self.lexicon, self.profile)

    @classmethod
    def for_outlet(
        cls, pack: RulePack | None = None, templates: TemplateSet | None = None, profile: str = "article"
    ) -> Engine:
        """The engine of one outlet: the default rules and lexicons, plus its rule pack
        (phrases added, rules disabled) and its learned templates (a ``TemplateRule`` after
        the other stage-1 rules). Unknown rule ids in ``pack.disable`` are an error."""
        rules = default_rules(profile)
        lexicon = default_lexicon()
        if pack is not None:
            known = {r.rule_id for r in rules} | {TemplateRule.rule_id}
            unknown = set(pack.disable) - known
            if unknown:
                raise ValueError(f"rule pack {pack.outlet_id}: unknown rule ids {sorted(unknown)}")
            if pack.phrases:
                lexicon = lexicon.with_phrases(pack.phrases)
        if templates is not None and len(templates):
            last_stage1 = max(i for i, r in enumerate(rules) if r.stage == 1)
            rules.insert(last_stage1 + 1, TemplateRule(templates))
        if pack is not None:
            rules = [r for r in rules if r.rule_id not in set(pack.disable)]
        engine = cls(rules, lexicon, profile)
        engine.outlet_id = pack.outlet_id if pack else templates.outlet_id if templates else None
        if pack is not None:  # the pack's own version counts even when it only disables rules
            engine.version = ruleset_version(rules, lexicon, extra=f"pack:{pack.outlet_id}:{pack.version}")
        return engine


def ruleset_version(rules: Sequence[Rule], lexicon: Lexicon, extra: str = "") -> str:
    """A short, stable fingerprint of the rules (ids, versions, and the data a rule was built
    from, such as learned templates) and the lexicon phrases."""
    h = hashlib.sha256()
    for rule in rules:
        h.update(f"{rule.rule_id}:{rule.version}\n".encode())
        fingerprint = getattr(rule, "fingerprint", "")
        if fingerprint:
            h.update(f"  data:{fingerprint}\n".encode())
    if extra:
        h.update(f"{extra}\n".encode())
    for p in sorted(lexicon.phrases, key=lambda p: (p.language, p.category, p.text)):
        h.update(f"{p.language}|{p.category}|{p.anchored}|{p.text}\n".encode())
    return "r" + h.hexdigest()[:12]


__all__ = ["Engine", "apply_spans", "detect", "merge_spans", "restore", "LEXICON_DIR"]
