"""Bounded decompression: gzip, zlib/deflate and brotli, fed in chunks, capped in size and ratio.

The one inflater of the ingest package (HTTP ``Content-Encoding``, WARC payloads and gzip
members, ``sitemap.xml.gz``) and the only ``brotli`` import. Output never grows past
``max_bytes + 1`` (zlib ``max_length``, brotli ``output_buffer_limit``), and once more than
``ratio_floor`` bytes came out, output/input beyond ``max_ratio`` is refused as a bomb.
"""

from __future__ import annotations

import zlib

import brotli

from scrubline.ingest.limits import LimitExceeded

#: Content-Encoding names this module decodes (``identity`` passes through).
ENCODINGS = frozenset({"gzip", "x-gzip", "deflate", "br", "identity", "none", ""})


class DecodeError(ValueError):
    """Compressed data that is corrupt or in an encoding we do not know."""


class Inflater:
    """Streaming decoder for one encoded body: ``feed`` chunks, then ``finish``.

    >>> import gzip
    >>> d = Inflater("gzip", max_bytes=100)
    >>> d.feed(gzip.compress(b"hello")) + d.finish()
    b'hello'
    """

    def __init__(
        self, encoding: str, *, max_bytes: int, max_ratio: float = 100.0, ratio_floor: int = 1_000_000
    ) -> None:
        encoding = encoding.strip().lower()
        if encoding not in ENCODINGS:
            raise DecodeError(f"unsupported content encoding {encoding!r}")
        self.encoding = "gzip" if encoding == "x-gzip" else encoding
        self.max_bytes = max_bytes
        self.max_ratio = max_ratio
        self.ratio_floor = ratio_floor
        self.fed = 0
        self.produced = 0
        self._zlib = self._new_zlib() if self.encoding in ("gzip", "deflate") else None
        self._raw_deflate = False
        self._first = True
        self._brotli = brotli.Decompressor() if self.encoding == "br" else None

    def _new_zlib(self) -> zlib._Decompress:
        # gzip: wbits 47 (gzip or zlib header); deflate: zlib-wrapped, falling back to raw deflate
        return zlib.decompressobj(wbits=47 if self.encoding == "gzip" else zlib.MAX_WBITS)

    def feed(self, chunk: bytes) -> bytes:
        """Decoded bytes for ``chunk``; raises LimitExceeded or DecodeError."""
        self.fed += len(chunk)
        if self._zlib is not None:
            return self._feed_zlib(chunk)
        if self._brotli is not None:
            return self._feed_brotli(chunk)
        self._count(len(chunk))
        return chunk

    def finish(self) -> bytes:
        """Check the stream ended properly (gzip/deflate/br); the last bytes, if any."""
        if self._zlib is not None:
            out = self._zlib.flush()
            self._count(len(out))
            if not self._zlib.eof and self.fed:
                raise DecodeError(f"{self.encoding} stream truncated")
            return out
        if self._brotli is not None and self.fed and not self._brotli.is_finished():
            raise DecodeError("br stream truncated")
        return b""

    def _room(self) -> int:
        return max(self.max_bytes - self.produced, 0) + 1

    def _feed_zlib(self, chunk: bytes) -> bytes:
        assert self._zlib is not None
        parts: list[bytes] = []
        data = chunk
        while data:
            try:
                out = self._zlib.decompress(data, self._room())
            except zlib.error as exc:
                if self.encoding == "deflate" and self._first and not self._raw_deflate:
                    self._raw_deflate = True  # raw deflate, as some servers send it
                    self._zlib = zlib.decompressobj(wbits=-zlib.MAX_WBITS)
                    continue
                raise DecodeError(f"corrupt {self.encoding} data: {exc}") from None
            self._first = False
            parts.append(out)
            self._count(len(out))
            data = self._zlib.unconsumed_tail
            if self._zlib.eof:
                rest = self._zlib.unused_data
                if self.encoding == "gzip" and rest.startswith(b"\x1f\x8b"):
                    self._zlib = self._new_zlib()  # concatenated gzip members
                    data = rest
                else:
                    break  # trailing garbage after the stream is ignored, as browsers do
        return b"".join(parts)

    def _feed_brotli(self, chunk: bytes) -> bytes:
        assert self._brotli is not None
        parts: list[bytes] = []
        try:
            out = self._brotli.process(chunk, output_buffer_limit=self._room())
            while True:
                parts.append(out)
                self._count(len(out))
                if self._brotli.can_accept_more_data() or self._brotli.is_finished():
                    break
                out = self._brotli.process(b"", output_buffer_limit=self._room())
        except brotli.error as exc:
            raise DecodeError(f"corrupt br data: {exc}") from None
        return b"".join(parts)

    def _count(self, n: int) -> None:
        self.produced += n
        if self.produced > self.max_bytes:
            raise LimitExceeded("TooLarge", f"{self.encoding} content inflates beyond {self.max_bytes} bytes")
        if self.produced > self.ratio_floor and self.produced > self.max_ratio * max(self.fed, 1):
            raise LimitExceeded(
                "CompressionBomb",
                f"{self.encoding} content inflates more than {self.max_ratio:g}x "
                f"({self.fed} -> {self.produced}+ bytes)",
            )


def decode_all(
    data: bytes, encoding: str, *, max_bytes: int, max_ratio: float = 100.0, ratio_floor: int = 1_000_000
) -> bytes:
    """``data`` decoded in one call, under the same limits (it is fed in 1 MB chunks)."""
    inflater = Inflater(encoding, max_bytes=max_bytes, max_ratio=max_ratio, ratio_floor=ratio_floor)
    parts = [inflater.feed(data[i : i + (1 << 20)]) for i in range(0, len(data), 1 << 20)]
    parts.append(inflater.finish())
    return b"".join(parts)
