"""Footnotes in the forms articles use: markers linked to endnotes, anomalies flagged."""

from __future__ import annotations

import pytest

from scrubline.footnotes import find_citations, find_endnote_block, link_footnotes


def cite(text: str, clean: str | None = None):
    """Endnotes of ``text`` linked against ``clean`` (default: the text minus its notes list)."""
    block = find_endnote_block(text)
    assert block is not None
    body = clean if clean is not None else text[: block.start]
    return block, link_footnotes(block, body)


@pytest.mark.parametrize(
    ("body", "notes", "markers"),
    [
        ("Troops moved[1] and stayed[2].", "[1] https://a.org/x\n[2] https://b.org/y", ["[1]", "[2]"]),
        ("Troops moved¹ and stayed².", "Notes\n¹ https://a.org/x\n² https://b.org/y", ["¹", "²"]),
        ("Troops moved^1 and stayed^2.", "^1 https://a.org/x\n^2 https://b.org/y", ["^1", "^2"]),
        ("Troops moved (1) and stayed (2).", "Sources:\n(1) https://a.org/x\n(2) https://b.org/y",
         ["(1)", "(2)"]),
        ("Troops moved[1] and stayed[2].", "References\n1. https://a.org/x\n2. https://b.org/y",
         ["1.", "2."]),
        ("Войска вошли[1] и остались[2].", "Примечания\n1. https://a.ru/x\n2. https://b.ru/y", ["1.", "2."]),
    ],
)
def test_marker_forms_are_linked_to_their_notes(body: str, notes: str, markers: list[str]) -> None:
    text = f"Title\n\n{body}\n\n{notes}\n"
    block, footnotes = cite(text)
    assert [f.marker for f in footnotes] == markers
    assert all(len(f.ref_offsets) == 1 and not f.issues for f in footnotes)
    assert [f.domain for f in footnotes][0] in ("a.org", "a.ru")
    if notes.split("\n")[0][0].isalpha():  # a heading belongs to the block removed from the body
        assert text[block.start :].startswith(notes.split("\n")[0])


def test_a_numbered_list_in_the_body_is_not_a_notes_list() -> None:
    text = "Demands:\n\n1. Acknowledge responsibility.\n2. Issue an apology.\n3. Pay compensation.\n"
    assert find_endnote_block(text) is None


def test_anomalies_are_flagged() -> None:
    text = (
        "A claim[1], another[2], a third[4].\n\n"
        "[1] file:///C:/Users/Editor/Downloads/report.pdf\n"
        "[2] Interview with the author, March 2025\n"
        "[3] https://exa mple.org/bad url\n"
    )
    _, footnotes = cite(text)
    issues = {f.marker: f.issues for f in footnotes}
    assert issues["[1]"] == ("local_file_path",)
    assert issues["[2]"] == ("no_url",)
    assert "unreferenced" in issues["[3]"]
    assert issues["[4]"] == ("missing_note",)


def test_malformed_url_is_flagged() -> None:
    text = "Claim[1].\n\n[1] http://no-dot-host/path\n[2] https://ok.org/\n"
    _, footnotes = cite(text)
    assert footnotes[0].issues == ("malformed_url",)
    assert footnotes[1].url_canonical == "https://ok.org/"


def test_tracking_parameters_are_dropped_and_the_cited_outlet_found() -> None:
    text = "Claim[1].\n\n[1] https://WWW.Reuters.com/world/x?utm_source=tw&id=7#top\n[2] https://a.org\n"
    block = find_endnote_block(text)
    footnotes = link_footnotes(block, text[: block.start], {"reuters.com": "reuters"}.get)
    assert footnotes[0].url_canonical == "https://www.reuters.com/world/x?id=7"
    assert footnotes[0].cited_outlet_id == "reuters"


def test_source_lines_and_bare_urls_are_citations() -> None:
    clean = "Report text.\nSource: TASS\nMore at https://www.interfax.ru/world/1 today.\n"
    found = find_citations(clean, outlet_for_name={"TASS": "tass"}.get)
    assert [(c.kind, c.cited_outlet_id, c.domain) for c in found] == [
        ("source_line", "tass", None),
        ("inline_url", None, "interfax.ru"),
    ]
    assert found[0].issues == ("no_url",)
