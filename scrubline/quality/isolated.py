"""Validation in a process of its own: :func:`validate_in_child` runs :func:`validate` in a
fresh Python (``python -m scrubline.quality.isolated``) and returns a small summary.

Why: importing Great Expectations alone takes ~285 MB, and a process keeps what it imported
(and most of what its allocators freed) until it ends. In the flow's process that memory sat
under every corpus stage after DQ (syndication, templates, the first publish), so the run's
peak was the sum of DQ's leftovers and the largest later stage. A child returns all of it
when it exits. The price is one interpreter start (GE's import is paid either way); not
measured apart from the box's noise (a +1% run's DQ stage took 4.4 s before, 6.4 s after, on
a noisy box). Measured in bench/RESULTS.md (2026-12-04).

The child's project is the caller's (``SCRUBLINE_HOME``), its warehouse the path given; it
writes its summary as JSON to a file the parent names and reads. A child that fails raises
:class:`ValidationProcessError` here with the end of its stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scrubline import project

#: what the child prints of its stderr in the parent's error (its traceback's end)
STDERR_TAIL = 4000


class ValidationProcessError(RuntimeError):
    """The validation process ended without a summary (a crash, a kill, an exception)."""


def summarize(outcome: Any) -> dict[str, Any]:
    """The flow's view of a :class:`DQOutcome`: JSON-ready, small (failed expectations only)."""
    return {
        "success": outcome.success,
        "summary": outcome.summary,
        "failed": [r for r in outcome.results if not r.get("success")],
        "quarantined": len(outcome.quarantined),
        "data_docs": str(outcome.data_docs_path) if outcome.data_docs_path else None,
    }


def validate_in_child(db_path: str | Path, run_id: str, docs_dir: str | Path) -> dict[str, Any]:
    """:func:`scrubline.quality.validate` of ``run_id`` (with the packaged residue patterns) in
    a child process; returns :func:`summarize` of its outcome."""
    env = {**os.environ, project.ENV_HOME: str(project.find())}
    with tempfile.TemporaryDirectory(prefix="scrubline-dq-child-") as tmp:
        out = Path(tmp) / "summary.json"
        argv = [sys.executable, "-m", __name__, str(db_path), run_id, str(docs_dir), str(out)]
        done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0 or not out.is_file():
            raise ValidationProcessError(
                f"data-quality validation of run {run_id} failed in its process (exit {done.returncode}):\n"
                f"{done.stderr[-STDERR_TAIL:]}"
            )
        return json.loads(out.read_text(encoding="utf-8"))


def main(argv: Sequence[str]) -> None:
    """Child side: validate, write the summary (JSON; values GE gave that JSON lacks as text)."""
    db_path, run_id, docs_dir, out = argv
    from scrubline.boilerplate.residue import residue_patterns

    from .validation import validate

    outcome = validate(Path(db_path), run_id, docs_dir=Path(docs_dir), residue_patterns=residue_patterns())
    tmp = Path(out).with_suffix(".tmp")
    tmp.write_text(json.dumps(summarize(outcome), default=str), encoding="utf-8")
    tmp.replace(out)  # the parent reads a whole summary or none


if __name__ == "__main__":
    main(sys.argv[1:])
