"""HTML footnotes: note references become ``[n]``, the notes list becomes text lines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from scrubline.footnotes import NOTE_HEADINGS
from scrubline.markup import HtmlElement, compile_xpath

from .tree import _WS

#: Anchors that reference a note on the same page: in or around <sup>, or marked as such.
_NOTE_REF_XPATH = compile_xpath(
    "//a[starts-with(@href,'#')][ancestor::sup or sup or contains(@class,'footnote')"
    " or starts-with(@href,'#cite_note') or starts-with(@href,'#fn')]"
)
_MARKER_LABEL = re.compile(r"^\[?\s*(\d{1,3}|[ivxlc]{1,6})\s*\]?$", re.IGNORECASE)
_BACKLINK_TEXT = frozenset({"^", "↩", "↩︎", "↑", "⤴", "back", "zurück", "retour"})
_NOTES_CONTAINER = re.compile(r"footnote|endnote|reflist|references|notes", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class HtmlNotes:
    """An HTML notes list, as the text lines footnotes.py reads: heading + "[n] note URL"."""

    heading: str
    lines: tuple[str, ...]


def html_footnotes(tree: HtmlElement, url: str | None = None) -> HtmlNotes | None:
    """Turn superscript note references and the notes list they point to into text form.

    Each reference (``<sup><a href="#fn3">3</a></sup>``, Wikipedia's ``#cite_note-3``,
    ``<a class="footnote-ref">``) whose target is on the page is rewritten in ``tree`` to
    ``[3]``; the notes are removed from ``tree`` (with their container and heading) and
    returned as ``[3] note text URL`` lines for the end of the text. Pages without a
    resolvable reference are left untouched (None).
    """
    refs = [a for a in _NOTE_REF_XPATH(tree) if len(a.get("href", "")) > 1]
    if not refs:
        return None
    by_id = {el.get("id"): el for el in tree.iterfind(".//*[@id]")}
    numbers: dict[str, int] = {}  # target id -> note number
    rewrites: list[tuple[HtmlElement, int]] = []
    for anchor in refs:
        target = by_id.get(anchor.get("href")[1:])
        label = _MARKER_LABEL.match(_WS.sub(" ", anchor.text_content()).strip())
        if target is None or label is None or _contains(target, anchor):
            continue
        key = target.get("id")
        if key not in numbers:
            value = label.group(1)
            numbers[key] = int(value) if value.isdigit() else len(numbers) + 1
        rewrites.append((anchor, numbers[key]))
    if not rewrites:
        return None
    lines = []
    for key, number in sorted(numbers.items(), key=lambda item: item[1]):
        body = _note_text(by_id[key], url)
        if body:
            lines.append(f"[{number}] {body}")
    if not lines:
        return None
    for anchor, number in rewrites:
        _show_marker(anchor, number)
    heading = _remove_notes(tree, [by_id[key] for key in numbers])
    return HtmlNotes(heading or "Notes", tuple(lines))


def _contains(outer: HtmlElement, inner: HtmlElement) -> bool:
    return any(ancestor is outer for ancestor in inner.iterancestors())


def _note_text(note: HtmlElement, base: str | None) -> str:
    """A note's text without back-links, with its first link's URL when the text lacks it."""
    parts: list[str] = []
    links: list[str] = []

    def walk(element: HtmlElement) -> None:
        if element.text:
            parts.append(element.text)
        for child in element:
            if isinstance(child.tag, str) and not (child.tag == "a" and _is_backlink(child)):
                if child.tag in ("p", "div", "br", "li"):
                    parts.append(" ")
                href = (child.get("href") or "").strip() if child.tag == "a" else ""
                if href and not href.startswith("#"):
                    links.append(urljoin(base or "", href))
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(note)
    body = _WS.sub(" ", "".join(parts)).strip().lstrip("^↑ ").strip()
    link = next((u for u in links if urlsplit(u).scheme in ("http", "https")), None)
    if link and link not in body:
        body = f"{body} {link}".strip()
    return body


def _is_backlink(anchor: HtmlElement) -> bool:
    return (
        (anchor.get("href") or "").startswith("#")
        or _WS.sub("", anchor.text_content()) in _BACKLINK_TEXT
        or "back" in (anchor.get("class") or "")
    )


def _show_marker(anchor: HtmlElement, number: int) -> None:
    """Replace the reference's visible text by ``[n]`` (the whole <sup> when it holds only it)."""
    sup = anchor.getparent()
    target = sup if sup is not None and sup.tag == "sup" and len(sup) == 1 else anchor
    for child in list(target):
        target.remove(child)
    target.text = f"[{number}]"
    if target.tag == "sup":
        target.tag = "span"  # keep "[3]" as written; a <sup> may be dropped or re-formatted


def _remove_notes(tree: HtmlElement, notes: list[HtmlElement]) -> str | None:
    """Remove the notes (and an emptied list, container and heading); the heading's text."""
    heading: str | None = None
    containers = []
    for note in notes:
        parent = note.getparent()
        if parent is None:
            continue
        _drop(note)
        if parent.tag in ("ol", "ul", "dl") and not len(parent):
            containers.append(parent)
    for container in containers:
        outer = container
        parent = container.getparent()
        names = f"{parent.get('class', '')} {parent.get('id', '')}" if parent is not None else ""
        if parent is not None and _NOTES_CONTAINER.search(names) and len(parent.text_content()) < 200:
            outer = parent  # an emptied notes section: <section class="footnotes"><hr><ol>
        previous = outer.getprevious()
        if previous is not None and previous.tag in ("h2", "h3", "h4", "h5", "h6", "p", "strong", "b"):
            text = _WS.sub(" ", previous.text_content()).strip()
            if text.rstrip(":").strip().lower() in NOTE_HEADINGS:
                heading = heading or text
                _drop(previous)
        if outer.getparent() is not None:
            _drop(outer)
    return heading


def _drop(element: HtmlElement) -> None:
    """Remove ``element`` but keep its tail text in the document."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
