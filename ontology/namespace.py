"""Namespaces: ``PACT`` is closed, so a misspelt term fails at import or call time, not in data.

``tests/test_ontology.py`` checks that the terms listed here are exactly those the ontology
defines, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import TypeVar

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DefinedNamespace

DEF_IRI = "https://w3id.org/pactgraph/def#"
ID_IRI = "https://w3id.org/pactgraph/id/"
GRAPH_IRI = "https://w3id.org/pactgraph/graph/"


class PACT(DefinedNamespace):
    """The pactgraph ontology's own terms."""

    _NS = Namespace(DEF_IRI)
    _fail = True

    # classes
    Action: URIRef
    Commitment: URIRef
    Landsdeel: URIRef
    OrganisationKind: URIRef
    Pact: URIRef
    Status: URIRef
    # properties
    action: URIRef
    actionLine: URIRef
    amount: URIRef
    amountPhrase: URIRef
    due: URIRef
    dueEvidence: URIRef
    duePhrase: URIRef
    edition: URIRef
    fund: URIRef
    landsdeel: URIRef
    organisationKind: URIRef
    originalText: URIRef
    owner: URIRef
    partner: URIRef
    perYear: URIRef
    period: URIRef
    periodPhrase: URIRef
    programme: URIRef
    quote: URIRef
    runBy: URIRef
    status: URIRef
    statusEvidence: URIRef
    target: URIRef


PREFIXES: dict[str, str] = {
    "pact": DEF_IRI,
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "time": "http://www.w3.org/2006/time#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "bibo": "http://purl.org/ontology/bibo/",
}
"""The prefixes pactgraph writes and reads RDF with (exports, validation reports)."""


GraphT = TypeVar("GraphT", bound=Graph)


def bind_prefixes(graph: GraphT) -> GraphT:
    """Bind :data:`PREFIXES` on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    return graph


OA = Namespace("http://www.w3.org/ns/oa#")
TIME = Namespace("http://www.w3.org/2006/time#")
SCHEMA = Namespace("https://schema.org/")
BIBO = Namespace("http://purl.org/ontology/bibo/")
STATUS = Namespace(ID_IRI + "status/")
KIND = Namespace(ID_IRI + "kind/")
ROLE = Namespace(ID_IRI + "role/")
