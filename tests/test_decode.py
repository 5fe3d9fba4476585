"""decode(): the charset decision order, its evidence, and rejects for non-text."""

from __future__ import annotations

import pytest

from scrubline.decode import binary_reason, canonical_charset, decode, looks_like_html, sniff_declared_charset
from scrubline.records import Rejected

GERMAN = "Grüße aus Köln – „schön“ gesagt, sagte die Bürgermeisterin über die Straße."


def test_plain_utf8_fast_path() -> None:
    text, decision = decode(GERMAN.encode("utf-8"))
    assert text == GERMAN
    assert (decision.encoding, decision.method, decision.evidence) == (
        "utf-8",
        "utf-8",
        "valid UTF-8",
    )
    assert decision.replacement_chars == 0


def test_ascii_only() -> None:
    assert decode(b"hello")[1].evidence == "ASCII only"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
    ],
)
def test_bom_wins_and_is_dropped(bom: bytes, codec: str) -> None:
    raw = bom + GERMAN.encode(codec)
    text, decision = decode(raw, http_charset="iso-8859-1")
    assert text == GERMAN
    assert (decision.encoding, decision.method) == (codec, "bom")


def test_http_header_charset_beats_meta() -> None:
    raw = b'<html><head><meta charset="utf-8"></head><body>' + GERMAN.encode("cp1252")
    text, decision = decode(raw, content_type="text/html; charset=windows-1252")
    assert GERMAN in text
    assert (decision.encoding, decision.method) == ("cp1252", "http-header")
    assert "windows-1252" in decision.evidence


def test_explicit_http_charset_beats_content_type_parameter() -> None:
    raw = GERMAN.encode("cp1250")
    _, decision = decode(raw, content_type="text/plain; charset=utf-8", http_charset="cp1250")
    assert decision.encoding == "cp1250"


def test_meta_iso_8859_1_is_read_as_cp1252() -> None:
    # 0x93/0x94 are curly quotes in cp1252 but C1 controls in real ISO-8859-1
    meta = b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
    raw = meta + b"\x93Zitat\x94 \xfcber"
    text, decision = decode(raw)
    assert text.endswith("“Zitat” über")
    assert (decision.encoding, decision.method) == ("cp1252", "meta")
    assert "WHATWG" in decision.evidence


def test_cp1252_undefined_bytes_map_to_c1_like_whatwg() -> None:
    text, decision = decode(b"<meta charset=windows-1252>a\x81b")
    assert text.endswith("a\x81b")
    assert decision.replacement_chars == 0


def test_valid_utf8_overrides_a_lying_legacy_declaration() -> None:
    raw = b"<meta charset=iso-8859-1><p>" + GERMAN.encode("utf-8")
    text, decision = decode(raw)
    assert GERMAN in text
    assert (decision.encoding, decision.method) == ("utf-8", "utf-8")
    assert "overrides meta declaration 'iso-8859-1'" in decision.evidence


def test_ascii_content_keeps_its_declaration() -> None:
    _, decision = decode(b"<meta charset=iso-8859-1><p>plain")
    assert (decision.encoding, decision.method) == ("cp1252", "meta")


def test_declared_utf8_with_a_few_bad_bytes_counts_replacements() -> None:
    raw = b"<meta charset=utf-8>" + "café ".encode() + b"\xff caf\xc3\xa9 \xef\xbf\xbd"
    text, decision = decode(raw)
    assert decision.method == "meta"
    assert decision.replacement_chars == 1  # the U+FFFD already in the source is not counted
    assert text.count("\ufffd") == 2


def test_declared_utf8_without_any_utf8_falls_back_to_detection() -> None:
    raw = b"<meta charset=utf-8>" + GERMAN.encode("cp1252") * 3
    text, decision = decode(raw)
    assert GERMAN in text
    assert decision.method == "detected"
    assert "declared 'utf-8' but no valid UTF-8" in decision.evidence


def test_meta_ignored_for_plain_text() -> None:
    raw = b"<meta charset=iso-8859-1> is how you declare it: " + "é".encode()
    _, decision = decode(raw, content_type="text/plain")
    assert decision.method == "utf-8"


@pytest.mark.parametrize(
    ("codec", "sample"),
    [
        ("cp1252", GERMAN),
        ("cp1250", "Zażółć gęślą jaźń, powiedział prezes spółki w czwartek wieczorem."),
        ("cp1251", "Москва — столица России, сказал он журналистам в четверг вечером."),
    ],
)
def test_detection_without_declaration(codec: str, sample: str) -> None:
    text, decision = decode((sample + " ").encode(codec) * 4)
    assert sample in text
    assert decision.method == "detected"
    assert decision.encoding == codec
    assert decision.evidence.startswith("charset-normalizer:")


def test_unknown_declared_label_is_ignored() -> None:
    _, decision = decode(b"<meta charset=klingon-8><p>caf\xc3\xa9")
    assert decision.method == "utf-8"


def test_empty_input_is_rejected() -> None:
    with pytest.raises(Rejected) as info:
        decode(b"")
    assert info.value.stage == "decode"
    assert "empty" in info.value.message


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"some text\x00with a NUL", "NUL byte at offset 9"),
        (bytes(range(1, 32)) * 20, "control bytes"),
    ],
)
def test_binary_is_rejected_with_a_specific_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(Rejected) as info:
        decode(raw)
    assert reason in info.value.message
    assert binary_reason(raw) == info.value.message


def test_helpers() -> None:
    assert canonical_charset("ISO-8859-1") == "cp1252"
    assert canonical_charset("US-ASCII") == "cp1252"
    assert canonical_charset("utf8") == "utf-8"
    assert canonical_charset("nonsense") is None
    assert (
        sniff_declared_charset(b'<?xml version="1.0" encoding="ISO-8859-15"?><a/>') == "ISO-8859-15"
    )
    assert sniff_declared_charset(b"<html><body>no declaration</body></html>") is None
    assert sniff_declared_charset(b" " * 5000 + b"<meta charset=utf-8>") is None


# ------------------------------------------------------------------ the one HTML sniffer
# ingest (files without an .html name) and clean (captures without a content type) used two
# rules: ingest an HTML tag anywhere in the first 2 KB, clean "<!doctype html"/"<html" at the
# very start or "<body" anywhere in 512 characters. These are the cases where they disagreed.


@pytest.mark.parametrize(
    ("head", "html"),
    [
        # ingest said HTML, clean said text: a page that opens with a comment, an XML
        # declaration or a script before its <html>, or with <head>: HTML
        ("<!-- saved from url=(0042)https://example.org/ -->\n<html><body>x</body></html>", True),
        ('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">', True),
        ("<script>var a = 1;</script>\n<!DOCTYPE html>\n<html>", True),
        ("<head><title>t</title></head><p>x</p>", True),
        # ingest said HTML (clean said text): prose that mentions tags is text
        ("Web pages start with <html> and put the article in <body>, the guide says.", False),
        # clean said HTML (ingest said text): prose that mentions "<body", a made-up tag
        ("Notes on the <body> element and its children.", False),
        ("<htmlish>not a document</htmlish>", False),
        # both said HTML / both said text
        ("\n  <!DOCTYPE html><html><head></head><body></body></html>", True),
        ("\ufeff<html lang=en>", True),
        ("We wrote <b>bold</b> once, but it is prose.", False),
    ],
)
def test_one_html_sniff_for_bytes_and_text(head: str, html: bool) -> None:
    assert looks_like_html(head) is html
    assert looks_like_html(head.encode("utf-8")) is html


def test_the_sniff_reads_the_first_2_kb_only() -> None:
    assert looks_like_html("<p>" + " " * 1000 + "<html>")
    assert not looks_like_html("<p>" + " " * 3000 + "<html>")
