"""Readers that turn sources into Captures (raw bytes + where/when/how they were obtained)."""

from scrubline.ingest.feeds import FeedItem, discover, parse_feed
from scrubline.ingest.files import iter_inputs, read_inputs
from scrubline.ingest.http import FetchConfig, Fetcher, FetchState, NotModified
from scrubline.ingest.limits import DEFAULT_LIMITS, IngestLimits
from scrubline.ingest.manifest import ManifestError, Source, iter_sources, load_sources, read_sources
from scrubline.ingest.report import IngestReport
from scrubline.ingest.warc import iter_warc, read_warc

__all__ = [
    "DEFAULT_LIMITS",
    "FeedItem",
    "FetchConfig",
    "FetchState",
    "Fetcher",
    "IngestLimits",
    "IngestReport",
    "ManifestError",
    "NotModified",
    "Source",
    "discover",
    "iter_inputs",
    "iter_sources",
    "iter_warc",
    "load_sources",
    "parse_feed",
    "read_inputs",
    "read_sources",
    "read_warc",
]
