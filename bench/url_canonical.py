"""URL canonicalization: ``scrubline.urls.canonicalize`` vs courlan's ``normalize_url`` (issue 16).

Corpus: every distinct absolute ``href`` of the trafilatura-dev pages (HTML-unescaped, as lxml
gives them) plus the URLs written in the seed texts. Reports CPU time per URL (one process)
and how many canonical forms differ, by kind, with examples::

    uv run python bench/url_canonical.py [--examples 8]
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from courlan import normalize_url  # noqa: E402

from scrubline.urls import canonicalize, find_urls  # noqa: E402

DATA = REPO.parent / "shared" / "benchdata" / "trafilatura-dev"
_HREF = re.compile(rb"""href\s*=\s*["'](https?://[^"'\s<>]+)""", re.IGNORECASE)


def corpus() -> list[str]:
    urls = []
    for page in sorted((DATA / "html").glob("*.html")):
        urls += [html.unescape(m.decode("utf-8", "replace")) for m in _HREF.findall(page.read_bytes())]
    for text in sorted((REPO / "seeds").rglob("*.txt")):
        urls += [u for _, _, u in find_urls(text.read_text(encoding="utf-8", errors="replace"))]
    return list(dict.fromkeys(urls))


def _courlan(strict: bool):  # noqa: ANN202
    def run(url: str) -> str | None:
        try:
            return normalize_url(url, strict=strict)
        except Exception:  # noqa: BLE001 - courlan raises on unparseable input
            return None

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=8)
    args = parser.parse_args()
    urls = corpus()
    print(f"distinct URLs: {len(urls)}")
    outputs = {}
    for name, fn in (
        ("scrubline", canonicalize),
        ("courlan", _courlan(False)),
        ("courlan strict", _courlan(True)),
    ):
        started = time.process_time()
        outputs[name] = [fn(u) for u in urls]
        print(f"{name:15} {1e6 * (time.process_time() - started) / len(urls):5.1f} us/url")
    for name in ("courlan", "courlan strict"):
        diff = [
            (u, a, b) for u, a, b in zip(urls, outputs["scrubline"], outputs[name], strict=True) if a != b
        ]
        kinds: Counter[str] = Counter()
        for _, a, b in diff:
            if a is None or b is None:
                kinds["one side rejects"] += 1
            elif a.split("?")[0].split("#")[0] != b.split("?")[0].split("#")[0]:
                kinds["host/path"] += 1
            elif a.split("#")[0] != b.split("#")[0]:
                kinds["query"] += 1
            else:
                kinds["fragment"] += 1
        print(f"{name}: differs on {len(diff)} ({len(diff) / len(urls):.1%}): {dict(kinds)}")
        for url, a, b in diff[: args.examples]:
            print(f"   {url}\n      scrubline {a}\n      {name} {b}")


if __name__ == "__main__":
    main()
