"""The pactgraph ontology (OWL in Turtle), its shared vocabularies and the closed namespace."""

from __future__ import annotations

from importlib.resources import files

from pactgraph.ontology.namespace import BIBO, KIND, OA, PACT, ROLE, SCHEMA, STATUS, TIME
from rdflib import Graph

ONTOLOGY_FILES = ("pactgraph.ttl", "vocabularies.ttl")

__all__ = [
    "BIBO",
    "KIND",
    "OA",
    "ONTOLOGY_FILES",
    "PACT",
    "ROLE",
    "SCHEMA",
    "STATUS",
    "TIME",
    "ontology_graph",
    "ontology_turtle",
]


def ontology_turtle(name: str) -> str:
    """The text of one of the packaged ontology files."""
    return files("pactgraph.ontology").joinpath(name).read_text(encoding="utf-8")


def ontology_graph() -> Graph:
    """The ontology and the shared vocabularies (statuses, kinds, roles) as one graph."""
    graph = Graph()
    for name in ONTOLOGY_FILES:
        graph.parse(data=ontology_turtle(name), format="turtle")
    return graph
