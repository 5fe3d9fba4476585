"""scrubline: source-cleaning and provenance ETL for news and analysis articles."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("scrubline")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+source"
