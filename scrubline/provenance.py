"""W3C PROV exports (PROV-JSON, via the ``prov`` package) of a document or a run.

The model, in PROV terms:

- **agents**: ``agent:scrubline/<version>`` (prov:SoftwareAgent, with the git commit) runs every
  ``run:<flow run id>`` activity; ``outlet:<id>`` (prov:Organization) is who a document is
  attributed to, with the confidence and the evidence of the attribution.
- **activities**: ``run:<flow run id>`` with start/end times, status, parameters, counts, the
  rules/pipeline versions and the library versions; it used the raw captures and the
  boilerplate rules (``rule:<rule id>/v<version>``) and generated everything below.
- **entities**: ``source:<doc_id>`` (prov:location = the source URI); ``capture:<sha256>``, the
  raw bytes (fetch time, HTTP status and headers, WARC record, raw store path), a
  specialization of the source; ``text:<doc>/<capture>`` the normalized text, derived from the
  capture with the decode decision, the replayable ftfy plan and the extractor as attributes of
  the derivation; ``version:<doc>/<capture>``, the clean document, derived from the normalized
  text, a specialization of ``document:<doc_id>``; ``span:<doc>/<capture>/<n>``, each removed
  span (offsets, rule id and version, category, removed text), derived from the normalized
  text; ``citation:<doc>/<capture>/<ordinal>``, each footnote.

Pure: dictionaries from the warehouse layer in, a ``ProvDocument`` out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from prov.model import PROV_TYPE, ProvDocument

from .export import loads_json
from .staging import to_json

SL = "urn:scrubline:"
NAMESPACES = {
    "sl": SL,
    "agent": SL + "agent:",
    "outlet": SL + "outlet:",
    "run": SL + "run:",
    "rule": SL + "rule:",
    "source": SL + "source:",
    "capture": SL + "capture:",
    "text": SL + "text:",
    "document": SL + "document:",
    "version": SL + "version:",
    "span": SL + "span:",
    "citation": SL + "citation:",
    "reject": SL + "reject:",
}


def _new_document() -> ProvDocument:
    doc = ProvDocument()
    for prefix, uri in NAMESPACES.items():
        doc.add_namespace(prefix, uri)
    return doc


def _value(value: Any) -> Any:
    """A PROV attribute value: scalars and datetimes as they are, the rest as JSON text."""
    if isinstance(value, str | int | float | bool | datetime):
        return value
    return to_json(value)


def _attrs(prov_type: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """``sl:``-prefixed attributes, None values left out."""
    attrs: dict[str, Any] = {PROV_TYPE: prov_type}
    for key, value in values.items():
        if value is None:
            continue
        attrs[key if ":" in key else f"sl:{key}"] = _value(value)
    return attrs


def _agent(doc: ProvDocument, run: Mapping[str, Any]) -> str:
    ident = f"agent:scrubline/{run.get('scrubline_version') or 'unknown'}"
    doc.agent(ident, _attrs("prov:SoftwareAgent", {
        "prov:label": "scrubline", "version": run.get("scrubline_version"),
        "git_commit": run.get("git_commit"),
    }))  # fmt: skip
    return ident


def _run(doc: ProvDocument, run: Mapping[str, Any]) -> str:
    ident = f"run:{run['run_id']}"
    doc.activity(
        ident,
        startTime=run.get("started_at"),
        endTime=run.get("finished_at"),
        other_attributes=_attrs("sl:PipelineRun", {
            "prov:label": run.get("flow_name"), "flow_run_id": run["run_id"], "status": run.get("status"),
            "ruleset_version": run.get("ruleset_version"), "pipeline_version": run.get("pipeline_version"),
            "parameters": loads_json(run.get("parameters")), "counts": loads_json(run.get("counts")),
            "environment": loads_json(run.get("environment")),
        }),
    )  # fmt: skip
    doc.wasAssociatedWith(ident, _agent(doc, run))
    return ident


def _outlet(doc: ProvDocument, outlet: Mapping[str, Any]) -> str:
    ident = f"outlet:{outlet['outlet_id']}"
    doc.agent(ident, _attrs("prov:Organization", {
        "prov:label": outlet.get("name"), "country": outlet.get("country"), "kind": outlet.get("kind"),
        "provisional": outlet.get("provisional"),
    }))  # fmt: skip
    return ident


def _capture(doc: ProvDocument, doc_id: str, capture_id: str, cap: Mapping[str, Any]) -> str:
    source = f"source:{doc_id}"
    doc.entity(source, _attrs("sl:Source", {"prov:location": cap.get("source_uri")}))
    ident = f"capture:{capture_id}"
    doc.entity(ident, _attrs("sl:RawCapture", {
        "sha256": capture_id, "source_uri": cap.get("source_uri"), "source_id": cap.get("source_id"),
        "fetched_at": cap.get("fetched_at"), "content_type": cap.get("content_type"),
        "byte_size": cap.get("byte_size"), "http_status": cap.get("http_status"),
        "http_headers": loads_json(cap.get("http_headers")), "warc_record_id": cap.get("warc_record_id"),
        "raw_path": cap.get("raw_path"), "language_hint": cap.get("language_hint"),
        "outlet_hint": cap.get("outlet_hint"),
    }))  # fmt: skip
    doc.specializationOf(ident, source)
    return ident


def document_provenance(info: Mapping[str, Any]) -> ProvDocument:
    """The PROV document of one document version (``warehouse.explanation`` output)."""
    prov = _new_document()
    d, run = info["document"], info.get("run") or {"run_id": info["document"]["run_id"]}
    doc_id, capture_id = d["doc_id"], d["capture_id"]
    key = f"{doc_id}/{capture_id}"
    activity = _run(prov, run)
    capture = _capture(prov, doc_id, capture_id, info.get("capture") or {"source_uri": d["source_uri"]})
    prov.used(activity, capture)
    stats = loads_json(d.get("stats")) or {}

    text = f"text:{key}"
    prov.entity(text, _attrs("sl:NormalizedText", {"chars": len(d["text_normalized"])}))
    prov.wasGeneratedBy(text, activity)
    prov.wasDerivedFrom(text, capture, activity, other_attributes=_attrs("sl:DecodeAndNormalize", {
        "decode": loads_json(d.get("decode")), "normalize_plan": list(d.get("normalize_plan") or []),
        "extractor": stats.get("extractor") if isinstance(stats, dict) else None,
    }))  # fmt: skip

    version = f"version:{key}"
    prov.entity(version, _attrs("sl:CleanDocument", {
        "doc_id": doc_id, "capture_id": capture_id, "prov:label": d.get("title"),
        "language": d.get("language"), "published_at": d.get("published_at"),
        "dateline": d.get("dateline"), "authors": list(d.get("authors") or []),
        "chars": len(d["text"]), "ruleset_version": d.get("ruleset_version"),
        "pipeline_version": d.get("pipeline_version"), "quarantined": d.get("quarantined"),
    }))  # fmt: skip
    prov.entity(f"document:{doc_id}", _attrs("sl:Document", {}))
    prov.specializationOf(version, f"document:{doc_id}")
    prov.wasGeneratedBy(version, activity)
    prov.wasDerivedFrom(version, text, activity,
                        other_attributes=_attrs("sl:RemoveBoilerplate", {"spans": len(info["removed"])}))

    for n, span in enumerate(info["removed"]):
        rule = f"rule:{span['rule_id']}/v{span['rule_version']}"
        prov.entity(rule, _attrs("prov:Plan", {"rule_id": span["rule_id"],
                                               "rule_version": span["rule_version"]}))
        prov.used(activity, rule)
        ident = f"span:{key}/{n}"
        prov.entity(ident, _attrs("sl:RemovedSpan", {
            "start": span["start_offset"], "end": span["end_offset"], "rule_id": span["rule_id"],
            "rule_version": span["rule_version"], "category": span["category"],
            "removed_text": span["removed_text"], "evidence": span.get("evidence"),
        }))  # fmt: skip
        prov.wasGeneratedBy(ident, activity)
        prov.wasDerivedFrom(ident, text, activity)

    for note in info.get("footnotes", []):
        ident = f"citation:{key}/{note['ordinal']}"
        prov.entity(ident, _attrs("sl:Citation", {
            "marker": note.get("marker"), "kind": note.get("kind"), "url": note.get("url"),
            "url_canonical": note.get("url_canonical"), "domain": note.get("domain"),
            "cited_outlet_id": note.get("cited_outlet_id"), "issues": list(note.get("issues") or []),
        }))  # fmt: skip
        prov.wasDerivedFrom(ident, text, activity)

    if d.get("outlet_id"):
        outlet = _outlet(prov, info.get("outlet") or {"outlet_id": d["outlet_id"]})
        prov.wasAttributedTo(version, outlet, other_attributes=_attrs("sl:OutletAttribution", {
            "confidence": d.get("outlet_confidence"), "evidence": loads_json(d.get("outlet_evidence")),
        }))  # fmt: skip
    return prov


def run_provenance(trail: Mapping[str, Any]) -> ProvDocument:
    """The PROV document of one run (``warehouse.run_trail`` output): what it read, made, rejected."""
    prov = _new_document()
    activity = _run(prov, trail["run"])
    outlets = {o["outlet_id"]: o for o in trail["outlets"]}
    for d in trail["documents"]:
        capture = _capture(prov, d["doc_id"], d["capture_id"], d)
        prov.used(activity, capture)
        version = f"version:{d['doc_id']}/{d['capture_id']}"
        prov.entity(version, _attrs("sl:CleanDocument", {
            "doc_id": d["doc_id"], "capture_id": d["capture_id"], "prov:label": d.get("title"),
            "chars": d.get("chars_clean"), "removed_spans": d.get("removed_spans"),
            "ruleset_version": d.get("ruleset_version"), "pipeline_version": d.get("pipeline_version"),
        }))  # fmt: skip
        prov.entity(f"document:{d['doc_id']}", _attrs("sl:Document", {}))
        prov.specializationOf(version, f"document:{d['doc_id']}")
        prov.wasGeneratedBy(version, activity, d.get("loaded_at"))
        prov.wasDerivedFrom(version, capture, activity)
        if d.get("outlet_id"):
            outlet = _outlet(prov, outlets.get(d["outlet_id"], {"outlet_id": d["outlet_id"]}))
            prov.wasAttributedTo(version, outlet, other_attributes=_attrs(
                "sl:OutletAttribution", {"confidence": d.get("outlet_confidence")}))
    for n, reject in enumerate(trail["rejects"]):
        ident = f"reject:{trail['run']['run_id']}/{n}"
        prov.entity(ident, _attrs("sl:Reject", {
            "prov:location": reject["source_uri"], "stage": reject["stage"],
            "error_class": reject["error_class"], "message": reject["message"],
        }))  # fmt: skip
        prov.wasGeneratedBy(ident, activity)
    return prov


def to_json_text(prov: ProvDocument) -> str:
    """PROV-JSON text."""
    return prov.serialize(format="json", indent=2)
