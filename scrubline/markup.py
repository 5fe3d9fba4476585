"""HTML and XML trees: the only lxml import.

``extract/`` walks HTML trees with the elements' own methods (``iter``, ``get``,
``getparent``, ``text``/``tail``); ``ingest/feeds.py`` reads feeds and sitemaps. What they
need from lxml itself is here: the element types (for type hints), compiled XPath, parsing
HTML bytes with a given parser (trafilatura's), parsing untrusted XML safely, an element's
local name, and lxml's version (it goes into the extractor's identity).
"""

from __future__ import annotations

from typing import Any

import lxml
from lxml import etree
from lxml.html import HtmlElement, fromstring

__all__ = [
    "CompiledXPath",
    "HtmlElement",
    "XmlElement",
    "XmlError",
    "compile_xpath",
    "local_name",
    "lxml_version",
    "parse_html_bytes",
    "parse_xml",
]

#: An element of an XML tree (``parse_xml``); ``HtmlElement`` is its HTML kind.
XmlElement = etree._Element
#: A compiled XPath expression: call it on an element for its results.
CompiledXPath = etree.XPath


def compile_xpath(expression: str) -> CompiledXPath:
    """``expression`` compiled once, to be called on many trees."""
    return etree.XPath(expression)


def parse_html_bytes(data: bytes, parser: Any) -> HtmlElement:
    """The HTML tree of ``data`` built by ``parser`` (an ``lxml.html`` parser); raises what
    libxml2 raises for a document it refuses."""
    return fromstring(data, parser=parser)


class XmlError(ValueError):
    """A document that is not well-formed enough to read, even leniently."""


#: Untrusted XML (feeds, sitemaps): no entity expansion, no network, lenient, no comments.
_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, recover=True, huge_tree=False, remove_comments=True
)


def parse_xml(raw: bytes) -> XmlElement | None:
    """The root element of untrusted XML ``raw`` (None for an empty document); raises
    ``XmlError`` (a ``ValueError``) when it cannot be read."""
    try:
        return etree.fromstring(raw, _XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise XmlError(str(exc)) from None


def local_name(element: XmlElement) -> str:
    """An element's tag without its namespace (``{http://www.w3.org/2005/Atom}feed`` -> ``feed``)."""
    return etree.QName(element).localname


def lxml_version() -> str:
    """lxml's version (the text extraction depends on its parser)."""
    return lxml.__version__
