"""The two dev sets, their split by site, their metrics, and cached inputs.

Both sets are split by *site* (the registered domain of the page URL) into a ``tune`` half
and a ``valid`` half: ``half(domain)`` is a hash of the domain, so every page of a site
falls on the same side, the split is the same on every machine, and a new page of a known
site lands where its site is. Rules and thresholds are chosen on ``tune``; ``valid`` is
only reported (a rule that helps only the pages of one site shows no gain there).

Metrics:

- trafilatura-dev: whitespace-normalised, case-sensitive substring presence of the "with"
  and "without" segments, TP/FP/FN/TN summed over pages (its README).
- wcxb-dev: the ScrapingHub article-extraction-benchmark metric: runs of ``\\w`` characters,
  multisets of 4-token windows, precision and recall per page, averaged over pages, F1 the
  harmonic mean of the averages (its README). A page with neither output nor gold windows
  scores 1/1; an empty output against a non-empty gold scores P=0 (ScrapingHub's
  convention), so a failed page costs what it should.

Inputs that must be computed from the HTML (trafilatura output, recall text, visible text
for wcxb) are cached under ``/tmp/scrubline-bench-cache`` keyed by the generator's version,
so a second pass costs only the systems under test.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scrubline.decode import decode  # noqa: E402
from scrubline.urls import registered_domain  # noqa: E402

SHARED = REPO.parent / "shared" / "benchdata"
TRAF_DIR = SHARED / "trafilatura-dev"
WCXB_DIR = SHARED / "wcxb-dev"
CACHE = Path("/tmp/scrubline-bench-cache")
HALVES = ("tune", "valid")


def half(domain: str | None) -> str:
    """``tune`` or ``valid`` for a site: the parity of the first byte of sha256(domain)."""
    digest = hashlib.sha256((domain or "").lower().encode()).digest()
    return "tune" if digest[0] % 2 == 0 else "valid"


@dataclass
class Page:
    set: str  # "traf" | "wcxb"
    id: str
    url: str | None
    domain: str
    page_type: str  # wcxb page type; "article" for every trafilatura-dev page
    half: str
    gold: dict = field(repr=False)  # traf: {"with": [...], "without": [...]}; wcxb: {"main": str}
    _dir: Path = field(repr=False, default=TRAF_DIR)
    _html_rel: str = ""
    _texts: dict = field(repr=False, default_factory=dict)

    def raw(self) -> bytes:
        data = (self._dir / self._html_rel).read_bytes()
        return gzip.decompress(data) if self._html_rel.endswith(".gz") else data

    def html(self) -> str:
        return decode(self.raw(), content_type="text/html")[0]

    def given_text(self, key: str) -> str | None:
        """A text input shipped with the set (trafilatura-dev's recall / fullpage files)."""
        rel = self._texts.get(key)
        return (self._dir / rel).read_text(encoding="utf-8") if rel else None


_URL_IN_HTML = re.compile(rb'<link[^>]+rel=["\']canonical["\'][^>]*href=["\'](https?://[^"\']+)', re.I)
_OG_URL = re.compile(rb'<meta[^>]+property=["\']og:url["\'][^>]*content=["\'](https?://[^"\']+)', re.I)


def _domain_of(url: str | None, raw: Callable[[], bytes], fallback: str) -> str:
    if not url:  # a few trafilatura-dev pages have no URL: look in the page itself
        data = raw()[:200_000]
        m = _URL_IN_HTML.search(data) or _OG_URL.search(data)
        url = m.group(1).decode("ascii", "replace") if m else None
    dom = registered_domain(url) if url else None
    return dom or fallback


def traf_pages(data_dir: Path = TRAF_DIR) -> list[Page]:
    gold = json.loads((data_dir / "gold.json").read_text(encoding="utf-8"))
    pages = []
    for p in gold["pages"]:
        page = Page(
            "traf", p["id"], p.get("url"), "", "article", "",
            {"with": p["with"], "without": p["without"]}, data_dir, p["html"], p.get("text", {}),
        )  # fmt: skip
        page.domain = _domain_of(page.url, page.raw, fallback=p["id"])
        page.half = half(page.domain)
        pages.append(page)
    return pages


def wcxb_pages(data_dir: Path = WCXB_DIR) -> list[Page]:
    meta = json.loads((data_dir / "metadata.json").read_text(encoding="utf-8"))["files"]
    pages = []
    for pid in sorted(meta):
        gt = json.loads((data_dir / "ground-truth" / f"{pid}.json").read_text(encoding="utf-8"))
        url = gt.get("url")
        domain = (registered_domain(url) if url else None) or meta[pid].get("domain") or pid
        main = gt["ground_truth"].get("main_content") or ""
        pages.append(
            Page("wcxb", pid, url, domain, meta[pid]["page_type"], half(domain), {"main": main},
                 data_dir, f"html/{pid}.html.gz")
        )  # fmt: skip
    return pages


def load(which: str) -> list[Page]:
    """``traf``, ``wcxb`` or ``all`` (the sets that exist on this machine)."""
    out: list[Page] = []
    if which in ("traf", "all") and (TRAF_DIR / "gold.json").is_file():
        out += traf_pages()
    if which in ("wcxb", "all") and (WCXB_DIR / "metadata.json").is_file():
        out += wcxb_pages()
    return out


# --------------------------------------------------------------------------- metrics

_WS = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+")


def norm(s: str) -> str:
    return _WS.sub(" ", s).strip()


def shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text)
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


@dataclass
class Tally:
    """Counts of one system over some pages: segment counts (traf) and per-page P/R (wcxb)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    precisions: list[float] = field(default_factory=list)
    recalls: list[float] = field(default_factory=list)

    def add_traf(self, page: Page, output: str) -> None:
        out = norm(output or "")
        for seg in page.gold["with"]:
            if out and norm(seg) in out:
                self.tp += 1
            else:
                self.fn += 1
        for seg in page.gold["without"]:
            if out and norm(seg) in out:
                self.fp += 1
            else:
                self.tn += 1

    def add_wcxb(self, page: Page, output: str, gold_shingles: Counter) -> None:
        pred = shingles(output or "")
        tp = sum((pred & gold_shingles).values())
        fp = sum(pred.values()) - tp
        fn = sum(gold_shingles.values()) - tp
        self.precisions.append(1.0 if fp == fn == 0 else (tp / (tp + fp) if tp + fp else 0.0))
        self.recalls.append(1.0 if fp == fn == 0 else (tp / (tp + fn) if tp + fn else 0.0))

    @property
    def pages(self) -> int:
        return len(self.precisions)

    def prf(self, kind: str) -> tuple[float, float, float]:
        if kind == "traf":
            p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
            r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
            d = 2 * self.tp + self.fp + self.fn
            return p, r, (2 * self.tp / d if d else 0.0)
        if not self.precisions:
            return 0.0, 0.0, 0.0
        p, r = statistics.fmean(self.precisions), statistics.fmean(self.recalls)
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


_GOLD_SHINGLES: dict[str, Counter] = {}


def score(tally: Tally, page: Page, output: str) -> None:
    """Add one page's output to ``tally`` with the page's own metric."""
    if page.set == "traf":
        tally.add_traf(page, output)
        return
    gold = _GOLD_SHINGLES.get(page.id)
    if gold is None:
        gold = _GOLD_SHINGLES[page.id] = shingles(page.gold["main"])
    tally.add_wcxb(page, output, gold)


# --------------------------------------------------------------------------- cached inputs


def cached(kind: str, version: str, page: Page, make: Callable[[Page], str]) -> str:
    """``make(page)`` once per (kind, generator version, page); later runs read the file."""
    path = CACHE / f"{kind}-{version}" / page.set / f"{page.id}.txt"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    text = make(page)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return text


def _traf_version() -> str:
    import trafilatura

    return trafilatura.__version__


def trafilatura_text(page: Page, recall: bool = False) -> str:
    """Plain ``trafilatura.extract(html, include_comments=False)`` (``favor_recall`` for the
    recall-text input, as trafilatura-dev's ``txt/trafilatura-recall`` was made)."""
    if recall and page.given_text("trafilatura-recall") is not None:
        return page.given_text("trafilatura-recall") or ""

    def make(p: Page) -> str:
        import trafilatura

        return trafilatura.extract(p.html(), url=p.url, include_comments=False, favor_recall=recall) or ""

    return cached("traf-recall" if recall else "traf", _traf_version(), page, make)


def recall_text(page: Page) -> str:
    return trafilatura_text(page, recall=True)


def fullpage_text(page: Page) -> str:
    """All visible text, one block per line: ``html_text.extract_text(html, guess_layout=True)``
    (how trafilatura-dev's ``txt/fullpage`` was made; computed the same way for wcxb)."""
    given = page.given_text("fullpage")
    if given is not None:
        return given

    def make(p: Page) -> str:
        import html_text

        return html_text.extract_text(p.html(), guess_layout=True)

    import html_text

    return cached("fullpage", getattr(html_text, "__version__", "0"), page, make)


def groups(pages: list[Page]) -> Iterator[tuple[str, list[Page]]]:
    """(label, pages) for each set x half, and per wcxb page type x half."""
    for set_name in ("traf", "wcxb"):
        for h in HALVES:
            sel = [p for p in pages if p.set == set_name and p.half == h]
            if sel:
                yield f"{set_name}/{h}", sel
    types = sorted({p.page_type for p in pages if p.set == "wcxb"})
    for t in types:
        for h in HALVES:
            sel = [p for p in pages if p.set == "wcxb" and p.page_type == t and p.half == h]
            if sel:
                yield f"wcxb:{t}/{h}", sel
