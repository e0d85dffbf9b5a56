"""Hostile input: every case gets its status, the store unchanged and nothing fetched.

The app under attack serves a writable in-memory copy of the bundled graph and takes edits
(so an update that got through would really change it). Each test dumps the store before and
compares after, and runs with a loopback listener that records every connection: the fetches
a test provokes name that listener, which must see none. A positive control shows the listener
does see them when something does fetch (pyoxigraph itself, rdflib's JSON-LD parser), so a
silent listener means something.

The limits of :mod:`pactgraph.graph.sandbox` (time, rows, crashes) are tested here too, on
apps made with small limits.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeoutError
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pactgraph.api import sparql as sparql_routes
from pactgraph.api.app import create_app
from pactgraph.api.edits import EditTokens
from pactgraph.graph.querytext import (
    MAX_CLAUSES,
    MAX_NESTING,
    MAX_OPERATORS,
    inspect_query,
    refusal,
)
from pactgraph.graph.sandbox import MAX_ROWS_ENV, TIMEOUT_ENV, Limits, QuerySandbox
from pactgraph.graph.store import OxigraphStore
from pactgraph.loaders import safe_rdf
from pactgraph.ontology.namespace import ID_IRI
from pactgraph.queries import catalogue
from rdflib import Graph

VHTO = f"{ID_IRI}organisation/vhto"
TOKEN = "secretariat-" + "h" * 24
AS_EDITOR = {"Authorization": f"Bearer {TOKEN}"}
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
FORM = "application/x-www-form-urlencoded"
RESULTS_JSON = "application/sparql-results+json"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
"""Counts (5,600 quads)⁴ rows: runs for hours."""
COUNT_COMMITMENTS = (
    "SELECT (COUNT(?c) AS ?n) WHERE { ?c a <https://w3id.org/pactgraph/def#Commitment> }"
)


# ------------------------------------------------------------------ fixtures


class Listener:
    """A loopback TCP listener that records each connection (and its first bytes)."""

    def __init__(self) -> None:
        self.hits: list[bytes] = []
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen()
        self._server.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with connection:
                connection.settimeout(0.5)
                try:
                    self.hits.append(connection.recv(4096))
                except OSError:
                    self.hits.append(b"")

    def quiet(self) -> bool:
        """No connection so far (after a moment for one under way to be accepted)."""
        time.sleep(0.15)
        return self.hits == []

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def target(built_store: OxigraphStore) -> Iterator[tuple[TestClient, OxigraphStore]]:
    """A writable copy of the bundled graph behind an app that also takes edits."""
    store = OxigraphStore(None)
    store.replace_all(built_store.dump())
    tokens = EditTokens.parse(f"secretariat:{TOKEN}\n", "test")
    with TestClient(create_app(store, edit_tokens=tokens)) as client:
        yield client, store


@pytest.fixture
def unchanged(target: tuple[TestClient, OxigraphStore]) -> Iterator[TestClient]:
    """The target's client; after the test, the store must be byte for byte as before."""
    client, store = target
    before = store.dump()
    yield client
    assert store.dump() == before, "the store changed"


def detail(response: Any) -> str:
    assert response.headers["content-type"].startswith("application/json"), response.text
    message = response.json()["detail"]
    assert isinstance(message, str)
    assert message
    return message


def still_answers(client: TestClient) -> None:
    """The server (and a query worker) still answers a plain query with the real count."""
    response = client.get("/sparql", params={"query": COUNT_COMMITMENTS, "format": "json"})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "84"


# ------------------------------------------------------------------ positive controls


def test_the_listener_hears_a_fetch_the_engine_makes_when_nothing_stops_it(
    listener: Listener,
) -> None:
    """pyoxigraph fetches SERVICE by itself: what /sparql refuses is a real fetch."""
    with contextlib.suppress(OSError, RuntimeError, SyntaxError):
        ox.Store().query(f"SELECT * WHERE {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}")
    assert not listener.quiet()
    assert listener.hits[0].startswith((b"GET /sparql", b"POST /sparql"))


def test_rdflib_fetches_a_remote_jsonld_context_when_nothing_stops_it(listener: Listener) -> None:
    """rdflib's JSON-LD parser fetches ``@context`` IRIs: why uploads are checked first."""
    document = json.dumps({"@context": f"{listener.url}/context", "@id": VHTO, "x": "y"})
    with contextlib.suppress(Exception):
        Graph().parse(data=document, format="json-ld")
    assert not listener.quiet()


def test_pyoxigraph_expands_xml_entities_when_nothing_stops_it() -> None:
    """A 10× entity ladder of four steps is 30 KB from 300 bytes: billion laughs is real."""
    ladder = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 5))
    document = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">{ladder}]>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:e="http://example.org/"><rdf:Description rdf:about="http://example.org/a">'
        "<e:p>&l4;</e:p></rdf:Description></rdf:RDF>"
    )
    (quad,) = ox.parse(document.encode(), ox.RdfFormat.RDF_XML)
    assert isinstance(quad.object, ox.Literal)
    assert len(quad.object.value) == 3 * 10**4


# ------------------------------------------------------------------ nothing fetched


def service_queries(address: str) -> list[str]:
    """SERVICE to an internal address, plainly and hidden behind escapes the engine reads."""
    group = "{ ?s ?p ?o }"
    return [
        f"SELECT * WHERE {{ SERVICE <{address}/sparql> {group} }}",
        f"select * where {{ service silent <{address}/sparql> {group} }}",
        f"SELECT * WHERE{{SERVICE<{address}/sparql>{group}}}",
        # a prefixed name's escaped '#' is not a comment to the engine
        (
            f"PREFIX ex: <http://example.org/>\nSELECT * WHERE {{ VALUES ?x {{ ex:a\\# }} "
            f"SERVICE <{address}/hidden> {group} }}"
        ),
        # nor is an escaped quote the start of a string
        (
            f"PREFIX ex: <http://example.org/>\nSELECT * WHERE {{ VALUES ?x {{ ex:a\\' }} "
            f"SERVICE <{address}/quote> {group} }} # '"
        ),
        # an IRI with a \\u escape is still one IRI, '#' and all
        (
            f"SELECT * WHERE {{ BIND(<http://example.org/\\u0041#> AS ?x) "
            f"SERVICE <{address}/escaped> {group} }}"
        ),
        f"SELECT * WHERE {{ BIND(<{address}/var> AS ?endpoint) SERVICE ?endpoint {group} }}",
    ]


def test_an_escaped_service_keyword_is_read_as_the_engine_may_read_it(listener: Listener) -> None:
    """SPARQL 1.1 §19.2: ``\\u0053ERVICE`` is ``SERVICE`` to an engine that decodes escapes
    (a remote server may; the embedded one does not), so the check reads it so too."""
    query = f"SELECT * WHERE {{ \\u0053ERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}"
    assert inspect_query(query).uses_service
    assert "SERVICE" in (refusal(inspect_query(query)) or "")


@pytest.mark.parametrize("index", range(7))
@pytest.mark.parametrize("method", ["get", "form", "direct"])
def test_service_to_an_internal_address_is_refused_unfetched(
    unchanged: TestClient, listener: Listener, index: int, method: str
) -> None:
    query = service_queries(listener.url)[index]
    if method == "get":
        response = unchanged.get("/sparql", params={"query": query})
    elif method == "form":
        response = unchanged.post("/sparql", data={"query": query})
    else:
        response = unchanged.post(
            "/sparql", content=query.encode(), headers={"Content-Type": SPARQL_QUERY}
        )
    assert response.status_code == 400
    assert "SERVICE" in detail(response)
    assert listener.quiet()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM <{address}/from> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM NAMED <{address}/named> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "ASK FROM <file:///etc/passwd> {{ ?s ?p ?o }}",
        "CONSTRUCT {{ ?s ?p ?o }} FROM <{address}/construct> WHERE {{ ?s ?p ?o }}",
        "DESCRIBE <{address}/describe> FROM <{address}/describe>",
    ],
    ids=["from", "from-named", "from-file", "construct-from", "describe-from"],
)
def test_from_names_a_graph_of_the_store_and_fetches_nothing(
    unchanged: TestClient, listener: Listener, query: str
) -> None:
    text = query.format(address=listener.url)
    response = unchanged.get("/sparql", params={"query": text}, headers={"Accept": "*/*"})
    assert response.status_code == 200
    assert listener.quiet()
    # a graph the store does not hold is empty: no solutions, no triples, false
    body = response.content
    assert b"127.0.0.1" not in body or text.startswith("DESCRIBE")
    if response.headers["content-type"].startswith(RESULTS_JSON):
        answer = response.json()
        assert answer.get("boolean") is False or answer["results"]["bindings"] == []
    else:
        assert Graph().parse(data=body, format="turtle").__len__() == 0


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_dataset_parameters_name_graphs_and_fetch_nothing(
    unchanged: TestClient, listener: Listener, parameter: str
) -> None:
    query = "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    response = unchanged.get(
        "/sparql",
        params={"query": query, parameter: f"{listener.url}/graph", "format": "json"},
    )
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []
    assert listener.quiet()


def test_load_is_refused_everywhere_and_fetches_nothing(
    unchanged: TestClient, listener: Listener
) -> None:
    load = f"LOAD <{listener.url}/data.ttl> INTO GRAPH <{ID_IRI}graph/x>"
    attempts = [
        unchanged.get("/sparql", params={"query": load}),
        unchanged.get("/sparql", params={"update": load}),
        unchanged.post("/sparql", data={"update": load}),
        unchanged.post("/sparql", data={"query": load}),
        unchanged.post("/sparql", content=load, headers={"Content-Type": SPARQL_UPDATE}),
        unchanged.post(
            "/sparql/update",
            content=load,
            headers={"Content-Type": SPARQL_UPDATE, **AS_EDITOR},
        ),
        unchanged.post(
            "/sparql/update",
            content="LOAD SILENT <file:///etc/passwd>",
            headers={"Content-Type": SPARQL_UPDATE, **AS_EDITOR},
        ),
    ]
    for response in attempts:
        assert response.status_code == 400, response.text
        assert "LOAD" in detail(response) or "update" in detail(response).lower()
    assert listener.quiet()


INSERT = f'INSERT DATA {{ GRAPH <{ID_IRI}graph/records> {{ <{VHTO}> <{ID_IRI}p> "hacked" }} }}'


@pytest.mark.parametrize(
    "request_args",
    [
        {"method": "GET", "url": "/sparql", "params": {"update": INSERT}},
        {"method": "GET", "url": "/sparql", "params": {"query": INSERT}},
        {"method": "GET", "url": "/sparql", "params": {"query": "DROP ALL"}},
        {"method": "POST", "url": "/sparql", "data": {"query": "CLEAR ALL"}},
        {"method": "POST", "url": "/sparql", "data": {"update": INSERT}},
        {
            "method": "POST",
            "url": "/sparql",
            "content": INSERT,
            "headers": {"Content-Type": SPARQL_QUERY},
        },
        {
            "method": "POST",
            "url": "/sparql",
            "content": "# a comment first\nPREFIX x: <http://x/>\ndelete where { ?s ?p ?o }",
            "headers": {"Content-Type": SPARQL_QUERY},
        },
        {"method": "GET", "url": "/sparql/update", "params": {"update": INSERT}},
        {
            "method": "POST",
            "url": "/sparql/update",
            "params": {"query": INSERT},
            "headers": AS_EDITOR,
        },
    ],
    ids=[
        "get-update",
        "get-query-insert",
        "get-query-drop",
        "form-query-clear",
        "form-update",
        "direct-insert",
        "direct-delete-after-prologue",
        "get-on-update-route",
        "update-route-query-in-url",
    ],
)
def test_an_update_outside_the_update_route_changes_nothing(
    unchanged: TestClient, request_args: dict[str, Any]
) -> None:
    args = dict(request_args)
    response = unchanged.request(args.pop("method"), args.pop("url"), **args)
    if args.get("params", {}).get("update") and response.request.method == "GET":
        assert response.status_code in {400, 405}
    else:
        assert response.status_code == 400, response.text
        message = detail(response).lower()
        assert "update" in message or "query" in message


def test_untrusted_rdf_checks_refuse_before_any_parser(listener: Listener, tmp_path: Path) -> None:
    """JSON-LD contexts by IRI (remote or file:) and XML entity declarations never get parsed."""
    context_file = tmp_path / "context.jsonld"
    context_file.write_text('{"@context": {"x": "http://example.org/x"}}')
    remote = json.dumps({"@context": f"{listener.url}/ctx", "@id": VHTO, "x": "y"})
    local = json.dumps({"@context": [context_file.as_uri()], "@id": VHTO, "x": "y"})
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{listener.url}/xxe">]>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
    )
    # a small ladder (about 3 KB expanded): without the check it is parsed, not a blow-up
    ladder = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 4}">' for i in range(1, 5))
    laughs = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "ha">{ladder}]>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns:e="http://example.org/"><rdf:Description rdf:about="{VHTO}">'
        "<e:p>&l4;</e:p></rdf:Description></rdf:RDF>"
    )
    for document, media_type in (
        (remote, safe_rdf.JSON_LD),
        (local, safe_rdf.JSON_LD),
        (xxe, safe_rdf.RDF_XML),
        (laughs, safe_rdf.RDF_XML),
    ):
        with pytest.raises(safe_rdf.UnsafeRdfError):
            safe_rdf.parse_untrusted(document.encode(), media_type)
    assert listener.quiet()


@pytest.mark.parametrize("kind", ["remote-context", "file-context", "billion-laughs", "xxe"])
def test_hostile_rdf_uploads_are_refused_unparsed(
    unchanged: TestClient, listener: Listener, tmp_path: Path, kind: str
) -> None:
    context_file = tmp_path / "context.jsonld"
    context_file.write_text('{"@context": {"x": "http://example.org/x"}}')
    ladder = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    xml_body = (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns:e="http://example.org/"><rdf:Description rdf:about="{VHTO}">'
        "<e:p>&l9;</e:p></rdf:Description></rdf:RDF>"
    )
    documents = {
        "remote-context": (
            json.dumps({"@context": f"{listener.url}/ctx", "@id": VHTO, "x": "y"}),
            "application/ld+json",
        ),
        "file-context": (
            json.dumps({"@context": context_file.as_uri(), "@id": VHTO, "x": "y"}),
            "application/ld+json",
        ),
        "billion-laughs": (
            f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">{ladder}]>{xml_body}',
            "application/rdf+xml",
        ),
        "xxe": (
            f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l9 SYSTEM "{listener.url}/x">]>{xml_body}',
            "application/rdf+xml",
        ),
    }
    document, media_type = documents[kind]
    response = unchanged.post(
        "/edits/records",
        content=document.encode(),
        headers={"Content-Type": media_type, **AS_EDITOR},
    )
    assert response.status_code == 400
    assert any(word in detail(response) for word in ("@context", "DOCTYPE"))
    assert listener.quiet()


# ------------------------------------------------------------------ the server stays up


def test_a_10000_deep_query_is_refused_and_the_server_stays_up(unchanged: TestClient) -> None:
    depth = 10_000
    query = "SELECT * WHERE { FILTER(" + "(" * depth + "1" + ")" * depth + ") }"
    response = unchanged.post(
        "/sparql", content=query.encode(), headers={"Content-Type": SPARQL_QUERY}
    )
    assert response.status_code == 400
    assert f"limit is {MAX_NESTING}" in detail(response)
    still_answers(unchanged)


@pytest.mark.parametrize(
    ("query", "limit"),
    [
        ("ASK { FILTER(1" + "+1" * 9_000 + ") }", f"limit is {MAX_OPERATORS}"),
        ("SELECT * WHERE { " + "MINUS{}" * 3_500 + " }", f"limit is {MAX_CLAUSES}"),
        ("ASK {" + "{" * 10_000 + "}" * 10_000 + "}", f"limit is {MAX_NESTING}"),
    ],
    ids=["arithmetic-chain", "minus-chain", "nested-groups"],
)
def test_queries_that_crash_the_engine_are_refused_by_their_text(
    unchanged: TestClient, query: str, limit: str
) -> None:
    response = unchanged.post(
        "/sparql", content=query.encode(), headers={"Content-Type": SPARQL_QUERY}
    )
    assert response.status_code == 400
    assert limit in detail(response)
    still_answers(unchanged)


@pytest.fixture
def one_worker(built_store: OxigraphStore) -> Iterator[tuple[TestClient, FastAPI]]:
    """The bundled graph with one query worker and a 1 s time limit."""
    app = create_app(built_store, query_timeout=1.0, query_workers=1)
    with TestClient(app) as client:
        yield client, app


def test_a_crash_the_text_checks_miss_ends_only_its_worker(
    one_worker: tuple[TestClient, FastAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the text checks switched off, the engine really crashes: in its worker only."""
    client, app = one_worker
    monkeypatch.setattr(sparql_routes, "refusal", lambda _shape: None)
    sandbox: QuerySandbox = app.state.sandbox
    query = "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }"
    response = client.post("/sparql", content=query, headers={"Content-Type": SPARQL_QUERY})
    assert response.status_code == 400
    assert "SIGSEGV" in detail(response) or "stopped" in detail(response)
    started = sandbox.started
    still_answers(client)
    assert sandbox.started == started + 1  # the one worker was replaced


# ------------------------------------------------------------------ bounded work


def test_a_runaway_query_ends_at_the_time_limit_and_frees_its_worker(
    one_worker: tuple[TestClient, FastAPI],
) -> None:
    client, app = one_worker
    sandbox: QuerySandbox = app.state.sandbox
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=1) as pool:  # a missing limit fails, it does not hang
        request = pool.submit(client.get, "/sparql", params={"query": RUNAWAY, "format": "json"})
        try:
            response = request.result(timeout=60)
        except FuturesTimeoutError:
            sandbox.close()  # ends the worker, so the request returns and the pool can end
            pytest.fail("the runaway query was not ended within 60 s")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "did not finish within 1 s" in detail(response)
    assert elapsed < 30  # ended at the limit, not when the query would have finished
    still_answers(client)  # the only worker was replaced: the pool is whole again
    assert sandbox.idle_workers == 1


def test_workers_end_with_the_app_and_start_again_with_it(built_store: OxigraphStore) -> None:
    app = create_app(built_store, query_workers=1)
    sandbox: QuerySandbox = app.state.sandbox
    with TestClient(app) as client:
        still_answers(client)
        assert sandbox.idle_workers == 1
    assert sandbox.idle_workers == 0  # ended with the app
    with TestClient(app) as client:
        still_answers(client)


ORPHANING_SERVER = """
import os, sys, time
from pactgraph.graph.sandbox import Job, Limits, QuerySandbox, Snapshot
sandbox = QuerySandbox(lambda: Snapshot(nquads=b""), lambda: 0, Limits(workers=1))
sandbox.run(Job("ASK {}", "application/sparql-results+json"))
worker = next(iter(sandbox._workers)).process.pid
child = os.fork()
if child == 0:  # a forked child holds the worker's pipe open for a while
    os.close(1)
    os.close(2)
    time.sleep(60)
    os._exit(0)
print(worker, child, flush=True)
os._exit(0)  # the server dies without closing anything
"""


def test_a_worker_ends_when_its_server_dies_even_if_its_pipe_stays_open() -> None:
    result = subprocess.run(
        [sys.executable, "-c", ORPHANING_SERVER],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    worker, holder = (int(pid) for pid in result.stdout.split())
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and alive(worker):
            time.sleep(0.1)
        assert not alive(worker)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(holder, signal.SIGKILL)


def alive(pid: int) -> bool:
    """The process runs (a zombie waiting to be reaped has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def test_the_time_limit_comes_from_the_environment(
    built_store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TIMEOUT_ENV, "2.5")
    monkeypatch.setenv(MAX_ROWS_ENV, "7")
    limits: Limits = create_app(built_store).state.limits
    assert (limits.timeout, limits.max_rows) == (2.5, 7)
    assert create_app(built_store, query_timeout=4).state.limits.timeout == 4
    monkeypatch.setenv(TIMEOUT_ENV, "ten seconds")
    with pytest.raises(ValueError, match=TIMEOUT_ENV):
        create_app(built_store)
    monkeypatch.setenv(TIMEOUT_ENV, "-1")
    with pytest.raises(ValueError, match="positive"):
        create_app(built_store)


@pytest.fixture(scope="module")
def capped(built_store: OxigraphStore) -> Iterator[TestClient]:
    """The bundled graph served with a row cap of 5."""
    with TestClient(create_app(built_store, max_rows=5)) as client:
        yield client


@pytest.mark.parametrize(
    ("format_name", "count"),
    [
        ("json", lambda r: len(r.json()["results"]["bindings"])),
        ("csv", lambda r: len(r.text.strip().splitlines()) - 1),
        ("xml", lambda r: r.text.count("<result>")),
    ],
    ids=["json", "csv", "xml"],
)
def test_sparql_answers_are_cut_at_the_row_cap_and_say_so(
    capped: TestClient, format_name: str, count: Any
) -> None:
    query = "SELECT ?c WHERE { ?c a <https://w3id.org/pactgraph/def#Commitment> }"
    response = capped.get("/sparql", params={"query": query, "format": format_name})
    assert response.status_code == 200
    assert count(response) == 5  # of the 84 commitments
    assert response.headers["X-Pactgraph-Truncated"] == "true"
    assert response.headers["X-Pactgraph-Row-Cap"] == "5"


def test_constructed_triples_are_cut_at_the_row_cap(capped: TestClient) -> None:
    query = "CONSTRUCT WHERE { ?c a <https://w3id.org/pactgraph/def#Commitment> }"
    response = capped.get("/sparql", params={"query": query, "format": "nt"})
    assert len(response.text.strip().splitlines()) == 5
    assert response.headers["X-Pactgraph-Truncated"] == "true"


def test_an_answer_within_the_cap_is_whole_and_unmarked(capped: TestClient) -> None:
    response = capped.get(
        "/sparql", params={"query": COUNT_COMMITMENTS.replace("COUNT", "COUNT"), "format": "json"}
    )
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "84"
    assert "X-Pactgraph-Truncated" not in response.headers
    ask = capped.get("/sparql", params={"query": "ASK { ?s ?p ?o }", "format": "json"})
    assert ask.json()["boolean"] is True
    assert "X-Pactgraph-Truncated" not in ask.headers


def test_named_query_results_are_cut_at_the_row_cap_and_say_so(capped: TestClient) -> None:
    response = capped.get("/queries/commitments", params={"format": "json"})
    answer = response.json()
    assert (answer["count"], len(answer["rows"]), answer["truncated"]) == (5, 5, True)
    assert response.headers["X-Pactgraph-Truncated"] == "true"
    assert response.headers["X-Pactgraph-Row-Cap"] == "5"
    csv = capped.get("/queries/commitments", params={"format": "csv"})
    assert len(csv.text.strip().splitlines()) == 6
    page = capped.get("/queries/commitments", params={"format": "html", "lang": "en"})
    assert 'id="truncated"' in page.text
    assert "only the first 5 rows" in page.text
    small = capped.get(
        "/queries/organisation-commitments", params={"organisation": VHTO, "format": "html"}
    )
    assert 'id="truncated"' not in small.text


def test_the_query_page_shows_the_truncation_note(capped: TestClient) -> None:
    page = capped.get("/sparql", headers={"Accept": "text/html"})
    assert 'id="sparql-truncated"' in page.text
    script = capped.get("/static/sparql.js").text
    assert "X-Pactgraph-Truncated" in script


# ------------------------------------------------------------------ bodies and forms


def test_an_oversized_body_is_a_json_413(unchanged: TestClient) -> None:
    body = b"#" * 400_000 + b"\nASK {}"
    response = unchanged.post("/sparql", content=body, headers={"Content-Type": SPARQL_QUERY})
    assert response.status_code == 413
    assert "limit is 262,144 bytes" in detail(response)
    assert "body is 400,007 bytes" in detail(response)  # refused by its Content-Length, unread


def test_an_oversized_body_without_a_length_is_stopped_while_it_streams(
    unchanged: TestClient,
) -> None:
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        for _ in range(100):  # 6.4 MB if it were all read
            sent.append(1)
            yield b"#" * 65_536

    response = unchanged.post("/sparql", content=chunks(), headers={"Content-Type": FORM})
    assert response.status_code == 413
    assert "more than 262,144 bytes" in detail(response)


def test_a_form_with_too_many_fields_is_400(unchanged: TestClient) -> None:
    fields = "&".join(f"named-graph-uri=http://example.org/g{i}" for i in range(150))
    response = unchanged.post(
        "/sparql",
        content=f"query={quote('ASK {}')}&{fields}",
        headers={"Content-Type": FORM},
    )
    assert response.status_code == 400
    assert "fields" in detail(response)


# ------------------------------------------------------------------ injection


INJECTIONS = {
    "iri": f"{VHTO}> ?p ?o . FILTER(true) }} #",
    "string": '" ) } UNION { ?s ?p ?o } #',
    "date": '2020-01-01"^^<http://www.w3.org/2001/XMLSchema#date> ) } UNION { ?s ?p ?o } #',
    "integer": "1 ) } UNION { ?s ?p ?o } #",
    "decimal": "1.0 || true",
    "boolean": "true || ?x",
}
HARMLESS = {"string": "zz-no-such-text"}
VALID = {
    "iri": VHTO,
    "string": "x",
    "date": "2020-01-01",
    "integer": "1",
    "decimal": "1",
    "boolean": "true",
}
PARAMETERS = [
    (query.name, parameter.name, parameter.type, bool(parameter.choices))
    for query in catalogue().values()
    for parameter in query.params
]


def other_required(query: str, tested: str) -> dict[str, str]:
    """Valid values for the query's other required parameters, so only ``tested`` is wrong."""
    return {
        p.name: p.choices[0] if p.choices else VALID[p.type]
        for p in catalogue()[query].params
        if p.required and p.name != tested
    }


@pytest.mark.parametrize(
    ("query", "parameter", "kind", "has_choices"),
    PARAMETERS,
    ids=[f"{q}-{p}" for q, p, _, _ in PARAMETERS],
)
def test_named_query_parameters_cannot_inject_sparql(
    unchanged: TestClient, query: str, parameter: str, kind: str, has_choices: bool
) -> None:
    others = {**other_required(query, parameter), "format": "json"}
    response = unchanged.get(f"/queries/{query}", params={**others, parameter: INJECTIONS[kind]})
    if kind == "string" and not has_choices:
        # bound as one literal: the same rows as any other text that matches nothing
        assert response.status_code == 200
        baseline = unchanged.get(
            f"/queries/{query}", params={**others, parameter: HARMLESS["string"]}
        )
        assert response.json()["rows"] == baseline.json()["rows"]
    else:
        assert response.status_code == 400
        assert response.json()["parameter"] == parameter


@pytest.mark.parametrize(
    "path",
    [
        "/id/organisation/" + quote("vhto> ?p ?o . FILTER(true) } #"),
        "/id/" + quote("organisation/vhto> ?p ?o"),
        "/id/organisation/" + quote('vhto" ?p ?o'),
        "/graph/" + quote("records> ?p ?o } #"),
        "/trace/" + quote("x> ?p ?o . FILTER(true) } #"),
        "/trace/" + quote("x> ?p ?o") + "/status",
        "/id/document/" + quote("tk-32637-75> ?p ?o") + "/text",
    ],
)
def test_entity_paths_cannot_inject_sparql(unchanged: TestClient, path: str) -> None:
    response = unchanged.get(path, headers={"Accept": "application/json"})
    assert response.status_code in {400, 404}
    assert "vhto" not in response.text.lower() or "expected" in response.text
    assert response.status_code != 200


def test_network_parameters_cannot_inject_sparql(unchanged: TestClient) -> None:
    response = unchanged.get(
        "/network/ego",
        params={"entity": f"{VHTO}> ?p ?o . FILTER(true) }} #", "format": "json"},
    )
    assert response.status_code == 400
    assert "entity" in detail(response)
