"""Bytes -> str, recording which charset was chosen and why.

Decision order (first that applies wins):

1. empty input or binary content (file signature, NUL bytes, control characters)
   -> ``Rejected("decode", reason)``;
2. byte-order mark (UTF-8, UTF-16, UTF-32) -> method ``"bom"``; the BOM is dropped;
3. a charset declared by the HTTP ``Content-Type`` header, then by ``<meta charset>`` /
   ``http-equiv`` / ``<?xml encoding?>`` in the first 4 KB of HTML -> ``"http-header"`` or
   ``"meta"``. Labels are mapped the WHATWG way: ``iso-8859-1``, ``latin1`` and ``ascii`` mean
   windows-1252 (``cp1252``); a ``utf-16`` meta declaration means UTF-8.
   **Policy for lying declarations**: when the bytes are valid UTF-8 *and* contain non-ASCII
   sequences, UTF-8 wins over a different declared charset (method ``"utf-8"``, the overridden
   declaration is in the evidence). Valid multi-byte UTF-8 is vanishingly unlikely in
   legacy-encoded text, while pages that declare ISO-8859-1 and ship UTF-8 are common.
4. strict UTF-8 (the fast path: most inputs) -> ``"utf-8"``;
5. charset-normalizer detection -> ``"detected"`` (cp1252 preferred when it reads the same);
6. cp1252 with undefined bytes mapped to C1 controls (WHATWG) -> ``"fallback"``.

Declared charsets are decoded with replacement; ``DecodeDecision.replacement_chars`` counts
the U+FFFD characters the decoding produced (not ones already in the source).
"""

from __future__ import annotations

import codecs
import re

from scrubline.records import DecodeDecision, Rejected

#: How far into an HTML document a charset declaration is looked for (WHATWG prescan: 1024;
#: real pages put long <head> preambles first, so we look further).
PRESCAN_BYTES = 4096

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: File signatures of common binary formats that end up in text corpora by mistake.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"PK\x03\x04", "ZIP archive (or DOCX/XLSX/EPUB)"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 document (DOC/XLS)"),
    (b"\x7fELF", "ELF executable"),
    (b"RIFF", "RIFF media (WebP/WAV/AVI)"),
    (b"WARC/", "WARC archive (read it with the WARC reader)"),
)

#: Control bytes that never occur in text (everything below 0x20 except \t \n \f \r and ESC).
_CONTROL = frozenset(set(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1B})
_CONTROL_BYTES = bytes(sorted(_CONTROL))
#: Share of control bytes above which a sample is "mostly non-text".
MAX_CONTROL_SHARE = 0.05

# WHATWG label mapping for the labels that matter in practice.
_WHATWG_ALIASES = {
    "iso8859-1": "cp1252",
    "latin-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gbk",
    "x-sjis": "shift_jis",
}

_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:+-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:+-]+)""")
_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:+-]+)""", re.IGNORECASE)
_C1_UNDEFINED = "c1-passthrough"


def _c1_passthrough(err: UnicodeDecodeError) -> tuple[str, int]:
    """Map bytes undefined in cp1252 (0x81, 0x8D, 0x8F, 0x90, 0x9D) to U+0081.. as WHATWG does."""
    chunk = err.object[err.start : err.end]
    return "".join(chr(b) for b in chunk), err.end


codecs.register_error(_C1_UNDEFINED, _c1_passthrough)


def binary_reason(raw: bytes) -> str | None:
    """Why ``raw`` looks like binary rather than text, or None. Checks a 4 KB sample."""
    for signature, what in _SIGNATURES:
        if raw.startswith(signature):
            return f"binary content: {what} signature"
    if any(raw.startswith(bom) for bom, _ in _BOMS):
        return None  # UTF-16/32 text legitimately contains NUL bytes
    nul = raw.find(b"\x00")
    if nul >= 0:
        total = raw.count(b"\x00")
        return f"binary content: NUL byte at offset {nul} ({total} in all)"
    sample = raw[:PRESCAN_BYTES]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))  # counted at C speed
    if sample and controls / len(sample) > MAX_CONTROL_SHARE:
        return f"binary content: {controls} control bytes in the first {len(sample)} bytes"
    return None


def canonical_charset(label: str) -> str | None:
    """Python codec name for a declared charset label (WHATWG aliases applied), or None."""
    try:
        name = codecs.lookup(label.strip().strip("\"'").lower()).name
    except LookupError:
        return None
    return _WHATWG_ALIASES.get(name, name)


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset=`` parameter of a Content-Type header value, as written."""
    if not content_type:
        return None
    match = _CT_CHARSET.search(content_type)
    return match.group(1) if match else None


def sniff_declared_charset(raw: bytes) -> str | None:
    """The charset label an HTML/XML document declares in its first 4 KB, as written."""
    head = raw[:PRESCAN_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


#: How much of a document ``looks_like_html`` reads (bytes, or characters of decoded text).
HTML_SNIFF_CHARS = 2048
#: A document that opens with markup: an optional BOM, white space, then "<" (a tag, a
#: comment, a doctype or an XML declaration).
_OPENS_WITH_MARKUP = re.compile(r"\A\ufeff?\s*<")
_OPENS_WITH_MARKUP_BYTES = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<")
#: What declares an HTML document: its doctype, or an <html>, <head> or <body> tag.
_HTML_DECLARED = re.compile(r"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)
_HTML_DECLARED_BYTES = re.compile(_HTML_DECLARED.pattern.encode("ascii"), re.IGNORECASE)


def looks_like_html(head: bytes | str) -> bool:
    """Whether a document without a declared content type is HTML, from its beginning
    (``HTML_SNIFF_CHARS`` of it; raw bytes or decoded text): it opens with markup and
    declares an HTML document (doctype, ``<html>``, ``<head>`` or ``<body>``) in that window.
    Opening with markup lets a page start with a comment, an XML declaration, a ``<meta>``
    or a script before its ``<html>``; prose that mentions a ``<body>`` tag stays text.

    >>> looks_like_html(b"<!-- saved --> <html><body>x</body></html>")
    True
    >>> looks_like_html("How to write <html> and <body> tags")
    False
    """
    head = head[:HTML_SNIFF_CHARS]
    if isinstance(head, bytes):
        return bool(_OPENS_WITH_MARKUP_BYTES.match(head) and _HTML_DECLARED_BYTES.search(head))
    return bool(_OPENS_WITH_MARKUP.match(head) and _HTML_DECLARED.search(head))


def decode(
    raw: bytes, *, content_type: str | None = None, http_charset: str | None = None
) -> tuple[str, DecodeDecision]:
    """Decode ``raw`` to text and say how (see module docstring for the order).

    ``http_charset`` wins over a ``charset=`` inside ``content_type``; ``<meta>`` declarations
    are only looked for when the content type is HTML/XML or unknown.
    """
    if not raw:
        raise Rejected("decode", "empty input (0 bytes)")
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return _decode_declared(raw[len(bom) :], encoding, "bom", f"{encoding} byte-order mark")
    reason = binary_reason(raw)
    if reason:
        raise Rejected("decode", reason)

    declared = _declaration(raw, content_type, http_charset)
    utf8 = _try_utf8(raw)
    non_ascii = not raw.isascii()
    if declared is not None:
        method, label, encoding = declared
        if utf8 is not None and (encoding == "utf-8" or not non_ascii):
            return utf8, DecodeDecision(encoding, method, _said(method, label, encoding), 0)
        if utf8 is not None:
            evidence = f"valid multi-byte UTF-8 overrides {method} declaration {label!r}"
            return utf8, DecodeDecision("utf-8", "utf-8", evidence, 0)
        text, decision = _decode_declared(raw, encoding, method, _said(method, label, encoding))
        if encoding == "utf-8" and not _has_valid_multibyte(text):
            # declared UTF-8, yet not one valid multi-byte sequence: a legacy page that lies
            text, decision = _detect(raw)
            evidence = f"{decision.evidence}; {method} declared {label!r} but no valid UTF-8"
            decision = DecodeDecision(
                decision.encoding, decision.method, evidence, decision.replacement_chars
            )
        return text, decision
    if utf8 is not None:
        evidence = "valid UTF-8" if non_ascii else "ASCII only"
        return utf8, DecodeDecision("utf-8", "utf-8", evidence, 0)
    return _detect(raw)


def _declaration(
    raw: bytes, content_type: str | None, http_charset: str | None
) -> tuple[str, str, str] | None:
    """(method, label as written, codec) of the first usable declaration, or None."""
    candidates: list[tuple[str, str | None]] = [
        ("http-header", http_charset or charset_from_content_type(content_type))
    ]
    if _may_be_html(content_type):
        candidates.append(("meta", sniff_declared_charset(raw)))
    for method, label in candidates:
        if not label:
            continue
        encoding = canonical_charset(label)
        if encoding is None:
            continue  # unknown label: WHATWG ignores it, so do we
        if encoding.startswith(("utf-16", "utf-32")):
            # no BOM and (checked above) no NUL bytes: the declaration cannot be true
            encoding = "utf-8"
        return method, label, encoding
    return None


def _said(method: str, label: str, encoding: str) -> str:
    """Evidence for a declaration, noting WHATWG remapping (iso-8859-1 -> cp1252, ...)."""
    evidence = f"{method} declares {label!r}"
    try:
        literal = codecs.lookup(label).name
    except LookupError:
        literal = encoding
    if literal != encoding:
        evidence += f", read as {encoding} (WHATWG label mapping)"
    return evidence


def _may_be_html(content_type: str | None) -> bool:
    if not content_type:
        return True
    ctype = content_type.split(";", 1)[0].strip().lower()
    return "html" in ctype or "xml" in ctype


def _try_utf8(raw: bytes) -> str | None:
    """``raw`` decoded as strict UTF-8, or None when it is not valid UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _has_valid_multibyte(text: str) -> bool:
    """Whether replacement-decoded UTF-8 kept any non-ASCII character besides U+FFFD."""
    return any(ord(ch) > 0x7F and ch != "\ufffd" for ch in text)


def _decode_declared(
    raw: bytes, encoding: str, method: str, evidence: str
) -> tuple[str, DecodeDecision]:
    """Decode with a declared or BOM-given codec, replacing errors and counting them."""
    errors = _C1_UNDEFINED if encoding == "cp1252" else "replace"
    text = raw.decode(encoding, errors=errors)
    already = raw.count("\ufffd".encode()) if encoding == "utf-8" else 0
    produced = text.count("\ufffd") - already
    if produced:
        evidence += f"; {produced} undecodable sequence(s) replaced"
    return text, DecodeDecision(encoding, method, evidence, produced)


def _detect(raw: bytes) -> tuple[str, DecodeDecision]:
    """Detection with charset-normalizer; cp1252 fallback when it has no answer."""
    from charset_normalizer import from_bytes  # lazy: only non-UTF-8, undeclared inputs

    matches = from_bytes(raw)
    best = matches.best()
    if best is None:
        text, decision = _decode_declared(raw, "cp1252", "fallback", "no charset detected")
        return text, decision
    encoding = canonical_charset(best.encoding) or best.encoding
    evidence = f"charset-normalizer: {best.encoding} (chaos {best.chaos:.3f})"
    if encoding != "cp1252" and _reads_as_cp1252(raw, matches, best):
        evidence += "; cp1252 reads the same or as well"
        encoding = "cp1252"
    return _decode_declared(raw, encoding, "detected", evidence)


def _reads_as_cp1252(raw: bytes, matches, best) -> bool:  # noqa: ANN001 - charset_normalizer types
    """Prefer cp1252 (the web's legacy default) among equally good single-byte guesses."""
    as_cp1252 = raw.decode("cp1252", errors=_C1_UNDEFINED)
    if str(best) == as_cp1252:
        return True
    return any(
        (canonical_charset(m.encoding) == "cp1252") and m.chaos <= best.chaos for m in matches
    )
