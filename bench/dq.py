"""Data-quality benchmark: ``quality.validate`` on a generated 100k-document warehouse.

    uv run python bench/dq.py generate --db /tmp/dq_bench.duckdb        # ~1 min, ~1 GB file
    uv run python bench/dq.py validate --db /tmp/dq_bench.duckdb        # one core, DuckDB threads=1
    uv run python bench/dq.py seeds                                     # DQ vs the rest, seed corpus

``generate`` writes rows with DuckDB SQL only (not through the cleaner): a history run and the
run under test, documents of ~3-5 KB clean text (+ ~5 removed spans and ~3 footnotes each),
captures, outlets and the staged-batch records the run-count check compares against. A few
rows are bad on purpose (U+FFFD, heavy removal, a drifting outlet), so failing samples are
built too. ``validate`` pins the process to one CPU, caps DuckDB at one thread, times GE's
import apart from ``validate`` and reports peak RSS (``ru_maxrss``) and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from scrubline import warehouse  # noqa: E402

RUN = "bench-run"
HISTORY_RUN = "bench-history"
N_OUTLETS = 60
_WORD_TEXT = (
    "government minister said the a of in to and on for with by after talks border region "
    "agreement security forces official statement week report council economy energy "
    "pipeline election parliament opposition protest court ruling sanctions trade export "
    "import ministry foreign defence army troops ceasefire negotiations summit president "
    "prime capital city province villages residents humanitarian aid refugees analysts "
    "observers according sources state media agency news international organization "
    "правительство министр заявил переговоры граница безопасность"
)
WORDS = _WORD_TEXT.split()
BOILERPLATE = (  # span texts appended after the body: the removed spans
    "Subscribe to our newsletter for daily updates on the region.\n",
    "Follow us on Telegram, Facebook and X for the latest news.\n",
    "You may also like: Ministers meet in the capital to discuss energy\n",
    "© 2025 Example News Agency. All rights reserved.\n",
    "Contact the editorial office: editor@example.org, +1 555 0100\n",
)


def _sql_list(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def generate(db: Path, docs: int, history: int, seed: float = 0.42) -> dict[str, float]:
    """Write the bench warehouse at ``db`` (replacing it); returns timings."""
    for p in (db, db.with_name(db.name + ".wal")):
        p.unlink(missing_ok=True)
    t0 = time.perf_counter()
    con = warehouse.connect(db)
    warehouse.migrate(con)
    con.execute(f"SELECT setseed({seed})")
    con.execute(f"CREATE TEMP TABLE words AS SELECT unnest({_sql_list(WORDS)}) AS w")
    # 4000 sentences of 8-24 words (~110 chars)
    con.execute(
        """
        CREATE TEMP TABLE sentences AS
        SELECT i, upper(s[1]) || s[2:] || '.' AS s FROM (
            SELECT i, string_agg(w, ' ' ORDER BY k) AS s FROM (
                SELECT i, k, ws[1 + (hash(i, k) % ?)::INT] AS w
                FROM range(4000) r(i), range(24) q(k), (SELECT list(w) AS ws FROM words) v
                WHERE k < 8 + hash(i) % 17)
            GROUP BY i)
        """,
        [len(WORDS)],
    )
    con.execute(
        "INSERT INTO runs (run_id, flow_name, started_at, status, scrubline_version, "
        "ruleset_version, pipeline_version, git_commit) VALUES "
        "(?, 'bench', now() - INTERVAL 2 DAY, 'completed', '0', 'bench-1', '1', 'bench'), "
        "(?, 'bench', now(), 'running', '0', 'bench-1', '1', 'bench')",
        [HISTORY_RUN, RUN],
    )
    con.execute(
        "INSERT INTO outlets (outlet_id, name, domains, country, kind, language, provisional) "
        "SELECT 'outlet' || i, 'Outlet ' || i, ['outlet' || i || '.example'], 'AM', "
        "'newspaper', 'en', FALSE FROM range(?) r(i)",
        [N_OUTLETS],
    )
    spans = _sql_list(BOILERPLATE)
    for run_id, first, count, fetched in ((HISTORY_RUN, 0, history, "now() - INTERVAL 2 DAY"),
                                          (RUN, history, docs, "now()")):
        # outlet0 drifts in the run under test: most of its article goes (extraction broke)
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE gen AS
            WITH base AS (
                SELECT n, 'outlet' || (n % {N_OUTLETS}) AS outlet_id,
                       substr(sha256('doc' || n), 1, 16) AS doc_id,
                       sha256('capture' || n) AS capture_id,
                       array_to_string(list_transform(range(28 + (hash(n) % 16)::INT),
                           j -> pool[1 + (hash(n, j) % 4000)::INT]), ' ') AS body
                FROM range(?, ?) r(n), (SELECT list(s ORDER BY i) AS pool FROM sentences) p
            )
            SELECT *, CASE WHEN ? = '{RUN}' AND outlet_id = 'outlet0'
                           THEN body[1:(length(body) * 0.25)::INT] ELSE body END AS text,
                   CASE WHEN ? = '{RUN}' AND outlet_id = 'outlet0'
                           THEN body[(length(body) * 0.25)::INT + 1:] ELSE '' END AS lost
            FROM base
            """,
            [first, first + count, run_id, run_id],
        )
        # a handful of bad rows: U+FFFD in clean text; 2% keep a boilerplate line (residue)
        con.execute("UPDATE gen SET text = text || ' \ufffd' WHERE n % 20011 = 7")
        con.execute("UPDATE gen SET text = text || '\nFollow us on Telegram for the latest "
                    "news.' WHERE n % 50 = 3")
        con.execute(
            f"""
            INSERT INTO captures (capture_id, source_uri, source_id, fetched_at, content_type,
                                  byte_size, http_status, first_run_id, last_seen_at)
            SELECT capture_id, 'https://' || outlet_id || '.example/a/' || n, doc_id, {fetched},
                   'text/html', 3 * (length(text) + length(lost)) + 20000, 200, ?, {fetched}
            FROM gen
            """,
            [run_id],
        )
        con.execute(
            f"""
            INSERT INTO documents (doc_id, capture_id, run_id, source_uri, title, authors,
                published_at, language, outlet_id, outlet_confidence, text_normalized, text,
                chars_normalized, chars_clean, removed_share, ruleset_version,
                pipeline_version, loaded_at, quarantined, batch_id, stats)
            SELECT doc_id, capture_id, ?, 'https://' || outlet_id || '.example/a/' || n,
                   'Title ' || n, ['Author ' || (n % 97)], '2025-02-20', 'en', outlet_id, 0.9,
                   text || lost || array_to_string({spans}, ''), text,
                   length(text || lost) + {sum(len(b) for b in BOILERPLATE)}, length(text),
                   1 - length(text) / (length(text || lost)
                       + {sum(len(b) for b in BOILERPLATE)}),
                   'bench-1', '1', {fetched}, FALSE, ? || '-' || (n // 10000),
                   '{{"mojibake": false}}'
            FROM gen
            """,
            [run_id, run_id],
        )
        offsets = [0]
        for b in BOILERPLATE:
            offsets.append(offsets[-1] + len(b))
        con.execute(
            f"""
            INSERT INTO removed_spans
            SELECT doc_id, capture_id, k, start_offset, end_offset, rule_id, 1, category,
                   removed_text, NULL
            FROM (
                SELECT doc_id, capture_id, 0 AS k, length(text) AS start_offset,
                       length(text) + length(lost) AS end_offset, 'main_zone' AS rule_id,
                       'navigation' AS category, lost AS removed_text
                FROM gen WHERE length(lost) > 0
                UNION ALL
                SELECT doc_id, capture_id, k + 1,
                       length(text) + length(lost) + ({_sql_list([str(o) for o in offsets])}
                           ::INT[])[k + 1],
                       length(text) + length(lost) + ({_sql_list([str(o) for o in offsets])}
                           ::INT[])[k + 2],
                       'lexicon_' || ['subscribe', 'social', 'related', 'copyright',
                                      'contact'][k + 1],
                       ['subscribe', 'social', 'related', 'copyright', 'contact'][k + 1],
                       {spans}[k + 1]
                FROM gen, range(5) r(k))
            """
        )
        con.execute(
            """
            INSERT INTO footnotes (doc_id, capture_id, ordinal, marker, ref_offsets, note_text,
                                   url, url_canonical, domain, cited_outlet_id, issues, kind)
            SELECT doc_id, capture_id, k, '[' || k || ']', [k * 100],
                   'See https://outlet' || ((n + k) % 60) || '.example/2025/' || n,
                   'https://outlet' || ((n + k) % 60) || '.example/2025/' || n,
                   'https://outlet' || ((n + k) % 60) || '.example/2025/' || n,
                   'outlet' || ((n + k) % 60) || '.example', 'outlet' || ((n + k) % 60),
                   []::VARCHAR[], 'endnote'
            FROM gen, range(1, 2 + (hash(n) % 5)::INT) r(k)
            """
        )
        con.execute(
            """
            INSERT INTO batches (batch_id, run_id, staging_path, manifest, load_counts, loaded_at)
            SELECT d.batch_id, ?, '/bench/' || d.batch_id,
                   json_object('run_id', ?, 'batch_id', d.batch_id, 'counts', json_object(
                       'documents', count(DISTINCT (d.doc_id, d.capture_id)),
                       'removed_spans', (SELECT count(*) FROM removed_spans s JOIN documents x
                                         USING (doc_id, capture_id) WHERE x.batch_id = d.batch_id),
                       'footnotes', (SELECT count(*) FROM footnotes f JOIN documents x
                                     USING (doc_id, capture_id) WHERE x.batch_id = d.batch_id),
                       'links', 0)),
                   '{}', now()
            FROM documents d WHERE d.run_id = ? GROUP BY d.batch_id
            """,
            [run_id, run_id, run_id],
        )
    con.execute("CHECKPOINT")
    counts = dict(con.execute(
        "SELECT 'documents', count(*) FROM documents UNION ALL "
        "SELECT 'removed_spans', count(*) FROM removed_spans UNION ALL "
        "SELECT 'footnotes', count(*) FROM footnotes UNION ALL "
        "SELECT 'run_documents', count(*) FROM documents WHERE run_id = ? UNION ALL "
        "SELECT 'avg_text_chars', avg(chars_clean)::BIGINT FROM documents",
        [RUN],
    ).fetchall())
    con.close()
    return {"seconds": round(time.perf_counter() - t0, 1), **counts,
            "file_mb": round(db.stat().st_size / 2**20)}


def _one_core() -> None:
    """Pin this process to one CPU and make every DuckDB connection (ours and GE's) use one
    thread: ``duckdb.connect`` is wrapped, so duckdb-engine's connections get it too."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    real = duckdb.connect

    def connect(*args, **kwargs):  # type: ignore[no-untyped-def]
        config = dict(kwargs.pop("config", None) or {})
        config.setdefault("threads", 1)
        return real(*args, config=config, **kwargs)

    duckdb.connect = connect  # type: ignore[assignment]


def _timed(module: object, name: str, times: dict[str, float]) -> None:
    real = getattr(module, name)

    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            times[name] = times.get(name, 0.0) + time.perf_counter() - t

    setattr(module, name, wrapper)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def validate(db: Path, run_id: str = RUN) -> dict[str, object]:
    """Time ``quality.validate`` of ``run_id`` on one core; GE's import is timed apart."""
    _one_core()
    load_before = os.getloadavg()
    t = time.perf_counter()
    import great_expectations  # noqa: F401

    ge_import = time.perf_counter() - t
    rss_after_import = _rss_mb()
    from scrubline import quality
    from scrubline.boilerplate.residue import residue_patterns

    patterns = residue_patterns()  # what the flow passes
    times: dict[str, float] = {}
    from scrubline.quality import validation

    for name in ("dq_snapshot", "store_dq_results", "quarantine"):
        _timed(warehouse, name, times)
    _timed(validation, "write_metrics", times)  # validation's own reference to it
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        outcome = quality.validate(db, run_id, docs_dir=Path(tmp) / "site",
                                   residue_patterns=patterns)
        total = time.perf_counter() - t
    return {
        "ge_import_s": round(ge_import, 2),
        "validate_s": round(total, 2),
        **{f"{k}_s": round(v, 2) for k, v in times.items()},
        "ge_and_rest_s": round(total - sum(times.values()), 2),
        "peak_rss_mb": round(_rss_mb()),
        "rss_after_ge_import_mb": round(rss_after_import),
        "cpus": len(os.sched_getaffinity(0)),
        "residue_patterns": len(patterns),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "summary": outcome.summary,
    }


def seeds() -> dict[str, object]:
    """The seed corpus through the real cleaner and loader (no Prefect), then validate."""
    from scrubline import staging
    from scrubline.batch import clean_many
    from scrubline.clean import CleanContext
    from scrubline.ingest import read_inputs
    from scrubline.resources import seeds_dir

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "w.duckdb"
        t = time.perf_counter()
        captures, rejects = read_inputs([str(seeds_dir())])
        ctx = CleanContext.default()
        results, failed = clean_many(captures, workers=1, ctx=ctx)
        warehouse.start_run(db, "seeds", flow_name="bench", parameters={},
                            ruleset_version=ctx.ruleset_version, pipeline_version="1",
                            scrubline_version="0", git_commit=None)
        outlets = list(ctx.outlets.outlets.values())
        batch = staging.write_batch(Path(tmp) / "staging", results, captures,
                                    [*rejects, *failed], outlets, "seeds")
        warehouse.load_batch(db, "seeds", batch)
        pipeline = time.perf_counter() - t
        t = time.perf_counter()
        import great_expectations  # noqa: F401

        ge_import = time.perf_counter() - t
        from scrubline import quality
        from scrubline.boilerplate.residue import residue_patterns

        t = time.perf_counter()
        outcome = quality.validate(db, "seeds", docs_dir=Path(tmp) / "site",
                                   residue_patterns=residue_patterns())
        dq = time.perf_counter() - t
        t = time.perf_counter()
        warehouse.publish(db, Path(tmp) / "published.duckdb")
        publish = time.perf_counter() - t
    return {
        "documents": len(results),
        "ingest_clean_stage_load_s": round(pipeline, 2), "publish_s": round(publish, 2),
        "ge_import_s": round(ge_import, 2), "validate_s": round(dq, 2),
        "summary": outcome.summary,
        "loadavg_before": [round(x, 2) for x in load_before],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("command", choices=("generate", "validate", "seeds"))
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "dq_bench.duckdb")
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--history", type=int, default=50_000)
    args = parser.parse_args()
    if args.command == "generate":
        out = generate(args.db, args.docs, args.history)
    elif args.command == "validate":
        out = validate(args.db)
    else:
        out = seeds()
    print(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
