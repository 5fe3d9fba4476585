"""``scrubline report``: one self-contained HTML page about the warehouse, for people.

The page holds the last run's summary, then charts (plotly; plotly.js is embedded once,
inline, so the file opens offline and can be mailed around) and tables: corpus size over
time, documents per outlet, removals by rule and category, the share of text removed per
outlet, top cited domains, footnote anomalies, data-quality results per run, rejects, and
``scrubline explain`` commands for a few documents worth a look.

The warehouse is read only through :func:`scrubline.warehouse.session` (read-only), with the
named queries of :data:`QUERIES`; no Prefect, no Great Expectations.
"""

from __future__ import annotations

import html
import os
import shlex
import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs, get_plotlyjs_version

from scrubline import warehouse
from scrubline.export import loads_json

__all__ = ["QUERIES", "ReportData", "default_output_path", "find_data_docs", "load_report_data",
           "render_report", "write_report"]  # fmt: skip

Row = dict[str, Any]

#: Named read-only queries, one per block of the report: ``scrubline/warehouse/sql/reports/
#: <name>.sql`` (views come from ``sql/views``). Those ending in ``LIMIT ?`` take a row limit.
QUERY_NAMES = (
    "runs",
    "totals",
    "corpus_by_run",
    "documents_by_capture_date",
    "documents_per_outlet",
    "removals_by_rule",
    "removals_by_category",
    "removed_share",
    "top_domains",
    "anomaly_counts",
    "footnote_anomalies",
    "dq_results",
    "reject_counts",
    "rejects",
    "examples",
)
QUERIES: dict[str, str] = {name: warehouse.sql(f"reports/{name}") for name in QUERY_NAMES}

#: Row limits of the tables and bar charts.
TABLE_LIMIT = 200
TOP_DOMAINS = 20
TOP_OUTLETS = 25
BOX_OUTLETS = 12
#: Outlets with fewer documents are pooled in the distribution chart (a box needs a few).
BOX_MIN_DOCUMENTS = 3
#: Above this many documents an outlet's box shows statistics only, not one dot per document.
BOX_POINTS_MAX = 1500
#: Validated runs shown in the data-quality chart (the most recent ones).
DQ_RUNS = 20
EXAMPLES = 5

_BLUE, _TEAL, _AMBER, _RED, _GREEN, _GREY = (
    "#2f6690",
    "#3a9ca5",
    "#e0a526",
    "#c0392b",
    "#2e8b57",
    "#9e9e9e",
)
_UNATTRIBUTED = "(unattributed)"


@dataclass
class ReportData:
    """Everything the report shows, read from one warehouse file."""

    db_path: Path
    rows: dict[str, list[Row]] = field(default_factory=dict)

    @property
    def last_run(self) -> Row | None:
        runs = self.rows.get("runs", [])
        return runs[-1] if runs else None


def default_output_path() -> Path:
    """``warehouse/reports/report.html`` in the project."""
    from scrubline import resources

    return resources.warehouse_dir() / "reports" / "report.html"


def _fetch(con: Any, sql: str, params: Sequence[Any] = ()) -> list[Row]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def load_report_data(db_path: str | Path) -> ReportData:
    """Run every named query on a read-only connection to ``db_path``."""
    db_path = Path(db_path)
    limits = {"top_domains": TOP_DOMAINS, "footnote_anomalies": TABLE_LIMIT,
              "rejects": TABLE_LIMIT, "examples": EXAMPLES}  # fmt: skip
    with warehouse.analyst_session(db_path) as con:
        rows = {
            name: _fetch(con, sql, [limits[name]] if name in limits else []) for name, sql in QUERIES.items()
        }
    for run in rows["runs"]:
        run["counts"] = loads_json(run.get("counts")) or {}
    return ReportData(db_path=db_path, rows=rows)


# ------------------------------------------------------------------------------ formatting


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo else value
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return "-" if value is None else str(value)


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.1f}%"


def _num(n: Any) -> str:
    return f"{n:,}" if isinstance(n, int) else _e(n)


def _short(text: Any, limit: int = 140, *, anywhere: bool = False) -> str:
    """Escaped text cut to ``limit`` characters; the full text goes in the title attribute.
    ``anywhere``: may break inside words (URLs, paths) instead of widening its column."""
    s = "" if text is None else " ".join(str(text).split())
    cls = ' class="any"' if anywhere else ""
    if len(s) <= limit:
        return f"<span{cls}>{_e(s)}</span>" if anywhere else _e(s)
    return f'<span{cls} title="{_e(s)}">{_e(s[: limit - 1])}…</span>'


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "") -> str:
    """An HTML table; cells are already-escaped HTML."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return (
        f'<div class="table"><table class="{cls}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _t(value: Any) -> str:
    """Text for a chart label or hover: plotly reads ``<b>``, ``<a>``... in labels as markup,
    and names and titles come from scraped pages."""
    return html.escape("" if value is None else str(value), quote=False)


def _outlet_label(outlet_id: Any, name: Any) -> str:
    if outlet_id is None:
        return _UNATTRIBUTED
    return _t(f"{name} ({outlet_id})" if name and name != outlet_id else outlet_id)


def _run_label(run_id: Any, started_at: Any) -> str:
    when = started_at.astimezone(UTC).strftime("%m-%d %H:%M") if isinstance(started_at, datetime) else "?"
    return f"{when}<br>{_t(str(run_id)[:8])}"


# ---------------------------------------------------------------------------------- charts

_CONFIG = {"displaylogo": False, "responsive": True,
           "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}  # fmt: skip


def _layout(fig: go.Figure, height: int, **kwargs: Any) -> go.Figure:
    settings: dict[str, Any] = {
        "template": "plotly_white",
        "height": height,
        "margin": {"l": 10, "r": 20, "t": 30, "b": 40},
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13},
        "hoverlabel": {"align": "left"},
    }
    fig.update_layout(**(settings | kwargs))
    return fig


def _bar_height(n: int) -> int:
    return max(220, 26 * n + 90)


def _hbar(
    labels: list[str], values: list[Any], hover: list[str], x_title: str, color: str | list[str] = _BLUE
) -> go.Figure:
    """Horizontal bars, largest on top."""
    fig = go.Figure(go.Bar(
        x=values[::-1], y=labels[::-1], orientation="h", marker_color=color[::-1]
        if isinstance(color, list) else color, customdata=hover[::-1],
        hovertemplate="%{customdata}<extra></extra>", text=[f"{v:,}" for v in values[::-1]],
        textposition="auto", cliponaxis=False,
    ))  # fmt: skip
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(automargin=True, type="category")
    return _layout(fig, _bar_height(len(labels)), showlegend=False)


_DAY_MS = 86_400_000  # plotly date axes count in milliseconds


def _day_axis(days: list[date]) -> dict[str, Any]:
    """Date-axis settings that keep a few days readable (plotly zooms one bar to milliseconds)."""
    if not days:
        return {}
    first, last = min(days), max(days)
    settings: dict[str, Any] = {"tickformat": "%b %d<br>%Y"}
    if (last - first).days < 14:
        pad = timedelta(days=max(1, (14 - (last - first).days) // 2))
        settings |= {"range": [str(first - pad), str(last + pad)], "dtick": 2 * _DAY_MS}
    return settings


def corpus_chart(data: ReportData) -> go.Figure | None:
    """Documents per capture day (bars) and corpus size after each run (line)."""
    by_day = data.rows["documents_by_capture_date"]
    by_run = data.rows["corpus_by_run"]
    if not by_day and not any(r["corpus_size"] for r in by_run):
        return None
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, column_widths=[0.6, 0.4], horizontal_spacing=0.1,
                        subplot_titles=("Documents by capture date",
                                        "Documents held after each run"))  # fmt: skip
    fig.add_trace(go.Bar(
        x=[str(r["day"]) for r in by_day], y=[r["documents"] for r in by_day],
        marker_color=_BLUE, name="documents captured", width=[_DAY_MS * 0.8] * len(by_day),
        customdata=[r["versions"] for r in by_day],
        hovertemplate="%{x}: %{y} documents (%{customdata} versions)<extra></extra>",
    ), row=1, col=1)  # fmt: skip
    fig.add_trace(go.Scatter(
        x=[_run_label(r["run_id"], r["started_at"]) for r in by_run],
        y=[r["corpus_size"] for r in by_run], mode="lines+markers", line_shape="hv",
        marker={"color": [_GREEN if r["status"] == "completed" else _RED for r in by_run],
                "size": 9},
        line_color=_TEAL, name="corpus size", customdata=[r["status"] for r in by_run],
        hovertemplate="run %{x} (%{customdata}): %{y} documents<extra></extra>",
    ), row=1, col=2)  # fmt: skip
    fig.update_xaxes(type="category", row=1, col=2, title_text="run (start time UTC, id)")
    fig.update_xaxes(
        title_text="capture date (UTC)", type="date", row=1, col=1, **_day_axis([r["day"] for r in by_day])
    )
    fig.update_yaxes(title_text="documents", rangemode="tozero")
    return _layout(fig, 360, showlegend=False, margin={"l": 10, "r": 20, "t": 50, "b": 40})


def outlets_chart(data: ReportData) -> go.Figure | None:
    """Documents per outlet (top outlets; the rest summed)."""
    rows = data.rows["documents_per_outlet"]
    if not rows:
        return None
    top, rest = rows[:TOP_OUTLETS], rows[TOP_OUTLETS:]
    labels = [_outlet_label(r["outlet_id"], r["outlet_name"]) for r in top]
    values = [r["documents"] for r in top]
    hover = [f"{lbl}<br>{r['documents']} documents<br>kind: {_t(r['outlet_kind'] or '-')}"
             + ("<br>provisional outlet (not in the registry)" if r["provisional"] else "")
             for lbl, r in zip(labels, top, strict=True)]  # fmt: skip
    colors = [_GREY if r["outlet_id"] is None else _AMBER if r["provisional"] else _BLUE
              for r in top]  # fmt: skip
    title = "documents (current versions)"
    if rest:
        title += f"; not shown: {len(rest)} more outlets, {sum(r['documents'] for r in rest)} documents"
    return _hbar(labels, values, hover, title, colors)


def rules_chart(data: ReportData) -> go.Figure | None:
    """Characters removed per rule version."""
    rows = data.rows["removals_by_rule"]
    if not rows:
        return None
    labels = [_t(f"{r['rule_id']} v{r['rule_version']}") for r in rows]
    hover = [
        f"{lbl}<br>{r['chars_removed']:,} characters<br>{r['spans']} spans in {r['documents']} documents"
        for lbl, r in zip(labels, rows, strict=True)
    ]
    return _hbar(labels, [r["chars_removed"] for r in rows], hover, "characters removed")


def categories_chart(data: ReportData) -> go.Figure | None:
    """Characters removed per category."""
    rows = data.rows["removals_by_category"]
    if not rows:
        return None
    labels = [_t(r["category"]) for r in rows]
    hover = [
        f"{lbl}<br>{r['chars_removed']:,} characters<br>{r['spans']} spans in {r['documents']} documents"
        for lbl, r in zip(labels, rows, strict=True)
    ]
    return _hbar(labels, [r["chars_removed"] for r in rows], hover, "characters removed", _TEAL)


def _share_box(label: str, docs: list[Row]) -> go.Box:
    """One outlet's box: every document as a dot, or (large outlets) precomputed statistics
    so the page stays small."""
    shares = [100 * r["removed_share"] for r in docs]
    style: dict[str, Any] = {"name": label, "orientation": "h", "line_color": _BLUE,
                             "fillcolor": "rgba(47,102,144,0.12)"}  # fmt: skip
    if len(docs) <= BOX_POINTS_MAX:
        return go.Box(
            x=shares, y=[label] * len(docs), boxpoints="all", jitter=0.4, pointpos=0,
            marker={"color": _BLUE, "size": 5, "opacity": 0.6},
            customdata=[[_t(r["doc_id"]), _t((r["title"] or "")[:80])] for r in docs],
            hovertemplate="%{x:.1f}% removed<br>%{customdata[1]}<br>doc %{customdata[0]}"
                          "<extra></extra>", **style,
        )  # fmt: skip
    q1, median, q3 = statistics.quantiles(shares, n=4, method="inclusive")
    reach = 1.5 * (q3 - q1)
    return go.Box(
        y=[label], q1=[q1], median=[median], q3=[q3], mean=[statistics.fmean(shares)],
        lowerfence=[min(v for v in shares if v >= q1 - reach)],
        upperfence=[max(v for v in shares if v <= q3 + reach)], **style,
    )  # fmt: skip


def removed_share_chart(data: ReportData) -> go.Figure | None:
    """Distribution of the removed share per document, one box per outlet."""
    rows = data.rows["removed_share"]
    if not rows:
        return None
    groups: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        groups[_outlet_label(r["outlet_id"], r["outlet_name"])].append(r)
    ranked = sorted(groups, key=lambda k: (-len(groups[k]), k))
    keep = [k for k in ranked[:BOX_OUTLETS] if len(groups[k]) >= BOX_MIN_DOCUMENTS]
    other = [k for k in ranked if k not in keep]
    if other:
        name = f"other outlets ({len(other)})" if keep else f"all outlets ({len(other)})"
        groups[name] = [r for k in other for r in groups[k]]
        keep.append(name)
    fig = go.Figure()
    for label in reversed(keep):
        fig.add_trace(_share_box(label, groups[label]))
    fig.update_xaxes(title_text="share of the normalized text removed (%)", rangemode="tozero")
    fig.update_yaxes(automargin=True, type="category")
    return _layout(fig, max(260, 40 * len(keep) + 90), showlegend=False)


def domains_chart(data: ReportData) -> go.Figure | None:
    """Most cited domains in footnotes."""
    rows = data.rows["top_domains"]
    if not rows:
        return None
    labels = [_t(r["domain"]) for r in rows]
    hover = [
        f"{_t(r['domain'])}<br>{r['citations']} citations in {r['documents']} documents"
        + (f"<br>outlet: {_t(r['cited_outlet'])}" if r["cited_outlet"] else "")
        for r in rows
    ]
    return _hbar(labels, [r["citations"] for r in rows], hover, "citations (footnotes)")


#: DQ cell codes and their colors: error (could not evaluate), critical fail, warning fail, pass.
_DQ_CODES = {"error": (0, _GREY), "critical": (1, _RED), "warning": (2, _AMBER), "pass": (3, _GREEN)}


def _dq_status(r: Row) -> str:
    if r["error"]:
        return "error"
    if r["success"]:
        return "pass"
    return "critical" if r["severity"] == "critical" else "warning"


def _dq_label(r: Row) -> str:
    name = str(r["name"])
    return _t(name if name.startswith(f"{r['suite']}.") else f"{r['suite']} · {name}")


def dq_chart(data: ReportData) -> go.Figure | None:
    """Pass/fail of every expectation (rows) in every run that validated (columns)."""
    rows = data.rows["dq_results"]
    if not rows:
        return None
    runs: dict[str, str] = {}
    for r in rows:
        runs.setdefault(r["run_id"], _run_label(r["run_id"], r["started_at"]))
    runs = dict(list(runs.items())[-DQ_RUNS:])
    rows = [r for r in rows if r["run_id"] in runs]
    names = sorted({_dq_label(r) for r in rows})
    col = {run: i for i, run in enumerate(runs)}
    row_of = {n: i for i, n in enumerate(names)}
    z: list[list[int | None]] = [[None] * len(runs) for _ in names]
    text: list[list[str]] = [[""] * len(runs) for _ in names]
    for r in rows:
        i, j = row_of[_dq_label(r)], col[r["run_id"]]
        status = _dq_status(r)
        z[i][j] = _DQ_CODES[status][0]
        detail = r["error"] or (f"{r['unexpected_count']} of {r['element_count']} unexpected"
                                if r["unexpected_count"] else "")  # fmt: skip
        text[i][j] = f"{status} ({r['severity']})" + (f"<br>{_t(str(detail)[:200])}" if detail else "")
    colorscale = []
    for code, color in sorted(_DQ_CODES.values()):
        colorscale += [[code / 4, color], [(code + 1) / 4, color]]
    fig = go.Figure(go.Heatmap(
        z=z, x=list(runs.values()), y=names, zmin=-0.5, zmax=3.5, colorscale=colorscale,
        showscale=False, xgap=2, ygap=2, customdata=text,
        hovertemplate="%{y}<br>run %{x}<br>%{customdata}<extra></extra>",
    ))  # fmt: skip
    fig.update_xaxes(type="category", side="top")
    fig.update_yaxes(type="category", autorange="reversed", automargin=True)
    return _layout(fig, max(240, 22 * len(names) + 110), margin={"l": 10, "r": 20, "t": 60, "b": 20})


def _figure_html(fig: go.Figure, div_id: str) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=_CONFIG)


# -------------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class Section:
    """One block of the report: a heading, a plain-language explanation, its content."""

    anchor: str
    title: str
    explanation: str
    body: str


def _chart_or_note(
    build: Callable[[ReportData], go.Figure | None], data: ReportData, anchor: str, empty: str
) -> str:
    fig = build(data)
    if fig is None:
        return f'<p class="empty">{_e(empty)}</p>'
    return f'<div class="chart">{_figure_html(fig, f"chart-{anchor}")}</div>'


def _summary_html(data: ReportData) -> str:
    run = data.last_run
    t = data.rows["totals"][0]
    share = t["chars_removed"] / t["chars_normalized"] if t["chars_normalized"] else None
    cards = [
        ("documents", _num(t["documents"]), f"{_num(t['versions'])} versions stored"),
        ("outlets", _num(t["outlets"]), "publishers with documents"),
        ("removed spans", _num(t["removed_spans"]), f"{_pct(share)} of the text removed"),
        ("footnotes", _num(t["footnotes"]), "endnotes linked to their markers"),
        ("quarantined", _num(t["quarantined"]), "versions held back by data quality"),
        ("rejects", _num(t["rejects"]), "inputs that could not be processed"),
    ]
    cards_html = "".join(
        f'<div class="card"><div class="big">{v}</div><div class="label">{_e(k)}</div>'
        f'<div class="sub">{_e(s)}</div></div>'
        for k, v, s in cards
    )
    if run is None:
        return (
            f'<p class="empty">No run recorded in this warehouse yet.</p>'
            f'<div class="cards">{cards_html}</div>'
        )
    counts = run["counts"] if isinstance(run["counts"], dict) else {}
    removed = counts.get("removed_by_rule") or {}
    dq = [r for r in data.rows["dq_results"] if r["run_id"] == run["run_id"]]
    failed = [r for r in dq if not r["success"]]
    if not dq:
        dq_text = "not run for this run"
    elif not failed:
        dq_text = f"passed ({len(dq)} expectations)"
    else:
        crit = sum(1 for r in failed if r["severity"] == "critical")
        dq_text = f"{len(failed)} of {len(dq)} expectations failed ({crit} critical)"
    duration = ""
    if isinstance(run["finished_at"], datetime) and isinstance(run["started_at"], datetime):
        duration = f" ({(run['finished_at'] - run['started_at']).total_seconds():.0f} s)"
    facts = [
        ("status", f'<span class="status {_e(run["status"])}">{_e(run["status"])}</span>'),
        ("run id", f"<code>{_e(run['run_id'])}</code>"),
        ("started", _e(_when(run["started_at"]))),
        ("finished", _e(_when(run["finished_at"])) + _e(duration)),
        (
            "versions",
            f"scrubline {_e(run['scrubline_version'])} · rules "
            f"{_e(run['ruleset_version'])} · pipeline {_e(run['pipeline_version'])} · "
            f"commit <code>{_e((run['git_commit'] or '-')[:12])}</code>",
        ),
        (
            "this run",
            f"{_num(counts.get('inputs', '-'))} inputs · "
            f"{_num(counts.get('documents', '-'))} documents · "
            f"{_num(counts.get('rejects', '-'))} rejects · "
            f"{_num(counts.get('footnotes', '-'))} footnotes · "
            f"{_num(sum(removed.values())) if removed else '-'} removed spans",
        ),
        ("data quality", _e(dq_text)),
    ]
    facts_html = "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in facts)
    return f'<dl class="facts">{facts_html}</dl><div class="cards">{cards_html}</div>'


def _runs_table(data: ReportData) -> str:
    dq_by_run: dict[str, list[Row]] = defaultdict(list)
    for r in data.rows["dq_results"]:
        dq_by_run[r["run_id"]].append(r)
    rows = []
    for run in reversed(data.rows["runs"][-10:]):
        c = run["counts"] if isinstance(run["counts"], dict) else {}
        dq = dq_by_run.get(run["run_id"], [])
        fails = sum(1 for r in dq if not r["success"])
        rows.append([
            _e(_when(run["started_at"])), f"<code>{_e(str(run['run_id'])[:8])}</code>",
            f'<span class="status {_e(run["status"])}">{_e(run["status"])}</span>',
            _num(c.get("inputs", "-")), _num(c.get("documents", "-")), _num(c.get("rejects", "-")),
            ("-" if not dq else f"{len(dq) - fails}/{len(dq)} passed"),
        ])  # fmt: skip
    return _table(["started", "run", "status", "inputs", "documents", "rejects", "data quality"], rows)


def _dq_body(data: ReportData, data_docs_href: str | None) -> str:
    docs = (f'<p>Full details of every expectation, with failing values: '
            f'<a href="{_e(data_docs_href)}">open the Great Expectations Data Docs site</a>.</p>'
            if data_docs_href else
            '<p class="empty">No Data Docs site was found next to this warehouse; '
            "<code>scrubline run</code> builds one when it validates.</p>")  # fmt: skip
    if not data.rows["dq_results"]:
        return (
            '<p class="empty">No data-quality results yet: runs made with '
            "<code>--no-validate</code> skip Great Expectations. Run "
            "<code>scrubline run</code> to validate.</p>" + docs
        )
    legend = "".join(
        f'<span class="key"><i style="background:{c}"></i>{_e(k)}</span>'
        for k, (_, c) in sorted(_DQ_CODES.items(), key=lambda kv: -kv[1][0])
    )
    legend += (
        '<span class="key"><i style="background:#fff;border:1px solid #ccc"></i>'
        "not checked in that run</span>"
    )
    chart = _chart_or_note(dq_chart, data, "dq", "")
    last = data.rows["dq_results"][-1]["run_id"]
    failed = [r for r in data.rows["dq_results"] if r["run_id"] == last and not r["success"]]
    table = (_table(["suite", "expectation", "column", "severity", "unexpected", "error"], [
        [_e(r["suite"]), _e(r["name"]), _e(r["column_name"] or "-"), _e(r["severity"]),
         _num(r["unexpected_count"]) if r["unexpected_count"] is not None else "-",
         _short(r["error"] or "", 120, anywhere=True)] for r in failed], "compact")
        if failed else "<p>Every expectation passed in the latest validated run.</p>")  # fmt: skip
    return (
        f'<div class="legend">{legend}</div>{chart}'
        f"<h3>Failed in the latest validated run ({_e(str(last)[:8])})</h3>{table}{docs}"
    )


def _anomalies_body(data: ReportData) -> str:
    counts = data.rows["anomaly_counts"]
    rows = data.rows["footnote_anomalies"]
    if not rows:
        return '<p class="empty">No footnote anomalies in the current documents.</p>'
    total = sum(r["n"] for r in counts)
    summary = " · ".join(f"<b>{_e(r['issue'])}</b> {r['n']}" for r in counts)
    shown = f" (first {len(rows)} shown)" if total > len(rows) else ""
    table = _table(["issue", "document", "outlet", "marker", "URL as written", "note"], [
        [f'<span class="tag">{_e(r["issue"])}</span>',
         f"<code>{_e(r['doc_id'])}</code><br>{_short(r['title'], 60)}", _e(r["outlet"] or "-"),
         _e(r["marker"]), _short(r["url"] or "-", 70, anywhere=True),
         _short(r["note_text"], 90, anywhere=True)]
        for r in rows])  # fmt: skip
    return f"<p>{total} anomalies{shown}: {summary}</p>{table}"


def _rejects_body(data: ReportData) -> str:
    rows = data.rows["rejects"]
    if not rows:
        return '<p class="empty">No rejected inputs.</p>'
    summary = _table(["stage", "error", "inputs", "runs", "example message"], [
        [_e(r["stage"]), _e(r["error_class"]), _num(r["inputs"]), _num(r["runs"]),
         _short(r["example"], 120, anywhere=True)] for r in data.rows["reject_counts"]])  # fmt: skip
    total = sum(r["inputs"] for r in data.rows["reject_counts"])
    shown = f"first {len(rows)} of {total}" if total > len(rows) else f"all {total}"
    detail = _table(["run started", "stage", "error", "message", "input"], [
        [_e(_when(r["run_started_at"])), _e(r["stage"]), _e(r["error_class"]),
         _short(r["message"], 100, anywhere=True), _short(r["source_uri"], 70, anywhere=True)]
        for r in rows])  # fmt: skip
    return (
        f"{summary}<details><summary>Every rejected input ({shown}, newest first)</summary>{detail}</details>"
    )


def _explain_command(doc_id: str, db_arg: str | None) -> str:
    cmd = f"scrubline explain {shlex.quote(doc_id)}"
    return cmd + (f" --db {shlex.quote(db_arg)}" if db_arg else "")


def _examples_body(data: ReportData, db_arg: str | None) -> str:
    rows = data.rows["examples"]
    if not rows:
        return '<p class="empty">No documents yet.</p>'
    return _table(["document", "outlet", "removed spans", "text removed", "see every removal in place"], [
        [_short(r["title"] or r["doc_id"], 70), _e(r["outlet"] or _UNATTRIBUTED), _num(r["spans"]),
         _pct(r["removed_share"]), f"<code class=\"cmd\">{_e(_explain_command(r['doc_id'], db_arg))}</code>"]
        for r in rows])  # fmt: skip


def _sections(data: ReportData, data_docs_href: str | None, db_arg: str | None) -> list[Section]:
    return [
        Section(
            "runs",
            "Recent runs",
            "Each run of the pipeline reads a set of inputs, cleans them and loads them. "
            "A run is “failed” when data-quality checks found a critical problem.",
            _runs_table(data),
        ),
        Section(
            "corpus",
            "Corpus size over time",
            "Left: how many documents were captured (downloaded or read) on each day. Right: "
            "how many distinct documents the warehouse held after each run; a flat step "
            "means the run brought nothing new (re-running the same inputs adds nothing).",
            _chart_or_note(corpus_chart, data, "corpus", "No documents yet."),
        ),
        Section(
            "outlets",
            "Documents per outlet",
            "Which publishers the articles come from. Amber bars are outlets found in the "
            "articles but not yet in the reference list; grey means no publisher could be "
            "identified.",
            _chart_or_note(outlets_chart, data, "outlets", "No documents yet."),
        ),
        Section(
            "rules",
            "What was removed, by rule",
            "Each rule recognises one kind of boilerplate (a footer, a “subscribe” prompt, "
            "an endnote block…). Bars show how many characters each rule removed across the "
            "current documents; hover for the number of pieces and documents.",
            _chart_or_note(rules_chart, data, "rules", "Nothing was removed."),
        ),
        Section(
            "categories",
            "What was removed, by category",
            "The same removals grouped by kind of text, whichever rule found them.",
            _chart_or_note(categories_chart, data, "categories", "Nothing was removed."),
        ),
        Section(
            "share",
            "Share of text removed per outlet",
            "Each dot is one document: the percentage of its text that cleaning removed. "
            "The box spans the middle half of an outlet’s documents. Dots far to the right "
            "are documents worth checking by hand.",
            _chart_or_note(removed_share_chart, data, "share", "No documents yet."),
        ),
        Section(
            "domains",
            "Most cited domains",
            "Websites cited most often in the articles’ endnotes and footnotes.",
            _chart_or_note(domains_chart, data, "domains", "No footnote cites a URL."),
        ),
        Section(
            "anomalies",
            "Footnote anomalies",
            "Footnotes that need attention: a note that points to a file on the author’s "
            "computer (local_file_path), a note without a link (no_url), a malformed link, "
            "a note never referenced in the text, or a marker without its note.",
            _anomalies_body(data),
        ),
        Section(
            "dq",
            "Data-quality checks over runs",
            "Automatic checks (Great Expectations) run on every load. Each row is one check, "
            "each column one run: green passed, amber a warning failed, red a critical "
            "failure (affected documents are quarantined), grey could not be evaluated.",
            _dq_body(data, data_docs_href),
        ),
        Section(
            "rejects",
            "Rejected inputs",
            "Inputs that could not be processed (empty, binary, undecodable…): they are "
            "recorded here instead of stopping the run.",
            _rejects_body(data),
        ),
        Section(
            "examples",
            "Documents worth a look",
            "The documents with the most removals. Run the command in a terminal to see the "
            "document’s full provenance and its text with every removal shown in place.",
            _examples_body(data, db_arg),
        ),
    ]


# ---------------------------------------------------------------------------------- render

_CSS = """
:root { --ink:#1f2933; --muted:#616e7c; --line:#e4e7eb; --bg:#f7f9fb; --accent:#2f6690; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
       color:var(--ink); background:var(--bg); }
header { background:#fff; border-bottom:1px solid var(--line); padding:24px 0 8px; }
.wrap { max-width:1180px; margin:0 auto; padding:0 32px; }
header h1 { margin:0 0 4px; font-size:26px; }
header .meta { color:var(--muted); font-size:13px; }
nav { position:sticky; top:0; z-index:10; background:#fff; border-bottom:1px solid var(--line);
      padding:6px 0; font-size:13px; line-height:1.9; }
nav a { color:var(--accent); text-decoration:none; margin-right:14px; white-space:nowrap; }
main { max-width:1180px; margin:0 auto; padding:8px 32px 48px; }
section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:18px 22px;
          scroll-margin-top:56px;
          margin:18px 0; }
h2 { margin:0 0 4px; font-size:19px; }
h3 { font-size:15px; margin:18px 0 6px; }
p.explain { margin:0 0 12px; color:var(--muted); max-width:80ch; }
p.empty { color:var(--muted); font-style:italic; }
.facts { display:grid; grid-template-columns:max-content 1fr; gap:4px 18px; margin:16px 0; }
.facts dt { color:var(--muted); }
.facts dd { margin:0; }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(150px,1fr)); gap:12px;
         margin:12px 0 8px; }
.card { background:var(--bg); border:1px solid var(--line); border-radius:8px; padding:10px 14px; }
.card .big { font-size:24px; font-weight:600; }
.card .label { font-weight:600; }
.card .sub { color:var(--muted); font-size:12px; }
.status { padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; color:#fff;
          background:#9e9e9e; }
.status.completed { background:#2e8b57; } .status.failed { background:#c0392b; }
.status.running { background:#e0a526; }
.table { overflow-x:auto; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line);
         vertical-align:top; overflow-wrap:break-word; }
.any { overflow-wrap:anywhere; }
th { background:var(--bg); font-weight:600; white-space:nowrap; }
td code, dd code { font-size:12px; }
code.cmd { background:#1f2933; color:#f5f7fa; padding:2px 6px; border-radius:4px;
           white-space:nowrap; user-select:all; }
.tag { background:#fdecea; color:#a8322a; padding:1px 6px; border-radius:4px; font-size:12px;
       white-space:nowrap; }
.legend { font-size:13px; margin-bottom:6px; }
.legend .key { margin-right:14px; }
.legend i { display:inline-block; width:12px; height:12px; border-radius:2px; margin-right:4px;
            vertical-align:-1px; }
details { margin-top:10px; }
summary { cursor:pointer; color:var(--accent); font-size:14px; margin-bottom:6px; }
footer { color:var(--muted); font-size:12px; text-align:center; padding:12px; }
"""


def render_report(
    data: ReportData,
    *,
    data_docs_href: str | None = None,
    explain_db: str | None = None,
    generated_at: datetime | None = None,
) -> str:
    """The report as one HTML document (plotly.js inline; no external resources).

    ``data_docs_href``: link to the Data Docs site (relative to the report), if any.
    ``explain_db``: the ``--db`` to show in ``scrubline explain`` commands (None: the default).
    """
    generated = generated_at or datetime.now(UTC)
    sections = _sections(data, data_docs_href, explain_db)
    nav = "\n".join(f'<a href="#{s.anchor}">{_e(s.title)}</a>' for s in sections)
    body = "".join(
        f'<section id="{s.anchor}"><h2>{_e(s.title)}</h2>'
        f'<p class="explain">{_e(s.explanation)}</p>{s.body}</section>'
        for s in sections
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="scrubline report; plotly.js {_e(get_plotlyjs_version())}">
<title>scrubline report — {_e(data.db_path.name)}</title>
<style>{_CSS}</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<header><div class="wrap">
<h1>scrubline warehouse report</h1>
<div class="meta">Warehouse <code>{_e(data.db_path)}</code> · generated {_e(_when(generated))}</div>
<section id="summary"><h2>Last run</h2>
<p class="explain">What the most recent pipeline run did, and what the warehouse holds now.</p>
{_summary_html(data)}</section>
</div></header>
<nav><div class="wrap">{nav}</div></nav>
<main>{body}</main>
<footer>Made by <code>scrubline report</code>. Charts are interactive: hover for details,
drag to zoom, double-click to reset. This file works offline.</footer>
</body>
</html>
"""


def find_data_docs(db_path: str | Path) -> Path | None:
    """The Data Docs ``index.html`` built beside this warehouse by ``scrubline run``, if any.

    The pipeline builds it in ``dq_site/`` next to the working database; the published copy
    lives one level down (``published/``), so both places are looked at.
    """
    db_path = Path(db_path).resolve()
    for folder in (db_path.parent, db_path.parent.parent):
        index = folder / "dq_site" / "index.html"
        if index.is_file():
            return index
    return None


def _docs_href(target: Path) -> str:
    """An absolute ``file://`` URI: the link keeps working when the report is mailed or moved
    on the same machine (a relative link breaks as soon as the report leaves its folder)."""
    return target.resolve().as_uri()


def write_report(
    db_path: str | Path,
    output: str | Path,
    *,
    data_docs: str | Path | None = None,
    explain_db: str | None = None,
    generated_at: datetime | None = None,
) -> Path:
    """Read ``db_path`` and write the HTML report to ``output``; returns ``output``.

    ``data_docs``: the Data Docs index.html (default: :func:`find_data_docs`), linked by its
    absolute ``file://`` URI. The file is written beside ``output`` then renamed over it.
    """
    output = Path(output)
    data = load_report_data(db_path)
    docs = Path(data_docs) if data_docs else find_data_docs(db_path)
    href = _docs_href(docs) if docs and docs.is_file() else None
    page = render_report(data, data_docs_href=href, explain_db=explain_db,
                         generated_at=generated_at)  # fmt: skip
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, output)
    return output
