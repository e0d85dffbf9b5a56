"""The SPARQL 1.1 Protocol query operation at ``/sparql``, on the bundled graph.

Expected answers come from the bundled dataset read by rdflib (``bundled_rdf``), never from the
endpoint itself: counts of commitments per named graph, VHTO's label, the graphs' sizes. The W3C
protocol tests (``tests/w3c/protocol/manifest.ttl``) are encoded as a table adapted to that data.
"""

from __future__ import annotations

import io
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from chromium import fresh_chromium
from fastapi.testclient import TestClient
from pactgraph.api.app import create_app
from pactgraph.graph.querytext import MAX_NESTING, MAX_OPERATORS, inspect_query
from pactgraph.graph.store import OxigraphStore
from pactgraph.ontology.namespace import DEF_IRI, GRAPH_IRI, ID_IRI, PACT
from rdflib import RDF, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS, VOID
from rdflib.query import Result
from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

VHTO = URIRef(f"{ID_IRI}organisation/vhto")
TK75 = URIRef(f"{GRAPH_IRI}document/tk-32637-75")
TK50 = URIRef(f"{GRAPH_IRI}document/tk-32637-50")
RECORDS = URIRef(f"{GRAPH_IRI}records")
DOC75 = URIRef(f"{ID_IRI}document/tk-32637-75")
DOC50 = URIRef(f"{ID_IRI}document/tk-32637-50")

RESULTS_JSON = "application/sparql-results+json"
RESULTS_XML = "application/sparql-results+xml"
TEXT_CSV = "text/csv"
TEXT_TSV = "text/tab-separated-values"
TURTLE_TYPE = "text/turtle"
N_TRIPLES = "application/n-triples"
N_QUADS = "application/n-quads"
TRIG = "application/trig"
JSON_LD = "application/ld+json"
RDF_XML = "application/rdf+xml"
SPARQL_QUERY = "application/sparql-query"
FORM = "application/x-www-form-urlencoded"
HTML_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

PREFIXES = (
    f"PREFIX pact: <{DEF_IRI}>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
)
VHTO_LABEL = f"{PREFIXES}SELECT ?label WHERE {{ <{VHTO}> skos:prefLabel ?label }}"
VHTO_ASK = f'{PREFIXES}ASK {{ <{VHTO}> skos:prefLabel "VHTO"@nl }}'
VHTO_CONSTRUCT = (
    f"{PREFIXES}CONSTRUCT {{ <{VHTO}> skos:prefLabel ?label }} "
    f"WHERE {{ <{VHTO}> skos:prefLabel ?label }}"
)
VHTO_DESCRIBE = f"DESCRIBE <{VHTO}>"
VHTO_COMMITMENTS = (
    f"{PREFIXES}SELECT ?commitment ?label WHERE {{ ?commitment a pact:Commitment ; "
    f"pact:owner <{VHTO}> ; skos:prefLabel ?label }} ORDER BY ?commitment"
)
COUNT_COMMITMENTS = f"{PREFIXES}SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c a pact:Commitment }}"
COUNT_NAMED_COMMITMENTS = (
    f"{PREFIXES}SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ GRAPH ?g {{ ?c a pact:Commitment }} }}"
)
NAMED_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"

QUERIES = {
    "select": VHTO_LABEL,
    "ask": VHTO_ASK,
    "construct": VHTO_CONSTRUCT,
    "describe": VHTO_DESCRIBE,
}


# ------------------------------------------------------------------ oracles and helpers


def commitments_in(dataset: Dataset, graphs: list[URIRef] | None = None) -> int:
    """How many distinct commitments the given named graphs (all, if None) type as such."""
    chosen = [g for g in dataset.graphs() if graphs is None or g.identifier in graphs]
    return len({s for g in chosen for s in g.subjects(RDF.type, PACT.Commitment)})


def vhto_labels(dataset: Dataset) -> set[str]:
    return {str(o) for g in dataset.graphs() for o in g.objects(VHTO, SKOS.prefLabel)}


def media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def rows_of(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    assert media_type(response) == RESULTS_JSON
    bindings: list[dict[str, Any]] = response.json()["results"]["bindings"]
    return bindings


def count_of(response: httpx.Response) -> int:
    (row,) = rows_of(response)
    return int(row["n"]["value"])


def get(client: TestClient, query: str, **params: Any) -> httpx.Response:
    return client.get("/sparql", params={"query": query, **params})


def detail(response: httpx.Response) -> str:
    body = response.json()
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body["detail"]


RESULT_PARSERS = {
    RESULTS_JSON: "json",
    "application/json": "json",
    RESULTS_XML: "xml",
    "application/xml": "xml",
    TEXT_CSV: "csv",
    TEXT_TSV: "tsv",
}
GRAPH_PARSERS = {
    TURTLE_TYPE: "turtle",
    N_TRIPLES: "nt",
    "text/plain": "nt",
    N_QUADS: "nquads",
    TRIG: "trig",
    JSON_LD: "json-ld",
    RDF_XML: "xml",
}


def parsed_labels(response: httpx.Response, kind: str) -> set[str]:
    """VHTO's labels as the answer says them, read with rdflib's parser for its media type."""
    served = media_type(response)
    if kind in {"select", "ask"}:
        result = Result.parse(io.BytesIO(response.content), format=RESULT_PARSERS[served])
        if kind == "ask":
            return {"VHTO"} if result.askAnswer else set()
        return {str(row[0]) for row in result}  # type: ignore[index]
    dataset = Dataset()
    dataset.parse(data=response.content, format=GRAPH_PARSERS[served])
    return {str(o) for g in dataset.graphs() for o in g.objects(VHTO, SKOS.prefLabel)}


# ------------------------------------------------------------------ methods and encodings


def test_get_answers_select_with_vhto_label(client: TestClient, bundled_rdf: Dataset) -> None:
    rows = rows_of(get(client, VHTO_LABEL))
    assert {row["label"]["value"] for row in rows} == vhto_labels(bundled_rdf)
    assert "VHTO" in vhto_labels(bundled_rdf)


@pytest.mark.parametrize(
    "content_type",
    [FORM, f"{FORM}; charset=UTF-8", f"{FORM};charset=utf-8"],
)
def test_post_form_encoded(client: TestClient, bundled_rdf: Dataset, content_type: str) -> None:
    body = "query=" + quote(VHTO_LABEL, safe="")
    response = client.post("/sparql", content=body, headers={"Content-Type": content_type})
    assert {row["label"]["value"] for row in rows_of(response)} == vhto_labels(bundled_rdf)


@pytest.mark.parametrize(
    "content_type",
    [SPARQL_QUERY, f"{SPARQL_QUERY}; charset=UTF-8", f'{SPARQL_QUERY}; charset="utf-8"'],
)
def test_post_direct(client: TestClient, bundled_rdf: Dataset, content_type: str) -> None:
    response = client.post(
        "/sparql", content=VHTO_LABEL.encode(), headers={"Content-Type": content_type}
    )
    assert {row["label"]["value"] for row in rows_of(response)} == vhto_labels(bundled_rdf)


def test_post_direct_keeps_non_ascii(client: TestClient) -> None:
    # 'bèta' is in VHTO's alternative label; UTF-8 bytes must reach the engine intact
    query = f'{PREFIXES}ASK {{ <{VHTO}> skos:altLabel ?l FILTER(CONTAINS(?l, "bèta")) }}'
    response = client.post(
        "/sparql", content=query.encode(), headers={"Content-Type": SPARQL_QUERY}
    )
    assert response.json()["boolean"] is True


# ------------------------------------------------------------------ content negotiation

CONNEG = [
    # (Accept, query kind, media type answered)
    (None, "select", RESULTS_JSON),
    ("*/*", "select", RESULTS_JSON),
    ("", "select", RESULTS_JSON),
    (RESULTS_XML, "select", RESULTS_XML),
    (TEXT_CSV, "select", TEXT_CSV),
    (TEXT_TSV, "select", TEXT_TSV),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "select", RESULTS_XML),
    ("application/sparql-results+json;q=0.1, text/tab-separated-values", "select", TEXT_TSV),
    ("text/*", "select", TEXT_CSV),
    (f"{RESULTS_XML}, {RESULTS_JSON}", "select", RESULTS_JSON),
    ("text/turtle, application/sparql-results+json;q=0.5", "select", RESULTS_JSON),
    ("application/json", "select", "application/json"),
    ("application/xml", "select", "application/xml"),
    ("application/*;q=0.2, text/csv;q=0.1", "select", RESULTS_JSON),
    (None, "ask", RESULTS_JSON),
    (RESULTS_XML, "ask", RESULTS_XML),
    (None, "construct", TURTLE_TYPE),
    ("*/*", "construct", TURTLE_TYPE),
    (N_TRIPLES, "construct", N_TRIPLES),
    (N_QUADS, "construct", N_QUADS),
    (TRIG, "construct", TRIG),
    (JSON_LD, "construct", JSON_LD),
    (RDF_XML, "construct", RDF_XML),
    ("application/turtle,text/turtle", "construct", TURTLE_TYPE),
    ("text/plain", "construct", "text/plain"),
    ("text/turtle;q=0.2, application/rdf+xml;q=0.8", "construct", RDF_XML),
    (f"{RESULTS_JSON}, {JSON_LD};q=0.9", "construct", JSON_LD),
    (None, "describe", TURTLE_TYPE),
    (JSON_LD, "describe", JSON_LD),
    ("application/n-triples;q=1.0, text/turtle;q=0.9", "describe", N_TRIPLES),
]


@pytest.mark.parametrize(("accept", "kind", "expected"), CONNEG)
def test_content_negotiation(
    client: TestClient, bundled_rdf: Dataset, accept: str | None, kind: str, expected: str
) -> None:
    headers = {} if accept is None else {"Accept": accept}
    response = client.get("/sparql", params={"query": QUERIES[kind]}, headers=headers)
    assert response.status_code == 200, response.text
    assert media_type(response) == expected
    assert response.headers["vary"] == "Accept"
    if expected.startswith("text/"):
        assert "charset=utf-8" in response.headers["content-type"]
    assert parsed_labels(response, kind) == (
        {"VHTO"} if kind == "ask" else vhto_labels(bundled_rdf)
    )


@pytest.mark.parametrize(
    ("accept", "kind"),
    [
        ("image/png", "select"),
        (TURTLE_TYPE, "select"),
        ("application/sparql-results+json;q=0", "select"),
        (RESULTS_JSON, "construct"),
        (TEXT_CSV, "describe"),
    ],
)
def test_nothing_acceptable_is_406(client: TestClient, accept: str, kind: str) -> None:
    response = client.get("/sparql", params={"query": QUERIES[kind]}, headers={"Accept": accept})
    assert response.status_code == 406
    message = detail(response)
    assert kind.upper() in message
    assert (RESULTS_JSON if kind in {"select", "ask"} else TURTLE_TYPE) in message


@pytest.mark.parametrize(
    ("kind", "formats", "expected"),
    [
        ("select", ["csv"], TEXT_CSV),
        ("select", ["json"], RESULTS_JSON),
        ("select", ["xml"], RESULTS_XML),
        ("select", ["tsv", TEXT_TSV], TEXT_TSV),  # as SPARQLWrapper sends it
        ("ask", ["json"], RESULTS_JSON),
        ("construct", ["ttl"], TURTLE_TYPE),
        ("construct", ["turtle"], TURTLE_TYPE),
        ("construct", ["nt"], N_TRIPLES),
        ("construct", ["nq"], N_QUADS),
        ("construct", ["trig"], TRIG),
        ("construct", ["jsonld"], JSON_LD),
        ("construct", ["json"], JSON_LD),
        ("construct", ["xml"], RDF_XML),
        ("construct", ["rdf+xml", RDF_XML], RDF_XML),
        ("describe", ["rdfxml"], RDF_XML),
    ],
)
def test_format_parameter_overrides_accept(
    client: TestClient, bundled_rdf: Dataset, kind: str, formats: list[str], expected: str
) -> None:
    params = [("query", QUERIES[kind]), *[("format", f) for f in formats]]
    # an Accept that alone would choose something else (or nothing)
    response = client.get("/sparql", params=params, headers={"Accept": "image/png"})
    assert response.status_code == 200, response.text
    assert media_type(response) == expected
    assert parsed_labels(response, kind) == (
        {"VHTO"} if kind == "ask" else vhto_labels(bundled_rdf)
    )


@pytest.mark.parametrize(
    ("kind", "value", "hint"),
    [("select", "ttl", "csv"), ("select", "docx", "json"), ("construct", "csv", "ttl")],
)
def test_wrong_format_is_400_naming_the_choices(
    client: TestClient, kind: str, value: str, hint: str
) -> None:
    response = get(client, QUERIES[kind], format=value)
    assert response.status_code == 400
    message = detail(response)
    assert f"format={value}" in message
    assert hint in message


# ------------------------------------------------------------------ the dataset


def test_default_is_the_union_of_all_named_graphs(client: TestClient, bundled_rdf: Dataset) -> None:
    expected = commitments_in(bundled_rdf)
    assert expected > commitments_in(bundled_rdf, [TK75])
    assert count_of(get(client, COUNT_COMMITMENTS)) == expected


def test_default_graph_uri_restricts_to_one_letter(
    client: TestClient, bundled_rdf: Dataset
) -> None:
    expected = commitments_in(bundled_rdf, [TK75])
    assert 0 < expected < commitments_in(bundled_rdf)
    response = get(client, COUNT_COMMITMENTS, **{"default-graph-uri": str(TK75)})
    assert count_of(response) == expected


def test_two_default_graph_uris_merge(client: TestClient, bundled_rdf: Dataset) -> None:
    expected = commitments_in(bundled_rdf, [TK75, TK50])
    assert expected > max(commitments_in(bundled_rdf, [TK75]), commitments_in(bundled_rdf, [TK50]))
    params = [
        ("query", COUNT_COMMITMENTS),
        ("default-graph-uri", TK75),
        ("default-graph-uri", TK50),
    ]
    assert count_of(client.get("/sparql", params=params)) == expected


def test_named_graph_uri_alone_leaves_the_default_graph_empty(
    client: TestClient, bundled_rdf: Dataset
) -> None:
    params = {"named-graph-uri": str(TK75)}
    assert count_of(get(client, COUNT_COMMITMENTS, **params)) == 0
    assert count_of(get(client, COUNT_NAMED_COMMITMENTS, **params)) == commitments_in(
        bundled_rdf, [TK75]
    )
    graphs = {row["g"]["value"] for row in rows_of(get(client, NAMED_GRAPHS, **params))}
    assert graphs == {str(TK75)}


def test_default_graph_uri_alone_leaves_no_named_graphs(client: TestClient) -> None:
    assert rows_of(get(client, NAMED_GRAPHS, **{"default-graph-uri": str(TK75)})) == []


def test_without_a_dataset_every_named_graph_can_be_named(
    client: TestClient, bundled_rdf: Dataset
) -> None:
    graphs = {row["g"]["value"] for row in rows_of(get(client, NAMED_GRAPHS))}
    assert graphs == {str(g.identifier) for g in bundled_rdf.graphs() if len(g)}


def test_query_from_is_honoured_without_a_protocol_dataset(
    client: TestClient, bundled_rdf: Dataset
) -> None:
    query = COUNT_COMMITMENTS.replace("WHERE", f"FROM <{TK75}> WHERE")
    assert count_of(get(client, query)) == commitments_in(bundled_rdf, [TK75])


def test_protocol_dataset_overrides_query_from(client: TestClient, bundled_rdf: Dataset) -> None:
    query = COUNT_COMMITMENTS.replace("WHERE", f"FROM <{TK75}> WHERE")
    assert commitments_in(bundled_rdf, [TK50]) != commitments_in(bundled_rdf, [TK75])
    response = get(client, query, **{"default-graph-uri": str(TK50)})
    assert count_of(response) == commitments_in(bundled_rdf, [TK50])


def test_dataset_in_a_form_body_and_in_the_url_of_a_direct_post(
    client: TestClient, bundled_rdf: Dataset
) -> None:
    expected = commitments_in(bundled_rdf, [TK75])
    form = client.post(
        "/sparql",
        content=f"query={quote(COUNT_COMMITMENTS, safe='')}&default-graph-uri={quote(TK75)}",
        headers={"Content-Type": FORM},
    )
    assert count_of(form) == expected
    direct = client.post(
        "/sparql",
        params={"default-graph-uri": str(TK75)},
        content=COUNT_COMMITMENTS.encode(),
        headers={"Content-Type": SPARQL_QUERY},
    )
    assert count_of(direct) == expected


def test_unknown_graph_is_an_empty_graph(client: TestClient) -> None:
    response = get(client, COUNT_COMMITMENTS, **{"default-graph-uri": "https://example.org/none"})
    assert count_of(response) == 0


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_malformed_graph_iri_is_400_naming_the_parameter(
    client: TestClient, parameter: str
) -> None:
    response = get(client, COUNT_COMMITMENTS, **{parameter: "not an iri"})
    assert response.status_code == 400
    assert parameter in detail(response)


def test_relative_iris_resolve_against_the_endpoint(client: TestClient) -> None:
    query = f'{PREFIXES}ASK {{ <id/organisation/vhto> skos:prefLabel "VHTO"@nl }}'
    assert get(client, query).json()["boolean"] is True


# ------------------------------------------------------------------ service description


def service_graph(response: httpx.Response) -> Graph:
    assert response.status_code == 200, response.text
    graph = Graph()
    graph.parse(data=response.content, format=GRAPH_PARSERS[media_type(response)])
    return graph


@pytest.mark.parametrize("accept", [None, "*/*", TURTLE_TYPE, JSON_LD, N_TRIPLES, RDF_XML])
def test_service_description_names_the_endpoint_and_its_dataset(
    client: TestClient, bundled_rdf: Dataset, accept: str | None
) -> None:
    headers = {} if accept is None else {"Accept": accept}
    response = client.get("/sparql", headers=headers)
    assert media_type(response) == (accept if accept not in {None, "*/*"} else TURTLE_TYPE)
    graph = service_graph(response)
    endpoint = URIRef("http://testserver/sparql")
    assert (endpoint, RDF.type, SD.Service) in graph
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in graph
    formats = set(graph.objects(endpoint, SD.resultFormat))
    assert {FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_CSV, FORMATS.Turtle} <= formats
    dataset = graph.value(endpoint, SD.defaultDataset)
    assert graph.value(dataset, SD.defaultGraph) is not None
    sizes = {
        graph.value(named, SD.name): graph.value(graph.value(named, SD.graph), VOID.triples)
        for named in graph.objects(dataset, SD.namedGraph)
    }
    expected = {g.identifier: Literal(len(g)) for g in bundled_rdf.graphs() if len(g)}
    assert sizes == expected


def test_service_description_refuses_results_types(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": RESULTS_JSON})
    assert response.status_code == 406
    assert TURTLE_TYPE in detail(response)


def test_browser_gets_the_query_page(client: TestClient) -> None:
    page = client.get("/sparql", headers={"Accept": HTML_ACCEPT})
    assert page.status_code == 200
    assert media_type(page) == "text/html"
    assert '<textarea id="sparql-query"' in page.text
    assert str(VHTO) in page.text  # the example query
    assert '/static/sparql.js"' in page.text
    assert client.get("/static/sparql.js").status_code == 200


def test_browser_with_a_query_gets_the_page_with_it(client: TestClient) -> None:
    page = client.get("/sparql", params={"query": VHTO_ASK}, headers={"Accept": HTML_ACCEPT})
    assert media_type(page) == "text/html"
    assert 'data-autorun="true"' in page.text
    assert "ASK {" in page.text
    # with format= the browser gets the file itself
    raw = client.get(
        "/sparql", params={"query": VHTO_ASK, "format": "json"}, headers={"Accept": HTML_ACCEPT}
    )
    assert raw.json()["boolean"] is True


# ------------------------------------------------------------------ bad queries


@pytest.mark.parametrize(
    ("query", "must_say"),
    [
        ("SELECT * WHERE { ?s ?p ", "line 1, column"),
        ("SELECT * WHERE { ?s foo:bar ?o }", "Prefix not found"),
        ("ASK {", "line 1, column"),
        ("SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o = )\n}", "line 4"),
        ("SELECT (COUNT(*) AS ?n) ?s WHERE { ?s ?p ?o }", "unbound"),
        ("# only a comment", "line"),
        ("SELEC * {}", "line 1"),
    ],
)
def test_bad_query_is_400_with_a_readable_message(
    client: TestClient, query: str, must_say: str
) -> None:
    response = get(client, query)
    assert response.status_code == 400
    message = detail(response)
    assert message.startswith("Syntax error")
    assert must_say in message
    assert "\\u{" not in message  # the engine's character classes are dropped
    assert len(message) < 200


# ------------------------------------------------------------------ updates refused


@pytest.fixture(scope="module")
def writable(built_store: OxigraphStore) -> Iterator[tuple[TestClient, OxigraphStore]]:
    """The bundled graph in a writable in-memory store: an update would really change it."""
    store = OxigraphStore(None)
    store.replace_all(built_store.dump())
    with TestClient(create_app(store)) as client:
        yield client, store


INSERT = f'INSERT DATA {{ GRAPH <{TK75}> {{ <{VHTO}> <{SKOS.prefLabel}> "hacked" }} }}'
UPDATE_REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("get-update-param", {"method": "GET", "params": {"update": "DROP ALL"}}),
    ("get-query-insert", {"method": "GET", "params": {"query": INSERT}}),
    (
        "post-form-update",
        {"method": "POST", "content": f"update={quote(INSERT)}", "headers": {"Content-Type": FORM}},
    ),
    (
        "post-form-query-clear",
        {
            "method": "POST",
            "content": "query=" + quote("PREFIX x: <http://x/>\n# clear it\nCLEAR ALL"),
            "headers": {"Content-Type": FORM},
        },
    ),
    (
        "post-sparql-update",
        {
            "method": "POST",
            "content": "CLEAR ALL",
            "headers": {"Content-Type": "application/sparql-update"},
        },
    ),
    (
        "post-direct-delete",
        {
            "method": "POST",
            "content": "DELETE WHERE { ?s ?p ?o }",
            "headers": {"Content-Type": SPARQL_QUERY},
        },
    ),
    (
        "post-direct-with",
        {
            "method": "POST",
            "content": f"WITH <{TK75}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
            "headers": {"Content-Type": SPARQL_QUERY},
        },
    ),
    ("get-load", {"method": "GET", "params": {"query": "LOAD <http://127.0.0.1:9/x.ttl>"}}),
    ("get-drop-lowercase", {"method": "GET", "params": {"query": "drop all"}}),
]


@pytest.mark.parametrize(
    "request_args", [args for _, args in UPDATE_REQUESTS], ids=[n for n, _ in UPDATE_REQUESTS]
)
def test_updates_are_refused_and_nothing_changes(
    writable: tuple[TestClient, OxigraphStore], request_args: dict[str, Any]
) -> None:
    client, store = writable
    before = store.dump()
    args = dict(request_args)
    response = client.request(args.pop("method"), "/sparql", **args)
    assert response.status_code == 400
    message = detail(response)
    assert "update" in message.lower() or "Update" in message
    assert store.dump() == before
    assert not store.is_empty()


def listener() -> socket.socket:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    return server


def test_service_is_refused_and_nothing_is_fetched(client: TestClient) -> None:
    server = listener()
    try:
        port = server.getsockname()[1]
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
        response = get(client, query)
        assert response.status_code == 400
        assert "SERVICE" in detail(response)
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected
    finally:
        server.close()


def test_service_in_a_string_or_comment_is_not_refused(client: TestClient) -> None:
    query = 'SELECT ?x WHERE { BIND("SERVICE <http://x/>" AS ?x) } # SERVICE'
    assert rows_of(get(client, query))[0]["x"]["value"] == "SERVICE <http://x/>"


# ------------------------------------------------------------------ limits that keep the engine up


def test_deep_nesting_is_refused_before_the_parser_sees_it(client: TestClient) -> None:
    depth = 5000  # the engine's parser crashes the process (SIGSEGV) at a few thousand
    query = "SELECT * WHERE { FILTER(" + "(" * depth + "1" + ")" * depth + ") }"
    response = client.post("/sparql", content=query, headers={"Content-Type": SPARQL_QUERY})
    assert response.status_code == 400
    assert f"limit is {MAX_NESTING}" in detail(response)


def test_long_operator_chain_is_refused(client: TestClient) -> None:
    query = "ASK { FILTER(" + "!" * 30_000 + "true) }"  # 20k of these crash the parser
    response = client.post("/sparql", content=query, headers={"Content-Type": SPARQL_QUERY})
    assert response.status_code == 400
    assert f"limit is {MAX_OPERATORS}" in detail(response)


def test_long_path_is_refused(client: TestClient) -> None:
    query = "ASK { ?s " + "/".join(["<http://x/p>"] * 500) + " ?o }"
    response = client.post("/sparql", content=query, headers={"Content-Type": SPARQL_QUERY})
    assert response.status_code == 400
    assert "property-path" in detail(response)


def test_overlong_query_and_body_are_refused(client: TestClient) -> None:
    long_query = "#" + "x" * 60_000 + "\nASK {}"
    response = client.post("/sparql", content=long_query, headers={"Content-Type": SPARQL_QUERY})
    assert response.status_code == 400
    assert "characters long" in detail(response)
    huge = client.post("/sparql", content=b"#" * 400_000, headers={"Content-Type": SPARQL_QUERY})
    assert huge.status_code == 413


def test_an_answer_over_the_cap_is_refused_not_built(built_store: OxigraphStore) -> None:
    store = OxigraphStore(None)
    store.replace_all(built_store.dump())
    store.max_result_bytes = 100_000
    with TestClient(create_app(store)) as client:
        response = get(client, "SELECT * WHERE { ?s ?p ?o }")
        assert response.status_code == 400
        assert "larger than" in detail(response)
        assert rows_of(get(client, "SELECT * WHERE { ?s ?p ?o } LIMIT 3")) != []


# ------------------------------------------------------------------ one query, one request


def test_two_query_parameters_are_400(client: TestClient) -> None:
    response = client.get("/sparql", params=[("query", "ASK {}"), ("query", "SELECT * {}")])
    assert response.status_code == 400
    assert "2 queries" in detail(response)


def test_query_in_body_and_url_is_400(client: TestClient) -> None:
    direct = client.post(
        "/sparql",
        params={"query": "ASK {}"},
        content="ASK {}",
        headers={"Content-Type": SPARQL_QUERY},
    )
    assert direct.status_code == 400
    assert "both" in detail(direct)
    form = client.post(
        "/sparql",
        params={"query": "ASK {}"},
        content="query=ASK%20%7B%7D",
        headers={"Content-Type": FORM},
    )
    assert form.status_code == 400
    assert "2 queries" in detail(form)


# ------------------------------------------------------------------ never a 500

ODD_REQUESTS: list[tuple[str, dict[str, Any], int]] = [
    ("empty query", {"method": "GET", "params": {"query": ""}}, 400),
    ("blank query", {"method": "GET", "params": {"query": "   \n "}}, 400),
    ("invalid percent utf-8", {"method": "GET", "url": "/sparql?query=%FF%FE%20ASK"}, 400),
    ("nul byte", {"method": "GET", "params": {"query": "ASK {\x00}"}}, 400),
    (
        "form with bad utf-8 escape",
        {"method": "POST", "content": b"query=%FF", "headers": {"Content-Type": FORM}},
        400,
    ),
    (
        "form with raw bad utf-8",
        {"method": "POST", "content": b"query=\xff", "headers": {"Content-Type": FORM}},
        400,
    ),
    (
        "direct with bad utf-8",
        {"method": "POST", "content": b"ASK {\xff}", "headers": {"Content-Type": SPARQL_QUERY}},
        400,
    ),
    (
        "form without a query",
        {"method": "POST", "content": b"default-graph-uri=x", "headers": {"Content-Type": FORM}},
        400,
    ),
    (
        "form in latin-1",
        {
            "method": "POST",
            "content": b"query=ASK%20%7B%7D",
            "headers": {"Content-Type": f"{FORM}; charset=ISO-8859-1"},
        },
        415,
    ),
    (
        "multipart",
        {
            "method": "POST",
            "content": b"--x\r\n",
            "headers": {"Content-Type": "multipart/form-data; boundary=x"},
        },
        415,
    ),
    (
        "garbage content type",
        {"method": "POST", "content": b"ASK {}", "headers": {"Content-Type": ";;;"}},
        415,
    ),
    (
        "negative limit",
        {"method": "GET", "params": {"query": "SELECT * { ?s ?p ?o } LIMIT -1"}},
        400,
    ),
    (
        "garbage accept",
        {"method": "GET", "params": {"query": "ASK {}"}, "headers": {"Accept": "foo"}},
        200,
    ),
    (
        "accept with bad q",
        {
            "method": "GET",
            "params": {"query": "ASK {}"},
            "headers": {"Accept": f"{RESULTS_JSON};q=x"},
        },
        406,
    ),
    ("empty format", {"method": "GET", "params": {"query": "ASK {}", "format": ""}}, 200),
    ("division by zero", {"method": "GET", "params": {"query": "SELECT (1/0 AS ?x) {}"}}, 200),
    (
        "unterminated long string",
        {"method": "GET", "params": {"query": "ASK { FILTER('''x) }"}},
        400,
    ),
    ("delete method", {"method": "DELETE", "params": {"query": "ASK {}"}}, 405),
]


@pytest.mark.parametrize(
    ("request_args", "status"),
    [(args, status) for _, args, status in ODD_REQUESTS],
    ids=[name for name, _, _ in ODD_REQUESTS],
)
def test_odd_requests_never_give_500(
    client: TestClient, request_args: dict[str, Any], status: int
) -> None:
    args = dict(request_args)
    response = client.request(args.pop("method"), args.pop("url", "/sparql"), **args)
    assert response.status_code == status, response.text
    if status in {400, 406, 415}:
        detail(response)


# ------------------------------------------------------------------ query form without a parse


@pytest.mark.parametrize(
    ("text", "form", "has_from", "service"),
    [
        ("SELECT * {}", "SELECT", False, False),
        ("  ask {}", "ASK", False, False),
        ("construct where { ?s ?p ?o }", "CONSTRUCT", False, False),
        ("DESCRIBE <x>", "DESCRIBE", False, False),
        (
            "PREFIX : <http://x/>\nPREFIX a: <http://y/>\nBASE <http://b/>\nSELECT * {}",
            "SELECT",
            False,
            False,
        ),
        ("# INSERT here\nSELECT * {}", "SELECT", False, False),
        ("PREFIX ex: <http://x/#INSERT>\nASK {}", "ASK", False, False),
        ("SELECT ?x { BIND('''DELETE\nSERVICE''' AS ?x) }", "SELECT", False, False),
        ("SELECT * FROM <g> {}", "SELECT", True, False),
        ("SELECT * FROM NAMED <g> {}", "SELECT", True, False),
        ("SELECT * { SERVICE <http://x/> {} }", "SELECT", False, True),
        ("SELECT * { service silent ?x {} }", "SELECT", False, True),
        ("SELECT * { ?s ex:SERVICE ?service }", "SELECT", False, False),
        ("INSERT DATA {}", "UPDATE", False, False),
        ("PREFIX x: <y>\nWITH <g> DELETE {} WHERE {}", "UPDATE", False, False),
        ("load <http://x/>", "UPDATE", False, False),
        ("CREATE GRAPH <g>", "UPDATE", False, False),
        ("ADD <a> TO <b>", "UPDATE", False, False),
        ("MOVE <a> TO <b>", "UPDATE", False, False),
        ("COPY <a> TO <b>", "UPDATE", False, False),
        ("", "UNKNOWN", False, False),
        ("SELEC * {}", "UNKNOWN", False, False),
    ],
)
def test_query_form_is_read_without_a_parse(
    text: str, form: str, has_from: bool, service: bool
) -> None:
    shape = inspect_query(text)
    assert (shape.form, shape.has_dataset_clause, shape.uses_service) == (form, has_from, service)


# ------------------------------------------------------------------ OpenAPI


def test_openapi_declares_the_protocol_responses(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operations = spec["paths"]["/sparql"]
    get_responses = operations["get"]["responses"]
    assert {"200", "400", "406"} <= set(get_responses)
    assert {RESULTS_JSON, TEXT_CSV, TURTLE_TYPE, JSON_LD} <= set(get_responses["200"]["content"])
    parameters = {p["name"] for p in operations["get"]["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri", "format"} <= parameters
    post = operations["post"]
    assert {"400", "406", "413", "415"} <= set(post["responses"])
    assert {FORM, SPARQL_QUERY} <= set(post["requestBody"]["content"])


# ------------------------------------------------------------------ W3C SPARQL 1.1 protocol tests

W3C_MANIFEST = Path(__file__).parent / "w3c" / "protocol" / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
W3C_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"


@dataclass
class W3CCase:
    """One W3C protocol test as a request against the bundled graph, and what it must answer."""

    method: str = "GET"
    params: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    status: set[int] = field(default_factory=lambda: {200})
    check: Callable[[httpx.Response, Dataset], None] | None = None


def _boolean(expected: Callable[[Dataset], bool]) -> Callable[[httpx.Response, Dataset], None]:
    def check(response: httpx.Response, dataset: Dataset) -> None:
        assert response.json()["boolean"] is expected(dataset)

    return check


def _media_type_in(*allowed: str) -> Callable[[httpx.Response, Dataset], None]:
    def check(response: httpx.Response, _dataset: Dataset) -> None:
        assert media_type(response) in allowed

    return check


def _full_dataset(response: httpx.Response, dataset: Dataset) -> None:
    rows = rows_of(response)
    assert rows, "objects shared by the records graph and the two letters"
    assert {row["g"]["value"] for row in rows} <= {str(TK75), str(TK50)}
    # the same join over the rdflib dataset: records as default graph, the letters as named
    records = dataset.graph(RECORDS)
    expected = {
        str(name)
        for name in (TK75, TK50)
        for (_, _, o) in dataset.graph(name)
        if (None, None, o) in records
    }
    assert {row["g"]["value"] for row in rows} == expected


def _construct_relative(response: httpx.Response, _dataset: Dataset) -> None:
    assert media_type(response) in {RDF_XML, TURTLE_TYPE, N_TRIPLES}
    graph = Graph().parse(data=response.content, format=GRAPH_PARSERS[media_type(response)])
    base = ID_IRI.removesuffix("id/")
    assert set(graph) == {(URIRef(base + "s"), URIRef(base + "p"), Literal(1))}


def _in_graph(graph: URIRef, subject: URIRef) -> Callable[[Dataset], bool]:
    return lambda dataset: (subject, None, None) in dataset.graph(graph)


ASK_EMPTY = "ASK {}"
DIRECT = {"Content-Type": SPARQL_QUERY}
W3C_CASES: dict[str, W3CCase] = {
    "query_get": W3CCase(params=[("query", ASK_EMPTY)], check=_boolean(lambda _: True)),
    "query_post_form": W3CCase(
        method="POST",
        body=b"query=ASK%20%7B%7D",
        headers={"Content-Type": FORM},
        check=_boolean(lambda _: True),
    ),
    "query_post_direct": W3CCase(
        method="POST", body=ASK_EMPTY.encode(), headers=DIRECT, check=_boolean(lambda _: True)
    ),
    # their data1.rdf is a graph describing itself; ours: the letter's graph describes the letter
    "query_dataset_default_graphs_get": W3CCase(
        params=[("query", f"ASK {{ <{DOC75}> ?p ?o }}"), ("default-graph-uri", TK75)],
        check=_boolean(_in_graph(TK75, DOC75)),
    ),
    "query_dataset_default_graphs_post": W3CCase(
        method="POST",
        params=[("default-graph-uri", TK75), ("default-graph-uri", TK50)],
        body=f"ASK {{ <{DOC75}> ?p ?o . <{DOC50}> ?p ?o }}".encode(),
        headers=DIRECT,
        check=_boolean(lambda d: _in_graph(TK75, DOC75)(d) and _in_graph(TK50, DOC50)(d)),
    ),
    "query_dataset_named_graphs_post": W3CCase(
        method="POST",
        params=[("named-graph-uri", TK75), ("named-graph-uri", TK50)],
        body=b"ASK { GRAPH ?g { ?s ?p ?o } }",
        headers=DIRECT,
        check=_boolean(lambda _: True),
    ),
    "query_dataset_named_graphs_get": W3CCase(
        params=[
            ("query", "ASK { GRAPH ?g { ?s ?p ?o } }"),
            ("named-graph-uri", TK75),
            ("named-graph-uri", TK50),
        ],
        check=_boolean(lambda _: True),
    ),
    "query_dataset_full": W3CCase(
        method="POST",
        params=[
            ("default-graph-uri", RECORDS),
            ("named-graph-uri", TK75),
            ("named-graph-uri", TK50),
        ],
        body=b"SELECT DISTINCT ?g WHERE { ?x ?y ?o GRAPH ?g { ?s ?p ?o } }",
        headers=DIRECT,
        check=_full_dataset,
    ),
    # FROM names the letter's own graph, the protocol another letter's: the protocol wins, so
    # the relative IRI (resolved against the endpoint) finds nothing
    "query_multiple_dataset": W3CCase(
        method="POST",
        params=[("default-graph-uri", TK50)],
        body=f"ASK FROM <{TK75}> {{ <id/document/tk-32637-75> ?p ?o }}".encode(),
        headers=DIRECT,
        check=_boolean(_in_graph(TK50, DOC75)),
    ),
    "query_content_type_select": W3CCase(
        method="POST",
        body=b"SELECT (1 AS ?value) {}",
        headers=DIRECT,
        check=_media_type_in(RESULTS_XML, RESULTS_JSON, TEXT_CSV, TEXT_TSV),
    ),
    "query_content_type_ask": W3CCase(
        method="POST",
        body=ASK_EMPTY.encode(),
        headers=DIRECT,
        check=_media_type_in(RESULTS_XML, RESULTS_JSON),
    ),
    "query_content_type_describe": W3CCase(
        method="POST",
        body=b"DESCRIBE <http://example.org/>",
        headers=DIRECT,
        check=_media_type_in(RDF_XML, TURTLE_TYPE, N_TRIPLES),
    ),
    "query_content_type_construct": W3CCase(
        method="POST",
        body=b"CONSTRUCT { <s> <p> 1 } WHERE {}",
        headers=DIRECT,
        check=_construct_relative,
    ),
    "bad_query_method": W3CCase(method="PUT", params=[("query", ASK_EMPTY)], status={405}),
    "bad_multiple_queries": W3CCase(
        params=[("query", ASK_EMPTY), ("query", "SELECT * {}")], status={400}
    ),
    "bad_query_wrong_media_type": W3CCase(
        method="POST", body=ASK_EMPTY.encode(), headers={"Content-Type": "text/plain"}, status={415}
    ),
    "bad_query_missing_form_type": W3CCase(method="POST", body=b"query=ASK%20%7B%7D", status={415}),
    "bad_query_missing_direct_type": W3CCase(method="POST", body=ASK_EMPTY.encode(), status={415}),
    "bad_query_non_utf8": W3CCase(
        method="POST",
        body=ASK_EMPTY.encode("utf-16"),
        headers={"Content-Type": f"{SPARQL_QUERY}; charset=UTF-16"},
        status={415},
    ),
    "bad_query_syntax": W3CCase(params=[("query", "ASK {")], status={400}),
    # the update operation's negative tests hold here too: every one is refused, nothing runs
    "bad_update_get": W3CCase(params=[("update", "CLEAR ALL")], status={400}),
    "bad_multiple_updates": W3CCase(
        method="POST",
        body=b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
        headers={"Content-Type": FORM},
        status={400},
    ),
    "bad_update_wrong_media_type": W3CCase(
        method="POST", body=b"CLEAR NAMED", headers={"Content-Type": "text/plain"}, status={415}
    ),
    "bad_update_missing_form_type": W3CCase(
        method="POST", body=b"update=CLEAR%20NAMED", status={415}
    ),
    "bad_update_non_utf8": W3CCase(
        method="POST",
        body="CLEAR NAMED".encode("utf-16"),
        headers={"Content-Type": "application/sparql-update; charset=UTF-16"},
        status={400},
    ),
    "bad_update_syntax": W3CCase(
        method="POST", body=b"update=CLEAR%20XYZ", headers={"Content-Type": FORM}, status={400}
    ),
    "bad_update_dataset_conflict": W3CCase(
        method="POST",
        body=(
            b"using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople&update="
            + quote(
                "WITH <http://example/addresses> DELETE { ?p <http://x/n> 'Bill' } "
                "INSERT { ?p <http://x/n> 'William' } WHERE { ?p <http://x/n> 'Bill' }"
            ).encode()
        ),
        headers={"Content-Type": FORM},
        status={400},
    ),
}
W3C_LEFT_OUT = {
    # positive tests of the update operation, which this endpoint does not offer
    "update_dataset_default_graph": "update operation not served (read-only endpoint)",
    "update_dataset_default_graphs": "update operation not served (read-only endpoint)",
    "update_dataset_named_graphs": "update operation not served (read-only endpoint)",
    "update_dataset_full": "update operation not served (read-only endpoint)",
    "update_post_form": "update operation not served (read-only endpoint)",
    "update_post_direct": "update operation not served (read-only endpoint)",
    "update_base_uri": "update operation not served (read-only endpoint)",
}


def test_every_w3c_protocol_test_is_encoded_or_excused() -> None:
    manifest = Graph().parse(W3C_MANIFEST, format="turtle")
    names = {
        str(test).removeprefix(W3C_BASE) for test in manifest.subjects(RDF.type, MF.ProtocolTest)
    }
    assert len(names) == 34
    assert names == set(W3C_CASES) | set(W3C_LEFT_OUT)
    assert not set(W3C_CASES) & set(W3C_LEFT_OUT)


@pytest.mark.parametrize("name", sorted(W3C_CASES))
def test_w3c_protocol(
    writable: tuple[TestClient, OxigraphStore], bundled_rdf: Dataset, name: str
) -> None:
    client, store = writable  # a writable store, so a refused update is seen to change nothing
    case = W3C_CASES[name]
    before = store.dump()
    response = client.request(
        case.method, "/sparql", params=case.params, headers=case.headers, content=case.body
    )
    assert response.status_code in case.status, response.text
    if case.check is not None:
        case.check(response, bundled_rdf)
    assert store.dump() == before


# ------------------------------------------------------------------ a real client: SPARQLWrapper


def wrapper(live_server: str, query: str, return_format: str) -> SPARQLWrapper:
    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(return_format)
    return client


def vhto_commitments(dataset: Dataset) -> set[str]:
    return {
        str(s)
        for g in dataset.graphs()
        for s in g.subjects(PACT.owner, VHTO)
        if any((s, RDF.type, PACT.Commitment) in h for h in dataset.graphs())
    }


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_select_json(live_server: str, bundled_rdf: Dataset, method: str) -> None:
    client = wrapper(live_server, VHTO_COMMITMENTS, JSON)
    client.setMethod(method)
    bindings = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert {b["commitment"]["value"] for b in bindings} == vhto_commitments(bundled_rdf)
    assert bindings
    labels = wrapper(live_server, VHTO_LABEL, JSON).queryAndConvert()
    assert {b["label"]["value"] for b in labels["results"]["bindings"]} == vhto_labels(bundled_rdf)  # type: ignore[index]


def test_sparqlwrapper_construct_turtle(live_server: str, bundled_rdf: Dataset) -> None:
    query = (
        f"{PREFIXES}CONSTRUCT {{ ?c pact:owner <{VHTO}> ; skos:prefLabel ?label }} "
        f"WHERE {{ ?c pact:owner <{VHTO}> ; skos:prefLabel ?label }}"
    )
    body = wrapper(live_server, query, TURTLE).queryAndConvert()
    assert isinstance(body, bytes)
    graph = Graph().parse(data=body, format="turtle")
    assert {str(s) for s in graph.subjects(PACT.owner, VHTO)} == vhto_commitments(bundled_rdf)
    assert len(set(graph.triples((None, SKOS.prefLabel, None)))) >= 1


def test_sparqlwrapper_construct_as_rdf_xml_graph(live_server: str, bundled_rdf: Dataset) -> None:
    graph = wrapper(live_server, VHTO_CONSTRUCT, XML).queryAndConvert()
    assert isinstance(graph, Graph)
    assert {str(o) for o in graph.objects(VHTO, SKOS.prefLabel)} == vhto_labels(bundled_rdf)


def test_sparqlwrapper_ask(live_server: str) -> None:
    assert wrapper(live_server, VHTO_ASK, JSON).queryAndConvert()["boolean"] is True  # type: ignore[index]
    missing = VHTO_ASK.replace('"VHTO"@nl', '"not VHTO"@nl')
    assert wrapper(live_server, missing, JSON).queryAndConvert()["boolean"] is False  # type: ignore[index]


def test_sparqlwrapper_select_csv(live_server: str, bundled_rdf: Dataset) -> None:
    body = wrapper(live_server, VHTO_LABEL, CSV).queryAndConvert()
    assert isinstance(body, bytes)
    lines = body.decode().splitlines()
    assert lines[0] == "label"
    assert set(lines[1:]) == vhto_labels(bundled_rdf)


# ------------------------------------------------------------------ the query page in a browser


@dataclass
class Watch:
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)


@pytest.fixture(scope="module")
def chromium_tab(live_server: str) -> Iterator[tuple[Any, Watch]]:
    with fresh_chromium("pactgraph-sparql-") as context:
        tab = context.new_page()
        watch = Watch()
        tab.on("console", lambda m: m.type == "error" and watch.console_errors.append(m.text))
        tab.on("pageerror", lambda e: watch.page_errors.append(str(e)))
        tab.on("request", lambda r: watch.hosts.add(urlsplit(r.url).hostname or r.url))
        yield tab, watch


def test_query_page_runs_the_example_and_links_locally(
    live_server: str, chromium_tab: tuple[Any, Watch], bundled_rdf: Dataset
) -> None:
    tab, watch = chromium_tab
    tab.goto(live_server + "/sparql")
    tab.click("#sparql-run")
    tab.wait_for_selector("#sparql-results tbody tr")
    links = tab.eval_on_selector_all(
        "#sparql-results tbody a", "links => links.map(a => a.getAttribute('href'))"
    )
    commitments = {href for href in links if href.startswith("/id/commitment/")}
    assert commitments == {
        "/" + iri.removeprefix(ID_IRI.removesuffix("id/")) for iri in vhto_commitments(bundled_rdf)
    }
    csv_link = tab.get_attribute("#download-csv", "href")
    assert "format=csv" in csv_link
    assert tab.is_hidden("#download-ttl")
    assert tab.is_visible("#download-json")
    downloaded = httpx.get(live_server + csv_link)
    assert downloaded.status_code == 200
    assert media_type(downloaded) == TEXT_CSV
    assert watch.console_errors == []
    assert watch.page_errors == []
    assert watch.hosts <= {"127.0.0.1"}


def test_query_page_shows_triples_and_errors(
    live_server: str, chromium_tab: tuple[Any, Watch]
) -> None:
    tab, watch = chromium_tab
    tab.goto(live_server + "/sparql")
    labels = tab.eval_on_selector_all("#sparql-example option", "os => os.map(o => o.textContent)")
    tab.select_option("#sparql-example", label=next(t for t in labels if "DESCRIBE" in t))
    tab.wait_for_selector("#sparql-results tbody tr")
    cells = tab.eval_on_selector_all(
        "#sparql-results tbody td", "tds => tds.map(t => t.textContent)"
    )
    assert any("VHTO" in cell for cell in cells)
    assert tab.is_visible("#download-ttl")
    errors_before = list(watch.console_errors)
    tab.fill("#sparql-query", "SELECT * WHERE { ?s ?p ")
    tab.click("#sparql-run")
    tab.wait_for_selector("#sparql-error:not([hidden])")
    assert tab.inner_text("#sparql-error").startswith("Syntax error at line 1")
    # the browser itself logs the 400 it was given; the page's own code logs nothing
    new_errors = watch.console_errors[len(errors_before) :]
    assert len(new_errors) <= 1
    assert all("status of 400" in e for e in new_errors)
    assert watch.page_errors == []
    assert watch.hosts <= {"127.0.0.1"}


def test_query_page_from_a_link_runs_it(live_server: str, chromium_tab: tuple[Any, Watch]) -> None:
    tab, watch = chromium_tab
    tab.goto(f"{live_server}/sparql?query={quote(VHTO_ASK)}")
    tab.wait_for_function(
        "() => (document.getElementById('sparql-status').textContent || '').includes('true')"
    )
    assert watch.page_errors == []
