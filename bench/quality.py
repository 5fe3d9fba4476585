"""Score boilerplate removal on the labeled dev set (trafilatura-dev).

Metric (see the data set's README.md): whitespace-normalised, case-sensitive substring
presence of each page's "with" (must appear) and "without" (must not appear) segments;
TP/FP/FN/TN summed over pages; precision, recall, F1, accuracy.

Three inputs, each scored next to its baselines in the same run:

- ``html``: raw bytes -> ``scrubline.decode`` -> extraction (``scrubline.extract`` when it
  exists, else trafilatura directly) -> ``scrubline.normalize`` -> boilerplate engine.
  Baseline: plain ``trafilatura.extract(html, include_comments=False)``.
- ``recall``: ``txt/trafilatura-recall`` (trafilatura with favor_recall) -> normalize -> engine.
  Baseline: the input itself.
- ``fullpage``: ``txt/fullpage`` (all visible text) -> normalize -> engine (profile
  ``fullpage``). Baselines: the input itself, and a C4-style line filter.

Usage::

    uv run python bench/quality.py --input all [--json out.json] [--limit N] [--show-errors]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scrubline.boilerplate import Engine  # noqa: E402
from scrubline.normalize import normalize  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "benchdata" / "trafilatura-dev"
INPUTS = ("html", "recall", "fullpage")


# --------------------------------------------------------------------------- metric

_WS = re.compile(r"\s+")


def norm(s: str) -> str:
    return _WS.sub(" ", s).strip()


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.tn += other.tn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        d = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / d if d else 0.0

    @property
    def accuracy(self) -> float:
        n = self.tp + self.fp + self.fn + self.tn
        return (self.tp + self.tn) / n if n else 0.0


def score_page(page: dict, output: str | None) -> tuple[Score, list[str], list[str]]:
    """Score of one page, with the "without" segments found (FP) and "with" lost (FN)."""
    out = norm(output or "")
    s = Score()
    fps, fns = [], []
    for seg in page["with"]:
        if out and norm(seg) in out:
            s.tp += 1
        else:
            s.fn += 1
            fns.append(seg)
    for seg in page["without"]:
        if out and norm(seg) in out:
            s.fp += 1
            fps.append(seg)
        else:
            s.tn += 1
    return s, fps, fns


# --------------------------------------------------------------------------- systems


def c4_filter(text: str) -> str:
    """C4's line heuristics (Raffel et al. 2020, ``c4_utils`` in TensorFlow Datasets), as
    line filters: keep lines that end in terminal punctuation (``.``, ``!``, ``?``, ``"``),
    have at least 3 words, do not mention "javascript", and are not cookie/policy lines
    (C4 drops "lorem ipsum"/curly-brace *pages* too; here the page is always kept, so those
    page-level checks are left out). The minimum of 5 sentences per page is also page-level
    and not applied."""
    kept = []
    for line in text.split("\n"):
        s = line.strip()
        if not s or not s.endswith((".", "!", "?", '"')):
            continue
        if len(s.split()) < 3:
            continue
        low = s.lower()
        if "javascript" in low:
            continue
        if any(
            w in low
            for w in (
                "terms of use",
                "privacy policy",
                "cookie policy",
                "uses cookies",
                "use of cookies",
                "use cookies",
            )
        ):
            continue
        kept.append(s)
    return "\n".join(kept)


def _extractor() -> tuple[str, Callable[[str, str | None], str]]:
    """The HTML extraction step: scrubline.extract when present, else trafilatura."""
    try:
        from scrubline.extract import extract_html  # type: ignore[import-not-found]
    except ImportError:
        import trafilatura

        def direct(html: str, url: str | None) -> str:
            return trafilatura.extract(html, url=url, include_comments=False) or ""

        return "trafilatura.extract(include_comments=False) [scrubline.extract missing]", direct

    def wrapped(html: str, url: str | None) -> str:
        return extract_html(html, url).text or ""

    return "scrubline.extract.extract_html", wrapped


def _decode(raw: bytes) -> str:
    try:
        from scrubline.decode import decode
    except ImportError:  # pragma: no cover - decode.py not in this checkout
        return raw.decode("utf-8", errors="replace")
    text, _ = decode(raw, content_type="text/html")
    return text


@dataclass
class Result:
    input: str
    system: str
    precision: float
    recall: float
    f1: float
    accuracy: float
    tp: int
    fp: int
    fn: int
    tn: int
    pages: int
    failed: int
    seconds: float
    docs_per_s: float


def run_system(
    name: str,
    input_name: str,
    pages: list[dict],
    load: Callable[[dict], object],
    system: Callable[[object, dict], str],
    show_errors: bool,
) -> Result:
    total = Score()
    failed = 0
    elapsed = 0.0
    errors: list[str] = []
    for page in pages:
        data = load(page)
        t0 = time.perf_counter()
        try:
            out = system(data, page)
        except Exception as exc:  # noqa: BLE001 - a failed page scores as empty
            out = ""
            failed += 1
            errors.append(f"  [{page['id']}] FAILED: {exc!r}")
        elapsed += time.perf_counter() - t0
        s, fps, fns = score_page(page, out)
        total.add(s)
        if show_errors and (fps or fns):
            errors.append(f"  [{page['id']}] {page.get('url')}")
            errors.extend(f"      FP without: {x!r}" for x in fps)
            errors.extend(f"      FN with:    {x!r}" for x in fns)
    if show_errors and errors:
        print(f"--- errors: {input_name} / {name}")
        print("\n".join(errors))
    return Result(
        input_name,
        name,
        total.precision,
        total.recall,
        total.f1,
        total.accuracy,
        total.tp,
        total.fp,
        total.fn,
        total.tn,
        len(pages),
        failed,
        elapsed,
        len(pages) / elapsed if elapsed else float("inf"),
    )


def _clean(engine: Engine, text: str) -> str:
    normalized, _ = normalize(text)
    clean, _ = engine.run(normalized)
    return clean


def bench_input(input_name: str, data_dir: Path, pages: list[dict], show_errors: bool) -> list[Result]:
    results = []
    if input_name == "html":
        import trafilatura

        label, extract = _extractor()
        engine = Engine()

        def load_html(page: dict) -> bytes:
            return (data_dir / page["html"]).read_bytes()

        def baseline(raw: bytes, page: dict) -> str:
            return trafilatura.extract(_decode(raw), url=page.get("url"), include_comments=False) or ""

        def ours(raw: bytes, page: dict) -> str:
            return _clean(engine, extract(_decode(raw), page.get("url")))

        def extract_only(raw: bytes, page: dict) -> str:
            return normalize(extract(_decode(raw), page.get("url")))[0]

        results.append(
            run_system("trafilatura.extract (baseline)", "html", pages, load_html, baseline, False)
        )
        results.append(run_system(f"{label} (no engine)", "html", pages, load_html, extract_only, False))
        results.append(
            run_system(f"scrubline ({label} + engine)", "html", pages, load_html, ours, show_errors)
        )
        return results

    key = {"recall": "trafilatura-recall", "fullpage": "fullpage"}[input_name]
    engine = Engine(profile="fullpage") if input_name == "fullpage" else Engine()

    def load_text(page: dict) -> str:
        return (data_dir / page["text"][key]).read_text(encoding="utf-8")

    results.append(
        run_system("input unchanged (baseline)", input_name, pages, load_text, lambda t, p: t, False)
    )
    if input_name == "fullpage":
        results.append(
            run_system(
                "C4 line filter (baseline)", input_name, pages, load_text, lambda t, p: c4_filter(t), False
            )
        )
    profile = f" profile={engine.profile}" if getattr(engine, "profile", None) else ""
    results.append(
        run_system(
            f"scrubline engine{profile}",
            input_name,
            pages,
            load_text,
            lambda t, p: _clean(engine, t),
            show_errors,
        )
    )
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input", choices=[*INPUTS, "all"], default="all")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="trafilatura-dev directory")
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--limit", type=int, help="only the first N pages")
    ap.add_argument(
        "--show-errors",
        action="store_true",
        help="per page: 'without' segments kept (FP) and 'with' segments lost (FN)",
    )
    args = ap.parse_args(argv)

    gold = json.loads((args.data / "gold.json").read_text(encoding="utf-8"))
    pages = gold["pages"][: args.limit] if args.limit else gold["pages"]
    inputs = INPUTS if args.input == "all" else (args.input,)
    engine = Engine()
    results: list[Result] = []
    print(f"trafilatura-dev: {len(pages)} pages; engine {engine.version}")
    print(f"{'input':9} {'system':62} {'P':>6} {'R':>6} {'F1':>6} {'acc':>6} {'docs/s':>8}")
    for name in inputs:
        for r in bench_input(name, args.data, pages, args.show_errors):
            results.append(r)
            fail = f"  ({r.failed} failed)" if r.failed else ""
            print(
                f"{r.input:9} {r.system[:62]:62} {r.precision:6.3f} {r.recall:6.3f} {r.f1:6.3f} "
                f"{r.accuracy:6.3f} {r.docs_per_s:8.1f}{fail}",
                flush=True,
            )
    if args.json:
        payload = {
            "date": time.strftime("%Y-%m-%d"),
            "engine_version": engine.version,
            "pages": len(pages),
            "results": [asdict(r) for r in results],
        }
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
