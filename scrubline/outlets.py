"""Outlets: the hand-kept registry and the attribution of a document to its publisher.

Signals, strongest first: the source URL's registered domain, the sources manifest, the
page's own declarations (the host of its canonical URL / ``og:url``, then its site name:
``og:site_name``, JSON-LD publisher), then text: a byline ("by RCSP"), a dateline agency code
("BAKU, (BM) –"), an outlet named in the footer the boilerplate engine removed. The chosen
outlet comes with a confidence and every signal seen; unknown publishers become provisional
outlets rather than being dropped: from the page's domain (id from the registered domain, name
from the site name when the site name fits the domain), else from the site name, else from a
footer's copyright holder. A credit naming a photo or stock agency (``data/photo_agencies.txt``)
never names the publisher.

Measured on the 300 trafilatura-dev pages read as saved files (``bench/attribution.py``: no
source URL), 2026-12-02: 8 pages had an outlet before, all from footer credits ("Shutterstock",
"GEPA" and "CTMG" among them); 281 after, 278 by the page's declared URL, 2 by the site name
alone, 1 by a footer credit (all provisional: no dev-set site is in the seed registry). The
outlet's domain is the registered domain of the page's gold URL on 262 of the 263 pages where
both exist; the other declares a syndicated original's canonical URL (cicero.de on a
vorangedacht.de copy). The 19 left declare neither a usable URL nor a site name. Held out
(not looked at while writing the rules): wcxb-dev, 1,349 pages cleaned, 1,257 attributed
(1,235 by the declared URL, 18 by the site name, 4 by a footer); the domain is the gold URL's
on 1,224 of 1,234 comparable pages, the 10 others a sister domain of the same publisher
(thomann.co.uk on thomann.de, go.dev on golang.org, economictimes.com on indiatimes.com).
"""

from __future__ import annotations

import contextlib
import csv
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path

from .dateline import filed_from
from .records import Attribution, Evidence, Outlet, RemovedSpan
from .urls import page_url, registered_domain

#: Outlet kinds (issue 6's list, plus broadcaster, news site and platform).
KINDS = frozenset(
    {
        "news agency", "state media", "public broadcaster", "broadcaster", "newspaper",
        "news site", "think tank", "NGO", "government", "aggregator", "blog", "platform",
    }
)  # fmt: skip

#: Confidence of each kind of signal when it names an outlet.
SIGNAL_STRENGTH = {
    "domain": 0.95, "manifest": 0.9, "page-url": 0.85, "metadata": 0.8, "byline": 0.7,
    "dateline": 0.7, "footer": 0.6,
}  # fmt: skip
#: Metadata signals (``extract``'s candidates) that carry the URL a page declares for itself.
PAGE_URL_SIGNALS = ("link:canonical", "meta:og:url", "json-ld:url")
#: A site name longer than this is a page title, not a publisher's name.
MAX_SITENAME_CHARS = 80
_NAME_PARTS = re.compile(r"\s+[|–—·•»:/-]{1,2}\s+")


@cache
def photo_agencies() -> tuple[str, ...]:
    """Names of photo/stock agencies (``data/photo_agencies.txt``), casefolded."""
    text = files("scrubline").joinpath("data/photo_agencies.txt").read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return tuple(sorted({line.casefold() for line in lines if line and not line.startswith("#")}))


def is_photo_credit(name: str) -> bool:
    """True when ``name`` starts with a photo or stock agency's name.

    >>> is_photo_credit("Getty Images/AFP"), is_photo_credit("Shutterstock.com")
    (True, True)
    >>> is_photo_credit("Gettysburg Times"), is_photo_credit("Caucasus Watch")
    (False, False)
    """
    key = name.strip().strip("“”\"'«»").casefold()
    for agency in photo_agencies():
        if key.startswith(agency) and (len(key) == len(agency) or not key[len(agency)].isalpha()):
            return True
    return False


def slug(name: str) -> str:
    """An outlet id made from a name: lowercase ASCII words joined by underscores."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_") or "outlet"


@dataclass
class OutletRegistry:
    """Known outlets, indexed by domain, abbreviation and name."""

    outlets: dict[str, Outlet] = field(default_factory=dict)
    _domains: dict[str, str] = field(default_factory=dict, repr=False)
    _labels: dict[str, str] = field(default_factory=dict, repr=False)
    _names: list[tuple[str, str]] = field(default_factory=list, repr=False)

    @classmethod
    def load(cls, path: Path) -> OutletRegistry:
        """Read ``outlets.csv`` (list fields separated by ``|``)."""
        registry = cls()
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                registry.add(
                    Outlet(
                        outlet_id=row["outlet_id"].strip(),
                        name=row["name"].strip(),
                        abbreviations=_split(row.get("abbreviations")),
                        domains=_split(row.get("domains")),
                        country=row.get("country") or None,
                        kind=row.get("kind") or None,
                        language=row.get("language") or None,
                        notes=row.get("notes") or "",
                    )
                )
        return registry

    def add(self, outlet: Outlet) -> None:
        self.outlets[outlet.outlet_id] = outlet
        for domain in outlet.domains:
            self._domains[domain.lower()] = outlet.outlet_id
        for label in (outlet.name, *outlet.abbreviations):
            self._labels.setdefault(_key(label), outlet.outlet_id)
        if len(outlet.name) >= 6:
            self._names.append((outlet.name.lower(), outlet.outlet_id))

    def get(self, outlet_id: str) -> Outlet | None:
        return self.outlets.get(outlet_id)

    def by_domain(self, domain: str | None) -> str | None:
        """Outlet id owning a registered domain (or host)."""
        if not domain:
            return None
        return self._domains.get(registered_domain(domain) or domain.lower())

    def by_label(self, label: str) -> str | None:
        """Outlet id whose name, abbreviation or domain is exactly ``label``."""
        key = _key(label)
        return self._labels.get(key) or self._domains.get(key)

    def named_in(self, text: str) -> list[tuple[str, int, int]]:
        """Outlets whose full name appears in ``text``: (outlet_id, start, end)."""
        low = text.lower()
        found = []
        for name, outlet_id in self._names:
            start = low.find(name)
            if start >= 0:
                found.append((outlet_id, start, start + len(name)))
        return found


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split("|") if v.strip())


def _key(label: str) -> str:
    return re.sub(r"\s+", " ", label.strip().strip("“”\"'«»").lower())


# --------------------------------------------------------------------------- text signals

_BYLINE = re.compile(
    r"^[ \t]*(?:by|von|par|por|di|автор:?|от)\s+(?P<name>[^\n]{2,80}?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_COPYRIGHT_HOLDER = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:\d{4}\s*(?:[-–—]\s*\d{4})?\s*,?\s*)?"
    r"(?P<name>[A-ZА-ЯЁ“\"][\w .&'’“”\"-]{2,60}?)\s*(?:[.,|]|all rights|$)",
    re.IGNORECASE,
)
_HEAD_CHARS = 600


@dataclass(frozen=True, slots=True)
class TextSignals:
    """Publisher, author and dateline evidence read from a document's text."""

    byline: Evidence | None = None
    dateline: Evidence | None = None
    agency: Evidence | None = None
    signatures: tuple[Evidence, ...] = ()
    footer_names: tuple[Evidence, ...] = ()


def read_signals(text: str, removed: Sequence[RemovedSpan], registry: OutletRegistry) -> TextSignals:
    """Find bylines and datelines in the head of ``text`` and names in removed footers."""
    head = text[:_HEAD_CHARS]
    byline = dateline = agency = None
    match = _BYLINE.search(head)
    if match and len(match.group("name").split()) <= 6:
        byline = _group_evidence("byline", match, "name")
    match = filed_from(head)
    if match:
        dateline = _group_evidence("dateline", match, "place")
        if match.group("agency"):
            agency = _group_evidence("dateline", match, "agency")
    signatures = tuple(
        Evidence("signature", s.text.strip(), s.start, s.start + len(s.text.rstrip()))
        for s in removed
        if s.category == "author_bio" and "name-shaped" in s.evidence
    )
    footer_names: list[Evidence] = []
    for s in removed:
        if s.category not in ("copyright", "footer", "contact"):
            continue
        for outlet_id, start, end in registry.named_in(s.text):
            footer_names.append(Evidence("footer", outlet_id, s.start + start, s.start + end))
        holder = _COPYRIGHT_HOLDER.search(s.text)
        if holder and not registry.named_in(holder.group("name")):
            name = holder.group("name").strip(' “”"')
            if len(name) >= 3 and not name[0].isdigit() and not is_photo_credit(name):
                start, end = s.start + holder.start("name"), s.start + holder.end("name")
                footer_names.append(Evidence("footer-holder", name, start, end))
    return TextSignals(byline, dateline, agency, signatures, tuple(footer_names))


def _group_evidence(signal: str, match: re.Match[str], group: str) -> Evidence:
    return Evidence(signal, match.group(group).strip(), match.start(group), match.end(group))


# --------------------------------------------------------------------------- attribution


@dataclass(frozen=True, slots=True)
class Attributed:
    """Attribution plus the authors and dateline read along the way."""

    attribution: Attribution
    authors: tuple[str, ...]
    author_evidence: tuple[Evidence, ...]
    dateline: str | None
    provisional: Outlet | None  # a new outlet to create, when the publisher is unknown


def attribute(
    *,
    source_uri: str,
    outlet_hint: str | None,
    sitename: str | None,
    metadata_authors: Iterable[str],
    signals: TextSignals,
    registry: OutletRegistry,
    page_urls: Sequence[str] = (),
) -> Attributed:
    """Choose the outlet of a document and collect its authors, with evidence.

    ``page_urls``: the URLs the page declares for itself (canonical link, ``og:url``, JSON-LD
    url), as written, best first; ``sitename``: the site name it declares.
    """
    votes: list[tuple[str, Evidence]] = []  # (outlet_id, evidence)
    authors: list[str] = list(metadata_authors)
    author_evidence: list[Evidence] = [Evidence("metadata", a) for a in authors]
    provisional: Outlet | None = None

    if source_uri.startswith(("http://", "https://")):
        domain = registered_domain(page_url(source_uri) or source_uri)  # an archive's original
        outlet_id = registry.by_domain(domain)
        if outlet_id:
            votes.append((outlet_id, Evidence("domain", domain or "")))
        elif domain:
            provisional = Outlet(slug(domain), domain, domains=(domain,), provisional=True)
            votes.append((provisional.outlet_id, Evidence("domain", domain)))
    if outlet_hint:
        votes.append((registry.by_label(outlet_hint) or outlet_hint, Evidence("manifest", outlet_hint)))
    base = source_uri if source_uri.startswith(("http://", "https://")) else None
    page_vote, page_outlet = _page_vote(page_urls, sitename, base, registry)
    if page_vote is not None:
        votes.append(page_vote)
        provisional = provisional or page_outlet
    if provisional is not None and provisional.name in provisional.domains and sitename:
        named = _fitting_name(sitename, provisional.domains[0])  # the domain's own site name
        if named:
            provisional = Outlet(provisional.outlet_id, named, domains=provisional.domains, provisional=True)
    if signals.byline:
        outlet_id = registry.by_label(signals.byline.value)
        if outlet_id:
            votes.append((outlet_id, signals.byline))
        elif signals.byline.value not in authors:
            authors.append(signals.byline.value)
            author_evidence.append(signals.byline)
    if signals.agency and (outlet_id := registry.by_label(signals.agency.value)):
        votes.append((outlet_id, signals.agency))
    for ev in signals.footer_names:
        if ev.signal == "footer":
            votes.append((ev.value, ev))
        elif not votes and provisional is None:
            provisional = Outlet(slug(ev.value), ev.value, provisional=True, notes="from footer")
            votes.append((provisional.outlet_id, Evidence("footer", ev.value, ev.start, ev.end)))
    for ev in signals.signatures:
        if ev.value not in authors:
            authors.append(ev.value)
            author_evidence.append(ev)

    attribution = _decide(votes)
    if provisional and attribution.outlet_id != provisional.outlet_id:
        provisional = None
    return Attributed(
        attribution,
        tuple(authors),
        tuple(author_evidence),
        signals.dateline.value if signals.dateline else None,
        provisional,
    )


def _page_vote(
    page_urls: Sequence[str], sitename: str | None, base: str | None, registry: OutletRegistry
) -> tuple[tuple[str, Evidence] | None, Outlet | None]:
    """The outlet the page's own declarations name: (vote, provisional outlet or None).

    The page's domain comes from its declared URLs, preferring one whose domain the site
    name fits (a syndicated copy may declare the original's canonical URL), else the first;
    a site name written as a host ("www.example.de") counts as a declared URL. A registry
    match by domain, then by site name, wins; else a provisional outlet of the domain, named
    by the site name when that fits the domain; else a provisional outlet of the site name.
    """
    name = (sitename or "").strip()
    name = name if 2 <= len(name) <= MAX_SITENAME_CHARS else ""
    candidates = [u for u in (page_url(v, base) for v in page_urls) if u]
    if name and re.fullmatch(r"(?:www\.)?[\w-]+(?:\.[\w-]+)+", name) and registered_domain(name):
        candidates.append(f"https://{name.lower()}/")
    domains = list(dict.fromkeys(d.lower() for d in (registered_domain(u) for u in candidates) if d))
    fitting = [d for d in domains if name and _fitting_name(name, d)]
    domain = (fitting or domains or [None])[0]
    for candidate in ([domain] if domain else []) + [d for d in domains if d != domain]:
        outlet_id = registry.by_domain(candidate)
        if outlet_id:
            return (outlet_id, Evidence("page-url", candidate)), None
    if name and (outlet_id := registry.by_label(name)):
        return (outlet_id, Evidence("metadata", name)), None
    if domain:
        label = _fitting_name(name, domain) if name else None
        outlet = Outlet(slug(domain), label or domain, domains=(domain,), provisional=True,
                        notes="from the page's declared URL")  # fmt: skip
        return (outlet.outlet_id, Evidence("page-url", domain)), outlet
    if name and not is_photo_credit(name):
        outlet = Outlet(slug(name), name, provisional=True, notes="from the page's site name")
        return (outlet.outlet_id, Evidence("metadata", name)), outlet
    return None, None


#: Letters domain names spell out in two letters (IDNA-less hosts: "Kärntner" -> kaerntner).
_SPELLED_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "å": "aa"})


def _compacts(text: str) -> set[str]:
    """``text``'s letters and digits in ASCII, accents dropped or spelled out."""
    low = text.lower()
    found = set()
    for variant in (low, low.translate(_SPELLED_OUT)):
        ascii_text = unicodedata.normalize("NFKD", variant).encode("ascii", "ignore").decode()
        found.add(re.sub(r"[^a-z0-9]+", "", ascii_text))
    return found


def _fitting_name(sitename: str, domain: str) -> str | None:
    """The part of ``sitename`` that names the site of ``domain``, or None.

    A part fits when the domain's first label is in its letters or its letters are in that
    label ("Die FURCHE" and furche.at, "DW.COM" and dw.com, "The Haitian Times" and
    haitiantimes.com): "Achtsam durch die Krise | Die FURCHE" -> "Die FURCHE".

    >>> _fitting_name("Achtsam durch die Krise | Die FURCHE", "furche.at")
    'Die FURCHE'
    >>> _fitting_name("vorangedacht", "cicero.de") is None
    True
    >>> _fitting_name("Kärntner Bote", "kaerntner-bote.at")
    'Kärntner Bote'
    """
    label = domain.split(".")[0]
    labels = {re.sub(r"[^a-z0-9]+", "", label.lower())}
    if label.startswith("xn--"):
        with contextlib.suppress(UnicodeError):
            labels |= _compacts(label.encode("ascii").decode("idna"))
    parts = [p.strip() for p in _NAME_PARTS.split(sitename) if p.strip()]
    for part in sorted(parts, key=len) if len(parts) > 1 else parts:
        for letters in _compacts(part):
            if len(letters) >= 2 and any(
                len(lab) >= 2 and (lab in letters or letters in lab) for lab in labels
            ):
                return part
    return None


def _decide(votes: list[tuple[str, Evidence]]) -> Attribution:
    """The outlet with the strongest signal; agreeing signals raise the confidence."""
    if not votes:
        return Attribution(None, 0.0, ())
    best: dict[str, float] = {}
    for outlet_id, ev in votes:
        strength = SIGNAL_STRENGTH.get(ev.signal, 0.5)
        best[outlet_id] = max(best.get(outlet_id, 0.0), strength)
    chosen = max(best, key=lambda o: (best[o], sum(1 for v, _ in votes if v == o)))
    agreeing = sum(1 for v, _ in votes if v == chosen) - 1
    confidence = min(0.99, best[chosen] + 0.05 * agreeing)
    evidence = tuple(dict.fromkeys(ev for _, ev in votes))  # each signal once, in order
    return Attribution(chosen, round(confidence, 3), evidence)
