"""Properties of the boilerplate engine: it never crashes, removal is exactly reversible,
spans are disjoint and ordered, and the fast paths agree with plain reference versions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scrubline.boilerplate import DocView, Engine, apply_spans, merge_spans, restore
from scrubline.boilerplate.cues import line_cues, line_cues_reference
from scrubline.boilerplate.lexicon import Lexicon, default_lexicon, parse_phrases
from scrubline.boilerplate.linemodel import LineModelRule
from scrubline.boilerplate.rules import _CONTACT_LINE, MainZoneRule, _contact_candidates
from scrubline.boilerplate.shapes import CaptionLineRule
from scrubline.records import Span

ENGINES = [Engine(), Engine(profile="fullpage")]
PHRASES = sorted({p.text for p in default_lexicon().phrases})
BODY = (
    "The ministry said on Tuesday that the new rules would apply to all regional offices "
    "from the first of January."
)

# pieces that exercise the rules: boilerplate phrases, body lines, contact items, notes,
# unicode, NBSP, CRLF, long lines
pieces = st.one_of(
    st.sampled_from(PHRASES).map(lambda p: p.capitalize()),
    st.sampled_from(PHRASES).map(str.upper),
    st.sampled_from(PHRASES).map(str.title),
    st.sampled_from([BODY, "© 2024", "[i] https://a.org/x", "[ii] Book, p. 3", "Tel.: +49 30 1234567",
                     "news@example.org", "[email\u00a0protected]", "1992-1994", ">>", "|", "·",
                     "Abbildung 4: ", "{{#images}}", "{{/images}}", "{{ x }}", "About the author"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(["\n", "\r\n", "\n\n", "\u00a0", " ", "\t", "\u2028", "x" * 3000]),
)
documents = st.lists(pieces, max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_run_is_reversible(text: str) -> None:
    for engine in ENGINES:
        clean, removed = engine.run(text)
        assert restore(clean, removed) == text
        last = 0
        for span in removed:
            assert last <= span.start < span.end <= len(text)
            assert text[span.start : span.end] == span.text
            last = span.end


def _merge_reference(spans: list[Span]) -> list[Span]:
    """The original O(n^2) merge: earlier spans win, later ones keep what they add."""
    kept: list[Span] = []
    for span in spans:
        pieces = [span]
        for other in kept:
            out = []
            for p in pieces:
                if other.end <= p.start or other.start >= p.end:
                    out.append(p)
                    continue
                if p.start < other.start:
                    out.append(Span(p.start, other.start, p.rule_id, p.rule_version, p.category))
                if p.end > other.end:
                    out.append(Span(other.end, p.end, p.rule_id, p.rule_version, p.category))
            pieces = out
        kept.extend(p for p in pieces if p.end > p.start)
    return sorted(kept, key=lambda s: s.start)


spans = st.lists(
    st.tuples(st.integers(0, 60), st.integers(0, 20), st.sampled_from("abc")).map(
        lambda t: Span(t[0], t[0] + t[1], t[2], 1, t[2])
    ),
    max_size=25,
)


@settings(max_examples=500, deadline=None)
@given(spans)
def test_merge_spans_matches_reference(found: list[Span]) -> None:
    assert merge_spans(found) == _merge_reference(found)


@settings(max_examples=200, deadline=None)
@given(documents)
def test_apply_then_restore(text: str) -> None:
    n = len(text)
    cut = [Span(i, min(n, i + 3), "x", 1, "x") for i in range(0, n, 7)]
    clean, removed = apply_spans(text, merge_spans(cut))
    assert restore(clean, removed) == text


@settings(max_examples=200, deadline=None)
@given(documents)
def test_contact_candidates_cover_every_contact_line(text: str) -> None:
    """The C-level prefilter never misses a line the per-line check would accept."""
    doc = DocView(text)
    candidates = _contact_candidates(doc)
    last_body = doc.last_body_line()
    for i, raw in enumerate(doc.raw_lines):
        stripped = raw.strip()
        accepted = stripped and _CONTACT_LINE.fullmatch(stripped)
        if accepted and ("@" in stripped or "protected" in stripped.lower() or i > last_body):
            assert i in candidates


def test_contact_candidates_find_the_placeholder_in_any_case() -> None:
    """Hypothesis found "[EMAIL PROTECTED]" missed by a case-sensitive search."""
    doc = DocView(f"{BODY}\n[EMAIL PROTECTED]\nKontakt: [email\u00a0protected]\n")
    assert _contact_candidates(doc) >= {1, 2}


def test_body_line_helpers_agree() -> None:
    text = f"Menu\n\n{BODY}\n\nShort line\n{BODY}\nTail"
    doc = DocView(text)
    assert doc.body_lines == [i for i in range(len(doc)) if doc.line(i).body_like]
    assert doc.last_body_line() == doc.body_lines[-1]
    assert len(doc.body_lines) == 2
    assert doc.last_body_line(lambda i: i == doc.body_lines[-1]) == doc.body_lines[0]


def test_the_zone_rule_only_in_fullpage_profile() -> None:
    """The fullpage profile's zone rule is the line model (which reads main_zone's zones as a
    feature); the article profile has neither."""
    assert not any(isinstance(r, MainZoneRule | LineModelRule) for r in Engine().rules)
    assert any(isinstance(r, LineModelRule) for r in Engine(profile="fullpage").rules)
    assert not any(isinstance(r, MainZoneRule) for r in Engine(profile="fullpage").rules)
    assert Engine().version != Engine(profile="fullpage").version


def test_main_zone_keeps_pages_without_body() -> None:
    text = "Alpha\nBeta gamma\nDelta\nEpsilon zeta eta\n"
    assert list(MainZoneRule().detect(DocView(text))) == []
    assert Engine(profile="fullpage").run(text)[0] == text


def test_main_zone_removes_nothing_when_it_would_take_most_of_the_text() -> None:
    """v3: a short dense paragraph among many lines of short items (a recipe's ingredient
    list, a documentation page's option list): the zone is no clear main content, so the
    items stay; with a menu around a real article the menu still goes."""
    rule = MainZoneRule()
    prose = "The dough rests for an hour before it is rolled out and cut into small squares."
    items = "".join(f"{n} g of item number {n}\n" for n in range(10, 70))
    text = f"{items}\n{prose}\n"
    doc = DocView(text)
    assert rule.zones(doc)  # there is a zone, but everything else would go
    assert list(rule.detect(doc)) == []
    assert Engine(profile="fullpage").run(text)[0] == text
    menu = "".join(f"{w}\n" for w in ("Home", "News", "Sport", "Weather", "Contact", "Log in"))
    page = f"{menu}\n{BODY}\n{BODY}\n"
    spans = list(rule.detect(DocView(page)))
    assert spans and page[spans[0].start : spans[0].end].startswith("Home")


def test_seed_like_section_heading_stays() -> None:
    text = f"{BODY}\n\nNagorno-Karabakh conflict\n\n{BODY}\n"
    for engine in ENGINES:
        assert "Nagorno-Karabakh conflict" in engine.run(text)[0]


# --------------------------------------------------------------------------- lexicon scanners

LEADS = ["", " ", "\t", "• ", "» ", "- ", "\u00a0", "> ", "(", "«", "“", "# ", "[", "x"]
lead_lines = st.tuples(st.sampled_from(LEADS), pieces, st.sampled_from(["\n", " ", ": ", ""])).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(lead_lines, pieces), max_size=30).map("".join))
def test_fast_scanner_matches_reference(text: str) -> None:
    """hyperscan (line starts + lead pieces, on the text as it is) and the Aho-Corasick
    reference (on the lowercased text) agree exactly: same hits, same order, anchored
    phrases only at a line's lead; phrases in lower, UPPER, Capitalized and Title Case."""
    lexicon = default_lexicon()
    lowered = DocView(text).lowered
    assert lexicon.line_hits(text) == lexicon.line_hits_reference(lowered)
    assert lexicon.line_hits(lowered) == lexicon.line_hits_reference(lowered)


def test_fast_scanner_non_ascii_and_surrogates() -> None:
    lexicon = default_lexicon()
    text = (
        "ÜBER UNS \ud800\n » Teilen\n  Ähnliche Artikel\n© 2024 ä\n\u00a0NEWSLETTER abonnieren\n"
        "ЧИТАЙТЕ ТАКЖЕ\nZurÜck\n"
    )
    lowered = DocView(text).lowered
    hits = lexicon.line_hits(text)
    assert hits == lexicon.line_hits_reference(lowered)
    assert {lowered[h.start : h.end] for h in hits} >= {
        "teilen", "©", "newsletter abonnieren", "ähnliche artikel", "читайте также", "zurück"
    }  # fmt: skip


def test_case_variants_cover_the_case_forms_of_non_ascii_letters() -> None:
    """ASCII letters match in any case (the scan is caseless); other letters in both cases
    up to three of them, else in the phrase's lower, UPPER, Capitalized and Title forms."""
    from scrubline.boilerplate.lexicon import case_variants

    assert case_variants("zurück") == ["zurÜck", "zurück"]
    assert case_variants("größe") == ["grÖße", "grÖẞe", "größe", "gröẞe"]
    assert set(case_variants("читайте также")) == {
        "читайте также", "ЧИТАЙТЕ ТАКЖЕ", "Читайте также", "Читайте Также"
    }  # fmt: skip
    assert case_variants("ızləyin") == ["ızlƏyin", "ızləyin"]  # "I" lowercases to "i", not "ı"


def test_line_final_phrases_count_only_at_a_lines_end() -> None:
    """"findest du hier$": at the end of a line (closing punctuation allowed), not before a
    colon (it introduces what follows) nor inside the line; both scanners agree."""
    lexicon = Lexicon(parse_phrases({"promo": ["findest du hier$"]}, "de"))
    text = "Alles findest du HIER.\nDas findest du hier nicht\nDen Plan findest du hier:\n» findest du hier »"
    lowered = DocView(text).lowered
    hits = lexicon.line_hits(lowered)
    assert hits == lexicon.line_hits_reference(lowered)
    assert [DocView(text).line_of(h.start) for h in hits] == [0, 3]
    assert all(h.phrase.final and not h.phrase.anchored for h in hits)


def test_caption_lines_found_on_every_line_including_the_first() -> None:
    text = f"Abb. 1: Karte der Region\n{BODY}\nFigure 2. Sales by region\nFigure 2 shows the sales.\n"
    doc = DocView(text)
    spans = list(CaptionLineRule().detect(doc))
    assert [doc.line_of(s.start) for s in spans] == [0, 2]


def test_lexicon_pickles() -> None:
    """Engines travel to worker processes: the compiled matcher is rebuilt there."""
    import pickle

    engine = pickle.loads(pickle.dumps(Engine()))
    text = f"{BODY}\n\nFollow us on Twitter\n"
    assert engine.run(text) == Engine().run(text)


def test_line_spaces_are_pythons_whitespace() -> None:
    """The hyperscan lead patterns list Python's whitespace by hand: check it."""
    import sys

    from scrubline.boilerplate.lexicon import LINE_SPACES

    expected = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()} - {"\n"}
    assert set(LINE_SPACES) == expected


def test_line_cues_mark_the_openings_the_shape_rules_check():
    """One scan marks contact, caption and note openings (line 0 and indented lines too);
    other lines are not candidates."""
    text = (
        "[1] https://example.org/a\n"  # 0 note, line 0
        "Body sentence about the clash.\n"  # 1
        "  E-Mail: desk@example.org\n"  # 2 contact, indented
        "ABBILDUNG 4: Karte der Region\n"  # 3 caption, uppercase
        "\u00a0+49 30 1234567\n"  # 4 contact after a no-break space
        "12. März 2024\n"  # 5 note-like opening ("12.")
        "Fig ure 2 is not a label\n"  # 6 nothing
    )
    cues = line_cues(DocView(text))
    assert cues == {"contact": [2, 4], "caption": [3], "note": [0, 5], "download": [], "placeholder": []}
    assert line_cues_reference(DocView(text)) == cues


CUE_OPENINGS = ["E-Mail: ", "tel.", "TEL ", "+", "Телефон ", "Abb. 3: ", "Figure ", "[iv] ", "^2 ", "¹ ",
                "12. ", "(3) ", "٣. ", "1234. ", "x ", "PDF | 38 KB", "(pdf, ٣mb)", "zip 2 kbä ",
                "(PDF, 3 МБ)", "РИС. 3: ", "ŞƏKİL 2: "]  # fmt: skip
cue_lines = st.tuples(st.sampled_from(LEADS), st.sampled_from(CUE_OPENINGS), pieces).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(cue_lines, pieces, st.just("\n")), max_size=30).map("".join))
def test_cue_scanners_agree(text: str) -> None:
    """hyperscan and the ``re`` reference mark the same lines (non-ASCII digits and spaces,
    line 0, lines after blank lines, lone surrogates: the reference runs)."""
    assert line_cues(DocView(text)) == line_cues_reference(DocView(text))


def test_grouped_lexicon_rules_give_the_spans_of_the_rules_one_by_one() -> None:
    """The engine runs consecutive lexicon rules as one call (engine.by_stage); the spans
    must be those of the rules run one by one, also with a lexicon rule disabled."""
    from scrubline.boilerplate.engine import by_stage, detect_staged
    from scrubline.boilerplate.rules import LexiconRules

    text = (
        f"Cookies: we use cookies to improve your experience.\n{BODY}\nRead more: Why it matters\n"
        "Follow us on Twitter\nAdvertisement\n© 2024 Example Media. All rights reserved.\n"
        "Impressum | Datenschutz\nStartseite\n"
    )
    for engine in (Engine(), Engine().without(["lexicon_social"])):
        one_by_one = [
            [r for r in engine.rules if r.stage == stage] for stage in sorted({r.stage for r in engine.rules})
        ]
        grouped = by_stage(engine.rules)
        assert any(isinstance(r, LexiconRules) for stage in grouped for r in stage)
        doc = DocView(text)
        spans = detect_staged(doc, grouped)
        assert spans == detect_staged(DocView(text), one_by_one)
        assert {s.rule_id for s in spans} >= {"lexicon_cookie", "lexicon_copyright"}
