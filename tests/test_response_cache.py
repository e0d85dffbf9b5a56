"""The response cache: repeated reading requests answered from memory, never a stale answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pactgraph.api.app import cache_wanted, create_app
from pactgraph.api.cache import ResponseCache
from pactgraph.api.edits import EditTokens
from pactgraph.graph.remote import RemoteStore
from pactgraph.graph.store import OxigraphStore

ID = "https://w3id.org/pactgraph/id/"
VHTO = f"{ID}organisation/vhto"
RECORDS = "https://w3id.org/pactgraph/graph/records"
TOKEN = "secretariat-" + "s" * 24
TOKENS = EditTokens.parse(f"secretariat:{TOKEN}\n", "test")
NEW_LABEL = "Vrouwen in techniek en wetenschap"
ADD_LABEL = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    f'INSERT DATA {{ GRAPH <{RECORDS}> {{ <{VHTO}> skos:altLabel "{NEW_LABEL}"@nl }} }}'
)
HTML = {"accept": "text/html"}


@pytest.fixture
def client(store: OxigraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(store, edit_tokens=TOKENS)) as test_client:
        yield test_client


def cache(response: object) -> str:
    return response.headers.get("x-pactgraph-cache", "")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "path",
    [
        "/id/organisation/vhto",
        "/queries/overdue-commitments?format=json",
        "/trace/c75-de-krom-aanjager-tot-eind-2013",
        "/network/co-commitment?format=json",
        "/search?q=VHTO",
    ],
)
def test_a_repeated_request_is_answered_from_memory_with_the_same_answer(
    client: TestClient, path: str
) -> None:
    first = client.get(path, headers=HTML)
    second = client.get(path, headers=HTML)
    assert first.status_code == second.status_code == 200
    assert (cache(first), cache(second)) == ("miss", "hit")
    assert second.content == first.content
    assert second.headers["content-type"] == first.headers["content-type"]


def test_each_media_type_and_language_is_its_own_answer(client: TestClient) -> None:
    html = client.get("/id/organisation/vhto", headers=HTML)
    turtle = client.get("/id/organisation/vhto", headers={"accept": "text/turtle"})
    english = client.get("/id/organisation/vhto", headers={**HTML, "accept-language": "en"})
    assert [cache(r) for r in (html, turtle, english)] == ["miss", "miss", "miss"]
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert cache(client.get("/id/organisation/vhto", headers={"accept": "text/turtle"})) == "hit"


def test_an_edit_empties_the_cache_so_the_next_page_shows_it(client: TestClient) -> None:
    before = client.get("/id/organisation/vhto", headers=HTML)
    assert NEW_LABEL not in before.text
    assert cache(client.get("/id/organisation/vhto", headers=HTML)) == "hit"
    edit = client.post(
        "/sparql/update",
        content=ADD_LABEL.encode(),
        headers={"content-type": "application/sparql-update", "authorization": f"Bearer {TOKEN}"},
    )
    assert edit.status_code == 200, edit.text
    after = client.get("/id/organisation/vhto", headers=HTML)
    assert cache(after) == "miss"
    assert NEW_LABEL in after.text


def test_errors_cookies_and_user_queries_are_not_kept(client: TestClient) -> None:
    for _ in range(2):
        missing = client.get("/id/organisation/nobody-at-all", headers=HTML)
        assert missing.status_code == 404
        assert cache(missing) == "miss"
        with_cookie = client.get("/queries?lang=en", headers=HTML)
        assert "set-cookie" in with_cookie.headers
        assert cache(with_cookie) == "miss"
        query = client.get("/sparql", params={"query": "ASK {}"})
        assert "x-pactgraph-cache" not in query.headers


def cached(app: FastAPI) -> bool:
    return any(middleware.cls is ResponseCache for middleware in app.user_middleware)


def test_only_the_embedded_store_is_cached_by_default(
    built_store: OxigraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Others may change a SPARQL server's graph behind this app's back; not the embedded one."""
    server = RemoteStore.from_spec("sparql+http://127.0.0.1:9/query", {})
    assert cached(create_app(built_store))
    assert not cached(create_app(server))
    assert cached(create_app(server, response_cache=True))
    monkeypatch.setenv("PACTGRAPH_RESPONSE_CACHE", "0")
    assert not cached(create_app(built_store))
    with TestClient(create_app(built_store)) as uncached:
        assert "x-pactgraph-cache" not in uncached.get("/id/organisation/vhto").headers


def test_the_switch_reads_on_and_off_and_refuses_anything_else() -> None:
    assert cache_wanted({})
    assert cache_wanted({"PACTGRAPH_RESPONSE_CACHE": "on"})
    assert not cache_wanted({"PACTGRAPH_RESPONSE_CACHE": "off"})
    assert not cache_wanted({"PACTGRAPH_RESPONSE_CACHE": "0"})
    with pytest.raises(ValueError, match="PACTGRAPH_RESPONSE_CACHE must be 1 or 0"):
        cache_wanted({"PACTGRAPH_RESPONSE_CACHE": "sometimes"})
