"""Deployments of the one pipeline flow: same code, different parameters and schedules.

``scrubline serve`` runs them on this machine with ``prefect.serve`` (no work pool needed);
``prefect.yaml`` declares the same deployments for ``prefect deploy`` onto a work pool.
"""

from __future__ import annotations

from typing import Any

from prefect import serve

from flows.pipeline import pipeline

#: name -> schedule and parameters. Paths are relative to the project root.
DEPLOYMENTS: dict[str, dict[str, Any]] = {
    "daily-sources": {
        "cron": "0 5 * * *",
        "parameters": {"paths": ["seeds"]},
        "description": "Daily run of the sources (the bundled seeds until a sources manifest is set).",
    },
    "manual-seeds": {
        "parameters": {"paths": ["seeds"]},
        "description": "One-shot run of the seed corpus, started from the UI or `prefect deployment run`.",
    },
}


def serve_all() -> None:
    """Serve every deployment; one run at a time per deployment (no overlapping writers)."""
    serve(
        *(
            pipeline.to_deployment(name=name, concurrency_limit=1, tags=["scrubline"], **spec)
            for name, spec in DEPLOYMENTS.items()
        )
    )
