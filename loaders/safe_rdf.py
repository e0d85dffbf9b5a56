"""RDF from people we do not trust: checked before any parser sees it, parsed from bytes only.

Parsers are more generous than they look. A JSON-LD document may name its ``@context`` by IRI
(``"@context": "http://…"`` or ``"file:///etc/…"``), and a JSON-LD processor such as rdflib's
then fetches or reads it; ``@import`` inside a context does the same. An RDF/XML document may
declare entities in a ``DOCTYPE``: nested ones expand exponentially ("billion laughs") and
external ones read files or URLs (XXE). Neither is needed to state facts, so both are refused
*before* parsing, whichever parser runs next. :func:`check_untrusted` is that refusal on its
own (for code that hands the bytes to rdflib); :func:`parse_untrusted` checks and then parses
with pyoxigraph from the bytes themselves, never from a path or URL.

Everything here reads ``bytes`` as UTF-8: a document in another encoding could hide a
``<!DOCTYPE`` from a byte search, so it is refused rather than guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, Final

import pyoxigraph as ox

TURTLE: Final = "text/turtle"
N_TRIPLES: Final = "application/n-triples"
N_QUADS: Final = "application/n-quads"
TRIG: Final = "application/trig"
JSON_LD: Final = "application/ld+json"
RDF_XML: Final = "application/rdf+xml"

FORMATS: Final[dict[str, ox.RdfFormat]] = {
    TURTLE: ox.RdfFormat.TURTLE,
    N_TRIPLES: ox.RdfFormat.N_TRIPLES,
    N_QUADS: ox.RdfFormat.N_QUADS,
    TRIG: ox.RdfFormat.TRIG,
    JSON_LD: ox.RdfFormat.JSON_LD,
    RDF_XML: ox.RdfFormat.RDF_XML,
}
"""The RDF media types accepted from untrusted sources, and pyoxigraph's parser for each."""

ALIASES: Final[dict[str, str]] = {
    "application/x-turtle": TURTLE,
    "text/n3": TURTLE,
    "text/plain": N_TRIPLES,
    "text/x-nquads": N_QUADS,
    "application/json": JSON_LD,
    "application/xml": RDF_XML,
    "text/xml": RDF_XML,
}

_XML_DECLARATIONS = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_ENCODING = re.compile(r"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


class UnsafeRdfError(ValueError):
    """The input could make a parser fetch, read or expand something; it was not parsed."""


class RdfSyntaxError(ValueError):
    """The input is not valid in its declared format; the parser's message says where."""


def media_type_of(content_type: str | None) -> str:
    """The RDF media type a ``Content-Type`` header names (aliases resolved), lower-cased."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return ALIASES.get(media, media)


def check_untrusted(data: bytes, media_type: str) -> str:
    """Refuse what a parser of ``media_type`` could turn into a fetch, a file read or a blow-up.

    Returns the text (UTF-8, without a byte-order mark). Raises :class:`UnsafeRdfError` saying
    what was found; a ``media_type`` this module does not know is refused too.
    """
    media = media_type_of(media_type)
    if media not in FORMATS:
        known = ", ".join(FORMATS)
        msg = f"{media_type!r} is not an accepted RDF format; send one of {known}"
        raise UnsafeRdfError(msg)
    text = _utf8(data)
    if media == JSON_LD:
        check_jsonld(text)
    elif media == RDF_XML:
        check_rdfxml(text)
    return text


def _utf8(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        msg = f"the document is not UTF-8 (invalid byte at offset {error.start}); send UTF-8"
        raise UnsafeRdfError(msg) from error
    return text.removeprefix("\ufeff")


def check_jsonld(text: str) -> Any:  # noqa: ANN401 - a JSON document is untyped by nature
    """The parsed JSON, if no ``@context`` anywhere in it names a document by IRI.

    Inline contexts (objects) are fine; a string context, a string inside a context array, or
    ``@import`` are references a JSON-LD processor would load. Nested (scoped) contexts count.
    """
    try:
        document = json.loads(text)
    except RecursionError as error:
        msg = "the JSON-LD document is nested too deeply to be read"
        raise UnsafeRdfError(msg) from error
    except json.JSONDecodeError as error:
        msg = f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        raise RdfSyntaxError(msg) from error
    for key, value in _members(document):
        if key == "@import":
            msg = (
                f"@import {value!r}: a JSON-LD context may not import another document; "
                "give the whole context inline"
            )
            raise UnsafeRdfError(msg)
        if key == "@context":
            for context in value if isinstance(value, list) else [value]:
                if not (context is None or isinstance(context, dict)):
                    msg = (
                        f"@context {context!r} refers to a document by IRI, which would be "
                        "fetched; give the context inline as a JSON object"
                    )
                    raise UnsafeRdfError(msg)
    return document


def _members(document: Any) -> Iterator[tuple[str, Any]]:  # noqa: ANN401 - any JSON value
    """Every ``(key, value)`` of every object in ``document``, without recursion."""
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            for key, member in value.items():
                yield key, member
                pending.append(member)
        elif isinstance(value, list):
            pending.extend(value)


def check_rdfxml(text: str) -> None:
    """Refuse RDF/XML with a ``DOCTYPE`` or ``ENTITY`` declaration, or a non-UTF-8 encoding.

    Entity declarations are how XML expands a few bytes into gigabytes or pulls in a file or a
    URL; RDF/XML never needs them. The check is on the text, before an XML parser runs.
    """
    declared = _XML_ENCODING.match(text)
    if declared and declared.group(1).lower().replace("_", "-") not in {"utf-8", "utf8"}:
        msg = f"the XML declares encoding {declared.group(1)!r}; only UTF-8 is accepted"
        raise UnsafeRdfError(msg)
    if _XML_DECLARATIONS.search(text):
        msg = (
            "the RDF/XML has a DOCTYPE or ENTITY declaration; entity declarations can read "
            "files, fetch URLs or expand without bound, so documents with them are refused"
        )
        raise UnsafeRdfError(msg)


def parse_untrusted(
    data: bytes,
    media_type: str,
    *,
    base_iri: str | None = None,
    max_quads: int | None = None,
) -> list[ox.Quad]:
    """Check ``data`` (:func:`check_untrusted`), then parse it from memory with pyoxigraph.

    Triples come back in the default graph (``ox.DefaultGraph``); the caller decides where they
    belong. Relative IRIs resolve against ``base_iri``. More than ``max_quads`` is refused
    while parsing, so a huge document stops early.
    """
    text = check_untrusted(data, media_type)
    rdf_format = FORMATS[media_type_of(media_type)]
    quads: list[ox.Quad] = []
    try:
        for quad in ox.parse(text.encode("utf-8"), rdf_format, base_iri=base_iri):
            quads.append(quad)
            if max_quads is not None and len(quads) > max_quads:
                msg = f"the document holds more than {max_quads:,} statements; send it in parts"
                raise UnsafeRdfError(msg)
    except SyntaxError as error:
        msg = f"not valid {media_type_of(media_type)}: {error}"
        raise RdfSyntaxError(msg) from error
    return quads
