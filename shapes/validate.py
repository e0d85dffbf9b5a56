"""Validate a graph against the pactgraph shapes and explain each violation in words.

pySHACL returns ``(conforms, results_graph, results_text)``; the text is for machines more than
people. :func:`validate` returns one :class:`Violation` per result with the focus node's label,
the property path and the shape's message in the reader's language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

from pactgraph.ontology.namespace import bind_prefixes
from pyshacl import validate as shacl_validate
from rdflib import RDF, SH, SKOS, Graph, Literal, Node, URIRef
from rdflib.namespace import FOAF
from rdflib.paths import Path
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query

SHAPES_FILE = "pactgraph-shapes.ttl"


@dataclass(frozen=True)
class Violation:
    """One SHACL result, in words."""

    focus: str
    focus_label: str
    path: str
    message: str
    value: str
    severity: str

    def __str__(self) -> str:
        value = f" (value: {self.value})" if self.value else ""
        return f"{self.focus_label} <{self.focus}> — {self.path}: {self.message}{value}"


@cache
def _shapes_text() -> str:
    return files("pactgraph.shapes").joinpath(SHAPES_FILE).read_text(encoding="utf-8")


def shapes_graph() -> Graph:
    """The packaged shapes as a fresh graph (callers may not share a mutable one)."""
    return Graph().parse(data=_shapes_text(), format="turtle")


def validate(data: Graph, language: str = "en") -> list[Violation]:
    """Every violation of the shapes in ``data``; an empty list means the data conforms."""
    conforms, results = check_graph(data)
    if conforms:
        return []
    return explain(data, results, language)


def check_graph(data: Graph, shapes: Graph | None = None) -> tuple[bool, Graph]:
    """pySHACL's verdict on ``data`` against the packaged shapes (or ``shapes``, a graph of
    them parsed once by a caller that validates often), and its results graph.

    pySHACL validates in place (no SHACL-AF feature is used, so it need not clone the data),
    through a view of ``data`` that parses each SPARQL constraint once instead of once per
    focus node.
    """
    view = data
    if type(data) is Graph:  # a dataset keeps its own query semantics
        view = _ParsedOnce(data.store, data.identifier, data.namespace_manager)
    conforms, results, _ = shacl_validate(
        view,
        shacl_graph=shapes if shapes is not None else shapes_graph(),
        inference="none",
        allow_warnings=False,
    )
    return bool(conforms), results


class _ParsedOnce(Graph):
    """A graph over the same store whose ``query`` parses a SPARQL text only the first time.

    pySHACL runs a ``sh:sparql`` constraint once per focus node with the same text and a new
    ``$this`` binding; rdflib would parse and translate the text each time (most of a
    validation's time). The text, not the bindings, is what is cached.
    """

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 - rdflib's
        if isinstance(query_object, str) and not kwargs.get("initNs"):
            query_object = _prepared(query_object, kwargs.get("base"))
        return super().query(query_object, *args, **kwargs)


@lru_cache(maxsize=64)
def _prepared(text: str, base: str | None) -> Query:
    return prepareQuery(text, base=base)


def explain(
    data: Graph, results: Graph, language: str = "en", only: Iterable[Node] | None = None
) -> list[Violation]:
    """The ``sh:ValidationResult`` nodes of a pySHACL results graph (all, or ``only`` these)."""
    names = bind_prefixes(Graph())
    chosen = results.subjects(RDF.type, SH.ValidationResult) if only is None else only
    violations = [_violation(data, results, result, language, names) for result in chosen]
    return sorted(violations, key=lambda v: (v.focus_label, v.path, v.message))


def _violation(data: Graph, results: Graph, result: Node, language: str, names: Graph) -> Violation:
    focus = results.value(result, SH.focusNode)
    path = results.value(result, SH.resultPath)
    value = results.value(result, SH.value)
    severity = results.value(result, SH.resultSeverity)
    return Violation(
        focus=str(focus),
        focus_label=_label(data, focus),
        path=_path_text(names, results, path),
        message=_message(results, result, language),
        value="" if value is None else str(value),
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
    )


def _message(results: Graph, result: Node, language: str) -> str:
    found = results.objects(result, SH.resultMessage)
    messages = [_with_language(results, result, message) for message in found]
    for wanted in (language, "en", "nl"):
        for message in messages:
            if isinstance(message, Literal) and message.language == wanted:
                return str(message)
    return str(messages[0]) if messages else "violates a shape"


def _with_language(results: Graph, result: Node, message: Node) -> Node:
    """Give back the language pySHACL drops when it fills ``{?var}`` slots of a SPARQL message."""
    if not isinstance(message, Literal) or message.language:
        return message
    constraint = results.value(result, SH.sourceConstraint)
    for template in _templates(constraint):
        parts = re.split(r"\{[?$]\w+\}", str(template))
        pattern = ".*".join(re.escape(part) for part in parts)
        if re.fullmatch(pattern, str(message), flags=re.DOTALL):
            return Literal(str(message), lang=template.language)
    return message


def _templates(constraint: Node | None) -> list[Literal]:
    if constraint is None:
        return []
    shapes = _shapes_for_lookup()
    return [m for m in shapes.objects(constraint, SH.message) if isinstance(m, Literal)]


@cache
def _shapes_for_lookup() -> Graph:
    return shapes_graph()


def _label(data: Graph, node: Node | None) -> str:
    if node is None:
        return "?"
    for predicate in (SKOS.prefLabel, FOAF.name):
        labels = list(data.objects(node, predicate))
        for label in labels:
            if isinstance(label, Literal) and label.language in (None, "nl"):
                return str(label)
        if labels:
            return str(labels[0])
    if isinstance(node, URIRef) and "#" in node:  # a part of a record: name the record
        return _label(data, URIRef(node.split("#", 1)[0])) + " #" + node.split("#", 1)[1]
    return str(node).rsplit("/", 1)[-1]


def _path_text(names: Graph, results: Graph, path: Node | None) -> str:
    if path is None:
        return "(node)"
    if isinstance(path, Path):
        return str(path.n3(names.namespace_manager))
    if isinstance(path, URIRef):
        return names.namespace_manager.normalizeUri(path)
    items = list(results.items(path)) if (path, RDF.first, None) in results else []
    if items:
        return "/".join(
            names.namespace_manager.normalizeUri(i) if isinstance(i, URIRef) else str(i)
            for i in items
        )
    return str(path)
