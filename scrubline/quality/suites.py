"""The Great Expectations suites, read without GE: one JSON file per table.

The packaged suites (``scrubline/quality/suites/*.json``) are the defaults; ``load_suites``
takes another folder for tests or a project's own suites. Every threshold of the DQ layer lives
in these files, the per-outlet drift rule included (``outlets.json`` meta ``drift``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

SEVERITIES = ("critical", "warning")
PATHS = ("sql", "metrics")

#: The parameters of the per-outlet drift rule (their values: the suites' meta ``drift``).
DRIFT_PARAMETERS = (
    "min_history_docs",  # earlier documents of the outlet needed to judge at all
    "min_run_docs",  # documents of the outlet in this run
    "history_window",  # the outlet's latest earlier documents form its baseline
    "robust_sds",  # shift beyond this many robust SDs (1.4826 * MAD) ...
    "share_floor",  # ... and beyond this absolute share removed
    "min_history_citations",  # citations/doc dropping to 0 counts where history had this
)


@dataclass(frozen=True)
class Suite:
    """One ``<table>.json`` suite file, read without GE."""

    name: str
    index_columns: tuple[str, ...]
    expectations: tuple[dict[str, Any], ...]
    meta: dict[str, Any] = field(default_factory=dict)

    def index_for(self, asset: str) -> tuple[str, ...]:
        """Columns naming a failing row of ``asset`` (suite default unless the meta says)."""
        return tuple(self.meta.get("asset_index_columns", {}).get(asset, self.index_columns))

    def groups(self) -> dict[tuple[str, str], list[dict[str, Any]]]:
        """Expectations by (data path, asset): ('sql', table) or ('metrics', metrics table)."""
        out: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for exp in self.expectations:
            meta = exp["meta"]
            asset = meta.get("asset", self.name) if meta["path"] == "metrics" else self.name
            out[(meta["path"], asset)].append(exp)
        return dict(out)


def _resolve(value: Any, meta: Mapping[str, Any], where: str) -> Any:
    """``"$meta.<key>"`` -> the suite meta's ``key``; any other value as is."""
    if isinstance(value, str) and value.startswith("$meta."):
        key = value.removeprefix("$meta.")
        if key not in meta:
            raise ValueError(f"{where}: suite meta has no {key!r}")
        return meta[key]
    return value


def suite_files(directory: Path | None = None) -> list[tuple[str, str]]:
    """(file name, JSON text) of every suite in ``directory`` (default: the packaged suites)."""
    root: Any = directory if directory is not None else files("scrubline.quality") / "suites"
    found = sorted((p for p in root.iterdir() if p.name.endswith(".json")), key=lambda p: p.name)
    return [(p.name, p.read_text(encoding="utf-8")) for p in found]


def load_suites(
    directory: Path | None = None,
    *,
    overrides: Path | None = None,
    meta: Mapping[str, Any] | None = None,
) -> list[Suite]:
    """Read and check every suite JSON (each expectation needs name, severity, path).

    ``overrides``: a folder of suites replacing those of the same file name (a project's
    ``expectations/``); ``meta``: values replacing the suites' meta keys of the same name
    (a project's ``allowed_languages``), before ``$meta.`` references are resolved.
    """
    replaced = dict(meta or {})
    chosen = dict(suite_files(directory))
    if overrides is not None and overrides.is_dir():
        chosen.update(suite_files(overrides))
    suites = []
    for name, text in sorted(chosen.items()):
        data = json.loads(text)
        for key, value in replaced.items():
            if key in data.get("meta", {}):
                data["meta"][key] = value
        for exp in data["expectations"]:
            meta = exp.get("meta", {})
            if meta.get("severity") not in SEVERITIES or meta.get("path") not in PATHS:
                raise ValueError(f"{name}: {exp['type']} needs meta severity and path")
            if not meta.get("name") or not meta.get("rationale"):
                raise ValueError(f"{name}: {exp['type']} needs meta name and rationale")
            exp["kwargs"] = {k: _resolve(v, data.get("meta", {}), name) for k, v in exp["kwargs"].items()}
        suites.append(
            Suite(data["name"], tuple(data["meta"]["index_columns"]), tuple(data["expectations"]),
                  data.get("meta", {}))
        )  # fmt: skip
    return suites


def all_residue_patterns(suites: Iterable[Suite], extra: Sequence[str] = ()) -> list[str]:
    """Default residue regexes (documents suite meta) plus ``extra`` (e.g. from lexicons)."""
    base = [p for s in suites for p in s.meta.get("residue_patterns", [])]
    return list(dict.fromkeys([*base, *extra]))


def drift_rule(suites: Iterable[Suite]) -> dict[str, float]:
    """The per-outlet drift rule: the suites' meta ``drift`` (later suites override earlier)."""
    rule: dict[str, float] = {}
    for suite in suites:
        rule.update(suite.meta.get("drift", {}))
    return rule
