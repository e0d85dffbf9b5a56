"""Shared fixtures: the bundled Techniekpact graph is built once per test session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pactgraph.data import bundled_dataset
from pactgraph.graph.build import Sources, build, load_dataset, union_graph
from pactgraph.graph.store import OxigraphStore
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
