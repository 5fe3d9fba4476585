"""Deployments of the one pipeline flow: same code, different parameters and schedules.

``scrubline serve`` runs them on this machine with ``prefect.serve`` (no work pool needed; the
call is ``pipeline.serve_deployments``: Prefect is imported in ``pipeline.py`` only);
``prefect.yaml`` declares the same deployments for ``prefect deploy`` onto a work pool.
Any run of them may also set the flow's other parameters, e.g. ``dask_address`` to clean on a
Dask cluster (``prefect deployment run ... -p dask_address=tcp://scheduler:8786``).
"""

from __future__ import annotations

from typing import Any

from scrubline import project

from .pipeline import nothing_scheduled, resolve_input, serve_deployments

#: name -> schedule and parameters. Paths are relative to the project root.
DEPLOYMENTS: dict[str, dict[str, Any]] = {
    "daily-sources": {
        "cron": "0 5 * * *",
        "parameters": {"paths": ["seeds/sources.yaml"], "schedule": "daily"},
        "description": "Daily run of the sources manifest (seeds/sources.yaml, schedule group 'daily').",
    },
    "hourly-feeds": {
        "cron": "0 * * * *",
        "parameters": {"paths": ["seeds/sources.yaml"], "schedule": "hourly"},
        "description": "Hourly run of the feed sources (seeds/sources.yaml, schedule group 'hourly').",
    },
    "manual-reprocess": {
        "parameters": {"reprocess": True},
        "description": "Re-clean the stored captures from the raw store with the current rules (no refetch).",
    },
    "manual-seeds": {
        "parameters": {"paths": ["seeds"]},
        "description": "One-shot run of the seed corpus, started from the UI or `prefect deployment run`.",
    },
}


SEED_SOURCES = "seeds/sources.yaml"


def sources_manifest() -> str:
    """The project's sources manifest: the first ``.yaml`` of its ``inputs``, else its
    ``sources.yaml``, else this repository's ``seeds/sources.yaml``."""
    here = project.current()
    for given in here.inputs:
        if given.endswith((".yaml", ".yml")):
            return given
    mine = here.root / "sources.yaml"
    return str(mine) if mine.is_file() else SEED_SOURCES


def active_deployments() -> dict[str, dict[str, Any]]:
    """The deployments that have work: a scheduled one whose sources group is empty in the
    manifest it names is left out (it would wake up every hour to read nothing)."""
    active = {}
    manifest = sources_manifest()
    for name, spec in DEPLOYMENTS.items():
        if spec["parameters"].get("paths") == [SEED_SOURCES]:
            spec = {**spec, "parameters": {**spec["parameters"], "paths": [manifest]}}
        params = spec["parameters"]
        paths = [resolve_input(p) for p in params.get("paths", [])]
        if params.get("schedule") and nothing_scheduled(paths, params["schedule"]):
            print(f"not serving {name}: no '{params['schedule']}' sources in {', '.join(paths)}")
            continue
        active[name] = spec
    return active


def serve_all() -> None:
    """Serve every deployment that has work; one run at a time per deployment, and every run
    holds the warehouse write lock, so runs of different deployments queue instead of
    interleaving."""
    serve_deployments(active_deployments())
