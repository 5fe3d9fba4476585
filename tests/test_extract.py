"""extract_html(): main text identical to plain trafilatura, metadata evidence, in-content links."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import trafilatura

from scrubline.decode import decode
from scrubline.extract import ExtractConfig, Extracted, extract_html
from scrubline.records import Evidence, Rejected

DATA = Path(__file__).parent / "data"
REAL = DATA / "trafilatura-dev"
GOLD = json.loads((REAL / "gold-subset.json").read_text(encoding="utf-8"))["pages"]
GOLD_BY_ID = {page["id"]: page for page in GOLD}
URL = "https://courier.example.com/news/harbour-reopens?utm_source=feed"


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def article() -> Extracted:
    html, _ = decode((DATA / "article_en.html").read_bytes(), content_type="text/html")
    return extract_html(html, URL)


def test_main_text_keeps_blocks_on_their_own_lines(article: Extracted) -> None:
    lines = article.text.splitlines()
    assert "What changes for the fleet" in lines
    assert "- Boats longer than 20 metres must use the northern quay until May." in lines
    assert any(line.startswith("The harbour of Port Elwyn reopened") for line in lines)
    for boilerplate in ("Subscribe now", "Most read", "All rights reserved", "Sport"):
        assert boilerplate not in article.text


def test_metadata_fields(article: Extracted) -> None:
    assert article.title == "Harbour reopens after storm"
    assert article.authors == ("Jane Doe", "Omar Said")
    assert article.date == "2024-03-05"
    assert article.sitename == "The Coastal Courier"
    assert article.description == "The harbour reopened on Tuesday after a week of repairs."
    assert article.canonical_url == "https://courier.example.com/news/harbour-reopens"
    assert article.hostname == "example.com"  # trafilatura reports the domain
    assert article.language == "en-GB"
    assert article.flags == ()


def test_every_candidate_is_kept_with_its_source(article: Extracted) -> None:
    cands = set(article.metadata_candidates)
    assert {
        Evidence("json-ld:author", "Jane Doe"),
        Evidence("json-ld:author", "Omar Said"),
        Evidence("json-ld:publisher", "The Coastal Courier"),
        Evidence("json-ld:datePublished", "2024-03-05T08:30:00+00:00"),
        Evidence("json-ld:articleSection", "Local news"),
        Evidence("meta:author", "Jane Doe"),
        Evidence("meta:og:title", "Harbour reopens after storm"),
        Evidence("html:title", "Harbour reopens after storm | The Coastal Courier"),
        Evidence("html:lang", "en-GB"),
        Evidence("link:canonical", "https://courier.example.com/news/harbour-reopens"),
        Evidence("html:byline", "Jane Doe and Omar Said"),
        Evidence("html:h1", "Harbour reopens after storm"),
    } <= cands, sorted(cands, key=str)
    assert Evidence("json-ld:name", "Courier website") not in cands  # describes the site
    assert len(cands) == len(article.metadata_candidates)  # no duplicates


def test_links_are_the_in_content_ones_in_text_order(article: Extracted) -> None:
    assert [(link.anchor, link.url, link.position) for link in article.links] == [
        (
            "council said in a report",
            "https://council.example.org/reports/2024/storm-fund.pdf",
            0,
        ),
        (
            "local fishermen's association",
            "https://courier.example.com/community/fishermen-association",
            1,
        ),
        ("quay rules", "https://courier.example.com/news/notices/quay-rules.html", 2),
    ]
    assert article.links[0].domain == "example.org"
    assert article.links[1].url_canonical == ("https://courier.example.com/community/fishermen-association")
    for link in article.links:
        assert link.anchor in norm(article.text)


def wrap(body: str, head: str = "") -> str:
    filler = " ".join(["The committee met again and discussed the plan at length."] * 6)
    return f"<html><head>{head}</head><body><article><p>{filler}</p>{body}</article></body></html>"


def test_flags_for_suspicious_metadata() -> None:
    head = (
        '<meta name="author" content="Editorial Team">'
        '<meta property="article:published_time" content="2031-02-01T10:00:00Z">'
        '<link rel="canonical" href="https://syndicator.example.net/copy">'
    )
    result = extract_html(wrap("<p>Short note.</p>", head), "https://origin.example.org/story")
    assert result.authors == ("Editorial Team",)
    assert "author_looks_like_boilerplate" in result.flags
    assert "canonical_on_other_domain" in result.flags


def test_short_nav_blocks_do_not_match_inside_longer_lines() -> None:
    html = wrap('<p>The Homeland series returned this week.</p><ul><li><a href="/home">Home</a></li></ul>')
    result = extract_html(html, "https://example.com/a")
    assert [link.anchor for link in result.links] == []


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("", "not parseable as HTML"),
        ("<html><body> </body></html>", "no main text"),
        ("<html><body><script>var x = 1;</script></body></html>", "no main text"),
    ],
)
def test_pages_without_main_text_are_rejected(html: str, reason: str) -> None:
    with pytest.raises(Rejected) as info:
        extract_html(html)
    assert info.value.stage == "extract"
    assert reason in info.value.message


@pytest.mark.parametrize("page", GOLD, ids=[p["id"] for p in GOLD])
def test_real_pages_match_plain_trafilatura_and_gold(page: dict) -> None:
    raw = (REAL / f"{page['id']}.html").read_bytes()
    html, decision = decode(raw, content_type="text/html")
    result = extract_html(html, page["url"])
    # the same decoded text through plain trafilatura gives the same main text
    assert result.text == trafilatura.extract(html, include_comments=False)
    out = norm(result.text)
    found = [segment for segment in page["with"] if norm(segment) in out]
    assert len(found) >= len(page["with"]) - 1
    assert decision.replacement_chars == 0


def test_both_metadata_modes_give_trafilaturas_text() -> None:
    """metadata="trafilatura" adds htmldate and trafilatura's metadata choices; the main text
    and the links do not change."""
    for page in GOLD:
        html, _ = decode((REAL / f"{page['id']}.html").read_bytes(), content_type="text/html")
        ours = extract_html(html, page["url"])
        theirs = extract_html(html, page["url"], config=ExtractConfig(metadata="trafilatura"))
        assert ours.text == theirs.text == trafilatura.extract(html, include_comments=False)
        assert ours.links == theirs.links
        chosen = {e.signal for e in theirs.metadata_candidates if e.signal.startswith("trafilatura:")}
        assert "trafilatura:title" in chosen


def test_config_is_one_object() -> None:
    html = (REAL / "37b1ac7c18d110f0.html").read_bytes().decode("utf-8")
    precise = extract_html(html, config=ExtractConfig(focus="precision", fast=True))
    balanced = extract_html(html)
    assert precise.text and balanced.text
    assert precise.authors == balanced.authors == ("Sarah Hinger", "Sylvia Torres-Guillén")


def test_real_page_link_and_authors() -> None:
    html = (REAL / "37b1ac7c18d110f0.html").read_bytes().decode("utf-8")
    result = extract_html(html, GOLD_BY_ID["37b1ac7c18d110f0"]["url"])
    assert [(link.anchor, link.domain) for link in result.links] == [("landmark settlement", "aclu.org")]
    assert result.date == "2019-07-25"


def test_short_list_items_and_cells_kept_in_the_text_keep_their_links() -> None:
    html = wrap(
        "<ul><li>Report of the ministry in May</li>"
        "<li>A <a href='https://b.example.org/r'>letter</a> sent in June</li>"
        "<li>Minutes of the meeting</li></ul>"
        "<table><tr><td>Budget</td><td><a href='https://c.example.org/t'>table</a></td></tr></table>"
    )
    result = extract_html(html, "https://example.com/a")
    assert "- A letter sent in June" in result.text.splitlines()
    assert "| Budget | table |" in result.text.splitlines()
    assert [link.anchor for link in result.links] == ["letter", "table"]


WIKI_STYLE = """<html><head><title>Port Elwyn - Wikipedia</title></head><body><div id="content">
<h1>Port Elwyn</h1><div class="mw-parser-output">
<p>Port Elwyn is a fishing town on the north coast with about 4,000 inhabitants, most of whom
work in fishing or in the harbour.<sup id="cite_ref-census_1-0" class="reference">
<a href="#cite_note-census-1">[1]</a></sup> The harbour was rebuilt after the storm of
2024.<sup id="cite_ref-2" class="reference"><a href="#cite_note-2">[2]</a></sup> Its quay
reopened in March.<sup id="cite_ref-census_1-1" class="reference">
<a href="#cite_note-census-1">[1]</a></sup></p>
<p>The town council publishes its budget every year, and the fishermen's association keeps
a register of boats that use the northern and southern quays.</p>
<h2><span class="mw-headline" id="References">References</span></h2>
<div class="reflist"><ol class="references">
<li id="cite_note-census-1"><span class="mw-cite-backlink">^
<a href="#cite_ref-census_1-0"><sup>a</sup></a> <a href="#cite_ref-census_1-1"><sup>b</sup></a></span>
<span class="reference-text"><cite class="citation web"><a class="external text"
href="https://stats.example.org/census/2021">"Census 2021"</a>. Statistics Office.</cite>
</span></li>
<li id="cite_note-2"><span class="mw-cite-backlink"><b><a href="#cite_ref-2">^</a></b></span>
<span class="reference-text">Harbour Board annual report, 2024, p. 12.</span></li>
</ol></div></div></div></body></html>"""

PANDOC_STYLE = wrap(
    '<p>Exports rose by a third.<a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref">'
    "<sup>1</sup></a> The ministry disputes the figure."
    '<a href="#fn2" class="footnote-ref"><sup>2</sup></a></p>'
    '<section class="footnotes" role="doc-endnotes"><hr /><ol><li id="fn1"><p>Trade statistics, '
    '<a href="https://stat.example.org/trade">stat.example.org</a>.'
    '<a href="#fnref1" class="footnote-back" role="doc-backlink">↩︎</a></p></li>'
    '<li id="fn2"><p>Letter of the ministry, 4 May.</p></li></ol></section>'
)


def test_wikipedia_style_references_become_text_endnotes() -> None:
    result = extract_html(WIKI_STYLE, "https://wiki.example.org/wiki/Port_Elwyn")
    assert "most of whom work in fishing or in the harbour.[1]" in norm(result.text)
    assert "after the storm of 2024.[2] Its quay reopened in March.[1]" in norm(result.text)
    assert result.html_notes == (
        '[1] "Census 2021". Statistics Office. https://stats.example.org/census/2021',
        "[2] Harbour Board annual report, 2024, p. 12.",
    )
    tail = result.text.splitlines()[-3:]
    assert tail == ["References", *result.html_notes]  # the list's own heading, once
    assert result.text.count("References") == 1 and "^" not in result.text


def test_html_notes_become_footnote_rows_through_the_clean_path() -> None:
    from datetime import UTC, datetime

    from scrubline.clean import CleanContext, process
    from scrubline.records import Capture

    url = "https://blog.example.org/exports"
    capture = Capture(url, PANDOC_STYLE.encode(), datetime.now(UTC), "text/html")
    result = process(capture, CleanContext.default())
    assert "Exports rose by a third.[1] The ministry" in result.document.text
    assert "Trade statistics" not in result.document.text  # the notes block is removed once
    note, letter = [f for f in result.footnotes if f.kind == "endnote"]
    assert (note.marker, note.url, note.domain, note.issues) == (
        "[1]", "https://stat.example.org/trade", "example.org", ()
    )
    assert (letter.note_text, letter.issues) == ("Letter of the ministry, 4 May.", ("no_url",))
    assert result.document.text[note.ref_offsets[0] : note.ref_offsets[0] + 3] == "[1]"


def test_sup_without_a_note_target_is_left_alone() -> None:
    html = wrap('<p>Area: 12 km<sup>2</sup> and <sup><a href="#missing">3</a></sup> more.</p>')
    result = extract_html(html)
    assert result.html_notes == ()
    assert result.text == trafilatura.extract(html, include_comments=False)


# --- parse_html: trafilatura's load_html tree, built from UTF-8 bytes --------------------

_PARSE_CASES = {
    **{f"real page {page['id']}": page["id"] for page in GOLD},  # decoded from the test corpus
    "control characters": "<html><body><p>a\x00b\x0cc</p><p>second</p></body></html>",
    "noncharacter U+FFFF": "<html><body><p>a\uffffb</p><p>second</p></body></html>",
    "replacement char kept": "<html><body><p>a\ufffdb \uff01</p><p>second</p></body></html>",
    "doctype load_html rewrites": '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x/y">\n'
    "<html><body><p>a</p><p>b</p></body></html>",
    "self-closing html": '<html lang="de"/>\n<body><p>Grüße</p><p>b</p></body>',
    "xml declaration": '<?xml version="1.0" encoding="utf-8"?><html><body><p>é</p><p>b</p></body></html>',
    "meta charset ignored": '<html><head><meta charset="iso-8859-1"></head>'
    "<body><p>Grüße ✓ 😀</p></body></html>",
    "lone surrogate": "<html><body><p>\ud800</p><p>b</p></body></html>",
    "fragment": "<p>only a paragraph</p>",
    "not html": "just some words",
}


@pytest.mark.parametrize("case", sorted(_PARSE_CASES))
def test_parse_html_builds_the_tree_load_html_builds(case: str) -> None:
    from lxml import etree
    from trafilatura.utils import load_html

    from scrubline.extract import parse_html

    html = _PARSE_CASES[case]
    if case.startswith("real page"):
        html, _ = decode((REAL / f"{html}.html").read_bytes(), content_type="text/html")
    expected, got = load_html(html), parse_html(html)
    assert (expected is None) == (got is None)
    if expected is not None:
        assert etree.tostring(got, encoding="unicode") == etree.tostring(expected, encoding="unicode")


def test_anchor_texts_found_in_one_pass_equal_a_scan_per_anchor() -> None:
    from scrubline.extract import _occurring

    text = "Der Hafen von Port Elwyn öffnete am Montag; the fleet returns. Homeland security"
    needles = {"Hafen", "Port Elwyn", "öffnete", "fleet returns", "Home", "Sport", "Über uns",
               "security", "NEXT ARTICLE", "e", "Montag; the", "Elwyn  öffnete"}  # fmt: skip
    expected = {needle for needle in needles if needle in text}
    assert _occurring(text, needles) == expected  # 12 needles: the Aho-Corasick path
    assert _occurring(text, set(sorted(needles)[:5])) == {n for n in sorted(needles)[:5] if n in text}
    assert "Sport" not in expected and "Home" in expected  # both answers are non-trivial


_SIGNAL_PAGES = [
    '<html><body><p class="x byline">By Jane Doe</p><p>Text.</p></body></html>',
    "<html><body><p CLASS='it\"s author-name'>Jane Doe</p><p>Text.</p></body></html>",
    "<html><body><span class=post-date>5 March 2024</span><p>Text.</p></body></html>",
    '<html><body><span itemprop="author">Jane Doe</span><a rel="license" href="/cc">cc</a></body></html>',
    '<html><body><TIME datetime="2024-03-05">Tuesday</TIME><p>Text.</p></body></html>',
    "<html><body><p>No signal here at all.</p></body></html>",
]


@pytest.mark.parametrize("html", _SIGNAL_PAGES + [f"real:{page['id']}" for page in GOLD])
def test_signal_branches_left_out_by_the_byte_scan_could_not_have_matched(html: str) -> None:
    from scrubline.extract import ALL_SIGNALS, _page_candidates, _signal_hints, parse_html

    synthetic = not html.startswith("real:")
    if not synthetic:
        html, _ = decode((REAL / f"{html[5:]}.html").read_bytes(), content_type="text/html")
    tree = parse_html(html)
    hinted, _ = _page_candidates(tree, URL, _signal_hints(html.encode("utf-8")))
    full, _ = _page_candidates(tree, URL, ALL_SIGNALS)
    assert hinted == full
    kinds = {"html:byline", "html:date-text", "html:time", "html:time-pubdate", "html:license"}
    element_signals = [e for e in full if e.signal in kinds or e.signal.startswith("microdata:")]
    if synthetic:  # each synthetic page but the last has a signal the scan must not drop
        assert bool(element_signals) == ("No signal" not in html)


def test_signal_hints_name_the_branches_a_page_can_match() -> None:
    from scrubline.extract import _signal_hints

    # class hints in _CLASS_HINTS order (uthor, yline, date, posted, publish), then itemprop,
    # rel, time
    assert _signal_hints(b'<p class="byline">x</p>') == {1}
    assert _signal_hints(b"<p Class='post-date'><time datetime=x>") == {2, 7}
    assert _signal_hints(b'<a rel=author itemprop="headline">') == {5, 6}
    assert _signal_hints(b"<p>author date</p>") == frozenset()  # words in text are no class
