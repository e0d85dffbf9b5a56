"""Entity pages: every IRI of the bundled graph dereferences, as HTML, Turtle, JSON-LD, N-Triples.

Expectations come from the curated records (YAML) and the ontology file, never from the code
under test, so a wrong query or a wrong link shows up as a failing comparison.
"""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from functools import cache
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from pactgraph.data import bundled_dataset
from pactgraph.graph.store import OxigraphStore
from pactgraph.ontology import ontology_graph
from pactgraph.ontology.namespace import DEF_IRI, GRAPH_IRI, ID_IRI, OA, PACT
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import SKOS

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
VHTO = URIRef(ID_IRI + "organisation/vhto")


@cache
def records() -> dict[str, list[dict[str, Any]]]:
    """Every top-level list of every record file, merged by kind."""
    merged: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in bundled_dataset().joinpath("records").iterdir():
        if entry.name.endswith(".yaml"):
            for kind, items in (yaml.safe_load(entry.read_text(encoding="utf-8")) or {}).items():
                merged[kind].extend(items or [])
    return dict(merged)


def agent_path(agent_id: str) -> str:
    """The page of an organisation or person record id."""
    people = {p["id"] for p in records()["people"]}
    return f"/id/{'person' if agent_id in people else 'organisation'}/{agent_id}"


def commitments_by_agent() -> dict[str, dict[str, str]]:
    """For every owner and partner in the records: commitment id → role."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for commitment in records()["commitments"]:
        found[commitment["owner"]][commitment["id"]] = "owner"
        for partner in commitment.get("partners") or []:
            found[partner].setdefault(commitment["id"], "partner")
    return dict(found)


def commitment_rows(page: str) -> dict[str, str]:
    """The commitments table of an entity page: commitment id → role shown."""
    rows = re.findall(r'<tr data-role="(\w+)">\s*<td><a href="/trace/([a-z0-9-]+)">', page)
    return {identifier: role for role, identifier in rows}


# ------------------------------------------------------------------ HTML pages


def test_vhto_page_shows_its_label_and_commitments(client: TestClient) -> None:
    expected = commitments_by_agent()["vhto"]
    assert expected, "the records give VHTO at least one commitment"
    page = client.get("/id/organisation/vhto", headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    label = next(o["label"] for o in records()["organisations"] if o["id"] == "vhto")
    assert f"<h1>{html.escape(label)}</h1>" in page.text
    assert commitment_rows(page.text) == expected
    assert "https://w3id.org/pactgraph/id/organisation/vhto" not in re.sub(
        r'(title|data-iri)="[^"]*"|<code>[^<]*</code>', "", page.text
    ), "the page names VHTO by its label, not its IRI"


@pytest.mark.parametrize("agent", sorted(commitments_by_agent()))
def test_every_owner_and_partner_lists_its_commitments(client: TestClient, agent: str) -> None:
    page = client.get(agent_path(agent), headers=HTML)
    assert page.status_code == 200
    shown = commitment_rows(page.text)
    for commitment, role in commitments_by_agent()[agent].items():
        assert shown.get(commitment) == role, f"{agent}: {commitment} as {role}"


def test_programme_runners_are_shown_as_incoming_links(client: TestClient) -> None:
    runs = [p["id"] for p in records()["programmes"] if "vhto" in (p.get("run_by") or [])]
    assert runs
    page = client.get("/id/organisation/vhto", headers=HTML).text
    incoming = page.split('id="incoming"', 1)[1]
    for programme in runs:
        assert f'href="/id/programme/{programme}"' in incoming


def test_literals_show_their_language_and_properties_their_label(client: TestClient) -> None:
    owner_labels = {
        str(o.language): str(o) for o in ontology_graph().objects(PACT.owner, RDFS.label)
    }
    path = "/id/commitment/c50-vhto-3500-klassen-rolmodellen-2014"
    dutch = client.get(path, headers=HTML).text
    english = client.get(path + "?lang=en", headers=HTML).text
    assert f">{owner_labels['nl']}</a></dt>" in dutch
    assert f">{owner_labels['en']}</a></dt>" in english
    assert '<span class="lang" title="taal / language">nl</span>' in dutch
    assert 'href="/id/organisation/vhto"' in dutch


def test_fragment_sub_nodes_are_part_of_the_commitment_page(client: TestClient) -> None:
    page = client.get("/id/commitment/c50-vhto-3500-klassen-rolmodellen-2014", headers=HTML).text
    for fragment in ("source", "source-quote", "source-position", "due", "amount", "target"):
        assert f'id="{fragment}"' in page
    redirect = client.get(
        "/id/commitment/c50-vhto-3500-klassen-rolmodellen-2014%23source", follow_redirects=False
    )
    assert redirect.status_code == 303
    assert redirect.headers["location"] == (
        "/id/commitment/c50-vhto-3500-klassen-rolmodellen-2014#source"
    )


def test_document_page_links_its_full_text_and_its_commitments(client: TestClient) -> None:
    drawn = [c["id"] for c in records()["commitments"] if c["source"]["document"] == "tk-32637-50"]
    page = client.get("/id/document/tk-32637-50", headers=HTML).text
    assert 'href="/id/document/tk-32637-50/text"' in page
    shown = commitment_rows(page)
    assert {c for c, role in shown.items() if role == "source"} == set(drawn)


@pytest.mark.parametrize(
    "document", [d for d in records()["documents"] if d.get("file")], ids=lambda d: d["id"]
)
def test_document_text_is_the_shipped_letter(client: TestClient, document: dict[str, Any]) -> None:
    shipped = bundled_dataset().joinpath("letters", document["file"]).read_bytes().decode("utf-8")
    served = client.get(f"/id/document/{document['id']}/text")
    assert served.status_code == 200
    assert served.headers["content-type"] == "text/plain; charset=utf-8"
    assert served.text == shipped


def test_document_without_text_has_no_text_page(client: TestClient) -> None:
    cited = next(d for d in records()["documents"] if not d.get("file"))
    assert client.get(f"/id/document/{cited['id']}", headers=HTML).status_code == 200
    assert client.get(f"/id/document/{cited['id']}/text").status_code == 404


# ------------------------------------------------------------------ RDF representations


def test_commitment_turtle_parses_and_holds_its_owner_and_passage(client: TestClient) -> None:
    record = next(
        c for c in records()["commitments"] if c["id"] == "c50-vhto-3500-klassen-rolmodellen-2014"
    )
    subject = URIRef(ID_IRI + "commitment/" + record["id"])
    response = client.get(f"/id/commitment/{record['id']}", headers={"Accept": "text/turtle"})
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    assert (subject, PACT.owner, URIRef(ID_IRI + "organisation/" + record["owner"])) in graph
    position = URIRef(f"{subject}#source-position")
    assert graph.value(position, OA.start) is not None
    assert graph.value(position, OA.end) is not None


@pytest.mark.parametrize(
    ("suffix", "media_type", "rdf_format"),
    [
        (".ttl", "text/turtle", "turtle"),
        (".jsonld", "application/ld+json", "json-ld"),
        (".json", "application/json", "json-ld"),
        (".nt", "application/n-triples", "nt"),
    ],
)
def test_suffix_picks_the_format_whatever_the_accept_header(
    client: TestClient, suffix: str, media_type: str, rdf_format: str
) -> None:
    turtle = client.get("/id/organisation/vhto", headers={"Accept": "text/turtle"}).text
    response = client.get("/id/organisation/vhto" + suffix, headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    served = Graph().parse(data=response.text, format=rdf_format)
    assert isomorphic(served, Graph().parse(data=turtle, format="turtle"))
    assert (VHTO, SKOS.prefLabel, Literal("VHTO", lang="nl")) in served


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("application/json", "application/json"),
        ("application/ld+json;q=0.9, text/turtle;q=0.5", "application/ld+json"),
        ("*/*", "text/turtle"),
        ("", "text/turtle"),
        (HTML["Accept"], "text/html"),
    ],
)
def test_accept_header_negotiates_the_format(
    client: TestClient, accept: str, media_type: str
) -> None:
    response = client.get("/id/organisation/vhto", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]


def test_unacceptable_media_type_is_406(client: TestClient) -> None:
    response = client.get("/id/organisation/vhto", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.json()["detail"]


def test_json_ld_is_plain_json_with_the_entity(client: TestClient) -> None:
    data = client.get("/id/organisation/vhto.json").json()
    assert "@context" in data
    assert str(VHTO) in json.dumps(data)


# ------------------------------------------------------------------ the ontology


def test_def_lists_every_term_with_labels_in_both_languages(client: TestClient) -> None:
    ontology = ontology_graph()
    page = client.get("/def", headers=HTML)
    assert page.status_code == 200
    terms = {s for s in ontology.subjects() if str(s).startswith(DEF_IRI)}
    assert PACT.Commitment in terms
    for term in terms:
        anchor = str(term).removeprefix(DEF_IRI)
        assert f'id="{anchor}"' in page.text, anchor
        for label in ontology.objects(term, RDFS.label):
            assert html.escape(str(label)) in page.text, (anchor, label)
    assert "<code>pact:Commitment</code>" in page.text


def test_def_as_turtle_holds_the_ontology(client: TestClient) -> None:
    served = Graph().parse(data=client.get("/def.ttl").text, format="turtle")
    for label in ontology_graph().objects(PACT.Commitment, RDFS.label):
        assert (PACT.Commitment, RDFS.label, label) in served
    assert (PACT.Commitment, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in served
    assert client.get("/def.xml").status_code == 404


def test_ontology_terms_link_to_their_anchor_on_def(client: TestClient) -> None:
    page = client.get("/id/commitment/c50-vhto-3500-klassen-rolmodellen-2014", headers=HTML).text
    assert 'href="/def#Commitment"' in page
    assert 'href="/def#owner"' in page


# ------------------------------------------------------------------ named graphs


def graph_size(store: OxigraphStore, iri: str) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g = ?target) }"
    query = query.replace("?target", f"<{iri}>")  # a constant of the test, not a request value
    return int(str(store.select(query).rows[0]["n"]))


def test_named_graph_page_shows_size_and_document(
    client: TestClient, built_store: OxigraphStore
) -> None:
    iri = GRAPH_IRI + "document/tk-32637-75"
    size = graph_size(built_store, iri)
    assert size > 0
    page = client.get("/graph/document/tk-32637-75", headers=HTML)
    assert page.status_code == 200
    assert f'<strong class="triples">{size}</strong>' in page.text
    assert 'href="/id/document/tk-32637-75"' in page.text
    served = Graph().parse(data=client.get("/graph/document/tk-32637-75.nt").text, format="nt")
    assert len(served) == size


def test_unknown_named_graph_is_404(client: TestClient) -> None:
    assert client.get("/graph/document/no-such-letter").status_code == 404


# ------------------------------------------------------------------ errors


def test_unknown_entity_is_404_html_for_browsers_json_otherwise(client: TestClient) -> None:
    browser = client.get("/id/organisation/no-such-organisation", headers=HTML)
    assert browser.status_code == 404
    assert browser.headers["content-type"].startswith("text/html")
    assert 'id="problem"' in browser.text
    tool = client.get("/id/organisation/no-such-organisation", headers={"Accept": "text/turtle"})
    assert tool.status_code == 404
    assert "no-such-organisation" in tool.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/id/organisation/vhto%3E",
        "/id/organisation/%3Cvhto",
        "/id/organisation/vh%20to",
        "/id/organisation/vhto%22",
        "/id/organisation/vhto%7B",
        "/id/organisation/vhto%7D",
        "/id/organisation/vhto%0A",
        "/id/organisation/vhto%5C",
        "/id/organisation/vhto%25zz",
        "/id/",
        "/id/" + "a" * 1001,
        "/graph/records%3E",
    ],
)
def test_malformed_paths_are_400_naming_the_path(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("path:")


def test_malformed_path_is_a_readable_page_for_browsers(client: TestClient) -> None:
    response = client.get("/id/organisation/vh%20to", headers=HTML)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "path",
    [
        "/id/organisation/vhto>%20?p%20?o",
        "/id/organisation/vhto%3E%20%3Fp%20%3Fo%20%7D%20UNION%20%7B%20%3Fs%20%3Fp%20%3Fo",
        "/id/organisation/vhto%3E%7D%23",
        "/id/organisation/vhto';DROP",
        "/id/organisation/vhto)||(true",
    ],
)
def test_injection_attempts_return_no_data(client: TestClient, path: str) -> None:
    for accept in ("text/turtle", HTML["Accept"]):
        response = client.get(path, headers={"Accept": accept}, follow_redirects=False)
        assert response.status_code in (400, 404), response.text
        assert "pactgraph/id/commitment/" not in response.text
        assert "organisation/ocw" not in response.text
        assert "<h1>VHTO</h1>" not in response.text
