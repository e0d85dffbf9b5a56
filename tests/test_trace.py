"""Trace pages: a commitment beside its letter, the passage highlighted exactly where it stands.

The offsets are checked against the letter as shipped and against ``oa:exact`` read from the
store with a query of the test's own, for every commitment of the bundled records.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from chromium import fresh_chromium
from fastapi.testclient import TestClient
from pactgraph.api.templating import environment
from pactgraph.data import bundled_dataset
from pactgraph.graph.store import OxigraphStore

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
COMMITMENT = "https://w3id.org/pactgraph/id/commitment/"
PASSAGE_QUERY = """
PREFIX pact: <https://w3id.org/pactgraph/def#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?c ?kind ?exact WHERE {
  { ?c prov:wasDerivedFrom ?passage . BIND("source" AS ?kind) }
  UNION { ?c pact:statusEvidence ?passage . BIND("status" AS ?kind) }
  ?c a pact:Commitment .
  ?passage oa:hasSelector ?selector .
  ?selector a oa:TextQuoteSelector ; oa:exact ?exact .
}
"""
MARK = '<mark class="passage" id="passage">'


@cache
def records() -> dict[str, list[dict[str, Any]]]:
    merged: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in bundled_dataset().joinpath("records").iterdir():
        if entry.name.endswith(".yaml"):
            for kind, items in (yaml.safe_load(entry.read_text(encoding="utf-8")) or {}).items():
                merged[kind].extend(items or [])
    return dict(merged)


def commitments() -> list[dict[str, Any]]:
    return records()["commitments"]


@cache
def letter(document_id: str) -> str:
    """A shipped letter's text, read from the package, not from the server."""
    document = next(d for d in records()["documents"] if d["id"] == document_id)
    path = bundled_dataset().joinpath("letters", document["file"])
    return path.read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def exact_quotes(built_store: OxigraphStore) -> dict[tuple[str, str], str]:
    """``oa:exact`` of every source and status passage, straight from the store."""
    return {
        (str(row["c"]).removeprefix(COMMITMENT), str(row["kind"])): str(row["exact"])
        for row in built_store.select(PASSAGE_QUERY).rows
    }


def agent_iri(agent_id: str) -> str:
    people = {p["id"] for p in records()["people"]}
    kind = "person" if agent_id in people else "organisation"
    return f"https://w3id.org/pactgraph/id/{kind}/{agent_id}"


def letter_in_page(page: str) -> tuple[str, str]:
    """The letter text a trace page shows (tags removed, entities decoded) and the marked part."""
    match = re.search(r'<pre class="letter" id="letter">\n(.*?)</pre>', page, re.DOTALL)
    assert match is not None, "the page shows the letter in <pre class=letter>"
    inner = match.group(1)
    marked = re.search(re.escape(MARK) + r"(.*?)</mark>", inner, re.DOTALL)
    assert marked is not None
    plain = html.unescape(inner.replace(MARK, "").replace("</mark>", ""))
    return plain, html.unescape(marked.group(1))


# ------------------------------------------------------------------ JSON


@pytest.mark.parametrize("record", commitments(), ids=lambda c: c["id"])
def test_json_offsets_slice_the_letter_to_the_exact_quote(
    client: TestClient, record: dict[str, Any], exact_quotes: dict[tuple[str, str], str]
) -> None:
    data = client.get(f"/trace/{record['id']}.json").json()
    source = data["source"]
    assert (
        source["document"]
        == "https://w3id.org/pactgraph/id/document/" + (record["source"]["document"])
    )
    text = client.get(source["text"]).text
    assert text == letter(record["source"]["document"])
    start, end = source["start"], source["end"]
    assert text[start:end] == source["quote"] == exact_quotes[(record["id"], "source")]
    assert text[:start].endswith(source["prefix"])
    assert text[end:].startswith(source["suffix"])
    assert data["owner"]["iri"] == agent_iri(record["owner"])
    assert {p["iri"] for p in data["partners"]} == {
        agent_iri(p) for p in record.get("partners") or []
    }
    assert data["due"]["phrase"] == record["due"]
    assert data["due"]["end"] is not None


def test_json_by_accept_and_by_suffix_are_the_same(client: TestClient) -> None:
    identifier = commitments()[0]["id"]
    by_suffix = client.get(f"/trace/{identifier}.json", headers=HTML)
    by_accept = client.get(f"/trace/{identifier}", headers={"Accept": "application/json"})
    assert by_suffix.headers["content-type"] == "application/json"
    assert by_suffix.json() == by_accept.json()
    browser = client.get(f"/trace/{identifier}", headers=HTML)
    assert browser.headers["content-type"].startswith("text/html")


def test_json_has_amount_and_target_as_the_records_state(client: TestClient) -> None:
    record = next(c for c in commitments() if c["id"] == "c50-vhto-3500-klassen-rolmodellen-2014")
    data = client.get(f"/trace/{record['id']}.json").json()
    assert data["amount"]["phrase"] == record["amount"]
    assert data["amount"]["value"] == 1_600_000  # "€ 1,6 miljoen"
    assert data["amount"]["currency"] == "EUR"
    assert data["target"] == {"value": record["target"]["value"], "unit": record["target"]["unit"]}


@pytest.mark.parametrize(
    "record", [c for c in commitments() if c.get("status")], ids=lambda c: c["id"]
)
def test_status_evidence_slices_the_later_letter(
    client: TestClient, record: dict[str, Any], exact_quotes: dict[tuple[str, str], str]
) -> None:
    data = client.get(f"/trace/{record['id']}.json").json()
    status = data["status"]
    assert status["iri"].endswith("/status/" + record["status"]["value"])
    assert status["label"]
    evidence = status["evidence"]
    document = record["status"]["source"]["document"]
    assert evidence["document"].endswith("/document/" + document)
    text = letter(document)
    assert text[evidence["start"] : evidence["end"]] == evidence["quote"]
    assert evidence["quote"] == exact_quotes[(record["id"], "status")]
    page = client.get(f"/trace/{record['id']}", headers=HTML).text
    assert 'id="status-evidence"' in page
    assert html.escape(status["label"]) in page
    assert f'href="/trace/{record["id"]}/status"' in page
    shown, marked = letter_in_page(client.get(evidence["trace"], headers=HTML).text)
    assert shown == text
    assert marked == evidence["quote"]


def test_every_status_in_the_graph_has_its_evidence_shown(
    client: TestClient, exact_quotes: dict[tuple[str, str], str]
) -> None:
    with_status = {c for c, kind in exact_quotes if kind == "status"}
    assert with_status
    for identifier in with_status:
        evidence = client.get(f"/trace/{identifier}.json").json()["status"]["evidence"]
        assert evidence["quote"] == exact_quotes[(identifier, "status")]


# ------------------------------------------------------------------ HTML


@pytest.mark.parametrize("record", commitments(), ids=lambda c: c["id"])
def test_html_marks_exactly_the_passage_in_the_full_letter(
    client: TestClient, record: dict[str, Any], exact_quotes: dict[tuple[str, str], str]
) -> None:
    page = client.get(f"/trace/{record['id']}", headers=HTML)
    assert page.status_code == 200
    shown, marked = letter_in_page(page.text)
    text = letter(record["source"]["document"])
    assert shown == text
    assert marked == exact_quotes[(record["id"], "source")]
    before = html.unescape(
        page.text.split(MARK, 1)[0].rsplit('<pre class="letter" id="letter">\n')[-1]
    )
    start = client.get(f"/trace/{record['id']}.json").json()["source"]["start"]
    assert len(before) == start
    assert '<script src="/static/trace.js" defer></script>' in page.text


def test_html_shows_owner_due_amount_document_metadata_and_links(client: TestClient) -> None:
    record = next(c for c in commitments() if c["id"] == "c50-vhto-3500-klassen-rolmodellen-2014")
    document = next(d for d in records()["documents"] if d["id"] == record["source"]["document"])
    people = {p["id"]: p["name"] for p in records()["people"]}
    page = client.get(f"/trace/{record['id']}", headers=HTML).text
    assert 'href="/id/organisation/vhto"' in page
    assert html.escape(record["due"]) in page
    assert html.escape(record["amount"]) in page
    assert f'<dd class="identifier">{html.escape(document["identifier"])}</dd>' in page
    assert f'<dd class="date">{document["date"].isoformat()}</dd>' in page
    assert f'<dd class="title">{html.escape(document["title"])}</dd>' in page
    for creator in document["creators"]:
        assert f'href="/id/person/{creator}"' in page
        assert people[creator]
    assert f'href="/id/document/{document["id"]}/text"' in page
    assert f'href="/id/document/{document["id"]}"' in page
    assert f'href="/id/commitment/{record["id"]}"' in page


def test_letter_template_escapes_and_marks_by_slicing() -> None:
    text = 'a <b>&"x"</b>\n<script>alert(1)</script> tail'
    start = text.index("<script>")
    end = start + len("<script>alert(1)</script>")
    rendered = environment.get_template("letter.html").render(
        w={},
        letter={
            "document": {"text": "doc", "href": "/id/document/x"},
            "parts": (text[:start], text[start:end], text[end:]),
            "matches": True,
            "text": text,
            "creators": [],
        },
    )
    assert "<script>" not in rendered
    assert f"{MARK}&lt;script&gt;alert(1)&lt;/script&gt;</mark>" in rendered
    shown, marked = letter_in_page(rendered)
    assert shown == text
    assert marked == text[start:end]


def test_trace_script_is_served(client: TestClient) -> None:
    script = client.get("/static/trace.js")
    assert script.status_code == 200
    assert "scrollIntoView" in script.text


# ------------------------------------------------------------------ errors


def test_unknown_commitment_is_404(client: TestClient) -> None:
    assert client.get("/trace/no-such-commitment").status_code == 404
    assert "no-such-commitment" in client.get("/trace/no-such-commitment").json()["detail"]
    page = client.get("/trace/no-such-commitment", headers=HTML)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "path",
    [
        "/trace/NOT-A-SLUG",
        "/trace/c50%20x",
        "/trace/c50%3E%20%3Fp",
        "/trace/x.ttl",
        "/trace/" + "a" * 300,
    ],
)
def test_malformed_commitment_id_is_400_naming_the_parameter(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("commitment_id:")


def test_status_page_of_a_commitment_without_status_is_404(client: TestClient) -> None:
    without = next(c for c in commitments() if not c.get("status"))
    response = client.get(f"/trace/{without['id']}/status")
    assert response.status_code == 404
    assert client.get(f"/trace/{without['id']}.json").json()["status"] is None


# ------------------------------------------------------------------ in a browser


@pytest.fixture(scope="module")
def chromium_page() -> Iterator[Any]:
    with fresh_chromium("pactgraph-trace-") as context:
        yield context.new_page()


def console_error(message: Any, errors: list[str]) -> None:
    """Collect console errors of the page itself.

    The browser's own request for ``/favicon.ico`` is not the trace page's doing (the site has no
    icon yet); it is left out here so this test speaks about the trace page only.
    """
    if message.type != "error":
        return
    if str(message.location.get("url", "")).endswith("/favicon.ico"):
        return
    errors.append(f"{message.text} at {message.location}")


def test_status_evidence_page_scrolls_to_its_passage_without_errors(
    live_server: str, chromium_page: Any, client: TestClient
) -> None:
    record = next(c for c in commitments() if c.get("status"))
    evidence = client.get(f"/trace/{record['id']}.json").json()["status"]["evidence"]
    errors: list[str] = []
    hosts: set[str] = set()
    chromium_page.on("console", lambda m: console_error(m, errors))
    chromium_page.on("pageerror", lambda e: errors.append(str(e)))
    chromium_page.on("request", lambda r: hosts.add(urlsplit(r.url).hostname or r.url))
    chromium_page.goto(f"{live_server}/trace/{record['id']}/status")
    mark = chromium_page.locator("mark#passage")
    mark.wait_for(state="visible")
    assert mark.text_content() == evidence["quote"]
    in_view = chromium_page.evaluate(
        """() => {
        const mark = document.getElementById('passage').getBoundingClientRect();
        const box = document.getElementById('letter').getBoundingClientRect();
        return mark.bottom > box.top && mark.top < Math.min(box.bottom, window.innerHeight);
    }"""
    )
    assert in_view
    assert chromium_page.evaluate("() => document.getElementById('letter').textContent") == letter(
        record["status"]["source"]["document"]
    )
    assert errors == []
    assert hosts <= {"127.0.0.1"}
