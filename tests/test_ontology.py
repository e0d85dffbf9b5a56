"""The ontology: closed namespace in step with the Turtle, every term labelled in nl and en."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest
from pactgraph.ontology import ontology_graph
from pactgraph.ontology.namespace import DEF_IRI, PACT
from rdflib import OWL, RDF, RDFS, Literal, URIRef

ROOT = Path(__file__).resolve().parent.parent


def defined_terms() -> set[str]:
    graph = ontology_graph()
    return {
        str(s)[len(DEF_IRI) :]
        for s in graph.subjects(RDF.type, None)
        if isinstance(s, URIRef) and str(s).startswith(DEF_IRI)
    }


def test_the_python_namespace_lists_exactly_the_ontology_terms() -> None:
    assert set(PACT.__annotations__) == defined_terms()


def test_a_misspelt_term_fails_loudly() -> None:
    with pytest.raises(AttributeError):
        _ = PACT.ownr


@pytest.mark.parametrize("term", sorted(defined_terms()))
def test_every_term_has_label_and_comment_in_dutch_and_english(term: str) -> None:
    graph = ontology_graph()
    subject = URIRef(DEF_IRI + term)
    for predicate in (RDFS.label, RDFS.comment):
        languages = {
            o.language for o in graph.objects(subject, predicate) if isinstance(o, Literal)
        }
        assert {"nl", "en"} <= languages, (term, predicate)
    kinds = set(graph.objects(subject, RDF.type))
    assert kinds & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}


def used_terms() -> set[str]:
    """Every pact: term the code, queries, shapes and records use."""
    used: set[str] = set()
    sources = [
        p
        for p in (*ROOT.glob("*/*.py"), *ROOT.glob("*/*.rq"), *ROOT.glob("*/*.ttl"))
        if p.parent.name != "tests"
    ]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bPACT\.([A-Za-z_]+)", text))
        used |= set(re.findall(r"(?<![\w/])pact:([A-Za-z][A-Za-z0-9_]*)", text))
        used |= set(re.findall(re.escape(DEF_IRI) + r"([A-Za-z][A-Za-z0-9_]*)", text))
    return used


def test_every_pact_term_used_in_code_and_data_is_defined() -> None:
    assert used_terms() - defined_terms() == set()
    assert len(used_terms()) > 15  # the scan really found the terms


def test_the_ontology_ships_as_package_data() -> None:
    assert files("pactgraph.ontology").joinpath("pactgraph.ttl").is_file()
