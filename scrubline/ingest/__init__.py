"""Readers that turn sources into Captures (raw bytes + where/when/how they were obtained)."""

from scrubline.ingest.files import read_inputs
from scrubline.ingest.http import FetchConfig, Fetcher, NotModified
from scrubline.ingest.manifest import ManifestError, Source, load_sources, read_sources

__all__ = [
    "FetchConfig",
    "Fetcher",
    "ManifestError",
    "NotModified",
    "Source",
    "load_sources",
    "read_inputs",
    "read_sources",
]
