"""Score boilerplate removal on both dev sets, split by site into a tuning and a validation half.

Sets (``bench/devsets.py``): trafilatura-dev (300 pages, segment metric) and wcxb-dev (1,358
pages, seven page types, 4-gram shingle metric averaged per page). Each set is split by the
registered domain of the page URL (a hash of it) into ``tune`` and ``valid``; choose rules on
``tune``, report ``valid``. Every figure is printed for both halves, and per wcxb page type.

Inputs and systems, each scored in the same run:

- ``html``: plain ``trafilatura.extract(html, include_comments=False)`` (baseline) and the
  product path ``scrubline.clean.process`` on the HTML capture (decode, extract_html,
  normalize, boilerplate engine, outlet packs).
- ``recall``: trafilatura ``favor_recall`` text (trafilatura-dev ships it; made the same way for
  wcxb): the input unchanged (baseline) and ``scrubline.clean.process`` on it as text/plain.
- ``fullpage``: all visible text (html-text ``guess_layout=True``; shipped for trafilatura-dev,
  made the same way for wcxb): unchanged, a C4 line filter (baseline), the library's
  ``Engine(profile="fullpage")``, and ``scrubline.clean.process`` (what ``scrubline clean``
  does with a text file: the profile it picks itself).

Generated inputs are cached under ``/tmp/scrubline-bench-cache`` (a whole pass took 6-8 min on the
shared 2-core box under load; the first one also builds the cache).

Usage::

    uv run python bench/quality.py [--sets traf|wcxb|all] [--input html|recall|fullpage|all]
        [--limit N] [--types] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import devsets  # noqa: E402
from devsets import Page, Tally, score  # noqa: E402

from scrubline.boilerplate import Engine  # noqa: E402
from scrubline.clean import CleanContext, process  # noqa: E402
from scrubline.normalize import normalize  # noqa: E402
from scrubline.records import Capture  # noqa: E402

INPUTS = ("html", "recall", "fullpage")
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def c4_filter(text: str) -> str:
    """C4's line heuristics (Raffel et al. 2020, ``c4_utils`` in TensorFlow Datasets), as
    line filters: keep lines that end in terminal punctuation (``.``, ``!``, ``?``, ``"``),
    have at least 3 words, do not mention "javascript", and are not cookie/policy lines
    (C4's page-level checks are left out: the page is always kept)."""
    kept = []
    for line in text.split("\n"):
        s = line.strip()
        if not s or not s.endswith((".", "!", "?", '"')) or len(s.split()) < 3:
            continue
        low = s.lower()
        if "javascript" in low:
            continue
        if any(
            w in low
            for w in ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies",
                      "use cookies")
        ):  # fmt: skip
            continue
        kept.append(s)
    return "\n".join(kept)


def _engine_text(engine: Engine, text: str) -> str:
    normalized, _ = normalize(text)
    return engine.run(normalized)[0]


class Product:
    """``scrubline.clean.process`` on a capture, as ``scrubline clean`` runs it."""

    def __init__(self) -> None:
        self.ctx = CleanContext.default()
        self.profiles: dict[str, int] = {}
        self.extract_candidates: dict[str, int] = {}

    def __call__(self, page: Page, data: str | bytes, content_type: str) -> str:
        raw = data if isinstance(data, bytes) else data.encode("utf-8")
        uri = page.url or f"file:///{page.set}/{page.id}"
        result = process(Capture(uri, raw, _EPOCH, content_type=content_type), self.ctx)
        profile = result.stats.get("profile", "article")
        self.profiles[profile] = self.profiles.get(profile, 0) + 1
        chosen = result.document.metadata.get("extract_candidate")
        if chosen:
            self.extract_candidates[chosen] = self.extract_candidates.get(chosen, 0) + 1
        return result.document.text


def systems(input_name: str) -> list[tuple[str, Callable[[Page], str], Callable[[Page], str]]]:
    """(name, load, system) triples for one input: ``load`` is not timed, ``system`` is."""
    if input_name == "html":
        product = Product()
        return [
            ("trafilatura (baseline)", lambda p: None, lambda p, _: devsets.trafilatura_text(p)),
            ("scrubline clean", _raw, lambda p, data, f=product: f(p, data, "text/html")),
        ]
    product = Product()
    text = (
        (lambda p: devsets.trafilatura_text(p, recall=True))
        if input_name == "recall"
        else devsets.fullpage_text
    )
    out = [("input unchanged", text, lambda p, t: t)]
    if input_name == "fullpage":
        engine = Engine(profile="fullpage")
        out += [
            ("C4 line filter (baseline)", text, lambda p, t: c4_filter(t)),
            ('Engine(profile="fullpage")', text, lambda p, t, e=engine: _engine_text(e, t)),
        ]
    out.append(("scrubline clean", text, lambda p, t, f=product: f(p, t, "text/plain")))
    return out


def _raw(page: Page) -> bytes:
    return page.raw()


def run(pages: list[Page], input_name: str) -> list[dict]:
    rows = []
    for name, load, system in systems(input_name):
        tallies: dict[str, Tally] = {}
        seconds = 0.0
        failed = 0
        for page in pages:
            data = load(page)
            t0 = time.perf_counter()
            try:
                out = system(page, data)
            except Exception:  # noqa: BLE001 - a failed or rejected page scores as empty
                out = ""
                failed += 1
            seconds += time.perf_counter() - t0
            for label in _labels(page):
                score(tallies.setdefault(label, Tally()), page, out)
        row = {"input": input_name, "system": name, "seconds": round(seconds, 2), "failed": failed,
               "docs_per_s": round(len(pages) / seconds, 1) if seconds else None, "groups": {}}  # fmt: skip
        for label, tally in tallies.items():
            kind = "traf" if label.startswith("traf") else "wcxb"
            p, r, f = tally.prf(kind)
            n = tally.tp + tally.fn if kind == "traf" else tally.pages
            row["groups"][label] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                                    "n": n}  # fmt: skip
        product = getattr(system, "__defaults__", None)
        if product and isinstance(product[-1], Product):
            row["profiles"] = dict(product[-1].profiles)
            row["extract_candidates"] = dict(product[-1].extract_candidates)
        rows.append(row)
    return rows


def _labels(page: Page) -> list[str]:
    labels = [f"{page.set}/{page.half}"]
    if page.set == "wcxb":
        labels.append(f"wcxb:{page.page_type}/{page.half}")
    return labels


MAIN_GROUPS = (
    "traf/tune",
    "traf/valid",
    "wcxb/tune",
    "wcxb/valid",
    "wcxb:article/tune",
    "wcxb:article/valid",
)


def print_rows(rows: list[dict], types: bool) -> None:
    cols = [g for g in MAIN_GROUPS if any(g in r["groups"] for r in rows)]
    if types:
        extra = sorted({g for r in rows for g in r["groups"] if g.startswith("wcxb:")} - set(cols))
        cols += extra
    print(f"{'input':9} {'system':28} " + " ".join(f"{c[:18]:>18}" for c in cols) + f" {'docs/s':>7}")
    for r in rows:
        cells = []
        for c in cols:
            g = r["groups"].get(c)
            cells.append(f"{g['f1']:.3f} ({g['precision']:.2f}/{g['recall']:.2f})" if g else "")
        extra = f"  profiles {r['profiles']}" if r.get("profiles") else ""
        if r.get("extract_candidates"):
            extra += f"  candidates {r['extract_candidates']}"
        print(f"{r['input']:9} {r['system'][:28]:28} " + " ".join(f"{c:>18}" for c in cells)
              + f" {r['docs_per_s'] or 0:7.1f}{extra}", flush=True)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", choices=("traf", "wcxb", "all"), default="all")
    ap.add_argument("--input", choices=[*INPUTS, "all"], default="all")
    ap.add_argument("--limit", type=int, help="every N-th page only (a quick look)")
    ap.add_argument("--types", action="store_true", help="also print every wcxb page type")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)

    pages = devsets.load(args.sets)
    if args.limit:
        pages = pages[:: max(1, len(pages) // args.limit)]
    print(f"{len(pages)} pages; engine {Engine().version}; F1 (P/R) per set/half; "
          "traf = trafilatura-dev segments, wcxb = 4-gram shingles per page")  # fmt: skip
    rows: list[dict] = []
    for name in INPUTS if args.input == "all" else (args.input,):
        new = run(pages, name)
        print_rows(new, args.types)
        rows += new
    if args.json:
        import trafilatura

        payload = {"date": time.strftime("%Y-%m-%d"), "engine_version": Engine().version,
                   "trafilatura": trafilatura.__version__, "pages": len(pages), "results": rows}  # fmt: skip
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
