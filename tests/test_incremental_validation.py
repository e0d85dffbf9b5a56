"""Revalidating after an edit gives the whole-graph verdict on everything the edit can reach."""

from __future__ import annotations

import pytest
from pactgraph.ontology.namespace import OA, PACT
from pactgraph.shapes import validate
from pactgraph.shapes.incremental import affected_nodes, neighbourhood, revalidate
from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, PROV

TIME = Namespace("http://www.w3.org/2006/time#")
COMMITMENT = URIRef(
    "https://w3id.org/pactgraph/id/commitment/c75-betaleraren-vo-100-miljoen-2013-2016"
)
DUE_END = URIRef(f"{COMMITMENT}#due-end")


@pytest.fixture
def graph(bundled_union: Graph) -> Graph:
    """A private copy of the bundled graph, to edit."""
    copy = Graph()
    for triple in bundled_union:
        copy.add(triple)
    return copy


def _replace(graph: Graph, subject: URIRef, predicate: URIRef, value: Literal) -> list:
    old = graph.value(subject, predicate)
    assert old is not None
    graph.remove((subject, predicate, old))
    graph.add((subject, predicate, value))
    return [(subject, predicate, old), (subject, predicate, value)]


def _texts(violations: list) -> set[str]:
    return {str(v) for v in violations}


def test_a_valid_edit_reports_nothing(graph: Graph) -> None:
    changed = _replace(graph, DUE_END, TIME.inXSDDate, Literal("2031-12-31", datatype=XSD.date))
    assert revalidate(graph, changed) == []


def test_an_interval_that_ends_before_it_starts_is_caught_as_the_whole_graph_would(
    graph: Graph,
) -> None:
    changed = _replace(graph, DUE_END, TIME.inXSDDate, Literal("1990-01-01", datatype=XSD.date))
    found = revalidate(graph, changed)
    assert any("1990-01-01" in v.message and v.focus == f"{COMMITMENT}#due" for v in found)
    assert _texts(found) == _texts(validate(graph))


def test_a_wrong_datatype_two_steps_down_is_reported_on_the_commitment(graph: Graph) -> None:
    changed = _replace(graph, DUE_END, TIME.inXSDDate, Literal("eind 2016"))
    found = revalidate(graph, changed)
    assert str(COMMITMENT) in {v.focus for v in found}
    assert any(v.value == "eind 2016" for v in found)


def test_a_document_losing_its_class_fails_every_passage_that_cites_it(graph: Graph) -> None:
    """The deepest reach: document type ← passage (oa:hasSource) ← commitment."""
    document = graph.value(graph.value(COMMITMENT, PROV.wasDerivedFrom), OA.hasSource)
    assert isinstance(document, URIRef)
    graph.remove((document, RDF.type, FOAF.Document))
    found = revalidate(graph, [(document, RDF.type, FOAF.Document)])
    citing = {
        c
        for c, p in graph.subject_objects(PROV.wasDerivedFrom)
        if (p, OA.hasSource, document) in graph
    }
    assert {v.focus for v in found} >= {
        str(c) for c in citing if (c, RDF.type, PACT.Commitment) in graph
    }
    assert _texts(found) == _texts(validate(graph))


def test_affected_nodes_reach_back_to_the_commitment(graph: Graph) -> None:
    reached = affected_nodes(graph, [(DUE_END, TIME.inXSDDate, Literal("x"))])
    assert {DUE_END, URIRef(f"{COMMITMENT}#due"), COMMITMENT} <= reached
    assert len(reached) < 10, "an edit of one commitment stays with that commitment"


def test_the_neighbourhood_holds_what_the_commitment_shape_reads(graph: Graph) -> None:
    part = neighbourhood(graph, [COMMITMENT])
    passage = graph.value(COMMITMENT, PROV.wasDerivedFrom)
    document = graph.value(passage, OA.hasSource)
    assert (document, RDF.type, FOAF.Document) in part
    assert (DUE_END, TIME.inXSDDate, graph.value(DUE_END, TIME.inXSDDate)) in part
    assert len(part) < len(graph) / 10
