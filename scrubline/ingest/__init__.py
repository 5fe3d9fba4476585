"""Readers that turn sources into Captures (raw bytes + where/when/how they were obtained)."""

from scrubline.ingest.files import read_inputs

__all__ = ["read_inputs"]
