"""The embedded store: bound parameters, atomic replacement, read-only opening."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pactgraph.graph.build import build
from pactgraph.graph.store import (
    OxigraphStore,
    QueryError,
    StoreError,
    open_for_serving,
    open_store,
)
from rdflib import Literal, URIRef

EX = "http://example.org/"
TWO_FACTS = (
    f'<{EX}a> <{EX}label> "alpha" <{EX}g> .\n<{EX}b> <{EX}label> "beta" <{EX}g> .\n'
).encode()


def test_parameters_are_bound_not_pasted() -> None:
    store = open_store("memory:")
    store.replace_all(TWO_FACTS)
    query = f"SELECT ?s ?label WHERE {{ ?s <{EX}label> ?label }}"
    assert [str(r["s"]) for r in store.select(query, {"label": Literal("beta")}).rows] == [f"{EX}b"]
    hostile = Literal('beta" } UNION { ?s ?p ?o')
    assert store.select(query, {"label": hostile}).rows == []


def test_a_bad_query_raises_with_the_parser_message() -> None:
    store = open_store("memory:")
    with pytest.raises(QueryError):
        store.select("SELECT ?s WHERE { ?s ")


def test_replacing_on_disk_switches_generations_and_keeps_one_previous(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path)
    store.replace_all(TWO_FACTS)
    first = store.current
    store.replace_all(TWO_FACTS[: TWO_FACTS.index(b"\n") + 1])
    second = store.current
    assert first != second
    assert len(store.select("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }").rows) == 1
    store.replace_all(TWO_FACTS)
    generations = sorted(p.name for p in (tmp_path / "generations").iterdir())
    assert len(generations) == 2 and first is not None and first.name not in generations


def test_invalid_data_leaves_the_previous_graph(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path)
    store.replace_all(TWO_FACTS)
    before = store.dump()
    with pytest.raises(StoreError, match="previous graph is kept"):
        store.replace_all(b"<not an n-quad")
    assert OxigraphStore(tmp_path, read_only=True).dump() == before


def test_a_build_killed_midway_leaves_the_store_before_or_after_never_between(
    tmp_path: Path,
) -> None:
    """kill -9 a real build while it writes its new generation; the store is old or new, whole."""
    complete = OxigraphStore(tmp_path / "reference")
    build(complete)
    after_build = set(complete.dump().splitlines())
    store = OxigraphStore(tmp_path / "store")
    store.replace_all(TWO_FACTS)
    before = set(store.dump().splitlines())
    store.close()
    generations = tmp_path / "store" / "generations"
    env = {**os.environ, "PACTGRAPH_STORE": f"oxigraph:{tmp_path / 'store'}"}
    process = subprocess.Popen([sys.executable, "-m", "pactgraph.graph.cli", "build"], env=env)
    deadline = time.monotonic() + 120
    while len(list(generations.iterdir())) < 2 and process.poll() is None:
        assert time.monotonic() < deadline, "the build never started writing"
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()
    after = set(OxigraphStore(tmp_path / "store", read_only=True).dump().splitlines())
    assert after in (before, after_build)


def test_unknown_store_spec_is_explained() -> None:
    with pytest.raises(StoreError, match="oxigraph:DIRECTORY"):
        open_store("postgres://localhost/db")


def test_environment_variable_chooses_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PACTGRAPH_STORE", f"oxigraph:{tmp_path / 'here'}")
    assert open_store().description == f"oxigraph:{tmp_path / 'here'}"


def test_terms_survive_the_round_trip() -> None:
    store = open_store("memory:")
    store.replace_all(f'<{EX}a> <{EX}p> "één"@nl <{EX}g> .\n'.encode())
    row = store.select("SELECT ?o WHERE { ?s ?p ?o }").rows[0]
    assert row["o"] == Literal("één", lang="nl")
    assert store.ask(f"ASK {{ <{EX}a> ?p ?o }}") is True
    graph = store.construct("CONSTRUCT WHERE { ?s ?p ?o }")
    assert (URIRef(f"{EX}a"), URIRef(f"{EX}p"), Literal("één", lang="nl")) in graph


# ------------------------------------------------------------------ serving from memory


def test_a_small_store_is_served_from_a_copy_in_memory(tmp_path: Path) -> None:
    OxigraphStore(tmp_path).replace_all(TWO_FACTS)
    served = open_for_serving(tmp_path, {})
    assert served.in_memory
    assert served.read_only
    query = f"SELECT ?s WHERE {{ ?s <{EX}label> ?label }} ORDER BY ?s"
    assert [str(r["s"]) for r in served.select(query).rows] == [f"{EX}a", f"{EX}b"]
    on_disk = OxigraphStore(tmp_path, read_only=True).dump()
    assert sorted(served.dump().splitlines()) == sorted(on_disk.splitlines())
    with pytest.raises(StoreError, match="read-only"):
        served.update(f'INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}c> <{EX}label> "gamma" }} }}')


def test_a_store_above_the_memory_limit_is_served_from_disk(tmp_path: Path) -> None:
    OxigraphStore(tmp_path).replace_all(TWO_FACTS)
    assert not open_for_serving(tmp_path, {"PACTGRAPH_MEMORY_QUADS": "1"}).in_memory
    assert open_for_serving(tmp_path, {"PACTGRAPH_MEMORY_QUADS": "2"}).in_memory
    with pytest.raises(StoreError, match="PACTGRAPH_MEMORY_QUADS must be a whole number"):
        open_for_serving(tmp_path, {"PACTGRAPH_MEMORY_QUADS": "lots"})


def test_a_copy_in_memory_is_only_made_to_be_read(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="read-only"):
        OxigraphStore(tmp_path, in_memory=True)
