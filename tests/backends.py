"""The store backends the integration suite runs on: embedded Oxigraph, Oxigraph server, Virtuoso.

A server backend is configured by the environment ``.ci/servers.sh`` exports (a store spec, and
for Virtuoso the digest credentials of its update and Graph Store endpoints). Without it the
backend's tests are skipped with a reason, except under ``CI=true``, where a missing server is a
failure: CI promises to run the suite on all three.

Import the fixtures into a test module to use them (``from backends import backend_store``).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
import pytest
from pactgraph.graph.build import build
from pactgraph.graph.remote import RemoteStore
from pactgraph.graph.store import GraphStore, OxigraphStore, from_oxigraph
from pactgraph.queries import NamedQuery, Parameter
from rdflib import BNode, Literal
from rdflib.term import Node

EMBEDDED = "embedded"
SERVERS: dict[str, str] = {
    "oxigraph-server": "PACTGRAPH_TEST_OXIGRAPH",
    "virtuoso": "PACTGRAPH_TEST_VIRTUOSO",
}
BACKENDS = (EMBEDDED, *SERVERS)


@dataclass(frozen=True)
class Server:
    """A SPARQL server to test on: its store spec and the credentials to pass with it."""

    name: str
    spec: str
    environ: Mapping[str, str]

    def open(self, *, read_only: bool = False) -> RemoteStore:
        return RemoteStore.from_spec(self.spec, self.environ, read_only=read_only)


def server(name: str) -> Server | None:
    """The server ``name`` from the environment, or ``None`` when it is not configured."""
    prefix = SERVERS[name]
    spec = os.environ.get(f"{prefix}_URL")
    if not spec:
        return None
    environ = {
        f"PACTGRAPH_STORE_{part}": os.environ[f"{prefix}_{part}"]
        for part in ("USER", "PASSWORD", "TOKEN", "AUTH")
        if os.environ.get(f"{prefix}_{part}")
    }
    return Server(name, spec, environ)


def require_server(name: str) -> Server:
    """The server ``name``; skipped when not configured, a failure when CI promised it."""
    found = server(name)
    if found is not None:
        return found
    reason = (
        f"{SERVERS[name]}_URL is not set: start the servers with .ci/servers.sh "
        f"(servers_install; servers_start) to test on {name}"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must test every backend; {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session", params=BACKENDS)
def backend_store(
    request: pytest.FixtureRequest, built_store: OxigraphStore
) -> Iterator[GraphStore]:
    """The bundled corpus, built with ``pactgraph build`` into each backend in turn."""
    if request.param == EMBEDDED:
        yield built_store
        return
    store = require_server(request.param).open()
    build(store)
    yield store
    store.close()


@pytest.fixture(scope="session", params=list(SERVERS))
def server_config(request: pytest.FixtureRequest) -> Server:
    """Each configured SPARQL server (for tests that write to it)."""
    return require_server(request.param)


# ------------------------------------------------------------------ comparing answers

NUMERIC = re.compile(
    r"http://www\.w3\.org/2001/XMLSchema#(integer|decimal|double|float|long|int|short|byte"
    r"|nonNegativeInteger|positiveInteger|nonPositiveInteger|negativeInteger"
    r"|unsignedLong|unsignedInt|unsignedShort|unsignedByte)"
)


JOINED = "; "
"""The separator of the named queries' ``GROUP_CONCAT`` columns."""


def comparable(term: Node | None) -> object:
    """A term as a value to compare across engines.

    Engines may write a number differently (Virtuoso answers "2.5" for "2.50"^^xsd:decimal,
    and gives integers a derived type such as xsd:nonNegativeInteger), label blank nodes as
    they like and join a ``GROUP_CONCAT`` in any order; everything else must be identical.
    """
    if term is None:
        return None
    if isinstance(term, BNode):
        return "_:blank"
    if isinstance(term, Literal) and term.datatype and NUMERIC.fullmatch(str(term.datatype)):
        try:
            return ("number", Decimal(str(term)))
        except InvalidOperation:
            return ("number?", str(term))
    if isinstance(term, Literal) and not term.datatype and not term.language and JOINED in term:
        # a GROUP_CONCAT column: SPARQL leaves the order of the joined values to the engine
        return ("joined", tuple(sorted(str(term).split(JOINED))))
    return term


def row_key(row: Mapping[str, Node], variables: list[str]) -> tuple[object, ...]:
    return tuple(comparable(row.get(v)) for v in variables)


# ------------------------------------------------------------------ parameters for named queries

_EXAMPLE = re.compile(r"e\.g\. ([^\s,;)\"']+)")
_TYPE_EXAMPLES = {
    "date": "2015-06-01",
    "integer": "2",
    "decimal": "1000000",
    "boolean": "true",
    "string": "techniek",
    "iri": "organisation/ocw",
}
_NAME_EXAMPLES = {"from": "2013-01-01", "to": "2016-12-31", "as_of": "2015-06-01"}


def example_value(parameter: Parameter) -> str:
    """A representative value: the query's own example (``e.g. …``), else one by type."""
    if parameter.choices:
        return str(parameter.choices[0])
    if parameter.name in _NAME_EXAMPLES:
        return _NAME_EXAMPLES[parameter.name]
    match = _EXAMPLE.search(parameter.description)
    if match:
        return match.group(1).rstrip(".")
    return _TYPE_EXAMPLES[parameter.type]


def parameter_cases(query: NamedQuery) -> list[dict[str, list[str]]]:
    """The required parameters alone, then each optional one added on its own."""
    required = {p.name: [example_value(p)] for p in query.params if p.required}
    cases = [required]
    for parameter in query.params:
        if not parameter.required:
            cases.append({**required, parameter.name: [example_value(parameter)]})
    return cases


def comparable_quads(nquads: bytes) -> Counter[tuple[object, ...]]:
    """N-Quads as comparable quads (numbers by value)."""
    return Counter(
        (q.subject, q.predicate, comparable(from_oxigraph(q.object)), q.graph_name)
        for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS)
    )
