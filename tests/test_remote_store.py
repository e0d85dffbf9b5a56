"""The remote store: spec and credentials, binding without pasting, errors that say what to check,
and the same answers as the embedded store on a real Oxigraph server and a real Virtuoso.

The server tests run where ``.ci/servers.sh`` started the servers (always in CI); see
``tests/backends.py``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from backends import (
    Server,
    comparable,
    comparable_quads,
    parameter_cases,
    require_server,
    row_key,
)
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pactgraph.api.app import create_app
from pactgraph.graph.remote import (
    EMPTY_GRAPH,
    MANIFEST_GRAPH,
    RemoteStore,
    bind,
    parse_remote_spec,
    query_shape,
    sparql_term,
    swap_update,
)
from pactgraph.graph.store import GraphStore, OxigraphStore, QueryError, StoreError, open_store
from pactgraph.queries import catalogue, run_named_query
from rdflib import XSD, BNode, Literal, URIRef

pytest_plugins = ("backends",)  # the backend fixtures: backend_store, server_config

EX = "http://example.org/"
ID = "https://w3id.org/pactgraph/id/"
G = "https://w3id.org/pactgraph/graph/"
TODAY = date(2016, 1, 1)  # 'today' of the named queries, so every backend judges the same day
VHTO = URIRef(ID + "organisation/vhto")


# ------------------------------------------------------------------ the store spec


def test_a_full_spec_names_every_endpoint_engine_and_timeout() -> None:
    config = parse_remote_spec(
        "sparql+http://db.example:8890/sparql?update=/sparql-auth&gsp=/sparql-graph-crud-auth"
        "&engine=virtuoso&timeout=30&connect-timeout=2",
        {},
    )
    assert config.query_url == "http://db.example:8890/sparql"
    assert config.update_url == "http://db.example:8890/sparql-auth"
    assert config.gsp_url == "http://db.example:8890/sparql-graph-crud-auth"
    assert (config.engine, config.read_timeout, config.connect_timeout) == ("virtuoso", 30, 2)
    assert config.credentials is None


def test_https_and_endpoints_on_other_hosts() -> None:
    config = parse_remote_spec(
        "sparql+https://q.example/ds/query?update=https://w.example/ds/update", {}
    )
    assert config.query_url == "https://q.example/ds/query"
    assert config.update_url == "https://w.example/ds/update"
    assert config.gsp_url is None
    assert config.description == (
        "sparql+https://q.example/ds/query?update=https://w.example/ds/update"
    )


def test_without_an_update_endpoint_the_store_is_read_only() -> None:
    store = RemoteStore.from_spec("sparql+http://127.0.0.1:9/query", {})
    with pytest.raises(StoreError, match="names no update endpoint; add update="):
        store.update(f"INSERT DATA {{ GRAPH <{G}x> {{ <{EX}a> <{EX}b> <{EX}c> }} }}")
    with pytest.raises(StoreError, match="no Graph Store Protocol endpoint"):
        RemoteStore.from_spec("sparql+http://127.0.0.1:9/q?update=/u", {}).replace_all(b"")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("sparql+http://user:secret@h/q", "carries credentials; put them in PACTGRAPH_STORE_USER"),
        ("sparql+http://h/q?updates=/u", "unknown parameter 'updates'.*known: update, gsp"),
        ("sparql+http://h/q?engine=fuseki", "unknown engine 'fuseki'.*generic, oxigraph, virtuoso"),
        ("sparql+http://h/q?timeout=soon", "timeout= takes a number of seconds"),
        ("sparql+http://h/q?update=update", "update= takes a path such as /update"),
        ("sparql+http://h/q?gsp=/a&gsp=/b", "gives 'gsp' twice"),
        ("sparql+http:///q", "not a SPARQL server spec"),
    ],
)
def test_a_bad_spec_is_explained(spec: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        parse_remote_spec(spec, {})


def test_the_secret_never_shows_in_the_description_or_repr() -> None:
    config = parse_remote_spec(
        "sparql+http://h/q", {"PACTGRAPH_STORE_USER": "u", "PACTGRAPH_STORE_PASSWORD": "s3cr3t"}
    )
    assert config.credentials is not None and config.credentials.kind == "basic"
    assert "s3cr3t" not in repr(config) and "s3cr3t" not in config.description


@pytest.mark.parametrize(
    ("environ", "kind"),
    [
        ({"PACTGRAPH_STORE_TOKEN": "t"}, "bearer"),
        ({"PACTGRAPH_STORE_USER": "u", "PACTGRAPH_STORE_PASSWORD": "p"}, "basic"),
        (
            {
                "PACTGRAPH_STORE_USER": "u",
                "PACTGRAPH_STORE_PASSWORD": "p",
                "PACTGRAPH_STORE_AUTH": "Digest",
            },
            "digest",
        ),
    ],
)
def test_credentials_come_from_the_environment(environ: dict[str, str], kind: str) -> None:
    credentials = parse_remote_spec("sparql+http://h/q", environ).credentials
    assert credentials is not None and credentials.kind == kind


def test_a_password_file_is_read(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("from-a-file\n", encoding="utf-8")
    environ = {"PACTGRAPH_STORE_USER": "u", "PACTGRAPH_STORE_PASSWORD_FILE": str(secret)}
    credentials = parse_remote_spec("sparql+http://h/q", environ).credentials
    assert credentials is not None and credentials.password == secret.read_text().strip()


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PACTGRAPH_STORE_AUTH": "bearer"}, "needs the token in PACTGRAPH_STORE_TOKEN"),
        ({"PACTGRAPH_STORE_USER": "u"}, "needs PACTGRAPH_STORE_USER and PACTGRAPH_STORE_PASS"),
        ({"PACTGRAPH_STORE_AUTH": "kerberos"}, "'kerberos' is not known"),
        ({"PACTGRAPH_STORE_USER": "u", "PACTGRAPH_STORE_PASSWORD_FILE": "/nonexistent"}, "cannot"),
    ],
)
def test_half_given_credentials_are_an_error(environ: dict[str, str], message: str) -> None:
    with pytest.raises(StoreError, match=message):
        parse_remote_spec("sparql+http://h/q", environ)


def test_open_store_opens_a_server_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACTGRAPH_STORE", "sparql+http://127.0.0.1:9/query?update=/update")
    monkeypatch.setenv("PACTGRAPH_STORE_TOKEN", "abc")
    store = open_store(read_only=True)
    assert isinstance(store, RemoteStore)
    assert store.description == "sparql+http://127.0.0.1:9/query?update=/update"
    assert (
        store.config.credentials is not None
        and store.config.credentials.token == os.environ["PACTGRAPH_STORE_TOKEN"]
    )
    with pytest.raises(StoreError, match="read-only"):
        store.update(f"CLEAR GRAPH <{G}x>")


# ------------------------------------------------------------------ what is sent where


@pytest.mark.parametrize(
    "text",
    [
        f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}b> <{EX}c> }} }}",
        f"PREFIX ex: <{EX}>\nWITH <{EX}select> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
        f"DROP GRAPH <{EX}g>",
        f"SELECT * WHERE {{ ?s ?p ?o }} ; INSERT DATA {{ <{EX}a> <{EX}b> <{EX}c> }}",
        "DEFINE sql:log-enable 3 SELECT * WHERE { ?s ?p ?o }",
        "  # only a comment",
    ],
)
def test_only_a_single_query_is_ever_sent_to_the_query_endpoint(text: str) -> None:
    # the port is closed: a request would fail with StoreError, the check fails before sending
    store = RemoteStore.from_spec("sparql+http://127.0.0.1:9/query?update=/update", {})
    with pytest.raises(QueryError):
        store.select(text)
    with pytest.raises(QueryError):
        store.serialize_query(text, "application/sparql-results+json")


def test_a_query_is_never_sent_to_the_update_endpoint() -> None:
    store = RemoteStore.from_spec("sparql+http://127.0.0.1:9/query?update=/update", {})
    with pytest.raises(QueryError, match="not a SPARQL update"):
        store.update("SELECT * WHERE { ?s ?p ?o }")


def test_the_shape_of_a_query() -> None:
    text = (
        "PREFIX ex: <http://example.org/>\n"
        "SELECT DISTINCT ?a (COUNT(?b) AS ?n) (EXISTS { ?a ex:p '}' } AS ?e)\n"
        "FROM ex:g FROM NAMED <http://example.org/h>\n"
        "WHERE { ?a ex:p ?b # a comment with a brace }\n } GROUP BY ?a"
    )
    shape = query_shape(text)
    assert shape.form == "SELECT"
    assert shape.projection == {"a", "n", "e"}
    assert shape.from_graphs == (f"{EX}g",) and shape.from_named == (f"{EX}h",)
    assert shape.where_open is not None and shape.where_close is not None
    assert text[shape.where_open : shape.where_close].strip().startswith("?a ex:p ?b")
    construct = query_shape("CONSTRUCT { ?s <x:p> ?o } WHERE { ?s <x:q> ?o }")
    assert construct.form == "CONSTRUCT" and construct.where_open is not None
    assert query_shape("CONSTRUCT WHERE { ?s ?p ?o }").where_open is None
    assert query_shape("SELECT * { ?s ?p ?o }").projection is None


# ------------------------------------------------------------------ binding: same as substitution

DATA = (
    f'<{EX}a> <{EX}p> "1"^^<{XSD.integer}> <{G}g> .\n'
    f'<{EX}b> <{EX}p> "5"^^<{XSD.integer}> <{G}g> .\n'
    f'<{EX}b> <{EX}q> "7"^^<{XSD.integer}> <{G}g> .\n'
    f'<{EX}b> <{EX}label> "bé"@nl <{G}g> .\n'
).encode()
THREE = Literal("3", datatype=XSD.integer)

# (query, bindings): filters, OPTIONAL, EXISTS, MINUS, GROUP BY, sub-SELECTs, BIND, language tags
EQUIVALENCE_CASES = [
    (f"SELECT ?s ?min WHERE {{ ?s <{EX}p> ?v FILTER(?v > ?min) }}", {"min": THREE}),
    (f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?v OPTIONAL {{ ?s <{EX}q> ?o }} }}", {"o": THREE}),
    (f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?v OPTIONAL {{ ?s <{EX}q> ?o }} }}", {"o": Literal(7)}),
    (
        f"SELECT ?s ?min WHERE {{ ?s <{EX}p> ?v FILTER EXISTS {{ ?s ?x ?w FILTER(?w > ?min) }} }}",
        {"min": Literal(6)},
    ),
    (f"SELECT ?s ?m WHERE {{ ?s <{EX}p> ?v MINUS {{ ?s <{EX}q> ?m }} }}", {"m": THREE}),
    ("SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?v } GROUP BY ?s", {"s": URIRef(f"{EX}b")}),
    ("SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?v } } }", {"s": URIRef(f"{EX}b")}),
    ("SELECT ?s WHERE { SELECT DISTINCT ?s WHERE { ?s ?p ?v } }", {"s": URIRef(f"{EX}a")}),
    (
        f"SELECT ?m ?s WHERE {{ {{ SELECT ?s WHERE {{ ?s <{EX}p> ?v FILTER(?v > ?m) }} }} }}",
        {"m": THREE},
    ),
    (
        f"SELECT ?s ?d WHERE {{ ?s <{EX}p> ?v BIND(?v - ?d AS ?diff) FILTER(?diff > 0) }}",
        {"d": Literal(2)},
    ),
    (f"SELECT ?s ?l WHERE {{ ?s <{EX}label> ?l }}", {"l": Literal("bé", lang="nl")}),
    (f"SELECT ?s ?l WHERE {{ ?s <{EX}label> ?l }}", {"l": Literal("bé")}),
    ("SELECT ?s ?x WHERE { ?s ?p ?v FILTER(COALESCE(?v = ?x, true)) }", {"x": Literal(5)}),
]


@pytest.mark.parametrize(("query", "bindings"), EQUIVALENCE_CASES)
def test_a_values_row_answers_like_the_embedded_substitution(
    query: str, bindings: dict[str, URIRef | Literal]
) -> None:
    """The bound text, run without bindings, gives exactly what pyoxigraph's substitution gives."""
    embedded = open_store("memory:")
    embedded.replace_all(DATA)
    expected = embedded.select(query, bindings)
    got = embedded.select(bind(query, bindings))
    assert got.variables == expected.variables
    assert Counter(row_key(r, got.variables) for r in got.rows) == Counter(
        row_key(r, expected.variables) for r in expected.rows
    )


def test_ask_and_construct_take_bindings_too() -> None:
    embedded = open_store("memory:")
    embedded.replace_all(DATA)
    ask = f"ASK {{ ?s <{EX}q> ?o }}"
    for subject in (f"{EX}a", f"{EX}b"):
        bindings = {"s": URIRef(subject)}
        assert embedded.ask(bind(ask, bindings)) is embedded.ask(ask, bindings)
    construct = f"CONSTRUCT {{ ?s <{EX}r> ?o }} WHERE {{ ?s ?p ?o }}"
    bound = bind(construct, {"s": URIRef(f"{EX}b")})
    assert set(embedded.construct(bound)) == set(
        embedded.construct(construct, {"s": URIRef(f"{EX}b")})
    )


def test_a_bound_variable_must_be_projected_as_on_the_embedded_store() -> None:
    query = f"SELECT ?s WHERE {{ ?s <{EX}p> ?v FILTER(?v > ?min) }}"
    with pytest.raises(QueryError, match=r"\?min in its SELECT projection"):
        bind(query, {"min": THREE})
    with pytest.raises(QueryError, match=r"\?s in its SELECT projection"):
        bind("SELECT * WHERE { ?s ?p ?o }", {"s": URIRef(f"{EX}a")})


@pytest.mark.parametrize(
    ("term", "message"),
    [
        (URIRef(EX + "a> } INSERT DATA { <" + EX + "x"), "not an absolute IRI"),
        (URIRef("relative/iri"), "not an absolute IRI"),
        (URIRef(f"{EX}a b"), "not an absolute IRI"),
        (Literal("x", datatype=URIRef("x> . }")), "not an absolute IRI"),
        (BNode("b0"), "a blank node"),
        (Literal("\ud800"), "lone surrogate"),
    ],
)
def test_a_term_that_could_break_out_is_refused(term: URIRef | Literal, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        sparql_term(term)


def test_a_variable_name_that_could_break_out_is_refused() -> None:
    with pytest.raises(QueryError, match="a variable name is letters"):
        bind("SELECT ?s WHERE { ?s ?p ?o }", {"s) {} } INSERT": Literal("x")})


@settings(max_examples=300, deadline=None)
@given(text=st.text(), lang=st.sampled_from(["", "nl", "en-GB"]))
def test_any_string_is_bound_as_exactly_that_literal(text: str, lang: str) -> None:
    """Whatever a value holds (quotes, braces, backslashes, '\\u0022', line breaks, '#'), it
    stays one literal: a real SPARQL parser reads it back unchanged, in one row."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        return  # refused (tested above): such a str is not Unicode text
    term = Literal(text, lang=lang or None)
    store = ox.Store()
    rows = list(store.query(bind("SELECT ?x ?y WHERE { BIND(1 AS ?y) }", {"x": term})))
    assert len(rows) == 1
    value = rows[0]["x"]
    assert isinstance(value, ox.Literal) and value.value == text
    assert (value.language or "") == lang.lower()  # language tags are case-insensitive


@settings(max_examples=200, deadline=None)
@given(tail=st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
def test_any_iri_is_refused_or_bound_unchanged(tail: str) -> None:
    """An IRI is refused, or it is exactly one IRI term after parsing; one holding a character
    that could end ``<…>`` is always refused."""
    iri = f"{EX}{tail}"
    try:
        text = bind("SELECT ?x WHERE { }", {"x": URIRef(iri)})
    except QueryError:
        return
    assert not any(c in '<>"{}|^`\\' or ord(c) <= 0x20 for c in iri)
    rows = list(ox.Store().query(text))
    assert len(rows) == 1 and rows[0]["x"] == ox.NamedNode(iri)


def test_the_swap_is_one_request_that_rewrites_the_manifest() -> None:
    update = swap_update([f"{G}old", f"{G}kept"], {f"{G}kept": f"{EX}s/0", f"{G}new": f"{EX}s/1"})
    assert update.index(f"DROP SILENT GRAPH <{G}old>") < update.index("MOVE")
    assert f"MOVE GRAPH <{EX}s/0> TO GRAPH <{G}kept>" in update
    assert f"DROP SILENT GRAPH <{G}kept>" not in update
    assert update.rstrip().endswith(f"<{G}kept>, <{G}new> . }} }}")
    assert MANIFEST_GRAPH in update and EMPTY_GRAPH not in update


# ------------------------------------------------------------------ errors that say what to check


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_server_that_is_not_running_is_named_with_what_to_check() -> None:
    port = closed_port()
    store = RemoteStore.from_spec(f"sparql+http://127.0.0.1:{port}/query", {})
    with pytest.raises(StoreError) as caught:
        store.select("SELECT * WHERE { ?s ?p ?o }")
    message = str(caught.value)
    assert f"http://127.0.0.1:{port}/query" in message
    assert "connection refused" in message and "host and port" in message


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A loopback socket that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_a_server_that_does_not_answer_hits_the_read_timeout(silent_server: int) -> None:
    spec = f"sparql+http://127.0.0.1:{silent_server}/query?update=/update&gsp=/store&timeout=0.3"
    store = RemoteStore.from_spec(spec, {})
    with pytest.raises(StoreError, match=r"gave no answer within 0.3 s.*raise timeout="):
        store.select("SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(StoreError, match=r"previous graph is still served.*no answer within 0\.3"):
        store.replace_all(f"<{EX}a> <{EX}b> <{EX}c> <{G}g> .\n".encode())


class _Canned(BaseHTTPRequestHandler):
    """Answers every POST with the status, type and body the test put on the server."""

    def do_POST(self) -> None:
        canned = self.server.canned  # type: ignore[attr-defined]
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.seen.append(dict(self.headers))  # type: ignore[attr-defined]
        self.send_response(canned["status"])
        for name, value in canned.get("headers", {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", canned["type"])
        self.end_headers()
        self.wfile.write(canned["body"])

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def canned_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Canned)
    server.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _store_on(server: ThreadingHTTPServer, environ: dict[str, str] | None = None) -> RemoteStore:
    return RemoteStore.from_spec(f"sparql+http://127.0.0.1:{server.server_port}/q", environ or {})


MANIFEST_ANSWER = json.dumps(
    {"head": {"vars": ["g"]}, "results": {"bindings": [{"g": {"type": "uri", "value": G + "g"}}]}}
).encode()


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (401, "refused the query \\(401\\): check PACTGRAPH_STORE_USER.*want digest"),
        (404, "answered 404 Not Found: check the path.*Oxigraph serves /query"),
        (400, "rejected the query \\(400 Bad Request\\). The server said: no such"),
        (503, "answered 503 to the query. The server said: no such"),
    ],
)
def test_an_error_status_names_the_url_and_what_to_check(
    canned_server: ThreadingHTTPServer, status: int, message: str
) -> None:
    canned_server.canned = {"status": status, "type": "text/plain", "body": b"no such thing"}  # type: ignore[attr-defined]
    with pytest.raises((StoreError, QueryError), match=message) as caught:
        _store_on(canned_server).select("SELECT * WHERE { ?s ?p ?o }")
    assert f"http://127.0.0.1:{canned_server.server_port}/q" in str(caught.value)
    assert isinstance(caught.value, QueryError) == (status == 400)


def test_an_html_answer_is_not_taken_for_results(canned_server: ThreadingHTTPServer) -> None:
    canned_server.canned = {"status": 200, "type": "text/html", "body": b"<html></html>"}  # type: ignore[attr-defined]
    with pytest.raises(StoreError, match="answered text/html: is it a SPARQL endpoint"):
        _store_on(canned_server).select("SELECT * WHERE { ?s ?p ?o }")


def test_a_truncated_answer_is_refused(canned_server: ThreadingHTTPServer) -> None:
    canned_server.canned = {  # type: ignore[attr-defined]
        "status": 200,
        "type": "application/sparql-results+json",
        "headers": {"X-SPARQL-MaxRows": "10000"},
        "body": MANIFEST_ANSWER,
    }
    with pytest.raises(StoreError, match=r"cut at 10000 rows.*ResultSetMaxRows"):
        _store_on(canned_server).graphs()


def test_every_request_asks_for_a_type_and_carries_the_bearer_token(
    canned_server: ThreadingHTTPServer,
) -> None:
    canned_server.canned = {  # type: ignore[attr-defined]
        "status": 200,
        "type": "application/sparql-results+json; charset=UTF-8",
        "body": MANIFEST_ANSWER,
    }
    store = _store_on(canned_server, {"PACTGRAPH_STORE_TOKEN": "tok-123"})
    assert store.graphs() == (G + "g",)
    headers = canned_server.seen[-1]  # type: ignore[attr-defined]
    assert headers["Accept"] == "application/sparql-results+json"
    assert headers["Authorization"] == "Bearer tok-123"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"


# ------------------------------------------------------------------ on real servers


@pytest.fixture
def scratch(server_config: Server) -> Iterator[RemoteStore]:
    """A writable store on a real server; whatever the server held is put back afterwards."""
    store = server_config.open()
    before = store.dump()
    yield store
    store.replace_all(before)
    store.close()


TWO_GRAPHS = (
    f'<{EX}a> <{EX}label> "één"@nl <{G}one> .\n<{EX}b> <{EX}n> "2.50"^^<{XSD.decimal}> <{G}two> .\n'
).encode()


def test_replace_all_then_dump_gives_the_same_quads(scratch: RemoteStore) -> None:
    scratch.replace_all(TWO_GRAPHS)
    assert scratch.graphs() == (f"{G}one", f"{G}two")
    embedded = open_store("memory:")
    embedded.replace_all(scratch.dump())
    assert set(embedded.dump().splitlines()) == set(_canonical(TWO_GRAPHS))
    assert not scratch.is_empty()


def _canonical(nquads: bytes) -> list[bytes]:
    store = open_store("memory:")
    store.replace_all(nquads)
    return store.dump().splitlines()


def test_a_failed_load_leaves_the_previous_graph_served(
    scratch: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch.replace_all(TWO_GRAPHS)
    before = set(scratch.dump().splitlines())
    with pytest.raises(StoreError, match="nothing was sent"):
        scratch.replace_all(b"<not n-quads")
    with pytest.raises(StoreError, match="named graph"):
        scratch.replace_all(f"<{EX}a> <{EX}b> <{EX}c> .\n".encode())
    # the swap itself fails half way on the server: its transaction must roll back whole
    from pactgraph.graph import remote  # noqa: PLC0415

    def failing_swap(previous: list[str], staging: dict[str, str]) -> str:
        return (
            swap_update(previous, staging)
            + f" ;\nMOVE GRAPH <{EX}never-there> TO GRAPH <{EX}x>"
            + f' ;\nINSERT DATA {{ GRAPH <{EX}x> {{ <{EX}a> <{EX}b> "x"^^<{XSD.integer}> }} }}'
        )

    monkeypatch.setattr(remote, "swap_update", failing_swap)
    with pytest.raises(StoreError, match="the previous graph is still served"):
        scratch.replace_all(f"<{EX}new> <{EX}p> <{EX}o> <{G}one> .\n".encode())
    monkeypatch.undo()
    assert set(scratch.dump().splitlines()) == before
    assert scratch.graphs(refresh=True) == (f"{G}one", f"{G}two")
    leftovers = scratch.select(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"  # over the dataset only
    )
    assert {str(r["g"]) for r in leftovers.rows} == {f"{G}one", f"{G}two"}


def test_readers_see_the_old_graph_or_the_new_never_a_mix(
    scratch: RemoteStore, server_config: Server
) -> None:
    big = b"".join(f'<{EX}s{i}> <{EX}p> "{i}" <{G}one> .\n'.encode() for i in range(3000))
    scratch.replace_all(TWO_GRAPHS)
    reader = server_config.open(read_only=True)
    reader.graphs()
    counts: list[int] = []
    done = threading.Event()

    def read() -> None:
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        while not done.is_set() or len(counts) < 3:
            counts.append(int(str(reader.select(query).rows[0]["n"])))

    thread = threading.Thread(target=read)
    thread.start()
    both_bigger = big + f"<{EX}c> <{EX}n> <{EX}o> <{G}two> .\n".encode() + TWO_GRAPHS
    for data in (both_bigger, TWO_GRAPHS) * 2:
        scratch.replace_all(data)
    done.set()
    thread.join()
    assert set(counts) <= {2, 3003}, Counter(counts)


def test_an_update_lands_and_a_new_pactgraph_graph_joins_the_dataset(scratch: RemoteStore) -> None:
    scratch.replace_all(TWO_GRAPHS)
    scratch.update(
        f"PREFIX ex: <{EX}>\nINSERT DATA {{ GRAPH <{G}edit/1> {{ ex:a ex:edited true }} }} ;"
    )
    assert f"{G}edit/1" in scratch.graphs()
    assert scratch.ask(f"ASK {{ <{EX}a> <{EX}edited> true }}")
    assert scratch.ask(f"ASK {{ GRAPH <{G}edit/1> {{ ?s ?p ?o }} }}")


def test_serialize_query_answers_in_the_asked_media_type(scratch: RemoteStore) -> None:
    scratch.replace_all(TWO_GRAPHS)
    table = scratch.serialize_query(f"SELECT ?o WHERE {{ <{EX}a> ?p ?o }}", "text/csv")
    assert list(csv.reader(io.StringIO(table.decode("utf-8")))) == [["o"], ["één"]]
    triples = scratch.serialize_query(
        f"CONSTRUCT WHERE {{ <{EX}a> ?p ?o }}", "application/n-triples"
    )
    assert [q.triple for q in ox.parse(triples, format=ox.RdfFormat.N_TRIPLES)] == [
        ox.Triple(
            ox.NamedNode(f"{EX}a"), ox.NamedNode(f"{EX}label"), ox.Literal("één", language="nl")
        )
    ]


def test_from_naming_a_graph_outside_the_store_is_refused(scratch: RemoteStore) -> None:
    scratch.replace_all(TWO_GRAPHS)
    query = f"SELECT * FROM <{G}one> WHERE {{ ?s ?p ?o }}"  # noqa: S608 - SPARQL, no values
    assert len(scratch.select(query).rows) == 1
    with pytest.raises(QueryError, match="not part of this store"):
        scratch.select("SELECT * FROM <urn:someone-elses-graph> WHERE { ?s ?p ?o }")


def test_a_server_side_cut_is_an_error_not_a_short_answer(scratch: RemoteStore) -> None:
    """Virtuoso stops at ResultSetMaxRows (10000 here) and says so only in a header."""
    rows = 12_000
    data = b"".join(f"<{EX}s{i}> <{EX}p> <{EX}o> <{G}one> .\n".encode() for i in range(rows))
    scratch.replace_all(data)
    query = "SELECT ?s WHERE { ?s ?p ?o }"
    if "virtuoso" not in scratch.config.engine:
        assert len(scratch.select(query).rows) == rows
        return
    with pytest.raises(StoreError, match="cut at 10000 rows"):
        scratch.select(query)
    with pytest.raises(StoreError, match=r"returned 100\d\d of the 12000 triples"):
        scratch.dump()


def test_wrong_credentials_are_explained() -> None:
    """On the server that takes credentials (Virtuoso's digest-protected update endpoint)."""
    virtuoso = require_server("virtuoso")
    assert virtuoso.environ, "CI gives Virtuoso a user and password"
    environ = {**virtuoso.environ, "PACTGRAPH_STORE_PASSWORD": "wrong"}
    store = RemoteStore.from_spec(virtuoso.spec, environ)
    with pytest.raises(StoreError, match="refused the update \\(401\\): check PACTGRAPH_STORE"):
        store.update(f"CLEAR SILENT GRAPH <{G}nothing>")


# ------------------------------------------------------------------ the same answers everywhere


@pytest.fixture(scope="session")
def embedded_app_client(built_store: OxigraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(built_store)) as client:
        yield client


@pytest.fixture(scope="session")
def backend_client(backend_store: GraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(backend_store)) as client:
        yield client


def test_the_build_lands_every_graph(
    backend_store: GraphStore,
    built_store: OxigraphStore,
) -> None:
    assert not backend_store.is_empty()
    assert comparable_quads(backend_store.dump()) == comparable_quads(built_store.dump())


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_named_query_gives_the_same_rows(
    name: str,
    backend_store: GraphStore,
    built_store: OxigraphStore,
) -> None:
    query = catalogue()[name]
    answered = 0
    for params in parameter_cases(query):
        expected = run_named_query(built_store, name, params, today=TODAY)
        got = run_named_query(backend_store, name, params, today=TODAY)
        assert got.variables == expected.variables
        want = Counter(row_key(r, expected.variables) for r in expected.rows)
        have = Counter(row_key(r, got.variables) for r in got.rows)
        assert have == want, f"{name} {params}: {len(got.rows)} rows, expected {len(expected.rows)}"
        answered += bool(expected.rows)
    assert answered, f"{name}: no parameter case gave rows; the comparison proves nothing"


def test_a_trace_page_is_the_same(
    backend_client: TestClient, embedded_app_client: TestClient, built_store: OxigraphStore
) -> None:
    commitment = str(
        built_store.select(
            "SELECT ?c WHERE { ?c a <https://w3id.org/pactgraph/def#Commitment> } ORDER BY ?c"
        ).rows[0]["c"]
    ).rsplit("/", 1)[-1]
    got = backend_client.get(f"/trace/{commitment}", headers={"Accept": "application/json"})
    want = embedded_app_client.get(f"/trace/{commitment}", headers={"Accept": "application/json"})
    assert got.status_code == want.status_code == 200
    assert got.json() == want.json()
    page = backend_client.get(f"/trace/{commitment}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "<mark" in page.text


def test_a_network_view_is_the_same(
    backend_client: TestClient, embedded_app_client: TestClient
) -> None:
    path = "/network/co-commitment?format=json"
    got, want = backend_client.get(path), embedded_app_client.get(path)
    assert got.status_code == want.status_code == 200
    # the same nodes and links; their order, and which end of an undirected link comes
    # first, follow the order the engine returns rows in
    assert _undirected(got.json()) == _undirected(want.json())
    assert any(node.get("id", "").endswith("organisation/vhto") for node in got.json()["nodes"])


def _undirected(view: dict[str, list[dict[str, object]]]) -> tuple[list[str], list[str]]:
    """A network view without what row order decides: link orientation and communities.

    Community detection breaks ties by the order nodes arrive in, which is the order the engine
    returns rows in; the partition (and its colours) may differ, the graph may not.
    """
    arbitrary = ("community", "color")
    nodes = sorted(
        json.dumps({k: v for k, v in node.items() if k not in arbitrary}, sort_keys=True)
        for node in view["nodes"]
    )
    links = []
    for link in view["links"]:
        ends = sorted([str(link["source"]), str(link["target"])])
        links.append(json.dumps({**link, "source": ends[0], "target": ends[1]}, sort_keys=True))
    return nodes, sorted(links)


def test_numbers_compare_by_value_across_engines() -> None:
    assert comparable(Literal("2.50", datatype=XSD.decimal)) == comparable(
        Literal("2.5", datatype=XSD.decimal)
    )
    assert comparable(Literal("2.5")) != comparable(Literal("2.50"))
