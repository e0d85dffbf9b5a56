"""Namespaces: ``PACT`` is closed, so a misspelt term fails at import or call time, not in data.

``tests/test_ontology.py`` checks that the terms listed here are exactly those the ontology
defines, so the two cannot drift apart.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
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


OA = Namespace("http://www.w3.org/ns/oa#")
TIME = Namespace("http://www.w3.org/2006/time#")
SCHEMA = Namespace("https://schema.org/")
BIBO = Namespace("http://purl.org/ontology/bibo/")
STATUS = Namespace(ID_IRI + "status/")
KIND = Namespace(ID_IRI + "kind/")
ROLE = Namespace(ID_IRI + "role/")
