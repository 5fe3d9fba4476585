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


def decide(registry, text="", removed=(), uri="local:x/a.txt", hint=None, sitename=None, authors=(),
           page_urls=()):  # fmt: skip
    signals = read_signals(text, list(removed), registry)
    return attribute(source_uri=uri, outlet_hint=hint, sitename=sitename, metadata_authors=authors,
                     signals=signals, registry=registry, page_urls=page_urls)  # fmt: skip


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


# --------------------------------------------------------------------------- page metadata


def test_page_url_of_an_unknown_site_is_a_provisional_outlet_named_by_its_site_name(registry) -> None:
    footer = RemovedSpan(10, 50, "lexicon_copyright", 3, "copyright", "© 2024 Caucasus Watch.")
    who = decide(registry, "Some text.", removed=[footer], sitename="Die FURCHE",
                 page_urls=("https://www.furche.at/gesellschaft/x-2497954",))  # fmt: skip
    assert who.attribution.outlet_id == "furche_at"
    assert who.provisional == who.provisional.__class__(
        "furche_at", "Die FURCHE", domains=("furche.at",), provisional=True,
        notes="from the page's declared URL",
    )  # fmt: skip
    assert who.attribution.confidence == 0.85  # above the footer's copyright holder
    assert [e.signal for e in who.attribution.evidence] == ["page-url"]


def test_page_url_in_the_registry_attributes_to_the_registered_outlet(registry) -> None:
    who = decide(registry, "Text.", page_urls=("/relative/only", "https://www.reuters.com/world/a-1/"))
    assert who.attribution.outlet_id == "reuters"
    assert who.provisional is None
    assert who.attribution.evidence[0] == who.attribution.evidence[0].__class__("page-url", "reuters.com")


def test_site_name_alone_matches_the_registry_or_names_a_provisional_outlet(registry) -> None:
    assert decide(registry, "Text.", sitename="Reuters").attribution.outlet_id == "reuters"
    who = decide(registry, "Text.", sitename="Osthessen News")
    assert who.attribution.outlet_id == "osthessen_news"
    assert who.provisional.name == "Osthessen News" and who.provisional.domains == ()


def test_site_name_that_does_not_fit_the_declared_domain_does_not_name_it(registry) -> None:
    """A copy declaring its original's canonical URL: the id follows the URL, the other site's
    name is not given to it."""
    who = decide(registry, "Text.", sitename="vorangedacht", page_urls=("https://www.cicero.de/a/b",))
    assert who.attribution.outlet_id == "cicero_de" and who.provisional.name == "cicero.de"
    # a domain the site name fits is preferred among the declared URLs
    urls = ("https://www.coolimba.com/view/x/", "http://www.chocolate.com/view/y/")
    who = decide(registry, "Text.", sitename="www.chocolate.com", page_urls=urls)
    assert who.attribution.outlet_id == "chocolate_com"


def test_percent_encoded_and_archived_page_urls_give_the_publisher(registry) -> None:
    who = decide(registry, "Text.", page_urls=("https%3A%2F%2Fwww.siegessaeule.de%2Fmagazin%2F",))
    assert who.attribution.outlet_id == "siegessaeule_de"
    who = decide(
        registry, "Text.", uri="https://web.archive.org/web/20130307194448/the-pain.net/2008/05/a.html"
    )
    assert who.attribution.outlet_id == "the_pain_net"


def test_source_domain_still_beats_the_declared_page_url(registry) -> None:
    who = decide(registry, "Text.", uri="https://www.reuters.com/world/x", sitename="TASS",
                 page_urls=("https://tass.ru/politika/1",))  # fmt: skip
    assert who.attribution.outlet_id == "reuters"
    assert [e.signal for e in who.attribution.evidence] == ["domain", "page-url"]


def test_unknown_source_domain_takes_its_name_from_a_fitting_site_name(registry) -> None:
    who = decide(
        registry, "Text.", uri="https://www.haitiantimes.com/2022/04/26/x/", sitename="The Haitian Times"
    )
    assert who.provisional.outlet_id == "haitiantimes_com" and who.provisional.name == "The Haitian Times"


@pytest.mark.parametrize(
    "credit",
    ["© Shutterstock", "© 2023 Getty Images/AFP", "Copyright iStockphoto.com", "© imago images / Sven Simon"],
)
def test_photo_agency_credits_never_name_the_publisher(registry, credit: str) -> None:
    footer = RemovedSpan(10, 10 + len(credit), "lexicon_copyright", 3, "copyright", credit)
    who = decide(registry, "Some text.", removed=[footer])
    assert who.attribution.outlet_id is None and who.provisional is None
    assert decide(registry, "Text.", sitename="Shutterstock").attribution.outlet_id is None


def test_a_saved_page_is_attributed_from_its_metadata(tmp_path) -> None:
    """The whole path on a saved page (a local file: no URL): canonical link, og:site_name and
    JSON-LD publisher attribute it; a stock-photo credit in its footer does not."""
    from datetime import UTC, datetime

    from scrubline.clean import CleanContext, process
    from scrubline.records import Capture

    body = "".join(f"<p>Paragraph {i} of the story, long enough to be kept as the main text of it.</p>"
                   for i in range(8))  # fmt: skip
    html = f"""<!doctype html><html lang="de-AT"><head><title>Sturm | Kärntner Bote</title>
<link rel="canonical" href="https://www.kaerntner-bote.at/2024/03/sturm">
<meta property="og:site_name" content="Kärntner Bote">
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Sturm",
 "publisher": {{"@type": "Organization", "name": "Kärntner Bote"}}}}</script></head>
<body><article><h1>Sturm</h1>{body}</article><footer>© Shutterstock</footer></body></html>"""
    capture = Capture("local:pages/sturm.html", html.encode(), datetime(2024, 3, 5, tzinfo=UTC), "text/html")
    result = process(capture, CleanContext.default())
    doc = result.document
    assert doc.outlet.outlet_id == "kaerntner_bote_at"
    assert result.stats["provisional_outlet"].name == "Kärntner Bote"
    assert ("page-url", "kaerntner-bote.at") in [(e.signal, e.value) for e in doc.outlet.evidence]
    assert (doc.language, doc.language_region) == ("de", "AT")
    signals = [e.signal for e in doc.metadata_evidence]
    assert "language:declared" in signals and "language:py3langid" in signals
