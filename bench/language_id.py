"""Language identification: the old stopword guess vs py3langid vs lingua (issue 16).

Corpus: ~2,000 texts from the dev sets (trafilatura-dev ``txt/trafilatura-recall`` and
``txt/fullpage``, 300 each; wcxb-dev ``main_content``, 1,358), each paired with the language
its page declares (``<html lang>``, primary subtag) where it declares one. Each detector sees
the first ``SAMPLE_CHARS`` characters, as ``scrubline.language`` gives it.

Reports per detector: CPU seconds for the corpus (``time.process_time``, one process, best of
``--repeat``), agreement with the declared language (texts that declare one), how often it
answers, and agreement with the old guess. Detectors that are not installed are skipped::

    uv run python bench/language_id.py [--repeat 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from stopword_guess import guess_language as old_guess  # noqa: E402

DATA = REPO.parent / "shared" / "benchdata"
SAMPLE_CHARS = 2000
_HTML_LANG = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)


def corpus() -> list[tuple[str, str, str | None]]:
    """(name, text, declared primary subtag or None)."""
    items = []
    tdev = DATA / "trafilatura-dev"
    for html in sorted((tdev / "html").glob("*.html")):
        found = _HTML_LANG.search(html.read_bytes()[:20000])
        declared = found.group(1).decode().lower() if found else None
        for sub in ("trafilatura-recall", "fullpage"):
            text = (tdev / "txt" / sub / f"{html.stem}.txt").read_text(encoding="utf-8")
            items.append((f"tdev/{sub}/{html.stem}", text, declared))
    wcxb = DATA / "wcxb-dev"
    for truth in sorted((wcxb / "ground-truth").glob("*.json")):
        page = json.loads(truth.read_text(encoding="utf-8"))
        text = (page.get("ground_truth") or {}).get("main_content") or ""
        html = wcxb / "html" / f"{truth.stem}.html.gz"
        found = _HTML_LANG.search(gzip.decompress(html.read_bytes())[:20000]) if html.is_file() else None
        items.append((f"wcxb/{truth.stem}", text, found.group(1).decode().lower() if found else None))
    return items


def detectors() -> dict[str, Callable[[str], str | None]]:
    found: dict[str, Callable[[str], str | None]] = {"stopwords (old)": old_guess}
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        found["py3langid"] = lambda t: ident.classify(t)[0] if t.strip() else None
    except ImportError:
        pass
    try:
        from lingua import LanguageDetectorBuilder

        low = (
            LanguageDetectorBuilder.from_all_languages()
            .with_low_accuracy_mode()
            .with_preloaded_language_models()
            .build()
        )
        high = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

        def wrap(det):  # noqa: ANN001, ANN202
            def run(t: str) -> str | None:
                lang = det.detect_language_of(t)
                return lang.iso_code_639_1.name.lower() if lang is not None else None

            return run

        found["lingua (low accuracy)"] = wrap(low)
        found["lingua (high accuracy)"] = wrap(high)
    except ImportError:
        pass
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    items = corpus()
    samples = [text[:SAMPLE_CHARS] for _, text, _ in items]
    declared = [d for _, _, d in items]
    print(f"texts: {len(items)}, declaring a language: {sum(d is not None for d in declared)}")
    outputs: dict[str, list[str | None]] = {}
    for name, detect in detectors().items():
        detect("warm up the model once")
        best = float("inf")
        for _ in range(args.repeat):
            started = time.process_time()
            got = [detect(s) for s in samples]
            best = min(best, time.process_time() - started)
        outputs[name] = got
        pairs = [(g, d) for g, d in zip(got, declared, strict=True) if d is not None]
        agree = sum(g == d for g, d in pairs)
        answered = sum(g is not None for g in got)
        old = outputs["stopwords (old)"]
        same_as_old = sum(g == o for g, o in zip(got, old, strict=True) if o is not None)
        print(
            f"{name:24} {best:6.2f} s CPU ({1000 * best / len(samples):.2f} ms/text)  "
            f"answers {answered}/{len(samples)}  agrees with declared {agree}/{len(pairs)} "
            f"({agree / len(pairs):.1%})  with the old guess where it answered "
            f"{same_as_old}/{sum(o is not None for o in old)}"
        )
        misses = Counter((d, g) for g, d in pairs if g != d)
        print("    declared->detected, commonest disagreements:", misses.most_common(8))
    if args.json:
        rows = [
            {"name": n, "declared": d, **{k: v[i] for k, v in outputs.items()}}
            for i, (n, _, d) in enumerate(items)
        ]
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
