"""Edits with authority and provenance: tokens, refusals that change nothing, the change log.

Every refused edit is checked against a dump of the store taken before it: byte-identical
after. Every applied edit is checked in the store and in the change log, credited to the
token's name.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from pactgraph.api.app import create_app
from pactgraph.api.edits import EditTokens, TokenConfigError
from pactgraph.graph import edits
from pactgraph.graph.cli import main
from pactgraph.graph.store import OxigraphStore

ID = "https://w3id.org/pactgraph/id/"
RECORDS = "https://w3id.org/pactgraph/graph/records"
VHTO = f"{ID}organisation/vhto"
COMMITMENT = f"{ID}commitment/c75-de-krom-aanjager-tot-eind-2013"
SECRETARIAT_TOKEN = "secretariat-" + "s" * 24
EVALUATOR_TOKEN = "evaluator-" + "e" * 24
TOKENS = EditTokens.parse(
    f"# edit tokens\nsecretariat:{SECRETARIAT_TOKEN}\nevaluator:{EVALUATOR_TOKEN}\n", "test"
)
AS_SECRETARIAT = {"Authorization": f"Bearer {SECRETARIAT_TOKEN}"}
AS_EVALUATOR = {"Authorization": f"Bearer {EVALUATOR_TOKEN}"}
PREFIXES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX pact: <https://w3id.org/pactgraph/def#>
PREFIX org: <http://www.w3.org/ns/org#>
"""
ADD_ALT_LABEL = (
    PREFIXES
    + f'INSERT DATA {{ GRAPH <{RECORDS}> {{ <{VHTO}> skos:altLabel "Vrouwen in techniek"@nl }} }}'
)
HAS_ALT_LABEL = (
    f'ASK {{ <{VHTO}> <http://www.w3.org/2004/02/skos/core#altLabel> "Vrouwen in techniek"@nl }}'
)


@pytest.fixture
def editor(store: OxigraphStore) -> Iterator[TestClient]:
    """A client of an app that takes edits from the two test tokens."""
    with TestClient(create_app(store, edit_tokens=TOKENS)) as client:
        yield client


@pytest.fixture
def listener() -> Iterator[tuple[str, list[bytes]]]:
    """A loopback TCP listener that records every connection it gets (it must get none)."""
    hits: list[bytes] = []
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with connection:
                connection.settimeout(1)
                try:
                    hits.append(connection.recv(4096))
                except OSError:
                    hits.append(b"")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", hits
    stop.set()
    thread.join(timeout=5)
    server.close()


def post_update(client: TestClient, update: str, headers: dict[str, str] | None = None):
    return client.post(
        "/sparql/update",
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update", **(headers or {})},
    )


def changelog_agents(store: OxigraphStore) -> list[str]:
    rows = store.select(
        f"""SELECT ?agent WHERE {{ GRAPH <{edits.CHANGELOG_GRAPH}> {{
            ?a a <http://www.w3.org/ns/prov#Activity> ;
               <http://www.w3.org/ns/prov#wasAssociatedWith> ?agent ;
               <http://www.w3.org/ns/prov#startedAtTime> ?t }} }} ORDER BY ?t"""
    ).rows
    return [str(row["agent"]) for row in rows]


# ------------------------------------------------------------------ tokens


def test_token_file_gives_names_and_refuses_weak_or_ambiguous_entries(tmp_path: Path) -> None:
    assert TOKENS.names == ("secretariat", "evaluator")
    assert TOKENS.agent(EVALUATOR_TOKEN) == "evaluator"
    assert TOKENS.agent(EVALUATOR_TOKEN[:-1]) is None
    assert TOKENS.agent(EVALUATOR_TOKEN + "x") is None
    with pytest.raises(TokenConfigError, match="at least 16"):
        EditTokens.parse("secretariat:short", "tokens")
    with pytest.raises(TokenConfigError, match="name:token"):
        EditTokens.parse(f"{SECRETARIAT_TOKEN}", "tokens")
    with pytest.raises(TokenConfigError, match="twice"):
        EditTokens.parse(f"a:{SECRETARIAT_TOKEN}\nb:{SECRETARIAT_TOKEN}", "tokens")
    file = tmp_path / "tokens"
    file.write_text(f"secretariat:{SECRETARIAT_TOKEN}\n", encoding="utf-8")
    from_file = EditTokens.from_environment({"PACTGRAPH_TOKENS_FILE": str(file)})
    assert from_file is not None and from_file.names == ("secretariat",)
    inline = EditTokens.from_environment(
        {"PACTGRAPH_TOKENS": f"a:{SECRETARIAT_TOKEN},b:{EVALUATOR_TOKEN}"}
    )
    assert inline is not None and inline.names == ("a", "b")
    assert EditTokens.from_environment({}) is None
    with pytest.raises(TokenConfigError, match="not both"):
        EditTokens.from_environment(
            {"PACTGRAPH_TOKENS_FILE": str(file), "PACTGRAPH_TOKENS": f"a:{EVALUATOR_TOKEN}"}
        )


# ------------------------------------------------------------------ authority


def test_edits_are_disabled_when_no_tokens_are_configured(
    client: TestClient, built_store: OxigraphStore
) -> None:
    before = built_store.dump()
    response = post_update(client, ADD_ALT_LABEL, AS_SECRETARIAT)
    assert response.status_code == 403
    assert "disabled" in response.json()["detail"]
    upload = client.post(
        "/edits/records",
        content=b"<a> <b> <c> .",
        headers={"Content-Type": "text/turtle", **AS_SECRETARIAT},
    )
    assert upload.status_code == 403
    assert built_store.dump() == before


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": f"Basic {SECRETARIAT_TOKEN}"}, {"Authorization": "Bearer"}],
    ids=["no header", "basic scheme", "empty bearer"],
)
def test_an_edit_without_a_bearer_token_is_401_and_changes_nothing(
    editor: TestClient, store: OxigraphStore, headers: dict[str, str]
) -> None:
    before = store.dump()
    response = post_update(editor, ADD_ALT_LABEL, headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    upload = editor.post(
        "/edits/records", content=b"", headers={"Content-Type": "text/turtle", **headers}
    )
    assert upload.status_code == 401
    assert store.dump() == before
    assert not store.ask(HAS_ALT_LABEL)


@pytest.mark.parametrize(
    "token",
    ["wrong-token-wrong-token", SECRETARIAT_TOKEN[:-1], SECRETARIAT_TOKEN + "s", "secretariat"],
)
def test_an_edit_with_a_wrong_token_is_403_and_changes_nothing(
    editor: TestClient, store: OxigraphStore, token: str
) -> None:
    before = store.dump()
    response = post_update(editor, ADD_ALT_LABEL, {"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert "not valid" in response.json()["detail"]
    assert store.dump() == before


def test_no_cors_is_granted_to_a_foreign_origin_on_edit_routes(
    editor: TestClient, store: OxigraphStore
) -> None:
    """A preflight gets no Access-Control-* grant; a cross-origin POST is refused even with a
    valid token (a page on another site must never edit), and nothing changes."""
    before = store.dump()
    foreign = "https://elsewhere.example"
    for path in ("/sparql/update", "/edits/records"):
        preflight = editor.options(
            path,
            headers={
                "Origin": foreign,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert not 200 <= preflight.status_code < 300
        assert not any(h.startswith("access-control-") for h in preflight.headers)
    response = post_update(editor, ADD_ALT_LABEL, {**AS_SECRETARIAT, "Origin": foreign})
    assert response.status_code == 403
    assert "another site" in response.json()["detail"]
    assert not any(h.startswith("access-control-") for h in response.headers)
    assert store.dump() == before
    same_site = post_update(
        editor, ADD_ALT_LABEL, {**AS_SECRETARIAT, "Origin": "http://testserver"}
    )
    assert same_site.status_code == 200
    assert not any(h.startswith("access-control-") for h in same_site.headers)


# ------------------------------------------------------------------ applied edits


def test_an_update_is_applied_and_logged_with_the_tokens_name(
    editor: TestClient, store: OxigraphStore
) -> None:
    response = editor.post("/sparql/update", data={"update": ADD_ALT_LABEL}, headers=AS_SECRETARIAT)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["applied"] is True
    assert (body["agent"], body["added"], body["removed"]) == ("secretariat", 1, 0)
    assert body["graphs"] == [RECORDS]
    assert store.ask(HAS_ALT_LABEL)
    assert changelog_agents(store) == [f"{ID}agent/secretariat"]
    record = store.select(
        f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?started ?ended ?graph ?description WHERE {{ GRAPH <{edits.CHANGELOG_GRAPH}> {{
            <{body["activity"]}> prov:startedAtTime ?started ; prov:endedAtTime ?ended ;
                prov:influenced ?graph ; <http://purl.org/dc/terms/description> ?description
        }} }}"""
    ).rows
    assert len(record) == 1
    assert str(record[0]["graph"]) == RECORDS
    assert record[0]["started"].toPython() <= record[0]["ended"].toPython()
    assert "+1 −0" in str(record[0]["description"])
    assert "skos:altLabel" in str(record[0]["description"])


def test_a_changed_status_replaces_the_old_one_and_history_is_newest_first(
    editor: TestClient, store: OxigraphStore
) -> None:
    first = post_update(editor, ADD_ALT_LABEL, AS_SECRETARIAT)
    assert first.status_code == 200
    status_before = store.select(
        f"SELECT ?s WHERE {{ <{COMMITMENT}> <https://w3id.org/pactgraph/def#status> ?s }}"
    ).rows
    assert len(status_before) == 1
    change_status = (
        PREFIXES
        + f"""
        DELETE {{ GRAPH ?g {{ <{COMMITMENT}> pact:status ?old }} }}
        INSERT {{ GRAPH ?g {{ <{COMMITMENT}> pact:status <{ID}status/not-met> }} }}
        WHERE {{ GRAPH ?g {{ <{COMMITMENT}> pact:status ?old }} }}"""
    )
    second = post_update(editor, change_status, AS_EVALUATOR)
    assert second.status_code == 200, second.text
    assert (second.json()["added"], second.json()["removed"]) == (1, 1)
    status_after = store.select(
        f"SELECT ?s WHERE {{ <{COMMITMENT}> <https://w3id.org/pactgraph/def#status> ?s }}"
    ).rows
    assert [str(r["s"]) for r in status_after] == [f"{ID}status/not-met"]
    history = editor.get("/edits").json()
    assert [h["agent"] for h in history] == ["evaluator", "secretariat"]
    assert history[0]["activity"] == second.json()["activity"]


def test_an_update_that_changes_nothing_is_not_logged(
    editor: TestClient, store: OxigraphStore
) -> None:
    no_match = PREFIXES + f"DELETE WHERE {{ <{VHTO}> skos:prefLabel ?label }}"  # default graph
    response = post_update(editor, no_match, AS_SECRETARIAT)
    assert response.status_code == 200
    assert response.json()["applied"] is False
    assert "GRAPH ?g" in response.json()["detail"]
    assert changelog_agents(store) == []


# ------------------------------------------------------------------ refused edits


def refused(
    client: TestClient, store: OxigraphStore, update: str, status: int
) -> dict[str, object]:
    """Post ``update`` as the secretariat; assert the status and that nothing changed."""
    before = store.dump()
    response = post_update(client, update, AS_SECRETARIAT)
    assert response.status_code == status, response.text
    assert store.dump() == before
    body: dict[str, object] = response.json()
    return body


def test_an_oversized_update_is_a_json_413_and_changes_nothing(
    editor: TestClient, store: OxigraphStore
) -> None:
    body = refused(editor, store, ADD_ALT_LABEL + "#" * 300_000, 413)
    assert "limit is 262,144 bytes" in str(body["detail"])
    assert "more than" not in str(body["detail"])  # refused by its Content-Length, unread
    assert "/edits/records" in str(body["detail"])


def test_an_oversized_upload_without_a_length_is_stopped_while_it_streams(
    editor: TestClient, store: OxigraphStore
) -> None:
    before = store.dump()

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is found while reading
        for _ in range(100):
            yield b"#" * 65_536

    response = editor.post(
        "/edits/records",
        content=chunks(),
        headers={"Content-Type": "text/turtle", **AS_SECRETARIAT},
    )
    assert response.status_code == 413
    assert "more than 4,194,304 bytes" in response.json()["detail"]
    assert store.dump() == before


def test_a_multi_operation_update_whose_second_part_fails_applies_nothing(
    editor: TestClient, store: OxigraphStore
) -> None:
    update = ADD_ALT_LABEL + f" ;\nDROP GRAPH <{ID}graph/that-does-not-exist>"
    body = refused(editor, store, update, 400)
    assert "No part of it was applied" in str(body["detail"])
    assert not store.ask(HAS_ALT_LABEL)


def test_a_multi_operation_update_whose_second_part_violates_the_shapes_applies_nothing(
    editor: TestClient, store: OxigraphStore
) -> None:
    update = ADD_ALT_LABEL + f" ;\nDELETE WHERE {{ GRAPH ?g {{ <{COMMITMENT}> pact:owner ?o }} }}"
    refused(editor, store, update, 422)
    assert not store.ask(HAS_ALT_LABEL)


def test_an_edit_that_violates_the_shapes_is_refused_with_the_report(
    editor: TestClient, store: OxigraphStore
) -> None:
    remove_owner = PREFIXES + f"DELETE WHERE {{ GRAPH ?g {{ <{COMMITMENT}> pact:owner ?o }} }}"
    body = refused(editor, store, remove_owner, 422)
    violations = body["violations"]
    assert isinstance(violations, list) and len(violations) == 1
    assert violations[0]["focus"] == COMMITMENT
    assert violations[0]["path"] == "pact:owner"
    assert "exactly one owner" in violations[0]["message"]
    second_owner = PREFIXES + (
        f"INSERT DATA {{ GRAPH <{RECORDS}> {{ <{COMMITMENT}> pact:owner <{VHTO}> }} }}"
    )
    body = refused(editor, store, second_owner, 422)
    assert any("exactly one owner" in v["message"] for v in body["violations"])  # type: ignore[union-attr]
    assert changelog_agents(store) == []


@pytest.mark.parametrize(
    ("update", "status", "why"),
    [
        (
            f'INSERT DATA {{ GRAPH <{edits.CHANGELOG_GRAPH}> {{ <{ID}edit/x> <{ID}p> "x" }} }}',
            403,
            "change log",
        ),
        (
            "DELETE WHERE { GRAPH <https://w3id.org/pactgraph/graph/ontology> { ?s ?p ?o } }",
            403,
            "ontology",
        ),
        (f'INSERT DATA {{ <{VHTO}> <{ID}p> "in the default graph" }}', 400, "default graph"),
        ("INSERT DATA { GRAPH <x> { <a> <b> ", 400, "not valid SPARQL"),
        (f"SELECT * WHERE {{ <{VHTO}> ?p ?o }}", 400, "not a SPARQL Update"),
        ("INSERT DATA " + "{" * 100 + "}" * 100, 400, "nests brackets"),
        ("DELETE WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o } " * 600 + "}", 400, "clauses"),
    ],
    ids=[
        "forged change log",
        "ontology",
        "default graph",
        "syntax",
        "a query",
        "deep nesting",
        "too many clauses",
    ],
)
def test_edits_that_may_not_be_made_are_refused_unchanged(
    editor: TestClient, store: OxigraphStore, update: str, status: int, why: str
) -> None:
    body = refused(editor, store, update, status)
    assert why in str(body["detail"])


def test_load_and_service_in_an_update_are_refused_and_nothing_is_fetched(
    editor: TestClient, store: OxigraphStore, listener: tuple[str, list[bytes]]
) -> None:
    address, hits = listener
    load = f"LOAD <{address}/data.ttl> INTO GRAPH <{RECORDS}>"
    assert "LOAD is not allowed" in str(refused(editor, store, load, 400)["detail"])
    hidden_load = ADD_ALT_LABEL + f" ;\n  load silent <{address}/more.ttl>"
    assert "LOAD is not allowed" in str(refused(editor, store, hidden_load, 400)["detail"])
    service = (
        f"INSERT {{ GRAPH <{RECORDS}> {{ ?s ?p ?o }} }} "
        f"WHERE {{ SERVICE <{address}/sparql> {{ ?s ?p ?o }} }}"
    )
    assert "SERVICE is not allowed" in str(refused(editor, store, service, 400)["detail"])
    # SPARQL 1.1 lets \u escapes stand anywhere; an engine that decodes them reads these too
    escaped_load = f"\\u004COAD <{address}/escaped.ttl> INTO GRAPH <{RECORDS}>"
    assert "LOAD is not allowed" in str(refused(editor, store, escaped_load, 400)["detail"])
    escaped_service = service.replace("SERVICE", "\\u0053ERVICE")
    detail = str(refused(editor, store, escaped_service, 400)["detail"])
    assert "SERVICE is not allowed" in detail
    time.sleep(0.3)
    assert hits == []


def test_an_update_must_come_in_the_body_once(editor: TestClient, store: OxigraphStore) -> None:
    before = store.dump()
    in_url = editor.post("/sparql/update", params={"update": ADD_ALT_LABEL}, headers=AS_SECRETARIAT)
    assert in_url.status_code == 400
    as_get = editor.get("/sparql/update", params={"update": ADD_ALT_LABEL}, headers=AS_SECRETARIAT)
    assert as_get.status_code == 405
    twice = editor.post(
        "/sparql/update",
        content=f"update={ADD_ALT_LABEL}&update={ADD_ALT_LABEL}".replace("+", "%2B"),
        headers={"Content-Type": "application/x-www-form-urlencoded", **AS_SECRETARIAT},
    )
    assert twice.status_code == 400
    assert "exactly one" in twice.json()["detail"]
    wrong_type = editor.post(
        "/sparql/update",
        content=ADD_ALT_LABEL,
        headers={"Content-Type": "text/plain", **AS_SECRETARIAT},
    )
    assert wrong_type.status_code == 415
    with_a_query = editor.post(
        "/sparql/update",
        content=f"update={quote(ADD_ALT_LABEL)}&query={quote('ASK {}')}",
        headers={"Content-Type": "application/x-www-form-urlencoded", **AS_SECRETARIAT},
    )
    assert with_a_query.status_code == 400, with_a_query.text
    assert store.dump() == before


# ------------------------------------------------------------------ uploads

NEW_ORGANISATION = b"""@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<organisation/stichting-proef> a org:Organization, org:FormalOrganization ;
    skos:prefLabel "Stichting Proef"@nl .
"""


def upload(client: TestClient, body: bytes, media_type: str, **params: str):
    return client.post(
        "/edits/records",
        content=body,
        params=params,
        headers={"Content-Type": media_type, **AS_SECRETARIAT},
    )


def test_an_uploaded_organisation_is_served_with_its_label(
    editor: TestClient, store: OxigraphStore
) -> None:
    assert editor.get("/id/organisation/stichting-proef").status_code == 404
    response = upload(editor, NEW_ORGANISATION, "text/turtle")
    assert response.status_code == 200, response.text
    assert response.json()["graphs"] == [edits.EDITS_GRAPH]
    assert response.json()["added"] == 3
    page = editor.get("/id/organisation/stichting-proef", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "Stichting Proef" in page.text
    assert changelog_agents(store) == [f"{ID}agent/secretariat"]


def test_an_upload_that_violates_the_shapes_is_refused_unchanged(
    editor: TestClient, store: OxigraphStore
) -> None:
    before = store.dump()
    english_only = NEW_ORGANISATION.replace(b'"Stichting Proef"@nl', b'"Trial Foundation"@en')
    response = upload(editor, english_only, "text/turtle")
    assert response.status_code == 422
    assert (
        response.json()["violations"][0]["message"]
        == "An organisation has a Dutch preferred label."
    )
    assert store.dump() == before


def test_quads_keep_their_graph_and_triples_go_where_asked(
    editor: TestClient, store: OxigraphStore
) -> None:
    graph = f"{ID.removesuffix('id/')}graph/secretariat-notes"
    nquads = f'<{VHTO}> <http://www.w3.org/2000/01/rdf-schema#comment> "noted" <{graph}> .\n'
    assert upload(editor, nquads.encode(), "application/n-quads").status_code == 200
    triples = f'<{VHTO}> <http://www.w3.org/2000/01/rdf-schema#comment> "also noted" .\n'
    response = upload(editor, triples.encode(), "application/n-triples", graph=graph)
    assert response.status_code == 200
    rows = store.select(
        f"SELECT ?c WHERE {{ GRAPH <{graph}> {{ <{VHTO}> ?p ?c }} }} ORDER BY ?c"
    ).rows
    assert [str(r["c"]) for r in rows] == ["also noted", "noted"]


def test_awkward_literals_survive_the_transaction_exactly(
    editor: TestClient, store: OxigraphStore
) -> None:
    """The change is written back as SPARQL text: every escape must come out as it went in."""
    values = ['quote " and backslash \\', "line\nbreak\ttab", "één € 𝄞", "\u0007bell", ""]
    document = "".join(
        f"<{ID}test/literal-{i}> <http://www.w3.org/2000/01/rdf-schema#comment> "
        f"{ox.Literal(value)} .\n"
        for i, value in enumerate(values)
    )
    document += (
        f'<{ID}test/typed> <{ID}test/p> "42"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    )
    response = upload(editor, document.encode(), "application/n-triples")
    assert response.status_code == 200, response.text
    stored = {
        str(q.subject): q.object
        for q in ox.parse(store.dump(), ox.RdfFormat.N_QUADS)
        if str(q.graph_name) == f"<{edits.EDITS_GRAPH}>"
    }
    assert [stored[f"<{ID}test/literal-{i}>"].value for i in range(len(values))] == values
    assert stored[f"<{ID}test/typed>"] == ox.Literal(
        "42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    )


def test_jsonld_with_an_inline_context_is_added(editor: TestClient, store: OxigraphStore) -> None:
    document = {
        "@context": {"comment": "http://www.w3.org/2000/01/rdf-schema#comment"},
        "@id": VHTO,
        "comment": "from JSON-LD",
    }
    response = upload(editor, json.dumps(document).encode(), "application/ld+json")
    assert response.status_code == 200, response.text
    assert store.ask(f'ASK {{ <{VHTO}> ?p "from JSON-LD" }}')


@pytest.mark.parametrize(
    "context",
    [
        "{address}/context.jsonld",
        "file:///etc/passwd",
        ["{address}/a.jsonld"],
        {"@import": "{address}/b"},
    ],
    ids=["remote", "file", "in a list", "@import"],
)
def test_jsonld_naming_a_context_by_iri_is_refused_unfetched(
    editor: TestClient,
    store: OxigraphStore,
    listener: tuple[str, list[bytes]],
    context: object,
) -> None:
    address, hits = listener
    filled = json.loads(json.dumps(context).replace("{address}", address))
    document = {"@context": filled, "@id": VHTO, "comment": "x"}
    before = store.dump()
    response = upload(editor, json.dumps(document).encode(), "application/ld+json")
    assert response.status_code == 400
    assert "@context" in response.json()["detail"] or "@import" in response.json()["detail"]
    time.sleep(0.2)
    assert hits == []
    assert store.dump() == before


def test_rdfxml_with_entity_declarations_is_refused_unparsed(
    editor: TestClient, store: OxigraphStore, listener: tuple[str, list[bytes]]
) -> None:
    address, hits = listener
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    billion = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY l0 "lol">{laughs}]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="{VHTO}"><rdfs:comment>&l9;</rdfs:comment></rdf:Description>
</rdf:RDF>"""
    external = billion.replace(
        f'[<!ENTITY l0 "lol">{laughs}]', f'[<!ENTITY l9 SYSTEM "{address}/secret">]'
    )
    before = store.dump()
    for document in (billion, external):
        response = upload(editor, document.encode(), "application/rdf+xml")
        assert response.status_code == 400
        assert "DOCTYPE" in response.json()["detail"]
    plain = billion.replace(f'<!DOCTYPE rdf:RDF [<!ENTITY l0 "lol">{laughs}]>\n', "")
    plain = plain.replace("&l9;", "plain RDF/XML")
    time.sleep(0.2)
    assert hits == []
    assert store.dump() == before
    assert upload(editor, plain.encode(), "application/rdf+xml").status_code == 200
    assert store.ask(f'ASK {{ <{VHTO}> ?p "plain RDF/XML" }}')


NEW_RECORDS = """organisations:
  - id: stichting-proef
    label: Stichting Proef
    kind: foundation
"""


def test_yaml_records_are_checked_like_a_build_and_added(
    editor: TestClient, store: OxigraphStore
) -> None:
    response = upload(editor, NEW_RECORDS.encode(), "application/yaml", name="extra.yaml")
    assert response.status_code == 200, response.text
    assert response.json()["graphs"] == [RECORDS]
    assert response.json()["format"] == "application/yaml"
    assert store.ask(
        f"ASK {{ GRAPH <{RECORDS}> {{ "
        f'<{ID}organisation/stichting-proef> ?p "Stichting Proef"@nl }} }}'
    )


@pytest.mark.parametrize(
    ("records", "problem"),
    [
        (NEW_RECORDS.replace("foundation", "club"), "extra.yaml:4"),
        (NEW_RECORDS.replace("stichting-proef", "vhto"), "vhto"),
        ("organisations: [", "extra.yaml"),
    ],
    ids=["unknown kind", "an id already used", "not YAML"],
)
def test_yaml_records_that_do_not_build_are_refused_with_file_and_line(
    editor: TestClient, store: OxigraphStore, records: str, problem: str
) -> None:
    before = store.dump()
    response = upload(editor, records.encode(), "application/yaml", name="extra.yaml")
    assert response.status_code == 422
    assert any(problem in p for p in response.json()["problems"])
    assert store.dump() == before


def test_an_upload_in_an_unknown_format_is_415(editor: TestClient, store: OxigraphStore) -> None:
    before = store.dump()
    assert upload(editor, b"a,b,c", "text/csv").status_code == 415
    assert store.dump() == before


# ------------------------------------------------------------------ the command line


def test_history_lists_the_change_log_newest_first(
    tmp_path: Path, built_store: OxigraphStore, capsys: pytest.CaptureFixture[str]
) -> None:
    on_disk = OxigraphStore(tmp_path / "store")
    on_disk.replace_all(built_store.dump())
    first = edits.apply_update(on_disk, ADD_ALT_LABEL, "secretariat")
    second = edits.apply_update(
        on_disk,
        PREFIXES + f'INSERT DATA {{ GRAPH <{RECORDS}> {{ <{VHTO}> skos:altLabel "VHTO2"@nl }} }}',
        "evaluator",
    )
    assert first is not None and second is not None
    on_disk.close()
    spec = f"oxigraph:{tmp_path / 'store'}"
    assert main(["--store", spec, "history", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(e["agent"], e["activity"]) for e in listed] == [
        ("evaluator", second.activity),
        ("secretariat", first.activity),
    ]
    assert listed[0]["graphs"] == [RECORDS] and listed[0]["added"] == 1
    assert main(["--store", spec, "history"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert "evaluator" in table[2] and "secretariat" in table[3]
    assert "+1" in table[2]


def test_history_of_a_store_never_edited_says_so(
    tmp_path: Path, built_store: OxigraphStore, capsys: pytest.CaptureFixture[str]
) -> None:
    on_disk = OxigraphStore(tmp_path / "store")
    on_disk.replace_all(built_store.dump())
    on_disk.close()
    assert main(["--store", f"oxigraph:{tmp_path / 'store'}", "history"]) == 0
    assert "no edits" in capsys.readouterr().out


# ------------------------------------------------------------------ nothing lost

KILLED_WRITER = textwrap.dedent(
    """
    import sys
    import time
    from datetime import UTC, datetime
    from pathlib import Path

    import pyoxigraph as ox
    from pactgraph.graph import edits
    from pactgraph.graph.store import OxigraphStore

    store = OxigraphStore(Path(sys.argv[1]))
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    graph = ox.NamedNode(edits.EDITS_GRAPH)
    added = frozenset(
        ox.Quad(ox.NamedNode(f"https://w3id.org/pactgraph/id/test/thing-{i}"), label,
                ox.Literal(f"thing {i}"), graph)
        for i in range(int(sys.argv[2]))
    )
    plan = edits.EditPlan("loader", "application/n-quads", "bulk", datetime.now(UTC), added,
                          frozenset())
    print("writing", flush=True)
    edits.commit(store, plan)
    print("done", flush=True)
    time.sleep(120)  # wait to be killed: the test kills at a chosen moment, before or after
    """
)


@pytest.mark.parametrize("delay", [0.2, 0.8, 1.5], ids=["at once", "soon after", "later"])
def test_an_edit_killed_while_writing_leaves_the_store_before_or_after(
    tmp_path: Path, built_store: OxigraphStore, delay: float
) -> None:
    """kill -9 the process while it commits a large edit (about 2 s for 100,000 statements);
    the store reopens whole, as it was or with the edit and its change-log record, never a
    part. Both outcomes occur across the delays; which one depends on the machine."""
    root = tmp_path / "store"
    fresh = OxigraphStore(root)
    fresh.replace_all(built_store.dump())
    before = set(fresh.dump().splitlines())
    fresh.close()
    count = 100_000
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(root), str(count)],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == b"writing"
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    reopened = OxigraphStore(root)  # opened for writing: what a restarted server would see
    after = set(reopened.dump().splitlines())
    new = after - before
    assert before <= after
    if new:  # the whole edit and its record, or nothing
        things = [line for line in new if b"/id/test/thing-" in line]
        assert len(things) == count
        assert edits.history(reopened)[0].added == count
