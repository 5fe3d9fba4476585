"""The profile detector (full-page text vs. extracted article text) and its use by ``process``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import html_text
import pytest

from scrubline.boilerplate import Engine, restore
from scrubline.boilerplate.profile import (
    MAX_MARKED,
    MIN_MENU_RUN,
    THRESHOLD,
    choose_profile,
    fullpage_score,
    line_shares,
    line_stats,
)
from scrubline.clean import CleanContext, fullpage_variant, process
from scrubline.cli import main
from scrubline.extract import extract_html
from scrubline.records import Capture

DATA = Path(__file__).parent / "data" / "trafilatura-dev"
T0 = datetime(2026, 1, 1, tzinfo=UTC)

PROSE = (
    "The council voted on Tuesday to extend the tram line to the northern districts, after a "
    "debate that lasted most of the afternoon and ended with a narrow majority.\n"
    "Opponents said the cost estimates were too optimistic and asked for an independent review "
    "of the figures before any contract is signed with the builders.\n"
    "Supporters answered that the districts had waited for a fast connection to the centre for "
    "more than twenty years and that further delay would only raise the price.\n"
    "Work is expected to start next spring, and the first trams could run within four years if "
    "the regional government confirms its share of the funding this summer.\n"
)
MENU = "Home\nNews\nSport\nCulture\nWeather\nTravel\nScience\nOpinion\nPodcasts\nContact\nLog in\nSubscribe\n"
TEASERS = (
    "More stories\nFlooding closes two roads\nNew school opens\nLocal team wins cup\n"
    "Museum reopens after repairs\nMarket moves to square\n"
)
FOOTER = "About us\nImprint\nPrivacy\nTerms of use\n© 2026 The Daily Example\n"
FULLPAGE = MENU + "\nTram line to be extended\n\n" + PROSE + "\n" + TEASERS + FOOTER


def test_fullpage_text_is_recognised_and_article_text_is_not():
    assert choose_profile(FULLPAGE).profile == "fullpage"
    assert fullpage_score(FULLPAGE) >= THRESHOLD
    article = "Tram line to be extended\n\n" + PROSE * 2
    choice = choose_profile(article)
    assert choice.profile == "article" and choice.score is not None and choice.score < THRESHOLD


def test_short_texts_stay_article_and_blank_lines_do_not_break_a_menu_run():
    assert fullpage_score("Home\nNews\nSport") == 0.0  # too few lines to judge
    runs, short, _thin, lines = line_shares("Home\n\nNews\n\nSport\nA line that is long enough here")
    assert lines == 4 and runs == pytest.approx(3 / 4) and short == pytest.approx(3 / 4)


def test_without_a_long_run_of_short_lines_the_text_stays_article():
    # extracted text with subheadings and short lists: many short lines, in short runs only
    section = "Background\nThe plan\nKey dates\n" + PROSE
    text = section * 6
    st = line_stats(text)
    assert fullpage_score(text) >= THRESHOLD and st.longest_run < MIN_MENU_RUN
    assert choose_profile(text).profile == "article"
    # the same text with a page menu in front of it is full-page text
    assert choose_profile(MENU + text).profile == "fullpage"


def test_list_and_table_markup_marks_extracted_text():
    items = "".join(f"{word}\n" for word in ("Flour", "Sugar", "Butter", "Eggs", "Milk", "Salt") * 3)
    plain = items + PROSE
    assert choose_profile(plain).profile == "fullpage"  # a long run of short lines
    marked = "".join(f"- {line}\n" for line in items.splitlines()) + PROSE
    assert line_stats(marked).marked > MAX_MARKED and choose_profile(marked).profile == "article"
    table = "".join(f"| {line} | 100 g |\n" for line in items.splitlines()) + PROSE
    assert choose_profile(table).profile == "article"
    # a page menu written with separators ("Home | News") is no table markup
    assert line_stats("Home | News | Sport\n" + plain).marked == 0.0


def test_a_requested_profile_wins_and_unknown_ones_are_refused():
    choice = choose_profile(FULLPAGE, "article")
    assert (choice.profile, choice.requested, choice.score) == ("article", "article", None)
    with pytest.raises(ValueError, match="unknown profile"):
        choose_profile(FULLPAGE, "menus")
    with pytest.raises(ValueError, match="unknown profile"):
        CleanContext(profile="menus")


def test_the_default_engines_fullpage_variant_is_the_fullpage_profile():
    variant = fullpage_variant(Engine())
    reference = Engine(profile="fullpage")
    assert [r.rule_id for r in variant.rules] == [r.rule_id for r in reference.rules]
    assert variant.version == reference.version != Engine().version


def _capture(text: str) -> Capture:
    return Capture("file:///page.txt", text.encode(), T0, content_type="text/plain")


def test_process_picks_the_profile_records_it_and_keeps_the_ledger_exact():
    result = process(_capture(FULLPAGE), CleanContext())
    doc = result.document
    assert result.stats["profile"] == "fullpage" and result.stats["profile_requested"] == "auto"
    assert result.stats["profile_score"] >= THRESHOLD
    assert doc.ruleset_version == Engine(profile="fullpage").version
    assert "Home\nNews" not in doc.text and "narrow majority" in doc.text
    assert restore(doc.text, result.removed) == doc.text_normalized

    forced = process(_capture(FULLPAGE), CleanContext(profile="article"))
    assert forced.stats["profile"] == "article" and "profile_score" not in forced.stats
    assert forced.document.ruleset_version == Engine().version
    assert len(forced.document.text) > len(doc.text)


def test_real_pages_visible_text_is_fullpage_and_scores_above_their_extraction():
    pages = sorted(DATA.glob("*.html"))
    assert pages
    articles = fullpages = 0
    for page in pages:
        html = page.read_text(encoding="utf-8", errors="replace")
        visible = html_text.extract_text(html, guess_layout=True)
        extracted = extract_html(html).text or ""
        assert fullpage_score(visible) > fullpage_score(extracted), page
        full = choose_profile(visible).profile == "fullpage"
        fullpages += full
        if not full:  # only the menu-run gate may keep a page's visible text article
            assert line_stats(visible).longest_run < MIN_MENU_RUN, page
        articles += choose_profile(extracted).profile == "article"
    assert articles >= len(pages) - 1
    assert fullpages >= len(pages) - 1


def test_clean_cli_records_the_profile_per_document(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "full.txt").write_text(FULLPAGE, encoding="utf-8")
    (folder / "article.txt").write_text("Tram line to be extended\n\n" + PROSE, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(folder), "-o", str(out), "--workers", "1"]) == 0
    records = {Path(r["source"]).name: r for r in map(json.loads, out.read_text().splitlines())}
    assert records["full.txt"]["profile"] == "fullpage"
    assert records["article.txt"]["profile"] == "article"
    assert main(["clean", str(folder), "-o", str(out), "--workers", "1", "--profile", "fullpage"]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["profile"] for r in records} == {"fullpage"}
    assert {r["stats"]["profile_requested"] for r in records} == {"fullpage"}


def test_html_pages_keep_the_article_profile_under_auto_and_take_a_requested_one():
    raw = (DATA / "47ab086c59311b4e.html").read_bytes()
    capture = Capture("https://example.org/a", raw, T0, content_type="text/html")
    auto = process(capture, CleanContext())
    assert auto.stats["profile"] == "article" and "profile_score" not in auto.stats
    forced = process(capture, CleanContext(profile="fullpage"))
    assert forced.stats["profile"] == "fullpage"
    assert forced.document.text_normalized == auto.document.text_normalized
    assert restore(forced.document.text, forced.removed) == forced.document.text_normalized
