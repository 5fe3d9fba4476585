"""``scrubline report`` on a real warehouse: the seeds cleaned by the real per-document path,
staged, loaded in two runs and published; the page is then opened in headless Chromium."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import run_without_prefect

from scrubline import report, warehouse
from scrubline.clean import CleanContext
from scrubline.cli import main
from scrubline.resources import seeds_dir

CHROMIUM = Path("/usr/bin/chromium")
CHARTS = ("corpus", "outlets", "rules", "categories", "share", "domains")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run 1: three seeds. Run 2: all seeds plus an empty file (a reject). Then publish."""
    tmp = tmp_path_factory.mktemp("warehouse")
    first, extra = tmp / "first", tmp / "extra"
    first.mkdir()
    extra.mkdir()
    manifest = (seeds_dir() / "manifest.jsonl").read_text().splitlines()[:3]
    (first / "manifest.jsonl").write_text("\n".join(manifest) + "\n")
    for line in manifest:
        shutil.copy(seeds_dir() / json.loads(line)["file"], first)
    (extra / "empty.html").write_bytes(b"")
    db = tmp / "scrubline.duckdb"
    ctx = CleanContext.default()
    run_without_prefect(db, tmp, "run-0001-first", [first], ctx)
    run_without_prefect(db, tmp, "run-0002-second", [seeds_dir(), extra], ctx)
    return warehouse.publish(db, warehouse.published_db_path(db))


@pytest.fixture(scope="module")
def page(published: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report") / "report.html"
    report.write_report(published, out)
    return out.read_text(encoding="utf-8")


def _text(page: str) -> str:
    """The page without its inline scripts (plotly.js and the figures' data)."""
    return re.sub(r"<script>.*?</script>", "", page, flags=re.S)


# ------------------------------------------------------------------------------- content


def test_report_shows_the_warehouse_content(page: str, published: Path) -> None:
    body = _text(page)
    # run summary at the top: the last run, its status, versions
    summary = body[: body.index("<nav>")]
    assert "run-0002-second" in summary and "completed" in summary
    assert "abc123def456" in summary
    documents = warehouse.query(published, "SELECT count(*) FROM v_documents")[0][0]
    assert f'<div class="big">{documents}</div><div class="label">documents</div>' in summary
    # outlets, rules, categories and cited domains come from the real cleaning of the seeds
    assert "Research Center on Security Policy" in page
    rules = {r for (r,) in warehouse.query(published, "SELECT DISTINCT rule_id FROM removed_spans")}
    assert {"endnotes_block", "contact_line"} <= rules
    for rule in rules:
        assert f"{rule} v" in page, rule
    assert "president.az" in page
    # footnote anomalies and rejects as tables
    anomalies = body[body.index('id="anomalies"') : body.index('id="dq"')]
    assert "local_file_path" in anomalies and "file:///C:/Users/" in anomalies
    rejects = body[body.index('id="rejects"') : body.index('id="examples"')]
    assert "empty.html" in rejects and "read" in rejects


def test_every_chart_is_a_plotly_figure_with_its_data(page: str) -> None:
    for name in CHARTS:
        assert f'id="chart-{name}"' in page, name
    assert page.count('class="plotly-graph-div"') == len(CHARTS)  # no DQ results yet
    figures = re.findall(r'Plotly\.newPlot\(\s*"chart-domains",\s*(\[.*?\]),\s*\{', page, re.S)
    domains = json.loads(figures[0])[0]["y"]
    assert "president.az" in domains


def test_dq_section_says_so_when_no_validation_ran(page: str) -> None:
    body = _text(page)
    dq = body[body.index('id="dq"') :]
    assert "No data-quality results yet" in dq[: dq.index("</section>")]
    assert "not run for this run" in page


def test_examples_are_the_documents_with_most_removals(page: str, published: Path) -> None:
    top = warehouse.query(
        published,
        "SELECT d.doc_id, count(*) AS n FROM v_documents d JOIN removed_spans s "
        "USING (doc_id, capture_id) GROUP BY d.doc_id ORDER BY n DESC, d.doc_id LIMIT 1",
    )[0][0]
    assert f"scrubline explain {top}" in page


class _Resources(HTMLParser):
    """Collects every URL the page would load (script/img/iframe src, stylesheet href)."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in {"script", "img", "iframe", "audio", "video", "source", "embed"} and a.get("src"):
            self.loads.append(a["src"] or "")
        if tag == "link" and a.get("href"):
            self.loads.append(a["href"] or "")


def test_page_is_self_contained(page: str) -> None:
    parser = _Resources()
    parser.feed(page)
    assert parser.loads == []
    assert page.count("<script>") == 1 + len(CHARTS)  # plotly.js once, then one per figure
    assert len(page) > 1_000_000  # plotly.js itself is inline


# ------------------------------------------------------------------------- DQ and Data Docs


def _dq_row(name: str, success: bool, severity: str = "warning") -> dict:
    return {"suite": "documents", "expectation": "expect_column_values_to_not_be_null",
            "expectation_name": name, "column_name": "outlet_id", "severity": severity,
            "success": success, "element_count": 8, "unexpected_count": 0 if success else 3}  # fmt: skip


def test_dq_results_over_runs_and_data_docs_link(published: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(published.parent.parent / "scrubline.duckdb", db)  # the working database
    warehouse.store_dq_results(db, "run-0001-first", [
        _dq_row("documents.outlet_id_present", True), _dq_row("documents.text_not_empty", True)])
    warehouse.store_dq_results(db, "run-0002-second", [
        _dq_row("documents.outlet_id_present", False),
        _dq_row("documents.text_not_empty", True, "critical")])  # fmt: skip
    site = tmp_path / "dq_site" / "index.html"
    site.parent.mkdir()
    site.write_text("<html>data docs</html>")
    out = tmp_path / "reports" / "nested" / "report.html"
    report.write_report(db, out)
    page = out.read_text(encoding="utf-8")
    assert 'id="chart-dq"' in page
    heatmap = json.loads(re.search(r'"chart-dq",\s*(\[.*?\]),\s*\{', page, re.S).group(1))[0]
    assert heatmap["y"] == ["documents.outlet_id_present", "documents.text_not_empty"]
    assert heatmap["z"] == [[3, 2], [3, 3]]  # pass, warning failed; pass, pass
    body = _text(page)
    failed = body[body.index("Failed in the latest validated run") :]
    assert "documents.outlet_id_present" in failed[: failed.index("</table>")]
    assert "1 of 2 expectations failed (0 critical)" in page
    href = re.search(r'<a href="([^"]+)">open the Great Expectations Data Docs site', page).group(1)
    assert href == site.resolve().as_uri()  # absolute: survives the report being mailed or moved


def test_empty_warehouse_renders_with_notes(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    with warehouse.session(db) as con:
        warehouse.create_views(con)
    out = report.write_report(db, tmp_path / "r.html")
    page = out.read_text(encoding="utf-8")
    assert "No run recorded in this warehouse yet" in page
    assert 'class="plotly-graph-div"' not in page
    assert "No data-quality results yet" in page and "No rejected inputs" in page


# ----------------------------------------------------------------------------------- CLI


def test_cli_report_writes_the_page(published: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "cli.html"
    assert main(["report", "--db", str(published), "--output", str(out)]) == 0
    assert f"report: {out}" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert f"--db {published}" in page  # explain commands point at the same warehouse
    assert main(["report", "--db", str(tmp_path / "missing.duckdb"), "-o", str(out)]) == 1
    assert "no warehouse at" in capsys.readouterr().err


# ------------------------------------------------------------------------------- browser

#: Records uncaught errors, failed resource loads, rejected promises and console.error, then
#: (after load) writes them and the state of every chart into <pre id="__probe">.
_PROBE = """<script>
window.__errors = [];
window.addEventListener('error', e => __errors.push('error: ' + (e.message
  || (e.target && (e.target.src || e.target.href)) || e.type)), true);
window.addEventListener('unhandledrejection', e => __errors.push('rejection: ' + e.reason));
const __consoleError = console.error.bind(console);
console.error = (...a) => { __errors.push('console.error: ' + a.join(' ')); __consoleError(...a); };
window.addEventListener('load', () => setTimeout(() => {
  const out = document.createElement('pre');
  out.id = '__probe';
  out.textContent = JSON.stringify({errors: __errors,
    charts: [...document.querySelectorAll('.plotly-graph-div')].map(d => ({id: d.id,
      rendered: !!d.querySelector('svg.main-svg'), width: d.getBoundingClientRect().width}))});
  document.body.appendChild(out);
}, 100));
</script>"""


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage",
             f"--user-data-dir={tmp / 'chromium-profile'}", "--enable-logging=stderr", "--v=0",
             "--hide-scrollbars", "--virtual-time-budget=10000"]  # fmt: skip
    return subprocess.run([str(CHROMIUM), *flags, *args], capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip


@pytest.mark.skipif(not CHROMIUM.is_file(), reason="needs Debian's chromium at /usr/bin/chromium "
                    "(apt-get install chromium)")  # fmt: skip
def test_report_renders_in_headless_chromium(published: Path, tmp_path: Path) -> None:
    out = report.write_report(published, tmp_path / "report.html")
    probed = tmp_path / "probed.html"
    page = out.read_text(encoding="utf-8")
    probed.write_text(page.replace('<meta charset="utf-8">', '<meta charset="utf-8">' + _PROBE, 1),
                      encoding="utf-8")  # fmt: skip

    dom = _chromium(tmp_path, "--window-size=1280,900", "--dump-dom", probed.as_uri())
    found = re.search(r'<pre id="__probe">(.*?)</pre>', dom.stdout, re.S)
    assert found, f"probe did not run; chromium said: {dom.stderr[-2000:]}"
    probe = json.loads(html.unescape(found.group(1)))
    assert probe["errors"] == []
    assert "Uncaught" not in dom.stderr and ":ERROR:CONSOLE" not in dom.stderr
    assert [c["id"] for c in probe["charts"]] == [f"chart-{n}" for n in CHARTS]
    assert all(c["rendered"] and c["width"] > 600 for c in probe["charts"]), probe["charts"]

    shot = tmp_path / "report.png"
    done = _chromium(tmp_path, "--window-size=1280,4200", f"--screenshot={shot}", out.as_uri())
    assert shot.is_file(), done.stderr[-2000:]
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1280, 4200)
    assert len(png) > 100_000  # a blank page compresses to a few kB; charts and text do not


def test_large_outlets_get_a_statistics_box_not_a_dot_per_document() -> None:
    docs = [{"removed_share": i / 1000, "doc_id": f"d{i}", "title": None} for i in range(1001)]
    small = report._share_box("small", docs[:10])
    assert len(small.x) == 10 and small.boxpoints == "all"
    big = report._share_box("big", docs * 2)
    assert big.x is None and big.boxpoints is None
    assert (big.q1[0], big.median[0], big.q3[0]) == pytest.approx((25.0, 50.0, 75.0), abs=0.1)
    assert (big.lowerfence[0], big.upperfence[0]) == (0.0, 100.0)


def test_scraped_text_is_not_markup_in_charts() -> None:
    box = report._share_box("x", [{"removed_share": 0.1, "doc_id": "d1",
                                   "title": '<a href="https://evil.example">click</a> & <b>'}])
    assert box.customdata[0][1] == '&lt;a href="https://evil.example"&gt;click&lt;/a&gt; &amp; &lt;b&gt;'
