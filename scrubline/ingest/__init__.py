"""Readers that turn sources into Captures (raw bytes + where/when/how they were obtained)."""

from scrubline.ingest.feeds import FeedItem, discover, parse_feed
from scrubline.ingest.files import read_inputs
from scrubline.ingest.http import FetchConfig, Fetcher, FetchState, NotModified
from scrubline.ingest.manifest import ManifestError, Source, load_sources, read_sources
from scrubline.ingest.report import IngestReport
from scrubline.ingest.warc import read_warc

__all__ = [
    "FeedItem",
    "FetchConfig",
    "FetchState",
    "Fetcher",
    "IngestReport",
    "ManifestError",
    "NotModified",
    "Source",
    "discover",
    "load_sources",
    "parse_feed",
    "read_inputs",
    "read_sources",
    "read_warc",
]
