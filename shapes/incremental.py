"""Revalidate only what an edit can have changed, instead of the whole graph.

Whole-graph validation costs time in proportion to the graph: pySHACL visits every target of
every shape, and parses the SPARQL constraint again for each of its focus nodes. An edit touches
a handful of triples, and only focus nodes whose shapes *read* those triples can change verdict.

The pactgraph shapes follow property paths forward from their focus node, at most
:data:`REACH` steps (a commitment's shape reads its passage, the passage's selectors and the
document's type, and the selectors' values). So after an edit:

1. the *affected* nodes are the subjects of the changed triples and every node with a path of
   at most :data:`REACH` steps to one of them;
2. their *neighbourhood* — every triple whose subject is at most :data:`REACH` steps from an
   affected node — holds everything their shapes read;
3. validating the neighbourhood with the ordinary whole-graph call gives, for the affected
   nodes, exactly the verdict the whole graph would. Results about other nodes of the
   neighbourhood (seen only in part) are dropped; details of kept results are kept.

Nodes the edit cannot reach keep the verdict they had, so a graph that conformed before the
edit conforms after it exactly when :func:`revalidate` returns nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from pactgraph.shapes.validate import Violation, check_graph, explain, shapes_graph
from rdflib import SH, BNode, Graph, Literal, URIRef
from rdflib.term import Node

REACH = 3
"""Steps any shape follows from its focus node to the subject of a triple it reads (2), plus one
to spare; a shape that reads further than this needs this number raised."""

Triple = tuple[Node, Node, Node]


@cache
def _shapes() -> Graph:
    """The shapes, parsed once: revalidation is frequent, and pySHACL only reads them."""
    return shapes_graph()


@cache
def _object_targets() -> frozenset[Node]:
    """Predicates whose objects a shape targets (``sh:targetObjectsOf``)."""
    return frozenset(_shapes().objects(None, SH.targetObjectsOf))


def affected_nodes(data: Graph, changed: Iterable[Triple], reach: int = REACH) -> set[Node]:
    """The subjects of ``changed`` and every node of ``data`` within ``reach`` steps of one.

    The object of a changed triple counts too when a shape targets the objects of its predicate.
    """
    targets = _object_targets()
    seen: set[Node] = set()
    for subject, predicate, value in changed:
        seen.add(subject)
        if predicate in targets and not isinstance(value, Literal):
            seen.add(value)
    frontier = set(seen)
    for _ in range(reach):
        found = {s for node in frontier for s in data.subjects(None, node)} - seen
        seen |= found
        frontier = found
    return seen


def neighbourhood(data: Graph, nodes: Iterable[Node], reach: int = REACH) -> Graph:
    """Every triple of ``data`` whose subject is within ``reach`` steps of one of ``nodes``."""
    part = Graph()
    seen = {n for n in nodes if not isinstance(n, Literal)}
    frontier = set(seen)
    for step in range(reach + 1):
        found: set[Node] = set()
        for node in frontier:
            for predicate, value in data.predicate_objects(node):
                part.add((node, predicate, value))
                if step < reach and isinstance(value, URIRef | BNode) and value not in seen:
                    found.add(value)
        seen |= found
        frontier = found
    return part


def validate_nodes(data: Graph, nodes: Iterable[Node], language: str = "en") -> list[Violation]:
    """The violations the whole-graph check would report about ``nodes`` (and their details)."""
    focus = set(nodes)
    part = neighbourhood(data, focus)
    conforms, results = check_graph(part, _shapes())
    if conforms:
        return []
    kept: list[Node] = []
    pending = [
        r for r in results.objects(None, SH.result) if results.value(r, SH.focusNode) in focus
    ]
    while pending:
        result = pending.pop()
        if result not in kept:
            kept.append(result)
            pending.extend(results.objects(result, SH.detail))
    return explain(part, results, language, only=kept)


def revalidate(data: Graph, changed: Iterable[Triple], language: str = "en") -> list[Violation]:
    """Violations after an edit of ``data`` (already applied) that added or removed ``changed``.

    For a graph that conformed before the edit, the same verdict as validating the whole graph.
    """
    triples = list(changed)
    return validate_nodes(data, affected_nodes(data, triples), language)
