"""``scrubline run | clean | explain | verify | reprocess | export-prov | sql | serve | report``.

Heavy imports (Prefect, DuckDB, trafilatura, Great Expectations) happen inside the command
that needs them, so ``scrubline clean`` never pays for Prefect or GE.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from scrubline.export import loads_json

_QUIET_PREFECT = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}


#: Seconds the embedded (ephemeral) Prefect API may take to start; Prefect's own default
#: (20 s) is too short on a busy machine. A value the user set wins.
STARTUP_TIMEOUT_SETTING = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
DEFAULT_STARTUP_TIMEOUT = "120"


def _flows(module: str) -> Any:
    """A module of the Prefect flows: the ``flows/`` folder of a checkout, installed by the
    wheel as ``scrubline_flows`` (so that it claims no top-level name as common as ``flows``)."""
    import importlib
    import importlib.util

    package = "scrubline_flows" if importlib.util.find_spec("scrubline_flows") else "flows"
    return importlib.import_module(f"{package}.{module}")


def _prefect_env(startup_timeout: int | None = None) -> None:
    for key, value in _QUIET_PREFECT.items():
        os.environ.setdefault(key, value)
    if startup_timeout is not None:
        os.environ[STARTUP_TIMEOUT_SETTING] = str(startup_timeout)
    os.environ.setdefault(STARTUP_TIMEOUT_SETTING, DEFAULT_STARTUP_TIMEOUT)


def _startup_hint(exc: BaseException) -> str:
    """What to do when the embedded API did not start in time."""
    if "ephemeral" not in str(exc).lower():
        return ""
    return (f"\n  the embedded Prefect API did not start within {os.environ.get(STARTUP_TIMEOUT_SETTING)} s: "
            f"raise {STARTUP_TIMEOUT_SETTING} (or --prefect-startup-timeout), point PREFECT_API_URL "
            "at a running server, or run with --no-prefect")  # fmt: skip


# --------------------------------------------------------------------------- run

#: Options several commands share (one definition each).
_TIME_LIMIT_ARG: dict[str, Any] = {
    "type": float,
    "default": 30.0,  # scrubline.batch.DEFAULT_TIME_LIMIT (not imported: --help stays fast)
    "help": "seconds one document may take to clean; then its worker is replaced and it is "
    "rejected as 'timeout'",
}
_NO_PROGRESS_ARG: dict[str, Any] = {"action": "store_true", "help": "no progress bar on the terminal"}
_PROFILE_ARG: dict[str, Any] = {
    "choices": ("auto", "article", "fullpage"),
    "default": "auto",
    "help": "boilerplate rule profile: article (extracted main text), fullpage (all visible text "
    "of a page), auto (default: chosen per document from its line shapes)",
}


def cmd_run(args: argparse.Namespace) -> int:
    """Run the pipeline flow on PATHS (default: the project's ``inputs``): under Prefect, or
    with ``--no-prefect`` the same run body without any API. Options left unset take the
    project's settings (``scrubline.toml``)."""
    from scrubline import project
    os.environ["SCRUBLINE_PROFILE"] = args.profile  # read by CleanContext.default in the flow

    settings = project.current().settings
    paths = _existing_inputs(args.paths or _project_inputs())
    # the option wins, then the variable the user set, then scrubline.toml
    os.environ.setdefault(STARTUP_TIMEOUT_SETTING, str(settings.prefect_startup_timeout))
    _prefect_env(args.prefect_startup_timeout)
    progress = _flows("progress")
    flow = _flows("pipeline")
    pipeline, resolve_input, run_plain = flow.pipeline, flow.resolve_input, flow.run_plain

    params = dict(paths=paths, db_path=args.db, batch_size=args.batch_size or settings.batch_size,
                  workers=args.workers or settings.workers, lock_timeout=float(settings.lock_timeout),
                  run_validation=not args.no_validate, time_limit=args.time_limit,
                  dask_address=args.dask)  # fmt: skip
    reporter = progress.Reporter()
    if sys.stderr.isatty() and not args.no_progress:
        total = progress.estimate_inputs([resolve_input(p) for p in paths])
        reporter = progress.RichBar(total)
    try:
        with progress.showing(reporter):
            summary = run_plain(**params) if args.no_prefect else pipeline(**params)
    except RuntimeError as exc:
        print(f"scrubline run failed: {exc}{_startup_hint(exc)}", file=sys.stderr)
        return 1
    if args.summary_json:
        Path(args.summary_json).write_text(json.dumps(summary, indent=2, default=str))
    print(format_summary(summary))
    return 0


@contextlib.contextmanager
def _bar(args: argparse.Namespace, label: str, total: int | None, unit: str) -> Iterator[Any]:
    """A progress bar on a terminal (stderr), unless ``--no-progress``; else a silent one."""
    progress = _flows("progress")  # rich lives there; the progress module does not import Prefect

    reporter: Any = progress.Reporter()
    if sys.stderr.isatty() and not getattr(args, "no_progress", False):
        reporter = progress.RichBar(total, label=label, unit=unit)
    with progress.showing(reporter):
        yield reporter


def _project_inputs() -> list[str]:
    from scrubline import project

    here = project.current()
    if not here.configured:
        raise UsageError(
            f"{here.root} is not a scrubline project and no input was given: "
            "name files or folders, or run `scrubline init` first"
        )
    return here.inputs


def _existing_inputs(paths: list[str]) -> list[str]:
    """``paths`` as given; a local path that does not exist is a usage error (exit 2)."""
    missing = [p for p in paths if "://" not in p and not Path(p).exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    return paths


def loaded_already(summary: dict[str, Any]) -> int:
    """Inputs of a run whose exact version was loaded already under the same clean settings."""
    return int((summary.get("loaded") or {}).get("inputs_skipped", 0))


def format_summary(summary: dict[str, Any]) -> str:
    """The short report printed at the end of ``scrubline run``."""
    dq = summary.get("dq") or {}
    lines = [
        f"run {summary['run_id']}: {summary.get('status')}",
        f"  inputs     {summary.get('inputs', 0)}"
        + (f" ({skipped} loaded already, not cleaned again)" if (skipped := loaded_already(summary)) else ""),
        f"  documents  {summary.get('documents', 0)}",
        f"  rejects    {summary.get('rejects', 0)}",
        f"  footnotes  {summary.get('footnotes', 0)}",
        "  removed spans by rule:",
        *[f"    {rule:<24} {n}" for rule, n in summary.get("removed_by_rule", {}).items()],
        "  data quality: not validated"
        if not dq
        else f"  data quality: {'passed' if dq.get('success', True) else 'FAILED'}"
        + (f" ({dq.get('summary')})" if dq.get("summary") else ""),
        f"  warehouse: {summary['db_path']}",
    ]
    if summary.get("published"):
        lines.append(f"  published (read-only for analysts): {summary['published']}")
    if dq.get("data_docs"):
        lines.append(f"  data-quality report: {dq['data_docs']}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- clean


def cmd_clean(args: argparse.Namespace) -> int:
    """The pure path: clean every input of a folder into JSON lines (no Prefect, no DB)."""
    from scrubline.batch import clean_limited
    from scrubline.clean import CleanContext
    from scrubline.export import reject_record, result_record
    from scrubline.ingest import IngestReport, read_inputs

    _existing_inputs([args.input])
    report = IngestReport()
    captures, rejects = read_inputs([args.input], report=report)
    with _bar(args, "scrubline clean", len(captures), "cleaned") as bar:
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            bar.advance(n, loaded=done)

        ctx = CleanContext.default(profile=args.profile)
        results, failed = clean_limited(
            captures, ctx=ctx, workers=args.workers, time_limit=args.time_limit, on_progress=advance
        )
    # `source` joins each record back to its input file: the path relative to the input folder
    named = {c.source_uri: (c.input_path, c.source_id) for c in captures}
    records = [result_record(r) for r in results] + [reject_record(r) for r in [*rejects, *failed]]
    for record in records:
        input_path, source_id = named.get(record["source_uri"], (None, None))
        record["source"] = input_path or record["source"]
        record["id"] = source_id
    records.sort(key=lambda r: r["source_uri"])
    lines = (json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    errors = len(rejects) + len(failed)
    for reason, n in sorted(report.skipped.items()):
        examples = ", ".join(report.examples.get(reason, [])[:3])
        print(f"skipped {n} ({reason}): {examples}{', …' if n > 3 else ''}", file=sys.stderr)
    if args.output == "-":
        sys.stdout.writelines(lines)
        print(f"{len(results)} documents, {errors} errors", file=sys.stderr)
        return 0
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        fh.writelines(lines)
    print(f"{len(results)} documents, {errors} errors -> {out}")
    return 0


# --------------------------------------------------------------------------- explain


def render_in_place(text: str, spans: list[dict[str, Any]], color: bool) -> str:
    """``text`` with each removed span shown where it was, labelled with its rule."""
    out: list[str] = []
    cursor = 0
    for s in spans:
        out.append(text[cursor : s["start_offset"]])
        label = f"{s['rule_id']}/v{s['rule_version']} {s['category']}"
        body = s["removed_text"].rstrip("\n")
        trail = s["removed_text"][len(body) :]
        if color:
            out.append(f"\x1b[9;31m{body}\x1b[0m \x1b[2;33m⟨{label}⟩\x1b[0m{trail}")
        else:
            out.append(f"[-{body}-]{{{label}}}{trail}")
        cursor = s["end_offset"]
    out.append(text[cursor:])
    return "".join(out)


def cmd_explain(args: argparse.Namespace) -> int:
    """Print the provenance trail of one document and its removals in place."""
    from scrubline import warehouse

    db = args.db or str(warehouse.default_db_path())
    info = warehouse.explanation(db, args.doc)
    if info is None:
        print(f"no document matches {args.doc!r} in {db}", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(info, default=str, ensure_ascii=False, indent=2))
        return 0
    print(format_explanation(info, color=sys.stdout.isatty() and not args.no_color))
    return 0


def _decode_line(decision: Any) -> str:
    d = loads_json(decision) or {}
    if not isinstance(d, dict):
        return str(d)
    line = f"{d.get('encoding')} by {d.get('method')}"
    if d.get("evidence"):
        line += f" ({d['evidence']})"
    if d.get("replacement_chars"):
        line += f", {d['replacement_chars']} U+FFFD from decoding"
    return line


def _footnote_line(f: dict[str, Any]) -> str:
    issues = f" [{', '.join(f['issues'])}]" if f.get("issues") else ""
    cited = f" -> {f['cited_outlet_id']}" if f.get("cited_outlet_id") else ""
    where = f.get("url") or (f.get("note_text") or "")[:80] or "-"
    return f"    {f['ordinal']:>3} {f.get('kind') or 'endnote':<11} {f['marker']:<8} {where}{cited}{issues}"


def format_explanation(info: dict[str, Any], color: bool = False) -> str:
    """Human-readable provenance trail: capture, decode, ftfy plan, extractor, outlet and its
    evidence, run (versions, parameters, start/end, counts), versions, changes, footnotes, and
    the text with every removal in place."""
    doc, cap, run, outlet = info["document"], info["capture"] or {}, info["run"] or {}, info["outlet"]
    evidence = loads_json(doc["outlet_evidence"]) or []
    stats = loads_json(doc.get("stats")) or {}
    plan = list(doc["normalize_plan"] or [])
    headers = loads_json(cap.get("http_headers"))
    fetch = f"HTTP {cap['http_status']}" if cap.get("http_status") else "read from file"
    hints = ", ".join(f"{k} {cap[k]}" for k in ("language_hint", "outlet_hint") if cap.get(k))
    lines = [
        f"document {doc['doc_id']}  version {doc['capture_id'][:16]}"
        + ("  [QUARANTINED: " + str(doc["quarantine_reason"]) + "]" if doc["quarantined"] else ""),
        f"  title      {doc['title']}",
        f"  source     {cap.get('source_uri')}  fetched {cap.get('fetched_at')}  "
        f"{cap.get('byte_size')} bytes  {cap.get('content_type') or ''}",
        f"  capture    sha256 {doc['capture_id']}  raw: {cap.get('raw_path')}",
        f"  fetch      {fetch}"
        + (f"  WARC {cap['warc_record_id']}" if cap.get("warc_record_id") else "")
        + (f"  hints: {hints}" if hints else ""),
        *([f"  headers    {json.dumps(headers, ensure_ascii=False)}"] if headers else []),
        f"  decode     {_decode_line(doc['decode'])}",
        *(
            [f"  extract    {stats['extractor']}"]
            if isinstance(stats, dict) and stats.get("extractor")
            else []
        ),
        f"  normalize  {'ftfy plan ' + ' > '.join(plan) + ' (replayable)' if plan else 'no repair needed'}",
        f"  outlet     {doc['outlet_id']} ({outlet['name'] if outlet else 'unknown'}), "
        f"confidence {doc['outlet_confidence']}",
        *[f"             evidence: {e['signal']} = {e['value']!r}" for e in evidence],
        f"  authors    {', '.join(doc['authors'] or []) or '-'}   dateline {doc['dateline'] or '-'}",
        f"  run        {run.get('run_id')} ({run.get('status')}) scrubline {run.get('scrubline_version')} "
        f"commit {run.get('git_commit') or '-'} rules {doc['ruleset_version']} "
        f"pipeline {doc.get('pipeline_version')}",
        f"             started {run.get('started_at')}  finished {run.get('finished_at') or '-'}",
        f"             parameters {json.dumps(loads_json(run.get('parameters')), ensure_ascii=False)}",
        f"             counts {json.dumps(loads_json(run.get('counts')), ensure_ascii=False)}",
    ]
    versions = info.get("versions") or []
    if len(versions) > 1:
        lines.append(f"  versions   {len(versions)} (this one: {doc['capture_id'][:16]})")
        lines += [
            f"             v{v['version_no']} {v['capture_id'][:16]} fetched {v['fetched_at']} "
            f"run {v['run_id']}" + ("  <- latest" if v["is_latest"] else "")
            for v in versions
        ]
    for change in info.get("changes") or []:
        rules = ", ".join(
            f"{s['rule_id']}/v{s['rule_version']} {s['spans_before']}->{s['spans_after']}"
            for s in change.get("span_changes") or []
        )
        was = f" (was {change['previous_capture_id'][:16]})" if change.get("previous_capture_id") else ""
        lines.append(
            f"  change     run {change['run_id']}: {change['change']}{was}"
            + (f" rules {rules}" if rules else "")
        )
    lines.append(f"  removed    {len(info['removed'])} spans")
    lines.append(f"  footnotes  {len(info['footnotes'])}")
    lines += [_footnote_line(f) for f in info["footnotes"]]
    lines += ["", render_in_place(doc["text_normalized"], info["removed"], color)]
    return "\n".join(lines)


# --------------------------------------------------------------------------- verify, reprocess, prov


def cmd_verify(args: argparse.Namespace) -> int:
    """Rebuild stored documents from their raw bytes; exit 1 if any fails."""
    from scrubline import verify, warehouse

    db = args.db or str(warehouse.default_db_path())
    if not Path(db).is_file():
        print(f"scrubline verify: no warehouse at {db}", file=sys.stderr)
        return 1
    with _bar(args, "scrubline verify", None, "verified") as bar:

        def counted(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            for n, row in enumerate(rows, 1):
                yield row
                bar.advance(1, loaded=n)

        rows = counted(warehouse.verification_rows(db, args.docs or None))
        verdicts = verify.verify_rows(rows, Path(db).parent / "raw")
    counts = verify.summarize(verdicts)
    if args.format == "json":
        documents = [dataclasses.asdict(v) for v in verdicts]
        print(json.dumps({"counts": counts, "documents": documents}, ensure_ascii=False, indent=2))
    else:
        for v in verdicts:
            if v.status != verify.VERIFIED or args.verbose:
                print(f"{v.status:<13} {v.doc_id} {v.capture_id[:16]} {v.source_uri}"
                      + (f"\n              {v.stage}: {v.detail}" if v.stage else ""))  # fmt: skip
        print(
            f"{counts['verified']} verified, {counts['failed']} failed, "
            f"{counts['cannot_verify']} cannot verify (of {len(verdicts)} document versions)"
        )
    return 1 if counts["failed"] else 0


def cmd_reprocess(args: argparse.Namespace) -> int:
    """Re-clean stored captures with the current rules (the pipeline flow, reprocess=True)."""
    _prefect_env()
    os.environ["SCRUBLINE_PROFILE"] = args.profile  # read by CleanContext.default in the flow
    pipeline = _flows("pipeline").pipeline

    try:
        with _bar(args, "scrubline reprocess", None, "loaded"):
            summary = pipeline(reprocess=True, docs=args.docs or None, db_path=args.db,
                               batch_size=args.batch_size, workers=args.workers,
                               run_validation=not args.no_validate)  # fmt: skip
    except RuntimeError as exc:
        print(f"scrubline reprocess failed: {exc}", file=sys.stderr)
        return 1
    print(format_reprocess(summary))
    return 0


def format_reprocess(summary: dict[str, Any]) -> str:
    """Which documents a reprocess changed, and by which rules."""
    loaded = summary.get("loaded", {})
    changes = summary.get("changes") or {}
    changed = [d for d in changes.get("documents", []) if d["change"] == "recleaned"]
    lines = [
        f"reprocess {summary['run_id']}: {summary.get('status')}",
        f"  document versions re-cleaned  {loaded.get('inputs_unchanged', 0) + loaded.get('inputs_new', 0)}",
        f"  output changed                {len(changed)}",
        f"  could not be rebuilt          {summary.get('rejects', 0)}",
    ]
    if changes.get("by_rule"):
        lines.append("  by rule (documents, spans delta, chars delta):")
        lines += [f"    {r['rule_id']}/v{r['rule_version']:<4} {r['documents']:>5} {r['spans_delta']:>+6} "
                  f"{r['chars_delta']:>+8}" for r in changes["by_rule"]]  # fmt: skip
    for d in changed:
        rules = (
            ", ".join(
                f"{s['rule_id']}/v{s['rule_version']} {s['spans_before']}->{s['spans_after']}"
                for s in d["span_changes"]
            )
            or "text only"
        )
        lines.append(f"  {d['doc_id']} {d['source_uri']}: {rules}")
    return "\n".join(lines)


def cmd_export_prov(args: argparse.Namespace) -> int:
    """W3C PROV-JSON of one document (its latest version) or one run."""
    from scrubline import provenance, warehouse

    db = args.db or str(warehouse.default_db_path())
    if args.run:
        trail = warehouse.run_trail(db, args.run)
        if trail is None:
            print(f"no run {args.run!r} in {db}", file=sys.stderr)
            return 1
        prov = provenance.run_provenance(trail)
    else:
        if not args.doc:
            print("scrubline export-prov: give a document or --run RUN_ID", file=sys.stderr)
            return 2
        info = warehouse.explanation(db, args.doc)
        if info is None:
            print(f"no document matches {args.doc!r} in {db}", file=sys.stderr)
            return 1
        prov = provenance.document_provenance(info)
    text = provenance.to_json_text(prov)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(f"PROV-JSON: {args.output}")
    else:
        print(text)
    return 0


# --------------------------------------------------------------------------- sql


def cmd_sql(args: argparse.Namespace) -> int:
    """Run one read-only SQL query on the published warehouse; print or write the result.

    The connection cannot reach the file system (no COPY TO, ATTACH, read_csv of paths,
    INSTALL/LOAD): exports are written by scrubline itself, to ``--output`` only.
    """
    from scrubline import warehouse

    db = args.db or str(warehouse.published_db_path())
    try:
        with warehouse.analyst_session(db) as con:
            table = con.execute(args.query).arrow()
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from exc
    except warehouse.DatabaseError as exc:
        print(f"scrubline sql: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    if hasattr(table, "read_all"):  # a RecordBatchReader in newer duckdb
        table = table.read_all()
    if args.format == "parquet" and not args.output:
        raise UsageError("--format parquet needs --output FILE")
    out = sys.stdout if not args.output or args.output == "-" else None
    if args.format == "parquet":
        warehouse.write_parquet(table, Path(args.output))
    else:
        text = render_rows(table.column_names, table.to_pylist(), args.format, args.max_width or None)
        if out is not None:
            out.write(text)
        else:
            Path(args.output).write_text(text, encoding="utf-8")
    if out is None:
        print(f"{table.num_rows} rows -> {args.output}", file=sys.stderr)
    return 0


def render_rows(names: list[str], rows: list[dict[str, Any]], fmt: str, width: int | None) -> str:
    """Rows as a text table, CSV (NULL = empty field) or JSON lines."""
    if fmt == "json":
        return "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rows)
    if fmt == "csv":
        import csv
        import io

        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(names)
        writer.writerows([["" if r[n] is None else r[n] for n in names] for r in rows])
        return buf.getvalue()
    return format_table(names, [tuple(r[n] for n in names) for r in rows], width) + "\n"


def _cell(value: Any, width: int | None) -> str:
    text = "NULL" if value is None else str(value).replace("\n", "\\n")
    if width is not None and len(text) > width:
        return text[: width - 1] + "…"
    return text


def format_table(names: list[str], rows: list[tuple[Any, ...]], width: int | None = 60) -> str:
    """A plain text table; NULL shown as ``NULL``, cells longer than ``width`` end in ``…``."""
    cells = [[_cell(v, width) for v in row] for row in rows]
    widths = [max([len(n), *(len(r[i]) for r in cells)]) for i, n in enumerate(names)]
    head = " | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    body = [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join([head, "-+-".join("-" * w for w in widths), *body, f"({len(rows)} rows)"])


# --------------------------------------------------------------------------- serve


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the scheduled deployments of the pipeline on this machine (flow.serve)."""
    _prefect_env()
    serve_all = _flows("deployments").serve_all

    serve_all()
    return 0


# --------------------------------------------------------------------------- report


def cmd_report(args: argparse.Namespace) -> int:
    """Write the self-contained HTML report of the (published) warehouse."""
    from scrubline import report, warehouse

    db = args.db or str(warehouse.published_db_path())
    output = Path(args.output) if args.output else report.default_output_path()
    try:
        path = report.write_report(db, output, data_docs=args.data_docs, explain_db=args.db)
    except FileNotFoundError as exc:
        print(f"scrubline report: {exc}", file=sys.stderr)
        return 1
    print(f"report: {path}")
    return 0


# --------------------------------------------------------------------------- main


def cmd_init(args: argparse.Namespace) -> int:
    """Make a folder a scrubline project (settings, sources, outlet registry, sample articles)."""
    from scrubline import project

    folder = Path(args.folder)
    written = project.init(folder, samples=not args.no_samples)
    for path in written:
        print(f"  wrote {path}")
    if not written:
        print(f"{folder} is already a scrubline project (nothing overwritten)")
    else:
        where = "" if folder.resolve() == Path.cwd().resolve() else f"cd {args.folder} && "
        print(f"project ready: {where}scrubline run")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from scrubline import __version__

    parser = argparse.ArgumentParser(
        prog="scrubline",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"scrubline {__version__}")
    parser.add_argument(
        "--project",
        metavar="DIR",
        help="project folder (default: $SCRUBLINE_HOME, else the nearest folder with scrubline.toml, "
        "else the current folder)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="make a folder a scrubline project")
    init.add_argument("folder", nargs="?", default=".", help="the project folder")
    init.add_argument("--no-samples", action="store_true", help="do not copy the five sample articles")
    init.set_defaults(func=cmd_init)

    run = sub.add_parser("run", help="run the pipeline flow (default: the project's inputs)")
    run.add_argument("paths", nargs="*", help="files, folders, manifests, WARCs or URLs to ingest")
    run.add_argument("--db", help="warehouse DuckDB file (default: the project's database)")
    run.add_argument(
        "--workers", type=int, help="batches cleaned at once (worker processes; default: the setting, 2)"
    )
    run.add_argument("--batch-size", type=int, help="documents per batch (default: the setting, 500)")
    run.add_argument("--no-validate", action="store_true", help="skip Great Expectations")
    run.add_argument("--time-limit", **_TIME_LIMIT_ARG)
    run.add_argument("--dask", metavar="ADDRESS", help="clean on this Dask scheduler (tcp://host:8786)")
    run.add_argument(
        "--no-prefect",
        action="store_true",
        help="plain local run: the same pipeline, no Prefect API, no task runs",
    )
    run.add_argument(
        "--prefect-startup-timeout",
        type=float,
        metavar="SECONDS",
        help=f"how long the embedded Prefect API may take to start ({STARTUP_TIMEOUT_SETTING}, "
        f"default {DEFAULT_STARTUP_TIMEOUT})",
    )
    run.add_argument("--no-progress", **_NO_PROGRESS_ARG)
    run.add_argument("--summary-json", metavar="FILE", help="also write the run summary (counts, timings)")
    run.add_argument("--profile", **_PROFILE_ARG)
    run.set_defaults(func=cmd_run)

    clean = sub.add_parser("clean", help="clean a folder into JSON lines (no Prefect, no DB)")
    clean.add_argument("input", help="a file or folder (read recursively; manifest.jsonl optional)")
    clean.add_argument("--output", "-o", required=True, help="output .jsonl file (- = stdout)")
    clean.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    clean.add_argument("--no-progress", **_NO_PROGRESS_ARG)
    clean.add_argument("--time-limit", **_TIME_LIMIT_ARG)
    clean.add_argument("--profile", **_PROFILE_ARG)
    clean.set_defaults(func=cmd_clean)

    explain = sub.add_parser("explain", help="provenance trail of one document")
    explain.add_argument("doc", help="doc_id (or a prefix) or part of the source URI")
    explain.add_argument("--db", help="warehouse DuckDB file")
    explain.add_argument("--format", choices=("text", "json"), default="text")
    explain.add_argument("--no-color", action="store_true")
    explain.set_defaults(func=cmd_explain)

    ver = sub.add_parser("verify", help="rebuild stored documents from their raw bytes")
    ver.add_argument("docs", nargs="*", help="doc ids, prefixes or parts of source URIs (default: all)")
    ver.add_argument("--db", help="warehouse DuckDB file")
    ver.add_argument("--format", choices=("text", "json"), default="text")
    ver.add_argument("--verbose", "-v", action="store_true", help="list verified documents too")
    ver.add_argument("--no-progress", **_NO_PROGRESS_ARG)
    ver.set_defaults(func=cmd_verify)

    rep_ = sub.add_parser("reprocess", help="re-clean stored captures with the current rules")
    rep_.add_argument("docs", nargs="*", help="doc ids, prefixes or parts of source URIs (default: all)")
    rep_.add_argument("--db", help="warehouse DuckDB file")
    rep_.add_argument("--workers", type=int, default=2, help="processes for cleaning")
    rep_.add_argument("--batch-size", type=int, default=200, help="documents per batch")
    rep_.add_argument("--no-validate", action="store_true", help="skip Great Expectations")
    rep_.add_argument("--no-progress", **_NO_PROGRESS_ARG)
    rep_.add_argument("--profile", **_PROFILE_ARG)
    rep_.set_defaults(func=cmd_reprocess)

    prov = sub.add_parser("export-prov", help="W3C PROV-JSON of a document or a run")
    prov.add_argument("doc", nargs="?", help="doc id (or a prefix) or part of the source URI")
    prov.add_argument("--run", help="export a run instead: its flow run id")
    prov.add_argument("--db", help="warehouse DuckDB file")
    prov.add_argument("--output", "-o", help="file to write (default: stdout)")
    prov.set_defaults(func=cmd_export_prov)

    sql = sub.add_parser("sql", help="read-only SQL on the published warehouse")
    sql.add_argument("query")
    sql.add_argument("--db", help="DuckDB file (default: the published copy)")
    sql.add_argument("--format", choices=("table", "csv", "json", "parquet"), default="table")
    sql.add_argument("--output", "-o", help="write the result here instead of stdout (- = stdout)")
    sql.add_argument(
        "--max-width", type=int, default=60, help="cut table cells after this many characters (0 = never)"
    )
    sql.set_defaults(func=cmd_sql)

    serve = sub.add_parser("serve", help="run the scheduled deployments on this machine")
    serve.set_defaults(func=cmd_serve)

    rep = sub.add_parser("report", help="self-contained HTML report of the warehouse")
    rep.add_argument("--db", help="DuckDB file (default: the published copy)")
    rep.add_argument("--output", "-o", help="HTML file (default: warehouse/reports/report.html)")
    rep.add_argument("--data-docs", help="Data Docs index.html to link (default: found beside the db)")
    rep.set_defaults(func=cmd_report)
    for command in sub.choices.values():  # every option's help shows its default
        command.formatter_class = argparse.ArgumentDefaultsHelpFormatter
    return parser


class UsageError(Exception):
    """A mistake of the user's (a missing input, a bad setting): one line, exit 2."""


def main(argv: list[str] | None = None) -> int:
    from scrubline.project import ENV_HOME, ProjectError

    args = build_parser().parse_args(argv)
    if args.project:
        folder = Path(args.project).expanduser().resolve()
        if not folder.is_dir():
            print(f"scrubline: error: project folder {args.project} does not exist", file=sys.stderr)
            return 2
        os.environ[ENV_HOME] = str(folder)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # the reader went away (`... | head`): not an error of ours; keep Python quiet at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("scrubline: interrupted", file=sys.stderr)
        return 130
    except (UsageError, ProjectError) as exc:
        if args.debug:
            raise
        print(f"scrubline: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        if args.debug:
            raise
        print(f"scrubline: error: {type(exc).__name__}: {exc} (--debug shows the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
