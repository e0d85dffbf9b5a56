"""The home page and the search across labels, on the bundled graph."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml
from fastapi.testclient import TestClient
from pactgraph.data import bundled_dataset

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _count_records(kind: str) -> int:
    """How many records of a kind (``commitments:``, ``organisations:``…) all record files hold."""
    total = 0
    for entry in bundled_dataset().joinpath("records").iterdir():
        if entry.name.endswith(".yaml"):
            loaded = yaml.safe_load(entry.read_text(encoding="utf-8")) or {}
            total += len(loaded.get(kind) or [])
    return total


def test_home_counts_match_the_records(client: TestClient) -> None:
    counts = client.get("/").json()["counts"]
    assert counts["commitment"] == _count_records("commitments")
    assert counts["organisation"] == _count_records("organisations")
    assert counts["programme"] == _count_records("programmes")


def test_home_page_shows_counts_and_a_search_box(client: TestClient) -> None:
    page = client.get("/", headers=HTML)
    assert page.status_code == 200
    assert 'name="q"' in page.text
    assert 'data-kind="commitment"' in page.text


def test_search_finds_vhto_and_its_commitments(client: TestClient) -> None:
    results = client.get("/search", params={"q": "VHTO"}).json()["results"]
    kinds = Counter(hit["kind"] for hit in results)
    assert results[0]["iri"] == "https://w3id.org/pactgraph/id/organisation/vhto"  # exact first
    assert kinds["commitment"] >= 1
    commitment = next(hit for hit in results if hit["kind"] == "commitment")
    assert commitment["href"].startswith("/trace/")


def test_search_is_case_insensitive_and_matches_english_labels(client: TestClient) -> None:
    lower = client.get("/search", params={"q": "vhto"}).json()["results"]
    upper = client.get("/search", params={"q": "VHTO"}).json()["results"]
    assert lower == upper
    english = client.get("/search", params={"q": "Ministry of Economic Affairs"}).json()
    assert any(hit["kind"] == "organisation" for hit in english["results"])


def test_search_page_links_each_hit(client: TestClient) -> None:
    page = client.get("/search", params={"q": "Jet-Net"}, headers=HTML)
    assert page.status_code == 200
    assert 'href="/id/programme/' in page.text


@pytest.mark.parametrize("text", ["", "zzzz-nothing-matches", "<script>alert(1)</script>"])
def test_search_without_hits_is_an_empty_answer_not_an_error(client: TestClient, text: str) -> None:
    page = client.get("/search", params={"q": text}, headers=HTML)
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text  # escaped, never executed
    assert client.get("/search", params={"q": text}).json()["results"] == []


def test_search_text_too_long_is_a_400_naming_the_parameter(client: TestClient) -> None:
    answer = client.get("/search", params={"q": "x" * 500})
    assert answer.status_code == 400
    assert "'q'" in answer.json()["detail"]


def test_language_switch_changes_interface_and_is_remembered(client: TestClient) -> None:
    english = client.get("/", params={"lang": "en"}, headers=HTML)
    assert 'lang="en"' in english.text
    assert english.cookies.get("pactgraph-lang") == "en"
    dutch = client.get("/", params={"lang": "nl"}, headers=HTML)
    assert 'lang="nl"' in dutch.text
