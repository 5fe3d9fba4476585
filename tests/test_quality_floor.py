"""Quality floors on the *validation* halves of both dev sets (as trafilatura's CI pins its
evaluation figures), so extraction and boilerplate quality cannot drop silently.

The halves are split by site (``bench/devsets.py``); rules are chosen on the tune halves, so
these pages are the closest thing to unseen pages the repository has. Each floor sits a
little under the figure measured when it was set (``bench/RESULTS.md``, 2026-12-02):
about 0.01 of slack, roughly one standard deviation of resampling on a half. The dev sets
live in ``../shared/benchdata`` and are not part of a clone: without them the test skips.

Cost: the product path over 805 validation pages (HTML, recall text, full-page text), about a
minute on one core.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import devsets  # noqa: E402

from scrubline.clean import CleanContext, process  # noqa: E402
from scrubline.records import Capture, Rejected  # noqa: E402

if not ((devsets.TRAF_DIR / "gold.json").is_file() and (devsets.WCXB_DIR / "metadata.json").is_file()):
    pytest.skip(
        f"dev sets not found under {devsets.SHARED} (they are shared, not in the repository)",
        allow_module_level=True,
    )

T0 = datetime(2026, 1, 1, tzinfo=UTC)

#: (set, input) -> floor on the validation half's F1 through ``scrubline.clean.process``.
FLOORS = {
    ("traf", "html"): 0.945,
    ("traf", "recall"): 0.940,  # 0.951 measured with detector v3 (was 0.925 at 0.936)
    # full page, 2026-12-03, the line model and detector v4 (bench/RESULTS.md): traf 0.879 ->
    # 0.878 (0.871 with detector v3), lowered knowingly by 0.007 (main_zone's constants were
    # set on all 300 traf pages, valid included); wcxb 0.778 -> 0.801, raised. line_model v2
    # (block features, chosen by CV min-gain on tune): traf 0.878 -> 0.887, raised to 0.876;
    # wcxb 0.801 -> 0.802, kept
    ("traf", "fullpage"): 0.876,
    ("wcxb", "html"): 0.805,
    ("wcxb", "fullpage"): 0.790,  # 0.802 with line_model v2 (0.801 v1, 0.778 main_zone v3)
}
#: full-page text through the product must beat the C4 line filter by at least this much.
FULLPAGE_OVER_C4 = 0.05


def _clean(page: devsets.Page, data: bytes, content_type: str, ctx: CleanContext) -> str:
    uri = page.url or f"file:///{page.set}/{page.id}"
    try:
        return process(Capture(uri, data, T0, content_type=content_type), ctx).document.text
    except Rejected:
        return ""


def _c4(text: str) -> str:
    from quality import c4_filter

    return c4_filter(text)


def _visible(page: devsets.Page) -> str:
    given = page.given_text("fullpage")
    if given is not None:
        return given
    import html_text

    return html_text.extract_text(page.html(), guess_layout=True)


@pytest.fixture(scope="module")
def figures() -> dict[tuple[str, str], float]:
    ctx = CleanContext.default(profile="auto")
    tallies: dict[tuple[str, str], devsets.Tally] = {}
    for page in devsets.load("all"):
        if page.half != "valid":
            continue
        visible = _visible(page)
        outputs = {
            "html": _clean(page, page.raw(), "text/html", ctx),
            "fullpage": _clean(page, visible.encode(), "text/plain", ctx),
            "c4": _c4(visible),
        }
        recall = page.given_text("trafilatura-recall")
        if recall is not None:  # shipped with trafilatura-dev only (wcxb's costs a trafilatura pass)
            outputs["recall"] = _clean(page, recall.encode(), "text/plain", ctx)
        for name, out in outputs.items():
            devsets.score(tallies.setdefault((page.set, name), devsets.Tally()), page, out)
    return {key: tally.prf(key[0])[2] for key, tally in tallies.items()}


@pytest.mark.parametrize(("key", "floor"), FLOORS.items(), ids=[f"{s}-{i}" for s, i in FLOORS])
def test_validation_f1_stays_above_its_floor(figures, key, floor):
    assert figures[key] >= floor, f"{key}: F1 {figures[key]:.4f} < floor {floor}"


@pytest.mark.parametrize("set_name", ["traf", "wcxb"])
def test_fullpage_text_beats_the_c4_line_filter(figures, set_name):
    gain = figures[(set_name, "fullpage")] - figures[(set_name, "c4")]
    assert gain >= FULLPAGE_OVER_C4, f"{set_name}: full-page F1 only {gain:+.4f} over C4"
