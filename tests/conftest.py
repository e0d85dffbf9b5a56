"""Shared fixtures: the bundled Techniekpact graph is built once per test session."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pactgraph.api.app import create_app
from pactgraph.data import bundled_dataset
from pactgraph.graph.build import Sources, build, load_dataset, union_graph
from pactgraph.graph.store import OxigraphStore, open_store
from rdflib import Dataset, Graph


@pytest.fixture(scope="session")
def bundled_rdf() -> Dataset:
    """The bundled corpus as an rdflib dataset (records + letters → RDF), not yet in a store."""
    return load_dataset(Sources.bundled())


@pytest.fixture(scope="session")
def bundled_union(bundled_rdf: Dataset) -> Graph:
    """All named graphs of the bundled dataset in one graph."""
    return union_graph(bundled_rdf)


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    """The bundled corpus built into a real on-disk Oxigraph store, opened read-only."""
    root = tmp_path_factory.mktemp("store")
    build(OxigraphStore(root))
    return OxigraphStore(root, read_only=True)


@pytest.fixture
def store(built_store: OxigraphStore) -> OxigraphStore:
    """A writable in-memory copy of the bundled graph, fresh for each test."""
    copy = open_store("memory:")
    copy.replace_all(built_store.dump())
    return copy


@pytest.fixture
def dataset_copy(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A writable copy of the bundled records and letters folders, for bad-input tests."""
    source = bundled_dataset()
    records, letters = tmp_path / "records", tmp_path / "letters"
    for name, target in (("records", records), ("letters", letters)):
        target.mkdir()
        for entry in source.joinpath(name).iterdir():
            (target / entry.name).write_bytes(entry.read_bytes())
    yield records, letters
    shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.fixture(scope="session")
def app(built_store: OxigraphStore) -> FastAPI:
    """The web app serving the built bundled graph."""
    return create_app(built_store)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    """An in-process HTTP client for the app (no socket)."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served by a real uvicorn on a free loopback port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            msg = "the test server did not start"
            raise RuntimeError(msg)
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
