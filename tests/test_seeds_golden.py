"""Golden behaviour on the bundled seed corpus (issue 2): pure path, no Prefect, no DuckDB."""

from __future__ import annotations

import pytest

from scrubline.boilerplate import restore
from scrubline.clean import CleanContext, process_batch
from scrubline.ingest import read_inputs
from scrubline.resources import seeds_dir


@pytest.fixture(scope="module")
def seeds() -> dict[str, object]:
    captures, rejects = read_inputs([seeds_dir()])
    assert rejects == []
    results, failed = process_batch(captures, CleanContext.default())
    assert failed == []
    return {r.document.source_uri.rsplit("/", 1)[-1][:3]: r for r in results}


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def test_all_five_seeds_are_cleaned_reversibly(seeds):
    assert sorted(seeds) == ["000", "001", "002", "003", "004"]
    for result in seeds.values():
        doc = result.document
        assert restore(doc.text, result.removed) == doc.text_normalized


@pytest.mark.parametrize("name", ["000", "002", "004"])
def test_plain_articles_lose_nothing(seeds, name):
    result = seeds[name]
    assert result.removed == ()
    assert result.document.text == result.document.text_normalized


def test_001_closing_block_and_promo_removed_reporting_kept(seeds):
    result = seeds["001"]
    removed = " ".join(s.text for s in result.removed)
    for gone in (
        "Follow us everywhere and at any time.",
        "Subscribe to Google News",
        ">>Be a reporter: Write and send your article.<<",
        "Editorial team",
        "Read more: 24/7 – All about Nagorno-Karabakh conflict",
    ):
        assert gone in removed
        assert gone not in result.document.text
    kept = paragraphs(result.document.text)
    original = paragraphs(result.document.text_normalized)
    # every line that is not one of the five removed lines stays, headings included
    assert len(original) - len(kept) == 5
    for line in (
        "Downed helicopter and destroyed missile systems in Nagorno-Karabakh, US warned its citizens",
        "Russia delivered 400 tons of weapons and missile systems to Armenia against Turks and Azeris",
        "Nagorno-Karabakh conflict",
    ):
        assert line in kept
    assert kept[1].startswith("BAKU, (BM) – Tensions between Armenia and Azerbaijan")
    assert kept[-1].startswith("At the same time, the head of the Russian Foreign Ministry")
    assert result.document.dateline == "BAKU"
    assert result.document.outlet.outlet_id == "bulgarianmilitary"


def test_003_endnotes_become_footnotes_linked_to_markers(seeds):
    result = seeds["003"]
    text = result.document.text
    notes = result.footnotes
    assert [f.marker for f in notes] == [f"[{r}]" for r in (
        ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv"]
    )]  # fmt: skip
    for note in notes:
        assert len(note.ref_offsets) == 1
        offset = note.ref_offsets[0]
        assert text[offset : offset + len(note.marker)] == note.marker
    by_marker = {f.marker: f for f in notes}
    assert by_marker["[ii]"].issues == ("local_file_path",)
    assert by_marker["[xiii]"].issues == ("no_url",)
    assert by_marker["[i]"].domain == "ordu.az"
    assert by_marker["[iv]"].cited_outlet_id == "reuters"
    assert by_marker["[x]"].url_canonical == "https://www.youtube.com/watch?v=UA93oDdrwG8"
    assert "https://ordu.az/az/news/346979" not in text  # the list left the body


def test_003_footer_removed_author_and_outlet_recorded(seeds):
    result = seeds["003"]
    text = result.document.text
    categories = {s.category for s in result.removed}
    assert {"endnotes_block", "related", "copyright", "contact", "footer", "author_bio"} <= categories
    for gone in (
        "You may also like",
        "All rights reserved",
        "Non-governmental organization",
        "All materials posted on this website",
        "protected]",
        "+374 55 342 639",
        "Azatutyan 2A",
    ):
        assert gone not in text
    assert text.rstrip().endswith("which will only deepen their mutual dependence over time.")
    assert "Introduction" in paragraphs(text)
    assert result.document.authors == ("Narek Minasyan",)
    assert result.document.outlet.outlet_id == "rcsp"
    signals = {e.signal for e in result.document.outlet.evidence}
    assert {"byline", "footer"} <= signals
