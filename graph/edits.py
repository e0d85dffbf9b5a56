"""Edits of the served graph: each one checked, applied whole, and signed in the change log.

An edit is a SPARQL Update or an upload of statements (RDF, or curated records in YAML). Each
is one transaction in three steps:

1. **Rehearse.** The edit runs on an in-memory copy of the dataset, never on the store. The
   difference between the copy before and after is the edit's *change*: quads added and quads
   removed, per named graph. An update that fails halfway (a multi-operation update whose
   second operation fails) fails on the copy, so nothing reaches the store.
2. **Check.** The change may not touch the change log or the ontology graph, nor the default
   graph (every fact lives in a named graph), and the data after it must satisfy the shapes.
   Only what the change can reach is revalidated (:mod:`pactgraph.shapes.incremental`): the
   bundled graph conformed when it was built, so the same verdict as validating everything.
   A refused edit raises an :class:`EditError` whose status and message say why.
3. **Apply.** The change itself — not the user's update again — is written as one SPARQL
   update request (``DELETE DATA`` + ``INSERT DATA``) that also inserts the PROV record of the
   edit into :data:`CHANGELOG_GRAPH`. The store runs one update request as one transaction
   (Oxigraph's ``update`` is atomic; so is a SPARQL server's), so the change and its record
   land together or not at all, even if the process is killed mid-write.

Edits are serialised by a process-wide lock: the rehearsal's copy is the store as it is when
the change is applied. Only one process can open an embedded store for writing anyway.
Rehearsing copies the whole dataset (about 60 ms for the bundled graph's 5,600 quads); a
graph of millions of quads would want the change computed inside the store instead.
"""

from __future__ import annotations

import re
import tempfile
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from pactgraph.data import bundled_dataset
from pactgraph.graph.build import ONTOLOGY_GRAPH, read_letters
from pactgraph.graph.querytext import (
    MAX_QUERY_CHARACTERS,
    decode_escapes,
    inspect_query,
    limit_refusal,
    tokens,
)
from pactgraph.graph.store import GraphStore, from_oxigraph
from pactgraph.loaders.rdf import records_to_rdf
from pactgraph.loaders.records import RecordsError, read_records
from pactgraph.ontology.namespace import GRAPH_IRI, ID_IRI
from pactgraph.shapes import Violation
from pactgraph.shapes.incremental import revalidate
from rdflib import Graph, Literal
from rdflib.term import Node

CHANGELOG_GRAPH = GRAPH_IRI + "changelog"
"""The named graph of PROV records, one ``prov:Activity`` per applied edit."""
EDITS_GRAPH = GRAPH_IRI + "edits"
"""Where uploaded triples go unless the upload names another graph."""
AGENT_IRI = ID_IRI + "agent/"
"""Agents are named after their edit token: ``<id/agent/secretariat>``."""
ACTIVITY_IRI = ID_IRI + "edit/"
UPDATE_BASE_IRI = ID_IRI.removesuffix("id/") + "sparql"
"""Relative IRIs in an update resolve as in a query: ``<id/organisation/vhto>`` is VHTO."""

PROTECTED_GRAPHS: dict[str, str] = {
    CHANGELOG_GRAPH: "the change log is written by the server alone, one record per edit",
    str(ONTOLOGY_GRAPH): "the ontology graph comes from the ontology files; edit those and build",
}
EXCERPT_LINES = 5
EXCERPT_CHARACTERS = 500

_PROV = "http://www.w3.org/ns/prov#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_DCTERMS = "http://purl.org/dc/terms/"
_SCHEMA = "https://schema.org/"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_WRITE_LOCK = threading.Lock()


# ------------------------------------------------------------------ errors


class EditError(ValueError):
    """An edit that was not applied; ``status`` is the HTTP status that fits the reason."""

    status = 400

    def __init__(self, message: str, details: Iterable[str] = ()) -> None:
        self.details = list(details)
        super().__init__(message)


class EditRefusedError(EditError):
    """The edit would write where nobody may write (the change log, the ontology)."""

    status = 403


class EditViolationsError(EditError):
    """The data after the edit would violate the shapes; ``violations`` says how."""

    status = 422

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        count = len(violations)
        super().__init__(
            f"The edit would violate {count} shape constraint{'s' * (count != 1)}; "
            "nothing was changed.",
            [str(v) for v in violations],
        )


class RecordsRefusedError(EditError):
    """Uploaded records that do not build; ``details`` name file, line and what was expected."""

    status = 422


# ------------------------------------------------------------------ what an edit did


@dataclass(frozen=True)
class GraphChange:
    """Quads added to and removed from one named graph."""

    graph: str
    added: int
    removed: int


@dataclass(frozen=True)
class Edit:
    """One applied edit, as the change log records it."""

    activity: str
    agent: str
    source_format: str
    started: str
    ended: str
    graphs: tuple[str, ...]
    added: int
    removed: int
    description: str

    def as_json(self) -> dict[str, object]:
        return {
            "activity": self.activity,
            "agent": self.agent,
            "agent_iri": AGENT_IRI + self.agent,
            "format": self.source_format,
            "started": self.started,
            "ended": self.ended,
            "graphs": list(self.graphs),
            "added": self.added,
            "removed": self.removed,
            "description": self.description,
        }


@dataclass(frozen=True)
class EditPlan:
    """A checked change, not yet applied: what :func:`commit` will write, and for whom."""

    agent: str
    source_format: str
    excerpt: str
    started: datetime
    added: frozenset[ox.Quad]
    removed: frozenset[ox.Quad]
    notes: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed)

    def changes(self) -> tuple[GraphChange, ...]:
        """Per named graph, in IRI order."""
        added = Counter(_graph_iri(q) for q in self.added)
        removed = Counter(_graph_iri(q) for q in self.removed)
        return tuple(
            GraphChange(graph, added[graph], removed[graph]) for graph in sorted({*added, *removed})
        )

    def description(self) -> str:
        """The change log's summary: counts in total and per graph, then the edit's first lines."""
        lines = [f"+{len(self.added)} −{len(self.removed)} triples"]
        lines += [f"<{c.graph}>: +{c.added} −{c.removed}" for c in self.changes()]
        return "\n".join([*lines, self.excerpt]).strip()


# ------------------------------------------------------------------ planning


def check_update_text(update: str) -> None:
    """Refuse, before any parser runs, an update that would fetch or that the parser fears.

    ``LOAD`` and ``SERVICE`` would make the server fetch a URL; the size and nesting limits
    are the query endpoint's (deep nesting crashes pyoxigraph's parser).
    """
    if not update.strip():
        msg = "The update is empty; send a SPARQL Update as update=… or as the request body."
        raise EditError(msg)
    shape = inspect_query(update)
    refused = limit_refusal(shape, "update")  # the query endpoint's limits, clauses included
    if refused:
        if shape.characters > MAX_QUERY_CHARACTERS:
            refused += " Upload larger data to /edits/records."
        raise EditError(refused)
    keywords = _keywords(update)
    if "LOAD" in keywords:
        msg = (
            "LOAD is not allowed: the server never fetches documents. Upload the data itself to "
            "/edits/records instead."
        )
        raise EditError(msg)
    if shape.uses_service or "SERVICE" in keywords:
        msg = "SERVICE is not allowed: an update reads only this graph and fetches nothing."
        raise EditError(msg)
    if shape.form != "UPDATE":
        msg = (
            f"{shape.keyword or 'This'} is not a SPARQL Update operation; send queries to "
            "/sparql, and updates (INSERT, DELETE, …) here."
        )
        raise EditError(msg)


def _keywords(text: str) -> set[str]:
    """The bare words of a SPARQL text (keywords), outside strings, IRIs and comments.

    ``\\u`` escapes are decoded first: SPARQL 1.1 allows them anywhere, so a parser that
    honoured them would read ``\\u004COAD`` as ``LOAD``.
    """
    return {
        decode_escapes(token).upper()
        for kind, token in tokens(text)
        if kind == "name" and ":" not in token
    }


def plan_update(store: GraphStore, update: str, agent: str) -> EditPlan:
    """Rehearse a SPARQL Update on a copy of ``store`` and check the change it makes."""
    check_update_text(update)

    def run(copy: ox.Store) -> None:
        try:
            copy.update(update, base_iri=UPDATE_BASE_IRI)
        except SyntaxError as error:
            msg = f"The update is not valid SPARQL: {error}. Nothing was changed."
            raise EditError(msg) from error
        except (RuntimeError, OSError, ValueError) as error:
            msg = f"The update failed: {error}. No part of it was applied."
            raise EditError(msg) from error

    return plan(store, agent, "application/sparql-update", excerpt(update), run)


def plan_quads(
    store: GraphStore,
    quads: Iterable[ox.Quad],
    agent: str,
    source_format: str,
    excerpt_text: str,
    graph: str = EDITS_GRAPH,
) -> EditPlan:
    """Plan adding uploaded statements; triples (default-graph quads) go into ``graph``."""
    target = _named_graph(graph)
    placed = [
        ox.Quad(q.subject, q.predicate, q.object, target)
        if isinstance(q.graph_name, ox.DefaultGraph)
        else q
        for q in quads
    ]
    return plan(store, agent, source_format, excerpt_text, lambda copy: copy.extend(placed))


def plan(
    store: GraphStore,
    agent: str,
    source_format: str,
    excerpt_text: str,
    change: Callable[[ox.Store], None],
) -> EditPlan:
    """Run ``change`` on an in-memory copy of ``store``; the difference is the edit's change.

    Raises :class:`EditError` if the change writes where it may not or violates the shapes.
    """
    started = _now()
    copy = ox.Store()
    copy.load(store.dump("nquads"), format=ox.RdfFormat.N_QUADS)
    before = set(copy)
    change(copy)
    after = set(copy)
    added, removed = frozenset(after - before), frozenset(before - after)
    _check_places(added, removed)
    edit = EditPlan(agent, source_format, excerpt_text, started, added, removed)
    if not edit.is_empty:
        violations = validate_change(after, added | removed)
        if violations:
            raise EditViolationsError(violations)
    return edit


def _check_places(added: frozenset[ox.Quad], removed: frozenset[ox.Quad]) -> None:
    changed = added | removed
    for graph, reason in PROTECTED_GRAPHS.items():
        if any(_graph_iri(q) == graph for q in changed):
            msg = f"The edit would change <{graph}>: {reason}. Nothing was changed."
            raise EditRefusedError(msg)
    if any(isinstance(q.graph_name, ox.DefaultGraph) for q in changed):
        msg = (
            "The edit would change the default graph; every fact here lives in a named graph. "
            f"Write INSERT DATA {{ GRAPH <{EDITS_GRAPH}> {{ … }} }}, or WITH <graph> for "
            "DELETE/INSERT … WHERE. Nothing was changed."
        )
        raise EditError(msg)
    if any(_has_blank_node(q) for q in removed):
        msg = (
            "The edit would remove statements about blank nodes, which cannot be named exactly "
            "in a transaction; give those things IRIs. Nothing was changed."
        )
        raise EditError(msg)


def validate_change(after: Iterable[ox.Quad], changed: Iterable[ox.Quad]) -> list[Violation]:
    """The shapes' verdict on what ``changed`` can reach in the data ``after`` the edit.

    The ontology and the change log are not data the shapes are about (as in the build).
    """
    skip = set(PROTECTED_GRAPHS)
    data = Graph()
    for quad in after:
        if _graph_iri(quad) not in skip and not isinstance(quad.object, ox.Triple):
            data.add(_rdflib_triple(quad))
    triples = [_rdflib_triple(q) for q in changed if not isinstance(q.object, ox.Triple)]
    return revalidate(data, triples)


# ------------------------------------------------------------------ records


def plan_records(store: GraphStore, text: str, file_name: str, agent: str) -> EditPlan:
    """Plan adding curated records (the YAML records format) to the served graph.

    The uploaded file is read together with the bundled records, so its references (owners,
    documents, kinds) resolve and its quotes are anchored in the bundled letters exactly as a
    build would; what it adds to the built dataset is the change. Records are added, never
    replaced: an id the bundled records already use is refused, as in a build.
    """
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml", file_name):
        msg = f"{file_name!r} is not a records file name; use letters, digits, -, _ and .yaml"
        raise EditError(msg)
    quads = records_quads(text, file_name) - _bundled_record_quads()
    return plan_quads(store, quads, agent, "application/yaml", excerpt(text))


def records_quads(text: str, file_name: str) -> frozenset[ox.Quad]:
    """The quads the bundled records plus one more records file build into."""
    records = bundled_dataset().joinpath("records")
    bundled = [f for f in records.iterdir() if f.name.endswith((".yaml", ".yml"))]
    if any(f.name == file_name for f in bundled):
        msg = f"{file_name!r} is the name of a bundled records file; name the upload differently"
        raise EditError(msg)
    with tempfile.TemporaryDirectory() as directory:
        upload = Path(directory) / file_name
        upload.write_text(text, encoding="utf-8")
        try:
            record_set = read_records([*bundled, upload])
            letters = read_letters(record_set, bundled_dataset().joinpath("letters"))
            dataset = records_to_rdf(record_set, letters)
        except RecordsError as error:
            count = len(error.problems)
            msg = (
                f"The records do not build ({count} problem{'s' * (count != 1)}); "
                "nothing was changed."
            )
            raise RecordsRefusedError(msg, [str(p) for p in error.problems]) from error
    return _oxigraph_quads(dataset.serialize(format="nquads", encoding="utf-8"))


@cache
def _bundled_record_quads() -> frozenset[ox.Quad]:
    """What the bundled records alone build into (read once per process)."""
    records = bundled_dataset().joinpath("records")
    record_set = read_records(f for f in records.iterdir() if f.name.endswith((".yaml", ".yml")))
    letters = read_letters(record_set, bundled_dataset().joinpath("letters"))
    dataset = records_to_rdf(record_set, letters)
    return _oxigraph_quads(dataset.serialize(format="nquads", encoding="utf-8"))


def _oxigraph_quads(nquads: bytes) -> frozenset[ox.Quad]:
    return frozenset(ox.parse(nquads, ox.RdfFormat.N_QUADS))


# ------------------------------------------------------------------ applying


def commit(store: GraphStore, edit: EditPlan) -> Edit | None:
    """Write ``edit`` and its change-log record in one update request; ``None`` if empty.

    The store must be as it was when ``edit`` was planned (hold :func:`writing` across both).
    """
    if edit.is_empty:
        return None
    ended = _now()
    activity = f"{ACTIVITY_IRI}{ended.strftime('%Y%m%dT%H%M%S.%fZ')}-{uuid.uuid4().hex[:8]}"
    record = Edit(
        activity=activity,
        agent=edit.agent,
        source_format=edit.source_format,
        started=_timestamp(edit.started),
        ended=_timestamp(ended),
        graphs=tuple(c.graph for c in edit.changes()),
        added=len(edit.added),
        removed=len(edit.removed),
        description=edit.description(),
    )
    operations = []
    if edit.removed:
        operations.append(f"DELETE DATA {{\n{data_block(edit.removed)}}}")
    operations.append(f"INSERT DATA {{\n{data_block([*edit.added, *changelog_quads(record)])}}}")
    store.update(" ;\n".join(operations))
    return record


def writing() -> threading.Lock:
    """The lock that keeps edits one at a time, from planning to commit."""
    return _WRITE_LOCK


def apply_update(store: GraphStore, update: str, agent: str) -> Edit | None:
    """Plan, check and commit one SPARQL Update as ``agent``; ``None`` if it changed nothing."""
    with _WRITE_LOCK:
        return commit(store, plan_update(store, update, agent))


def changelog_quads(edit: Edit) -> list[ox.Quad]:
    """The PROV record of ``edit``: who (the token's name), when, which graphs, how much."""
    log = ox.NamedNode(CHANGELOG_GRAPH)
    activity = ox.NamedNode(edit.activity)
    agent = ox.NamedNode(AGENT_IRI + edit.agent)

    def iri(term: str) -> ox.NamedNode:
        return ox.NamedNode(term)

    def when(value: str) -> ox.Literal:
        return ox.Literal(value, datatype=iri(_XSD + "dateTime"))

    facts: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (activity, iri(_RDF_TYPE), iri(_PROV + "Activity")),
        (
            activity,
            iri(_RDFS_LABEL),
            ox.Literal(f"edit by {edit.agent}, {edit.ended}", language="en"),
        ),
        (
            activity,
            iri(_RDFS_LABEL),
            ox.Literal(f"wijziging door {edit.agent}, {edit.ended}", language="nl"),
        ),
        (activity, iri(_PROV + "wasAssociatedWith"), agent),
        (activity, iri(_PROV + "startedAtTime"), when(edit.started)),
        (activity, iri(_PROV + "endedAtTime"), when(edit.ended)),
        (activity, iri(_DCTERMS + "format"), ox.Literal(edit.source_format)),
        (activity, iri(_DCTERMS + "description"), ox.Literal(edit.description)),
        (agent, iri(_RDF_TYPE), iri(_PROV + "Agent")),
        (agent, iri(_RDFS_LABEL), ox.Literal(edit.agent)),
    ]
    facts += [(activity, iri(_PROV + "influenced"), iri(graph)) for graph in edit.graphs]
    for name, count in (("triplesAdded", edit.added), ("triplesRemoved", edit.removed)):
        value = iri(f"{edit.activity}#{name}")
        facts += [
            (activity, iri(_SCHEMA + "additionalProperty"), value),
            (value, iri(_RDF_TYPE), iri(_SCHEMA + "PropertyValue")),
            (value, iri(_SCHEMA + "propertyID"), ox.Literal(name)),
            (value, iri(_SCHEMA + "value"), ox.Literal(str(count), datatype=iri(_XSD + "integer"))),
        ]
    return [ox.Quad(s, p, o, log) for s, p, o in facts]


def data_block(quads: Iterable[ox.Quad]) -> str:
    """Quads as the body of ``INSERT DATA``/``DELETE DATA``: one ``GRAPH`` block per graph."""
    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        line = f"    {quad.subject} {quad.predicate} {quad.object} .\n"
        by_graph.setdefault(str(quad.graph_name), []).append(line)
    return "".join(
        f"  GRAPH {graph} {{\n{''.join(sorted(lines))}  }}\n" for graph, lines in by_graph.items()
    )


# ------------------------------------------------------------------ the change log


HISTORY_QUERY = f"""
PREFIX prov: <{_PROV}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <{_DCTERMS}>
PREFIX schema: <{_SCHEMA}>
SELECT ?activity ?agent ?started ?ended ?format ?description ?added ?removed
       (GROUP_CONCAT(STR(?graph); SEPARATOR=" ") AS ?graphs)
WHERE {{
  GRAPH <{CHANGELOG_GRAPH}> {{
    ?activity a prov:Activity ;
        prov:wasAssociatedWith ?agentIri ;
        prov:startedAtTime ?started ;
        prov:endedAtTime ?ended .
    ?agentIri rdfs:label ?agent .
    OPTIONAL {{ ?activity dcterms:format ?format }}
    OPTIONAL {{ ?activity dcterms:description ?description }}
    OPTIONAL {{ ?activity schema:additionalProperty ?a .
               ?a schema:propertyID "triplesAdded" ; schema:value ?added }}
    OPTIONAL {{ ?activity schema:additionalProperty ?r .
               ?r schema:propertyID "triplesRemoved" ; schema:value ?removed }}
    OPTIONAL {{ ?activity prov:influenced ?graph }}
  }}
}}
GROUP BY ?activity ?agent ?started ?ended ?format ?description ?added ?removed
ORDER BY DESC(?started) DESC(?activity)
"""


def history(store: GraphStore, limit: int | None = None) -> list[Edit]:
    """The change log, newest first."""
    query = HISTORY_QUERY + (f"LIMIT {int(limit)}\n" if limit is not None else "")
    edits = []
    for row in store.select(query).rows:
        edits.append(
            Edit(
                activity=str(row["activity"]),
                agent=str(row["agent"]),
                source_format=str(row.get("format", "")),
                started=_lexical_time(row["started"]),
                ended=_lexical_time(row["ended"]),
                graphs=tuple(sorted(str(row.get("graphs", "")).split())),
                added=int(str(row.get("added", 0))),
                removed=int(str(row.get("removed", 0))),
                description=str(row.get("description", "")),
            )
        )
    return edits


# ------------------------------------------------------------------ helpers


def excerpt(text: str) -> str:
    """The first lines of an edit's text, for the change log (not the whole of a big upload)."""
    lines = [line.rstrip() for line in text.strip().splitlines()[:EXCERPT_LINES]]
    short = "\n".join(lines)
    if len(short) > EXCERPT_CHARACTERS:
        short = short[:EXCERPT_CHARACTERS].rstrip() + " …"
    elif len(text.strip().splitlines()) > EXCERPT_LINES:
        short += "\n…"
    return short


def _named_graph(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as error:
        msg = f"graph {iri!r} is not an absolute IRI ({error})"
        raise EditError(msg) from error


def _graph_iri(quad: ox.Quad) -> str:
    name = quad.graph_name
    return name.value if isinstance(name, ox.NamedNode) else ""


def _has_blank_node(quad: ox.Quad) -> bool:
    return any(isinstance(t, ox.BlankNode) for t in (quad.subject, quad.object, quad.graph_name))


def _rdflib_triple(quad: ox.Quad) -> tuple[Node, Node, Node]:
    return from_oxigraph(quad.subject), from_oxigraph(quad.predicate), from_oxigraph(quad.object)


def _now() -> datetime:
    return datetime.now(UTC)


def _lexical_time(value: Node) -> str:
    """A stored ``xsd:dateTime`` as the log wrote it (rdflib would show Python's isoformat)."""
    moment = value.toPython() if isinstance(value, Literal) else None
    return _timestamp(moment) if isinstance(moment, datetime) else str(value)


def _timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
