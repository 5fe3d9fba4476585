"""The rule interface: a rule DETECTS spans on a DocView; one step (engine) removes them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..records import Span
from .document import DocView


class Rule:
    """Base class: subclasses set the class attributes and implement ``detect``."""

    rule_id: str = ""
    version: int = 1
    categories: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("*",)
    stage: int = 1

    def detect(self, doc: DocView, found: Sequence[Span] = ()) -> Iterable[Span]:
        raise NotImplementedError

    def span(self, doc: DocView, first: int, last: int, category: str, evidence: str) -> Span:
        start, end = doc.span_of_lines(first, last)
        return Span(start, end, self.rule_id, self.version, category, evidence)
