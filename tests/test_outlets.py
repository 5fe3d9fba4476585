"""Outlet attribution: the strongest signal wins, agreeing signals add confidence, unknown
publishers become provisional outlets, and every decision keeps its evidence."""

from __future__ import annotations

import pytest

from scrubline.outlets import OutletRegistry, attribute, read_signals
from scrubline.records import RemovedSpan
from scrubline.resources import seeds_dir


@pytest.fixture(scope="module")
def registry() -> OutletRegistry:
    return OutletRegistry.load(seeds_dir() / "outlets.csv")


def decide(registry, text="", removed=(), uri="local:x/a.txt", hint=None, sitename=None, authors=()):
    signals = read_signals(text, list(removed), registry)
    return attribute(source_uri=uri, outlet_hint=hint, sitename=sitename, metadata_authors=authors,
                     signals=signals, registry=registry)  # fmt: skip


def test_registry_covers_seed_outlets_cited_sites_and_wires(registry) -> None:
    for domain in ("rcsp.am", "ordu.az", "kremlin.ru", "tass.ru", "reuters.com", "apnews.com", "afp.com"):
        assert registry.by_domain(domain), domain
    assert registry.by_domain("www.interfax.ru") == "interfax"  # registered domain, public-suffix aware
    assert registry.by_label("RCSP") == "rcsp"


def test_source_domain_beats_text_signals(registry) -> None:
    who = decide(registry, "MOSCOW, (TASS) – Text", uri="https://www.reuters.com/world/x")
    assert who.attribution.outlet_id == "reuters"
    assert who.attribution.confidence == 0.95
    assert [e.signal for e in who.attribution.evidence] == ["domain", "dateline"]


def test_dateline_agency_code_and_place(registry) -> None:
    who = decide(registry, "BAKU, (BM) – Tensions escalated again on Sunday.")
    assert who.attribution.outlet_id == "bulgarianmilitary"
    assert who.dateline == "BAKU"
    agency = next(e for e in who.attribution.evidence if e.signal == "dateline")
    assert (agency.start, agency.end) == (7, 9)


def test_byline_naming_a_person_is_an_author_not_an_outlet(registry) -> None:
    who = decide(registry, "Title\n\nby Jane Doe\n\nText.", hint="reuters")
    assert who.authors == ("Jane Doe",)
    assert who.attribution.outlet_id == "reuters"
    assert who.attribution.evidence[0].signal == "manifest"


def test_agreeing_signals_raise_confidence(registry) -> None:
    footer = RemovedSpan(50, 90, "lexicon_copyright", 3, "copyright",
                         "© 2025 Research Center on Security Policy", "")  # fmt: skip
    who = decide(registry, "Title\n\nby RCSP\n\n" + "x" * 40, removed=[footer])
    assert who.attribution.outlet_id == "rcsp"
    assert who.attribution.confidence == pytest.approx(0.75)


def test_unknown_domain_becomes_a_provisional_outlet(registry) -> None:
    who = decide(registry, "Text.", uri="https://news.example-daily.co.uk/a/1")
    assert who.provisional is not None and who.provisional.provisional
    assert who.provisional.domains == ("example-daily.co.uk",)
    assert who.attribution.outlet_id == who.provisional.outlet_id == "example_daily_co_uk"


def test_unknown_copyright_holder_becomes_a_provisional_outlet(registry) -> None:
    footer = RemovedSpan(10, 50, "lexicon_copyright", 3, "copyright",
                         "© 2024 Caucasus Watch. All rights reserved.")  # fmt: skip
    who = decide(registry, "Some text.", removed=[footer])
    assert who.attribution.outlet_id == "caucasus_watch"
    assert who.provisional.name == "Caucasus Watch"


def test_no_signal_no_outlet(registry) -> None:
    who = decide(registry, "Plain text without any publisher signal.")
    assert who.attribution.outlet_id is None and who.attribution.confidence == 0.0
