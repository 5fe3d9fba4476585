"""Outlet attribution and language codes on saved HTML pages (issue 17, item 7).

Cleans every page of a dev set's ``html/`` folder (wcxb-dev's gzipped pages too) the way
``scrubline clean FOLDER`` reads it (``local:`` source URIs: no URL to take a domain from),
one process, and reports:

- how many pages get an outlet, by the kind of the strongest evidence, and how many of those
  are provisional;
- the language codes stored, and how many fall outside the documents suite's
  ``allowed_languages`` (the ``documents.language_allowed`` warning);
- with ``--json OUT``, one row per page (id, outlet, confidence, signals, language, region,
  the gold ``url``/``sitename`` when the dev set has them) to compare two runs or spot-check.

Usage::

    uv run python bench/attribution.py [--data ../shared/benchdata/trafilatura-dev] [--json out.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scrubline.clean import CleanContext, process_batch  # noqa: E402
from scrubline.ingest.files import read_inputs  # noqa: E402
from scrubline.records import Capture  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "benchdata" / "trafilatura-dev"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    gold: dict[str, dict] = {}
    gold_file = args.data / "gold.json"
    if gold_file.is_file():
        for page in json.loads(gold_file.read_text(encoding="utf-8"))["pages"]:
            gold[page["id"]] = page
    allowed = set(
        json.loads((REPO / "expectations" / "documents.json").read_text())["meta"]["allowed_languages"]
    )

    captures, rejects = read_inputs([args.data / "html"])
    truths = args.data / "ground-truth"  # wcxb-dev: gzipped pages, one JSON of truth each
    for path in sorted((args.data / "html").glob("*.html.gz")):
        raw = gzip.decompress(path.read_bytes())
        stem = path.name.removesuffix(".html.gz")
        captures.append(Capture(f"local:html/{stem}.html", raw, datetime.now(UTC), "text/html"))
        truth = truths / f"{stem}.json"
        if truth.is_file():
            gold[stem] = {"url": json.loads(truth.read_text(encoding="utf-8")).get("url")}
    ctx = CleanContext.default()
    started = time.process_time()
    results, failed = process_batch(captures, ctx)
    seconds = time.process_time() - started

    rows = []
    by_signal: Counter[str] = Counter()
    languages: Counter[str | None] = Counter()
    attributed = provisional = outside = 0
    for result in results:
        doc = result.document
        page_id = doc.source_uri.rsplit("/", 1)[-1].removesuffix(".html")
        outlet = doc.outlet
        signals = [e.signal for e in outlet.evidence] if outlet else []
        if outlet and outlet.outlet_id:
            attributed += 1
            by_signal[signals[0] if signals else "?"] += 1
            provisional += result.stats.get("provisional_outlet") is not None
        languages[doc.language] += 1
        outside += doc.language is not None and doc.language not in allowed
        meta = gold.get(page_id, {})
        rows.append(
            {
                "id": page_id,
                "outlet_id": outlet.outlet_id if outlet else None,
                "confidence": outlet.confidence if outlet else None,
                "evidence": [[e.signal, e.value] for e in outlet.evidence] if outlet else [],
                "provisional": (p := result.stats.get("provisional_outlet")) and p.name,
                "language": doc.language,
                "language_region": getattr(doc, "language_region", None),
                "gold_url": meta.get("url"),
                "gold_sitename": (meta.get("metadata") or {}).get("sitename"),
            }
        )
    print(f"pages: {len(captures)} read, {len(results)} cleaned, {len(failed) + len(rejects)} rejected")
    print(f"clean CPU time: {seconds:.1f} s (process_time, one process)")
    print(f"with an outlet: {attributed} ({provisional} provisional); strongest signal: {dict(by_signal)}")
    print(f"no outlet: {len(results) - attributed}")
    print(f"languages: {dict(languages.most_common())}")
    print(f"outside allowed_languages (documents.language_allowed warns): {outside}")
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
