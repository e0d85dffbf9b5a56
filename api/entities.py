"""Routes: every IRI of the graph dereferences here, and every commitment has a trace page.

``https://w3id.org/pactgraph/id/organisation/vhto`` is answered at ``/id/organisation/vhto``,
ontology terms (``…/def#Commitment``) on one page at ``/def``, named graphs at ``/graph/…``.
A page describes its subject together with the subject's fragment sub-nodes (``#source``,
``#source-quote``, ``#due``, ``#amount``…) — one concise bounded description — plus what points
to it. Browsers get HTML with labels, not IRIs; others get Turtle, JSON-LD or N-Triples, by
``Accept`` or by a ``.ttl``/``.jsonld``/``.json``/``.nt`` suffix.

The trace page (``/trace/{id}``) shows a commitment next to the letter it came from, the passage
highlighted exactly over the ``[start, end)`` code-point slice its ``oa:TextPositionSelector``
names.

Request values never enter query text: a path becomes an IRI, the IRI is checked, and the check's
result is bound as a query parameter (projected, as the engine requires).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pactgraph.api.conneg import negotiate, prefers_html
from pactgraph.api.deps import Language, get_labels, get_store, label_preference, ui_language
from pactgraph.api.links import BASE_IRI, local_href, trace_href
from pactgraph.api.templating import render
from pactgraph.graph.labels import LabelIndex, fallback_label
from pactgraph.graph.store import GraphStore
from pactgraph.ontology.namespace import (
    DEF_IRI,
    GRAPH_IRI,
    ID_IRI,
    OA,
    PACT,
    PREFIXES,
    SCHEMA,
    TIME,
    bind_prefixes,
)
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDFS, SKOS, XSD
from rdflib.term import Node

router = APIRouter(tags=["entities"])

ONTOLOGY_IRI = DEF_IRI.removesuffix("#")
ONTOLOGY_GRAPH_IRI = GRAPH_IRI + "ontology"
COMMITMENT_PREFIX = ID_IRI + "commitment/"
DOCUMENT_PREFIX = ID_IRI + "document/"

# ------------------------------------------------------------------ representations

HTML = "text/html"
TURTLE = "text/turtle"
JSON_LD = "application/ld+json"
N_TRIPLES = "application/n-triples"
JSON = "application/json"
RDF_OFFERS = (TURTLE, JSON_LD, N_TRIPLES, JSON)
"""RDF media types an entity is served in; Turtle is the default for non-browsers."""
RDFLIB_FORMATS = {TURTLE: "turtle", JSON_LD: "json-ld", N_TRIPLES: "nt", JSON: "json-ld"}
SUFFIXES = {".ttl": TURTLE, ".jsonld": JSON_LD, ".json": JSON, ".nt": N_TRIPLES}
DOWNLOADS = {".ttl": "Turtle", ".jsonld": "JSON-LD", ".nt": "N-Triples"}
VARY = "Accept, Accept-Language, Cookie"

ANY_CONTENT: dict[str, Any] = {"schema": {"type": "string"}}
RDF_OR_PAGE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An HTML page for browsers, else RDF (Turtle, JSON-LD, N-Triples)",
        "content": dict.fromkeys((HTML, *RDF_OFFERS), ANY_CONTENT),
    }
}
"""The documented answers of a route that serves a page or RDF, by ``Accept``."""

MAX_PATH_LENGTH = 1000
MAX_INCOMING = 500
MAX_GRAPH_TRIPLES = 200_000
LONG_LITERAL = 400
"""Literals longer than this are cut on HTML pages (a letter's text has its own page)."""


class BadPathError(ValueError):
    """A request path that cannot name anything in the graph; the message says why."""


class NotAcceptableError(ValueError):
    """The client accepts none of the representations offered."""


def split_suffix(path: str) -> tuple[str, str | None]:
    """The path without a format suffix, and the media type the suffix asks for (if any)."""
    for suffix, media_type in SUFFIXES.items():
        if path.endswith(suffix) and len(path) > len(suffix):
            return path.removesuffix(suffix), media_type
    return path, None


def representation(request: Request, suffix_media_type: str | None) -> str:
    """HTML for browsers, else the best RDF type for ``Accept``; a suffix overrides both."""
    if suffix_media_type is not None:
        return suffix_media_type
    accept = request.headers.get("accept")
    if prefers_html(accept):
        return HTML
    chosen = negotiate(accept, RDF_OFFERS)
    if chosen is None:
        offered = ", ".join((HTML, *RDF_OFFERS))
        msg = f"none of the accepted media types can be served; this resource offers {offered}"
        raise NotAcceptableError(msg)
    return chosen


def error_response(request: Request, status_code: int, message: str) -> Response:
    """An error a person can read in a browser, or ``{"detail": …}`` for everything else."""
    if prefers_html(request.headers.get("accept")):
        return page(
            request, "not_found.html", {"status": status_code, "message": message}, status_code
        )
    return JSONResponse({"detail": message}, status_code=status_code)


def rdf_response(graph: Graph, media_type: str) -> Response:
    """A graph serialised in one of :data:`RDF_OFFERS`."""
    bind_prefixes(graph)
    graph.bind("rdfs", str(RDFS), replace=True)
    graph.bind("owl", str(OWL), replace=True)
    graph.bind("xsd", str(XSD), replace=True)
    rdf_format = RDFLIB_FORMATS[media_type]
    if rdf_format == "json-ld":
        context = {**PREFIXES, "rdfs": str(RDFS), "owl": str(OWL), "xsd": str(XSD)}
        body = graph.serialize(format="json-ld", context=context, auto_compact=True)
        data = body.encode("utf-8")
    else:
        data = graph.serialize(format=rdf_format, encoding="utf-8")
    charset = "" if media_type in (JSON, JSON_LD) else "; charset=utf-8"
    return Response(data, media_type=media_type + charset, headers={"Vary": VARY})


# ------------------------------------------------------------------ IRIs from paths

# RFC 3987: no controls, space, <>"{}|\^` in an IRI; no private-use or non-characters in a path.
_FORBIDDEN = re.compile(
    r'[\x00-\x20<>"{}|\\^`\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufdd0-\ufdef\ufff0-\uffff?#]'
)
_BAD_PERCENT = re.compile("%(?![0-9A-Fa-f]{2})")


def checked_iri(prefix: str, path: str) -> URIRef:
    """The pactgraph IRI ``prefix + path`` stands for, if it is a well-formed IRI path.

    Raises :class:`BadPathError` naming the offending character: the request cannot name anything,
    and nothing of it goes near a query.
    """
    if len(path) > MAX_PATH_LENGTH:
        msg = f"path: at most {MAX_PATH_LENGTH} characters, got {len(path)}"
        raise BadPathError(msg)
    if not path:
        msg = "path: expected an identifier after the prefix, e.g. /id/organisation/vhto"
        raise BadPathError(msg)
    bad = _FORBIDDEN.search(path)
    if bad is not None:
        msg = (
            f"path: {bad.group()!r} cannot occur in an IRI path; expected letters, digits "
            "and - . _ ~ / : @ ! $ & ' ( ) * + , ; = (e.g. /id/organisation/vhto)"
        )
        raise BadPathError(msg)
    if _BAD_PERCENT.search(path):
        msg = "path: '%' must start a percent-escape of two hexadecimal digits"
        raise BadPathError(msg)
    return URIRef(prefix + path)


def full_path(request: Request, prefix: str, matched: str) -> str:
    """The whole path after ``prefix``, as the client sent it (decoded).

    The router's ``{path:path}`` match stops before a trailing newline (``$`` in a regular
    expression); reading the request's own path keeps that character, so it is refused.
    """
    raw: str = request.scope.get("path", "")
    return raw.removeprefix(prefix) if raw.startswith(prefix) else matched


def base_of(iri: str) -> str:
    """The entity a fragment IRI belongs to (``…/c1#source`` → ``…/c1``)."""
    return iri.split("#", 1)[0]


def is_fragment_of(iri: str, subject: str) -> bool:
    return iri.startswith(subject + "#")


# ------------------------------------------------------------------ queries

PREFIX_BLOCK = """
PREFIX pact: <https://w3id.org/pactgraph/def#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX time: <http://www.w3.org/2006/time#>
"""

DESCRIBE_QUERY = """
SELECT DISTINCT ?subject ?s ?p ?o WHERE {
  { ?subject ?p ?o . BIND(?subject AS ?s) }
  UNION
  { ?subject ?p1 ?s .
    FILTER(isIRI(?s) && STRSTARTS(STR(?s), CONCAT(STR(?subject), "#")))
    ?s ?p ?o }
  UNION
  { ?subject ?p1 ?n1 . ?n1 ?p2 ?s .
    FILTER(isIRI(?s) && STRSTARTS(STR(?n1), CONCAT(STR(?subject), "#"))
           && STRSTARTS(STR(?s), CONCAT(STR(?subject), "#")))
    ?s ?p ?o }
}
"""
"""The subject and its fragment sub-nodes up to two links away (``#due`` → ``#due-start``).

The bound ``?subject`` appears in the first pattern of every branch, so each branch starts
from an index lookup (measured: ~2 ms, the same at 5 k and 220 k triples).
"""

SUBJECT_QUERY = "SELECT ?subject ?p ?o WHERE { ?subject ?p ?o }"

INCOMING_QUERY = f"""
SELECT ?object ?s ?p WHERE {{ ?s ?p ?object . FILTER(isIRI(?s)) }} LIMIT {MAX_INCOMING + 1}
"""

COMMITMENTS_QUERY = (
    PREFIX_BLOCK
    + """
SELECT DISTINCT ?thing ?commitment ?role ?due_phrase ?due_end ?status WHERE {
  { ?commitment pact:owner ?thing . BIND("owner" AS ?role) }
  UNION { ?commitment pact:partner ?thing . BIND("partner" AS ?role) }
  UNION { ?commitment pact:programme ?thing . BIND("programme" AS ?role) }
  UNION { ?commitment pact:fund ?thing . BIND("fund" AS ?role) }
  UNION { ?commitment pact:action ?thing . BIND("action" AS ?role) }
  UNION { ?commitment prov:wasDerivedFrom/oa:hasSource ?thing . BIND("source" AS ?role) }
  UNION { ?commitment pact:statusEvidence/oa:hasSource ?thing . BIND("evidence" AS ?role) }
  ?commitment a pact:Commitment .
  OPTIONAL { ?commitment pact:duePhrase ?due_phrase }
  OPTIONAL { ?commitment pact:due/time:hasEnd/time:inXSDDate ?due_end }
  OPTIONAL { ?commitment pact:status ?status }
}
ORDER BY ?due_end ?commitment
"""
)
"""Commitments an organisation, person, programme, fund, action or document takes part in."""

ONTOLOGY_QUERY = f"""
SELECT ?s ?p ?o WHERE {{
  GRAPH <{ONTOLOGY_GRAPH_IRI}> {{ ?s ?p ?o }}
  FILTER(STRSTARTS(STR(?s), "{ONTOLOGY_IRI}"))
}}
"""
"""The ontology and its terms (constant text: nothing of the request is in it)."""

SCHEMES_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?scheme WHERE { ?scheme a skos:ConceptScheme } ORDER BY ?scheme
"""

GRAPH_SIZE_QUERY = (
    "SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph"
)
GRAPH_TYPES_QUERY = """
SELECT ?graph ?type (COUNT(DISTINCT ?s) AS ?count) WHERE { GRAPH ?graph { ?s a ?type } }
GROUP BY ?graph ?type ORDER BY DESC(?count)
"""
GRAPH_CONTENT_QUERY = "SELECT ?graph ?s ?p ?o WHERE { GRAPH ?graph { ?s ?p ?o } }"

Triple = tuple[URIRef, URIRef, Node]


@dataclass
class Description:
    """What the graph says about one subject: its own and its fragments' triples, and links in."""

    subject: URIRef
    triples: list[Triple] = field(default_factory=list)
    incoming: list[tuple[URIRef, URIRef]] = field(default_factory=list)
    incoming_truncated: bool = False

    @property
    def exists(self) -> bool:
        return bool(self.triples or self.incoming)

    def graph(self) -> Graph:
        """The description as RDF: outgoing triples, then the links pointing in."""
        graph = Graph()
        for triple in self.triples:
            graph.add(triple)
        for subject, predicate in self.incoming:
            graph.add((subject, predicate, self.subject))
        return graph


def describe(store: GraphStore, iri: URIRef, *, incoming: bool = True) -> Description:
    """The concise bounded description of ``iri`` (with fragment sub-nodes) and links to it."""
    description = Description(iri)
    for row in store.select(DESCRIBE_QUERY, {"subject": iri}).rows:
        subject, predicate = row.get("s"), row.get("p")
        if isinstance(subject, URIRef) and isinstance(predicate, URIRef) and "o" in row:
            description.triples.append((subject, predicate, row["o"]))
    if incoming:
        rows = store.select(INCOMING_QUERY, {"object": iri}).rows
        description.incoming_truncated = len(rows) > MAX_INCOMING
        for row in rows[:MAX_INCOMING]:
            subject, predicate = row.get("s"), row.get("p")
            if not isinstance(subject, URIRef) or not isinstance(predicate, URIRef):
                continue
            if str(subject) == str(iri) or is_fragment_of(str(subject), str(iri)):
                continue
            description.incoming.append((subject, predicate))
    return description


def subject_triples(store: GraphStore, iri: URIRef) -> Graph:
    """Only the subject's own triples (a document's metadata and text), as a graph."""
    graph = Graph()
    for row in store.select(SUBJECT_QUERY, {"subject": iri}).rows:
        predicate = row.get("p")
        if isinstance(predicate, URIRef) and "o" in row:
            graph.add((iri, predicate, row["o"]))
    return graph


ROLE_ORDER = ("owner", "partner", "programme", "fund", "action", "source", "evidence")


@dataclass(frozen=True)
class Involvement:
    """One commitment something takes part in, and how."""

    commitment: str
    role: str
    due_phrase: str
    due_end: str
    status: str | None


def involvements(store: GraphStore, iri: URIRef) -> list[Involvement]:
    """The commitments ``iri`` owns, partners in, funds, runs or is the source of."""
    found = []
    for row in store.select(COMMITMENTS_QUERY, {"thing": iri}).rows:
        status = row.get("status")
        found.append(
            Involvement(
                commitment=str(row["commitment"]),
                role=str(row["role"]),
                due_phrase=str(row.get("due_phrase", "")),
                due_end=str(row.get("due_end", "")),
                status=str(status) if status is not None else None,
            )
        )
    return found


# ------------------------------------------------------------------ labels of terms

VOCABULARY_LABELS: dict[str, tuple[str, str]] = {
    # rdf, rdfs, owl
    str(RDF.type): ("soort", "type"),
    str(RDFS.label): ("label", "label"),
    str(RDFS.comment): ("toelichting", "comment"),
    str(RDFS.domain): ("domein", "domain"),
    str(RDFS.range): ("bereik", "range"),
    str(RDFS.subClassOf): ("subklasse van", "subclass of"),
    str(RDFS.subPropertyOf): ("subeigenschap van", "subproperty of"),
    str(OWL.versionInfo): ("versie", "version"),
    str(OWL.Class): ("klasse", "class"),
    str(OWL.ObjectProperty): ("objecteigenschap", "object property"),
    str(OWL.DatatypeProperty): ("gegevenseigenschap", "datatype property"),
    str(OWL.FunctionalProperty): ("functionele eigenschap", "functional property"),
    str(OWL.Ontology): ("ontologie", "ontology"),
    # skos
    str(SKOS.prefLabel): ("naam", "name"),
    str(SKOS.altLabel): ("andere naam", "other name"),
    str(SKOS.definition): ("definitie", "definition"),
    str(SKOS.note): ("noot", "note"),
    str(SKOS.scopeNote): ("toelichting", "scope note"),
    str(SKOS.inScheme): ("in schema", "in scheme"),
    str(SKOS.topConceptOf): ("topbegrip van", "top concept of"),
    str(SKOS.closeMatch): ("vergelijkbaar met", "close match"),
    str(SKOS.Concept): ("begrip", "concept"),
    str(SKOS.ConceptScheme): ("begrippenschema", "concept scheme"),
    # dcterms, vann
    str(DCTERMS.creator): ("ondertekenaar", "creator"),
    str(DCTERMS.date): ("datum", "date"),
    str(DCTERMS.description): ("beschrijving", "description"),
    str(DCTERMS.format): ("formaat", "format"),
    str(DCTERMS.identifier): ("kenmerk", "identifier"),
    str(DCTERMS.isReplacedBy): ("vervangen door", "replaced by"),
    str(DCTERMS.replaces): ("vervangt", "replaces"),
    str(DCTERMS.language): ("taal", "language"),
    str(DCTERMS.references): ("verwijst naar", "references"),
    str(DCTERMS.source): ("bronbestand", "source file"),
    str(DCTERMS.title): ("titel", "title"),
    "http://purl.org/vocab/vann/preferredNamespacePrefix": ("voorkeursprefix", "preferred prefix"),
    "http://purl.org/vocab/vann/preferredNamespaceUri": ("naamruimte", "namespace"),
    # time
    str(TIME.hasBeginning): ("begin", "beginning"),
    str(TIME.hasEnd): ("einde", "end"),
    str(TIME.inXSDDate): ("datum", "date"),
    str(TIME.Instant): ("tijdstip", "instant"),
    str(TIME.Interval): ("periode", "interval"),
    str(TIME.ProperInterval): ("periode", "interval"),
    # web annotation
    str(OA.start): ("begin (tekenpositie)", "start (character)"),
    str(OA.end): ("einde (tekenpositie)", "end (character)"),
    str(OA.exact): ("tekst in de brief", "exact text"),
    str(OA.prefix): ("tekst ervoor", "text before"),
    str(OA.suffix): ("tekst erna", "text after"),
    str(OA.hasSelector): ("selector", "selector"),
    str(OA.hasSource): ("document", "document"),
    str(OA.SpecificResource): ("passage", "passage"),
    str(OA.TextQuoteSelector): ("citaat", "text quote"),
    str(OA.TextPositionSelector): ("tekenposities", "text position"),
    # org, prov, foaf, bibo, schema
    "http://www.w3.org/ns/org#member": ("lid", "member"),
    "http://www.w3.org/ns/org#memberDuring": ("lid gedurende", "member during"),
    "http://www.w3.org/ns/org#organization": ("organisatie", "organisation"),
    "http://www.w3.org/ns/org#role": ("rol", "role"),
    "http://www.w3.org/ns/org#subOrganizationOf": ("onderdeel van", "part of"),
    "http://www.w3.org/ns/org#Organization": ("organisatie", "organisation"),
    "http://www.w3.org/ns/org#FormalOrganization": ("formele organisatie", "formal organisation"),
    "http://www.w3.org/ns/org#OrganizationalCollaboration": (
        "samenwerkingsverband",
        "collaboration",
    ),
    "http://www.w3.org/ns/org#Membership": ("lidmaatschap", "membership"),
    "http://www.w3.org/ns/org#Role": ("rol", "role"),
    "http://www.w3.org/ns/prov#wasAttributedTo": ("toegeschreven aan", "attributed to"),
    "http://www.w3.org/ns/prov#wasDerivedFrom": ("bron", "derived from"),
    "http://www.w3.org/ns/prov#Entity": ("entiteit (PROV)", "entity (PROV)"),
    "http://xmlns.com/foaf/0.1/name": ("naam", "name"),
    "http://xmlns.com/foaf/0.1/Person": ("persoon", "person"),
    "http://xmlns.com/foaf/0.1/Document": ("document", "document"),
    "http://xmlns.com/foaf/0.1/Agent": ("actor", "agent"),
    "http://purl.org/ontology/bibo/Letter": ("brief", "letter"),
    "http://purl.org/ontology/bibo/Report": ("rapport", "report"),
    "http://purl.org/ontology/bibo/Document": ("document", "document"),
    "http://purl.org/ontology/bibo/LegalDocument": ("juridisch document", "legal document"),
    str(SCHEMA.currency): ("valuta", "currency"),
    str(SCHEMA.funder): ("financier", "funder"),
    str(SCHEMA.unitText): ("eenheid", "unit"),
    str(SCHEMA.value): ("waarde", "value"),
    str(SCHEMA.Project): ("programma", "programme"),
    str(SCHEMA.FundingScheme): ("fonds", "fund"),
    str(SCHEMA.MonetaryAmount): ("bedrag", "monetary amount"),
    str(SCHEMA.QuantitativeValue): ("streefwaarde", "quantity"),
}
"""Dutch and English names of the W3C terms the graph uses (the ontology labels its own)."""

PROPERTY_ORDER = (
    str(SKOS.prefLabel),
    str(SKOS.altLabel),
    str(DCTERMS.identifier),
    str(DCTERMS.title),
    str(DCTERMS.date),
    str(PACT.owner),
    str(PACT.partner),
    str(PACT.duePhrase),
    str(PACT.due),
    str(PACT.amount),
    str(PACT.target),
    str(PACT.status),
    str(PACT.statusEvidence),
    str(RDFS.label),
    str(RDFS.comment),
)
"""Properties shown first, in this order; the rest follow alphabetically by label."""

DOCUMENT_TYPES = (
    "http://purl.org/ontology/bibo/Letter",
    "http://purl.org/ontology/bibo/Report",
    "http://purl.org/ontology/bibo/LegalDocument",
    "http://purl.org/ontology/bibo/Document",
    "http://xmlns.com/foaf/0.1/Document",
)


def curie(iri: str) -> str:
    """``prefix:local`` for an IRI in a known namespace, else the IRI."""
    namespaces = {**PREFIXES, "rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL), "xsd": str(XSD)}
    for prefix, namespace in namespaces.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri.removeprefix(namespace)}"
    return iri


@dataclass(frozen=True)
class Labeller:
    """Names for IRIs in one language: the graph's labels, then known vocabulary, then a tail."""

    index: LabelIndex
    language: Language

    def has_label(self, iri: str) -> bool:
        return iri in self.index.labels or iri in VOCABULARY_LABELS

    def __call__(self, iri: str | URIRef) -> str:
        text = str(iri)
        if text in self.index.labels:
            return self.index.label(text, label_preference(self.language))
        if text in VOCABULARY_LABELS:
            dutch, english = VOCABULARY_LABELS[text]
            return dutch if self.language == "nl" else english
        if "#" in text and text.startswith(ID_IRI):
            return fallback_label(text)
        if text.startswith((ID_IRI, GRAPH_IRI)):
            return fallback_label(text)
        return curie(text)


# ------------------------------------------------------------------ HTML views


@dataclass
class ValueView:
    """One value on a page: a link with a label, or a literal with its language or datatype."""

    text: str
    href: str | None = None
    iri: str | None = None
    language: str | None = None
    datatype: str | None = None
    node: NodeView | None = None
    truncated: bool = False
    more_href: str | None = None


@dataclass
class PropertyView:
    iri: str
    label: str
    href: str
    values: list[ValueView]


@dataclass
class NodeView:
    """A subject or fragment sub-node, with its properties (fragments nested where linked)."""

    iri: str
    anchor: str | None
    label: str
    types: list[ValueView]
    properties: list[PropertyView]


def literal_view(literal: Literal, more_href: str | None = None) -> ValueView:
    """A literal as shown: its text (cut when long), language tag, and non-string datatype."""
    text = str(literal)
    truncated = len(text) > LONG_LITERAL
    datatype = literal.datatype
    shown_type = curie(str(datatype)) if datatype is not None and datatype != XSD.string else None
    return ValueView(
        text=text[:LONG_LITERAL].rstrip() + "…" if truncated else text,
        language=literal.language,
        datatype=shown_type,
        truncated=truncated,
        more_href=more_href if truncated else None,
    )


def iri_view(iri: URIRef, name: Labeller) -> ValueView:
    """A link to an IRI, labelled; commitments link to their trace."""
    return ValueView(text=name(iri), href=trace_href(iri) or local_href(iri), iri=str(iri))


def text_href(document: str) -> str | None:
    """Where a document's full plain text is served, for document IRIs."""
    if document.startswith(DOCUMENT_PREFIX) and "#" not in document:
        return local_href(document) + "/text"
    return None


def value_sort_key(value: Node, language: Language) -> tuple[bool, str]:
    """Values in the reader's language first, then by text."""
    other_language = isinstance(value, Literal) and value.language not in (None, language)
    return other_language, str(value)


def property_sort_key(iri: str, label: str) -> tuple[int, str]:
    rank = PROPERTY_ORDER.index(iri) if iri in PROPERTY_ORDER else len(PROPERTY_ORDER)
    return rank, label.casefold()


def node_view(
    iri: URIRef,
    by_subject: Mapping[URIRef, list[tuple[URIRef, Node]]],
    name: Labeller,
    root: URIRef,
    placed: set[URIRef],
) -> NodeView:
    """The view of one node; fragment sub-nodes of ``root`` are nested where first linked."""
    placed.add(iri)
    types: list[ValueView] = []
    grouped: dict[str, list[ValueView]] = defaultdict(list)
    for predicate, value in sorted(
        by_subject.get(iri, []), key=lambda pair: value_sort_key(pair[1], name.language)
    ):
        if predicate == RDF.type and isinstance(value, URIRef):
            types.append(iri_view(value, name))
            continue
        if isinstance(value, Literal):
            more = text_href(str(iri)) if predicate == PACT.originalText else None
            grouped[str(predicate)].append(literal_view(value, more))
        elif isinstance(value, URIRef):
            view = iri_view(value, name)
            if value in by_subject and value not in placed and is_fragment_of(value, root):
                view.node = node_view(value, by_subject, name, root, placed)
            grouped[str(predicate)].append(view)
        else:
            grouped[str(predicate)].append(ValueView(text=str(value)))
    properties = [
        PropertyView(iri=p, label=name(p), href=local_href(p), values=values)
        for p, values in grouped.items()
    ]
    properties.sort(key=lambda view: property_sort_key(view.iri, view.label))
    fragment = str(iri).split("#", 1)[1] if "#" in str(iri) else None
    label = name(iri)
    if fragment is not None and types and not name.index.labels.get(str(iri)):
        label = f"{types[0].text} ({fragment})"
    return NodeView(str(iri), fragment, label, types, properties)


def by_subject(
    triples: Iterable[tuple[Node, Node, Node]],
) -> dict[URIRef, list[tuple[URIRef, Node]]]:
    """Triples as (property, value) lists per subject IRI."""
    grouped: dict[URIRef, list[tuple[URIRef, Node]]] = defaultdict(list)
    for subject, predicate, value in triples:
        if isinstance(subject, URIRef) and isinstance(predicate, URIRef):
            grouped[subject].append((predicate, value))
    return grouped


def iris(rows: Iterable[Mapping[str, Node]], variable: str) -> list[URIRef]:
    """The IRIs one variable takes in result rows (other terms skipped)."""
    return [value for row in rows if isinstance(value := row.get(variable), URIRef)]


def description_view(description: Description, name: Labeller) -> tuple[NodeView, list[NodeView]]:
    """The subject's view, and any fragment sub-nodes not reachable by a link from it."""
    nodes = by_subject(description.triples)
    placed: set[URIRef] = set()
    main = node_view(description.subject, nodes, name, description.subject, placed)
    rest = [
        node_view(s, nodes, name, description.subject, placed)
        for s in sorted(nodes, key=str)
        if s not in placed
    ]
    return main, rest


@dataclass(frozen=True)
class IncomingGroup:
    label: str
    href: str
    links: list[ValueView]


def incoming_view(
    description: Description, name: Labeller, skip_entities: set[str]
) -> list[IncomingGroup]:
    """What points here, grouped by property; fragments shown as their entity, listed once."""
    grouped: dict[str, dict[str, ValueView]] = defaultdict(dict)
    for subject, predicate in description.incoming:
        entity = base_of(str(subject))
        if entity in skip_entities:
            continue
        view = iri_view(URIRef(entity), name)
        if entity != str(subject):
            view.href = local_href(subject)
        grouped[str(predicate)].setdefault(entity, view)
    groups = [
        IncomingGroup(
            name(p), local_href(p), sorted(views.values(), key=lambda v: v.text.casefold())
        )
        for p, views in grouped.items()
    ]
    return sorted(groups, key=lambda g: g.label.casefold())


# ------------------------------------------------------------------ words of these pages

WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "incoming": "Verwijzingen hierheen",
        "more_incoming": "Er zijn meer verwijzingen; alleen de eerste worden getoond.",
        "commitments": "Toezeggingen",
        "commitment": "Toezegging",
        "role": "Rol",
        "due": "Termijn",
        "status": "Status",
        "owner": "eigenaar",
        "partner": "partner",
        "programme": "programma",
        "fund": "fonds",
        "action": "actie",
        "source": "bron",
        "evidence": "bewijs voor status",
        "formats": "Ook als",
        "full_text": "volledige tekst",
        "trace": "herleiding",
        "other_parts": "Overige onderdelen",
        "not_found": "Niet gevonden",
        "bad_request": "Ongeldig verzoek",
        "not_acceptable": "Niet beschikbaar in dit formaat",
        "search_hint": "Zoek op naam",
        "ontology": "Ontologie",
        "classes": "Klassen",
        "object_properties": "Objecteigenschappen",
        "datatype_properties": "Gegevenseigenschappen",
        "other_terms": "Overige termen",
        "vocabularies": "Vocabulaires",
        "subclass_of": "subklasse van",
        "subproperty_of": "subeigenschap van",
        "domain": "domein",
        "range": "bereik",
        "named_graph": "Benoemde graaf",
        "triples": "tripels",
        "graph_document": "De brief en wat eruit is afgeleid",
        "graph_records": "Gedeelde, handmatig gecontroleerde gegevens",
        "graph_ontology": "De ontologie en gedeelde vocabulaires",
        "graph_other": "Een benoemde graaf van deze dataset",
        "document": "Document",
        "content": "Inhoud",
        "kinds": "Soorten",
        "count": "Aantal",
        "owner_h": "Eigenaar",
        "partners_h": "Partners",
        "amount": "Bedrag",
        "target": "Streefwaarde",
        "per_year": "per jaar",
        "no_status": "geen bericht over uitvoering in de brieven",
        "action_line": "Actielijn of thema",
        "programmes": "Programma's",
        "funds": "Fondsen",
        "status_evidence": "Bewijs voor de status",
        "show_in_letter": "Bekijk de passage in die brief",
        "back_to_source": "Terug naar de bronpassage",
        "source_passage": "De passage",
        "evidence_passage": "Het bewijs in de latere brief",
        "entity_page": "Gegevens van de toezegging",
        "letter": "Uit",
        "identifier": "Kenmerk",
        "date": "Datum",
        "title": "Titel",
        "type": "Soort",
        "creators": "Ondertekend door",
        "attributed_to": "Namens",
        "document_page": "Gegevens van het document",
        "full_letter": "Volledige tekst (platte tekst)",
        "passage_mismatch": "Let op: de tekens op deze positie wijken af van het citaat.",
        "passage_outside": "De positie van de passage valt buiten de tekst.",
        "no_text": "De tekst van dit document zit niet in de graaf.",
    },
    "en": {
        "incoming": "Links to this",
        "more_incoming": "There are more links; only the first are shown.",
        "commitments": "Commitments",
        "commitment": "Commitment",
        "role": "Role",
        "due": "Due",
        "status": "Status",
        "owner": "owner",
        "partner": "partner",
        "programme": "programme",
        "fund": "fund",
        "action": "action",
        "source": "source",
        "evidence": "status evidence",
        "formats": "Also as",
        "full_text": "full text",
        "trace": "trace",
        "other_parts": "Other parts",
        "not_found": "Not found",
        "bad_request": "Bad request",
        "not_acceptable": "Not available in this format",
        "search_hint": "Search by name",
        "ontology": "Ontology",
        "classes": "Classes",
        "object_properties": "Object properties",
        "datatype_properties": "Datatype properties",
        "other_terms": "Other terms",
        "vocabularies": "Vocabularies",
        "subclass_of": "subclass of",
        "subproperty_of": "subproperty of",
        "domain": "domain",
        "range": "range",
        "named_graph": "Named graph",
        "triples": "triples",
        "graph_document": "The letter and what was drawn from it",
        "graph_records": "Shared, hand-reviewed records",
        "graph_ontology": "The ontology and shared vocabularies",
        "graph_other": "A named graph of this dataset",
        "document": "Document",
        "content": "Content",
        "kinds": "Kinds",
        "count": "Count",
        "owner_h": "Owner",
        "partners_h": "Partners",
        "amount": "Amount",
        "target": "Target",
        "per_year": "per year",
        "no_status": "no report on delivery in the letters",
        "action_line": "Action line or theme",
        "programmes": "Programmes",
        "funds": "Funds",
        "status_evidence": "Evidence for the status",
        "show_in_letter": "See the passage in that letter",
        "back_to_source": "Back to the source passage",
        "source_passage": "The passage",
        "evidence_passage": "The evidence in the later letter",
        "entity_page": "Data of the commitment",
        "letter": "From",
        "identifier": "Identifier",
        "date": "Date",
        "title": "Title",
        "type": "Type",
        "creators": "Signed by",
        "attributed_to": "On behalf of",
        "document_page": "Data of the document",
        "full_letter": "Full text (plain text)",
        "passage_mismatch": "Note: the characters at this position differ from the quote.",
        "passage_outside": "The passage's position lies outside the text.",
        "no_text": "The text of this document is not in the graph.",
    },
}


def page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    """A page of this module: shared words, and ``Vary`` since it depends on the headers."""
    language = ui_language(request)
    response = render(request, template, {"w": WORDS[language], **context}, status)
    response.headers["Vary"] = VARY
    return response


def shows_text(view: NodeView) -> bool:
    """Whether a node holds a document's full text (then the page links to it)."""
    return any(p.iri == str(PACT.originalText) for p in view.properties)


def downloads(path: str) -> list[tuple[str, str]]:
    return [(name, path + suffix) for suffix, name in DOWNLOADS.items()]


# ------------------------------------------------------------------ entity pages


def entity_response(
    request: Request, store: GraphStore, labels: LabelIndex, prefix: str, path: str
) -> Response:
    """One entity in the representation asked for; 400, 404 or 406 when it cannot be."""
    path, suffix_type = split_suffix(path)
    try:
        base, hash_sign, fragment = path.partition("#")
        iri = checked_iri(BASE_IRI + prefix, base)
        if hash_sign:
            # A fragment node is described on its entity's page: send the reader there.
            checked_iri(str(iri) + "#", fragment)
            return Response(status_code=303, headers={"Location": f"{local_href(iri)}#{fragment}"})
        media_type = representation(request, suffix_type)
    except BadPathError as error:
        return error_response(request, 400, str(error))
    except NotAcceptableError as error:
        return error_response(request, 406, str(error))
    description = describe(store, iri)
    if not description.exists:
        return error_response(request, 404, f"nothing in the graph is called <{iri}>")
    if media_type != HTML:
        return rdf_response(description.graph(), media_type)
    name = Labeller(labels, ui_language(request))
    main, rest = description_view(description, name)
    involved = sorted(involvements(store, iri), key=lambda i: ROLE_ORDER.index(i.role))
    commitments = [
        {
            "href": trace_href(i.commitment) or local_href(i.commitment),
            "label": name(i.commitment),
            "role": i.role,
            "due": i.due_phrase,
            "due_end": i.due_end,
            "status": name(i.status) if i.status else "",
        }
        for i in involved
    ]
    skip = {i.commitment for i in involved}
    return page(
        request,
        "entity.html",
        {
            "main": main,
            "rest": rest,
            "incoming": incoming_view(description, name, skip),
            "incoming_truncated": description.incoming_truncated,
            "commitments": commitments,
            "trace": trace_href(iri),
            "text_href": text_href(str(iri)) if shows_text(main) else None,
            "downloads": downloads("/" + prefix + path),
        },
    )


@router.get(
    "/id/document/{document_id}/text",
    summary="The full text of a letter, exactly as shipped (plain text, UTF-8)",
    response_class=PlainTextResponse,
    responses={
        200: {"description": "The letter's text", "content": {"text/plain": ANY_CONTENT}},
        400: {"description": "Not a document id"},
        404: {"description": "No such document, or no text of it in the graph"},
    },
)
def document_text(
    request: Request, document_id: str, store: Annotated[GraphStore, Depends(get_store)]
) -> Response:
    try:
        iri = checked_iri(DOCUMENT_PREFIX, document_id)
    except BadPathError as error:
        return error_response(request, 400, str(error).replace("path:", "document_id:", 1))
    text = subject_triples(store, iri).value(iri, PACT.originalText)
    if not isinstance(text, Literal):
        return error_response(request, 404, f"no text of a document <{iri}> in the graph")
    return PlainTextResponse(str(text), media_type="text/plain; charset=utf-8")


@router.get(
    "/id/{path:path}",
    summary="Any entity of the graph: HTML, Turtle, JSON-LD or N-Triples",
    responses={
        **RDF_OR_PAGE,
        400: {"description": "The path is not a well-formed IRI path"},
        404: {"description": "Nothing in the graph has this IRI"},
        406: {"description": "None of the accepted media types is offered"},
    },
)
def entity(
    request: Request,
    path: str,
    store: Annotated[GraphStore, Depends(get_store)],
    labels: Annotated[LabelIndex, Depends(get_labels)],
) -> Response:
    return entity_response(request, store, labels, "id/", full_path(request, "/id/", path))


# ------------------------------------------------------------------ the ontology


@dataclass
class TermView:
    """One ontology term on ``/def``: labels and comments in both languages, its relations."""

    iri: str
    anchor: str
    curie: str
    label: str
    labels: list[ValueView]
    comments: list[ValueView]
    kinds: list[ValueView]
    relations: list[tuple[str, list[ValueView]]]


TERM_RELATIONS = (
    (RDFS.subClassOf, "subclass_of"),
    (RDFS.subPropertyOf, "subproperty_of"),
    (RDFS.domain, "domain"),
    (RDFS.range, "range"),
)
TERM_SECTIONS = (
    (OWL.Class, "classes"),
    (OWL.ObjectProperty, "object_properties"),
    (OWL.DatatypeProperty, "datatype_properties"),
)


def ontology_graph_from(store: GraphStore) -> Graph:
    """The ontology's own triples (its IRI and every ``pact:`` term) from the store."""
    graph = Graph()
    for row in store.select(ONTOLOGY_QUERY).rows:
        subject, predicate = row.get("s"), row.get("p")
        if isinstance(subject, URIRef) and isinstance(predicate, URIRef) and "o" in row:
            graph.add((subject, predicate, row["o"]))
    return graph


def in_language_order(literals: Iterable[Node], language: Language) -> list[ValueView]:
    """Literals as views, the interface language first."""
    found = [value for value in literals if isinstance(value, Literal)]
    found.sort(key=lambda value: (value.language != language, value.language or "", str(value)))
    return [literal_view(value) for value in found]


def term_view(graph: Graph, term: URIRef, name: Labeller) -> TermView:
    relations = []
    for predicate, key in TERM_RELATIONS:
        targets = sorted(
            (v for v in graph.objects(term, predicate) if isinstance(v, URIRef)), key=str
        )
        if targets:
            relations.append((key, [iri_view(target, name) for target in targets]))
    kinds = sorted((v for v in graph.objects(term, RDF.type) if isinstance(v, URIRef)), key=str)
    return TermView(
        iri=str(term),
        anchor=str(term).removeprefix(DEF_IRI),
        curie=curie(str(term)),
        label=name(term),
        labels=in_language_order(graph.objects(term, RDFS.label), name.language),
        comments=in_language_order(graph.objects(term, RDFS.comment), name.language),
        kinds=[iri_view(kind, name) for kind in kinds],
        relations=relations,
    )


def ontology_sections(graph: Graph, name: Labeller) -> list[tuple[str, list[TermView]]]:
    """The terms grouped as classes, object and datatype properties, then anything else."""
    terms = sorted(
        {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(DEF_IRI)},
        key=str,
    )
    sections: list[tuple[str, list[TermView]]] = []
    placed: set[URIRef] = set()
    for kind, key in TERM_SECTIONS:
        members = [t for t in terms if (t, RDF.type, kind) in graph and t not in placed]
        placed.update(members)
        sections.append((key, [term_view(graph, t, name) for t in members]))
    others = [t for t in terms if t not in placed]
    if others:
        sections.append(("other_terms", [term_view(graph, t, name) for t in others]))
    return sections


def ontology_response(
    request: Request, store: GraphStore, labels: LabelIndex, suffix_type: str | None
) -> Response:
    try:
        media_type = representation(request, suffix_type)
    except NotAcceptableError as error:
        return error_response(request, 406, str(error))
    graph = ontology_graph_from(store)
    if len(graph) == 0:
        return error_response(request, 404, f"the ontology <{ONTOLOGY_IRI}> is not in the graph")
    if media_type != HTML:
        return rdf_response(graph, media_type)
    name = Labeller(labels, ui_language(request))
    subject = URIRef(ONTOLOGY_IRI)
    header = node_view(
        subject, by_subject(graph.triples((subject, None, None))), name, subject, set()
    )
    schemes = [
        iri_view(scheme, name) for scheme in iris(store.select(SCHEMES_QUERY).rows, "scheme")
    ]
    titles = in_language_order(graph.objects(URIRef(ONTOLOGY_IRI), DCTERMS.title), name.language)
    return page(
        request,
        "ontology.html",
        {
            "header": header,
            "title": titles[0].text if titles else ONTOLOGY_IRI,
            "sections": ontology_sections(graph, name),
            "schemes": schemes,
            "downloads": downloads("/def"),
        },
    )


@router.get(
    "/def",
    summary="The pactgraph ontology: every term with its labels and comments (nl/en)",
    responses={
        **RDF_OR_PAGE,
        406: {"description": "None of the accepted media types is offered"},
    },
)
def ontology(
    request: Request,
    store: Annotated[GraphStore, Depends(get_store)],
    labels: Annotated[LabelIndex, Depends(get_labels)],
) -> Response:
    return ontology_response(request, store, labels, None)


@router.get(
    "/def.{extension}",
    summary="The pactgraph ontology as Turtle (.ttl), JSON-LD (.jsonld, .json) or N-Triples (.nt)",
    responses={**RDF_OR_PAGE, 404: {"description": "No such format"}},
)
def ontology_file(
    request: Request,
    extension: str,
    store: Annotated[GraphStore, Depends(get_store)],
    labels: Annotated[LabelIndex, Depends(get_labels)],
) -> Response:
    media_type = SUFFIXES.get("." + extension)
    if media_type is None:
        known = ", ".join(SUFFIXES)
        return error_response(request, 404, f"extension: expected one of {known}")
    return ontology_response(request, store, labels, media_type)


# ------------------------------------------------------------------ named graphs


def graph_kind(iri: str) -> tuple[str, str | None]:
    """What a named graph holds (a word key) and the document it comes from, if any."""
    local = iri.removeprefix(GRAPH_IRI)
    if local.startswith("document/"):
        return "graph_document", DOCUMENT_PREFIX + local.removeprefix("document/")
    if local == "records":
        return "graph_records", None
    if local == "ontology":
        return "graph_ontology", ONTOLOGY_IRI
    return "graph_other", None


def graph_response(request: Request, store: GraphStore, labels: LabelIndex, path: str) -> Response:
    path, suffix_type = split_suffix(path)
    try:
        iri = checked_iri(GRAPH_IRI, path)
        media_type = representation(request, suffix_type)
    except BadPathError as error:
        return error_response(request, 400, str(error))
    except NotAcceptableError as error:
        return error_response(request, 406, str(error))
    sizes = store.select(GRAPH_SIZE_QUERY, {"graph": iri}).rows
    triples = int(str(sizes[0]["triples"])) if sizes and "triples" in sizes[0] else 0
    if triples == 0:
        return error_response(request, 404, f"there is no named graph <{iri}>")
    if media_type != HTML:
        if triples > MAX_GRAPH_TRIPLES:
            msg = (
                f"the graph has {triples} triples, more than the {MAX_GRAPH_TRIPLES} served "
                "whole; query it at /sparql (CONSTRUCT with LIMIT and OFFSET)"
            )
            return error_response(request, 403, msg)
        graph = Graph()
        for row in store.select(GRAPH_CONTENT_QUERY, {"graph": iri}).rows:
            subject, predicate = row.get("s"), row.get("p")
            if isinstance(subject, URIRef) and isinstance(predicate, URIRef) and "o" in row:
                graph.add((subject, predicate, row["o"]))
        return rdf_response(graph, media_type)
    name = Labeller(labels, ui_language(request))
    kind, source = graph_kind(str(iri))
    types = [
        {"type": iri_view(kind_iri, name), "count": int(str(row["count"]))}
        for row in store.select(GRAPH_TYPES_QUERY, {"graph": iri}).rows
        if isinstance(kind_iri := row.get("type"), URIRef)
    ]
    return page(
        request,
        "named_graph.html",
        {
            "iri": str(iri),
            "kind": kind,
            "source": iri_view(URIRef(source), name) if source else None,
            "triples": triples,
            "types": types,
            "downloads": downloads("/graph/" + path),
        },
    )


@router.get(
    "/graph/{path:path}",
    summary="A named graph: what it holds and its size (HTML), or its triples (RDF)",
    responses={
        **RDF_OR_PAGE,
        400: {"description": "The path is not a well-formed IRI path"},
        404: {"description": "No such named graph"},
    },
)
def named_graph(
    request: Request,
    path: str,
    store: Annotated[GraphStore, Depends(get_store)],
    labels: Annotated[LabelIndex, Depends(get_labels)],
) -> Response:
    return graph_response(request, store, labels, full_path(request, "/graph/", path))


# ------------------------------------------------------------------ traces

COMMITMENT_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,199}")


@dataclass(frozen=True)
class Passage:
    """A passage of a document, as the graph's Web Annotation selectors give it."""

    document: str
    quote: str
    exact: str
    prefix: str
    suffix: str
    start: int | None
    end: int | None


def text_of(graph: Graph, subject: Node, predicate: URIRef) -> str:
    value = graph.value(subject, predicate)
    return str(value) if value is not None else ""


def int_of(graph: Graph, subject: Node, predicate: URIRef) -> int | None:
    value = graph.value(subject, predicate)
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None


def read_passage(graph: Graph, node: Node | None) -> Passage | None:
    """The passage an ``oa:SpecificResource`` node describes (source and both selectors)."""
    if node is None:
        return None
    document = graph.value(node, OA.hasSource)
    if document is None:
        return None
    exact = prefix = suffix = ""
    start = end = None
    for selector in graph.objects(node, OA.hasSelector):
        kinds = set(graph.objects(selector, RDF.type))
        if OA.TextQuoteSelector in kinds:
            exact = text_of(graph, selector, OA.exact)
            prefix = text_of(graph, selector, OA.prefix)
            suffix = text_of(graph, selector, OA.suffix)
        if OA.TextPositionSelector in kinds:
            start, end = int_of(graph, selector, OA.start), int_of(graph, selector, OA.end)
    return Passage(
        document=str(document),
        quote=text_of(graph, node, PACT.quote) or exact,
        exact=exact,
        prefix=prefix,
        suffix=suffix,
        start=start,
        end=end,
    )


@dataclass(frozen=True)
class DocumentInfo:
    """What a trace shows of a document: its metadata and its text."""

    iri: str
    identifier: str
    date: str
    title: str
    types: list[str]
    creators: list[str]
    attributed_to: list[str]
    text: str | None


def read_document(store: GraphStore, iri: str) -> DocumentInfo:
    graph = subject_triples(store, URIRef(iri))
    subject = URIRef(iri)
    text = graph.value(subject, PACT.originalText)
    types = [str(t) for t in graph.objects(subject, RDF.type)]
    return DocumentInfo(
        iri=iri,
        identifier=text_of(graph, subject, DCTERMS.identifier),
        date=text_of(graph, subject, DCTERMS.date),
        title=text_of(graph, subject, DCTERMS.title),
        types=[t for t in DOCUMENT_TYPES if t in types],
        creators=sorted(str(c) for c in graph.objects(subject, DCTERMS.creator)),
        attributed_to=sorted(str(a) for a in graph.objects(subject, PROV.wasAttributedTo)),
        text=str(text) if isinstance(text, Literal) else None,
    )


@dataclass(frozen=True)
class Trace:
    """A commitment as the trace page shows it: who, what, when, how much, where it was said."""

    iri: str
    id: str
    owner: str
    partners: list[str]
    due_phrase: str
    due_start: str | None
    due_end: str | None
    amount: dict[str, Any] | None
    target: dict[str, Any] | None
    status: str | None
    evidence: Passage | None
    action_lines: list[str]
    programmes: list[str]
    funds: list[str]
    source: Passage


def optional_text(graph: Graph, subject: Node | None, predicate: URIRef) -> str | None:
    if subject is None:
        return None
    value = graph.value(subject, predicate)
    return str(value) if value is not None else None


def number(value: Node | None) -> int | float | None:
    """A numeric literal as an ``int`` when whole, else a ``float``."""
    if not isinstance(value, Literal):
        return None
    try:
        result = float(str(value))
    except ValueError:
        return None
    return int(result) if result.is_integer() else result


def read_trace(store: GraphStore, commitment_id: str) -> Trace | None:
    """The commitment's trace from its concise bounded description; ``None`` if there is none."""
    iri = URIRef(COMMITMENT_PREFIX + commitment_id)
    graph = describe(store, iri, incoming=False).graph()
    if (iri, RDF.type, PACT.Commitment) not in graph:
        return None
    source = read_passage(graph, graph.value(iri, PROV.wasDerivedFrom))
    owner = graph.value(iri, PACT.owner)
    if source is None or owner is None:
        return None
    due = graph.value(iri, PACT.due)
    due_start = graph.value(due, TIME.hasBeginning) if due is not None else None
    due_end = graph.value(due, TIME.hasEnd) if due is not None else None
    amount_node = graph.value(iri, PACT.amount)
    amount = None
    if amount_node is not None:
        per_year = graph.value(amount_node, PACT.perYear)
        amount = {
            "value": number(graph.value(amount_node, SCHEMA.value)),
            "currency": optional_text(graph, amount_node, SCHEMA.currency),
            "phrase": optional_text(graph, amount_node, PACT.amountPhrase),
            "per_year": bool(per_year.toPython()) if isinstance(per_year, Literal) else False,
        }
    target_node = graph.value(iri, PACT.target)
    target = None
    if target_node is not None:
        target = {
            "value": number(graph.value(target_node, SCHEMA.value)),
            "unit": optional_text(graph, target_node, SCHEMA.unitText),
        }
    status = graph.value(iri, PACT.status)
    return Trace(
        iri=str(iri),
        id=commitment_id,
        owner=str(owner),
        partners=sorted(str(p) for p in graph.objects(iri, PACT.partner)),
        due_phrase=text_of(graph, iri, PACT.duePhrase),
        due_start=optional_text(graph, due_start, TIME.inXSDDate),
        due_end=optional_text(graph, due_end, TIME.inXSDDate),
        amount=amount,
        target=target,
        status=str(status) if status is not None else None,
        evidence=read_passage(graph, graph.value(iri, PACT.statusEvidence)),
        action_lines=sorted(str(a) for a in graph.objects(iri, PACT.actionLine)),
        programmes=sorted(str(p) for p in graph.objects(iri, PACT.programme)),
        funds=sorted(str(f) for f in graph.objects(iri, PACT.fund)),
        source=source,
    )


def reference(iri: str | None, name: Labeller) -> dict[str, str] | None:
    return {"iri": iri, "label": name(iri)} if iri else None


def passage_json(passage: Passage, document: DocumentInfo) -> dict[str, Any]:
    return {
        "document": passage.document,
        "identifier": document.identifier,
        "date": document.date or None,
        "title": document.title,
        "text": text_href(passage.document),
        "quote": passage.exact,
        "quote_as_read": passage.quote,
        "prefix": passage.prefix,
        "suffix": passage.suffix,
        "start": passage.start,
        "end": passage.end,
    }


def trace_json(
    trace: Trace, name: Labeller, source: DocumentInfo, evidence: DocumentInfo | None
) -> dict[str, Any]:
    """The trace as plain JSON.

    A passage's ``quote`` is its ``oa:exact``: the ``[start, end)`` slice of the ``text`` served
    at the passage's ``text`` link, so a tool can check the anchoring itself.
    """
    status = None
    if trace.status is not None:
        found = None
        if trace.evidence is not None and evidence is not None:
            found = {**passage_json(trace.evidence, evidence), "trace": f"/trace/{trace.id}/status"}
        status = {"iri": trace.status, "label": name(trace.status), "evidence": found}
    return {
        "commitment": {"iri": trace.iri, "id": trace.id, "label": name(trace.iri)},
        "owner": reference(trace.owner, name),
        "partners": [reference(p, name) for p in trace.partners],
        "due": {"phrase": trace.due_phrase, "start": trace.due_start, "end": trace.due_end},
        "amount": trace.amount,
        "target": trace.target,
        "status": status,
        "action_lines": [reference(a, name) for a in trace.action_lines],
        "programmes": [reference(p, name) for p in trace.programmes],
        "funds": [reference(f, name) for f in trace.funds],
        "source": passage_json(trace.source, source),
        "links": {
            "trace": f"/trace/{trace.id}",
            "entity": local_href(trace.iri),
            "turtle": local_href(trace.iri) + ".ttl",
        },
    }


def highlight(text: str, start: int | None, end: int | None) -> tuple[str, str, str] | None:
    """The text before, inside and after ``[start, end)`` (code points), if the range fits."""
    if start is None or end is None or not 0 <= start <= end <= len(text):
        return None
    return text[:start], text[start:end], text[end:]


def euros(value: float, language: Language) -> str:
    """An amount in euros written the way the reader's language writes it."""
    whole = float(value).is_integer()
    written = f"{value:,.0f}" if whole else f"{value:,.2f}"
    if language == "nl":
        return "€ " + written.replace(",", " ").replace(".", ",").replace(" ", ".")
    return "€" + written


def letter_context(document: DocumentInfo, passage: Passage, name: Labeller) -> dict[str, Any]:
    """What ``letter.html`` needs: the document's metadata and its text cut around the passage."""
    parts = highlight(document.text or "", passage.start, passage.end)
    return {
        "document": iri_view(URIRef(document.iri), name),
        "identifier": document.identifier,
        "date": document.date,
        "title": document.title,
        "types": [name(t) for t in document.types[:1]],
        "creators": [iri_view(URIRef(c), name) for c in document.creators],
        "attributed_to": [iri_view(URIRef(a), name) for a in document.attributed_to],
        "text_href": text_href(document.iri) if document.text is not None else None,
        "text": document.text,
        "parts": parts,
        "matches": parts is not None and parts[1] == passage.exact,
    }


def trace_response(
    request: Request,
    store: GraphStore,
    labels: LabelIndex,
    commitment_id: str,
    *,
    show_evidence: bool,
) -> Response:
    """The trace of a commitment: JSON for tools, HTML with the letter for browsers."""
    wants_json = commitment_id.endswith(".json")
    commitment_id = commitment_id.removesuffix(".json")
    if not COMMITMENT_ID.fullmatch(commitment_id):
        msg = (
            f"commitment_id: expected a commitment id (lowercase letters, digits and '-', "
            f"at most 200), optionally followed by .json; got {commitment_id[:80]!r}"
        )
        return error_response(request, 400, msg)
    trace = read_trace(store, commitment_id)
    if trace is None:
        return error_response(request, 404, f"there is no commitment {commitment_id!r}")
    if show_evidence and trace.evidence is None:
        msg = f"commitment {commitment_id!r} has no status evidence from a later letter"
        return error_response(request, 404, msg)
    name = Labeller(labels, ui_language(request))
    source = read_document(store, trace.source.document)
    evidence = read_document(store, trace.evidence.document) if trace.evidence else None
    data = trace_json(trace, name, source, evidence)
    if wants_json or not prefers_html(request.headers.get("accept")):
        return JSONResponse(data, headers={"Vary": VARY})
    shown, passage = (evidence, trace.evidence) if show_evidence else (source, trace.source)
    assert shown is not None and passage is not None  # checked above
    amount = trace.amount
    return page(
        request,
        "trace.html",
        {
            "trace": data,
            "owner": iri_view(URIRef(trace.owner), name),
            "partners": [iri_view(URIRef(p), name) for p in trace.partners],
            "action_lines": [iri_view(URIRef(a), name) for a in trace.action_lines],
            "programmes": [iri_view(URIRef(p), name) for p in trace.programmes],
            "funds": [iri_view(URIRef(f), name) for f in trace.funds],
            "status": iri_view(URIRef(trace.status), name) if trace.status else None,
            "amount_text": euros(amount["value"], name.language)
            if amount and isinstance(amount["value"], int | float)
            else None,
            "evidence_document": iri_view(URIRef(evidence.iri), name) if evidence else None,
            "evidence_date": evidence.date if evidence else "",
            "source_document": iri_view(URIRef(source.iri), name),
            "showing_evidence": show_evidence,
            "passage": passage,
            "letter": letter_context(shown, passage, name),
        },
    )


@router.get(
    "/trace/{commitment_id}",
    summary="A commitment traced to its passage: JSON, or HTML with the letter highlighted",
    responses={
        400: {"description": "Not a commitment id"},
        404: {"description": "No such commitment"},
    },
)
def trace(
    request: Request,
    commitment_id: str,
    store: Annotated[GraphStore, Depends(get_store)],
    labels: Annotated[LabelIndex, Depends(get_labels)],
) -> Response:
    return trace_response(request, store, labels, commitment_id, show_evidence=False)


@router.get(
    "/trace/{commitment_id}/status",
    summary="A commitment's status evidence, highlighted in the later letter that reports it",
    responses={
        400: {"description": "Not a commitment id"},
        404: {"description": "No such commitment, or no status evidence for it"},
    },
)
def trace_status(
    request: Request,
    commitment_id: str,
    store: Annotated[GraphStore, Depends(get_store)],
    labels: Annotated[LabelIndex, Depends(get_labels)],
) -> Response:
    return trace_response(request, store, labels, commitment_id, show_evidence=True)
