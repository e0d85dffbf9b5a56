"""The build: records + letters → RDF → validated → swapped into the store, or nothing at all."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path

from pactgraph.data import bundled_dataset
from pactgraph.graph.store import GraphStore
from pactgraph.loaders.rdf import Letter, iter_letters, records_to_rdf
from pactgraph.loaders.records import Problem, RecordsError, RecordSet, read_records
from pactgraph.ontology import ontology_graph
from pactgraph.ontology.namespace import GRAPH_IRI, PACT, bind_prefixes
from pactgraph.shapes import Violation, validate
from rdflib import RDF, Dataset, Graph, URIRef

ONTOLOGY_GRAPH = URIRef(GRAPH_IRI + "ontology")


class BuildError(ValueError):
    """The data does not build or does not conform; the store was not touched."""

    def __init__(self, summary: str, details: list[str]) -> None:
        self.details = details
        super().__init__(summary + ("\n" + "\n".join(f"  {d}" for d in details) if details else ""))


@dataclass(frozen=True)
class Sources:
    """Where a dataset's curated records and letters are."""

    records: Traversable
    letters: Traversable

    @classmethod
    def bundled(cls) -> Sources:
        root = bundled_dataset()
        return cls(root.joinpath("records"), root.joinpath("letters"))

    @classmethod
    def from_directories(cls, records: Path | None, letters: Path | None) -> Sources:
        bundled = cls.bundled()
        return cls(records or bundled.records, letters or bundled.letters)


@dataclass
class BuildReport:
    """What a build produced, for the person who ran it."""

    triples: int = 0
    seconds: float = 0.0
    commitments_per_document: Counter[str] = field(default_factory=Counter)
    things: Counter[str] = field(default_factory=Counter)


def read_letters(records: RecordSet, letters: Traversable) -> dict[str, Letter]:
    """The letters the document records name, exactly as the files hold them."""
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    for record in records.of("documents"):
        name = record.text("file")
        if not name:
            continue
        path = letters.joinpath(name)
        if not path.is_file():
            problems.append(
                Problem(
                    record.file,
                    record.field_line("file"),
                    record.label(),
                    f"letter file {name!r} not found in the letters folder",
                )
            )
            continue
        try:
            texts[name] = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(
                Problem(
                    record.file,
                    record.field_line("file"),
                    record.label(),
                    f"letter file {name!r} is not UTF-8 ({error.reason} at byte {error.start})",
                )
            )
    if problems:
        raise RecordsError(problems)
    return {letter.document_id: letter for letter in iter_letters(records, texts)}


def load_dataset(sources: Sources) -> Dataset:
    """The full dataset (ontology included) for ``sources``; raises :class:`BuildError`."""
    try:
        files = [f for f in sources.records.iterdir() if f.name.endswith((".yaml", ".yml"))]
        records = read_records(files)
        letters = read_letters(records, sources.letters)
        dataset = records_to_rdf(records, letters)
    except RecordsError as error:
        count = len(error.problems)
        raise BuildError(
            f"the records do not build ({count} problem{'s' * (count != 1)}); "
            "the store was not changed:",
            [str(p) for p in error.problems],
        ) from error
    ontology = dataset.graph(ONTOLOGY_GRAPH)
    for triple in ontology_graph():
        ontology.add(triple)
    return dataset


def union_graph(dataset: Dataset, *, include_ontology: bool = False) -> Graph:
    """All triples of the dataset's named graphs in one graph (what SHACL validates)."""
    union = bind_prefixes(Graph())
    for graph in dataset.graphs():
        if graph.identifier == ONTOLOGY_GRAPH and not include_ontology:
            continue
        for triple in graph:
            union.add(triple)
    return union


def check(dataset: Dataset) -> list[Violation]:
    """The shapes' verdict on a dataset (without its ontology graph)."""
    return validate(union_graph(dataset))


def build(store: GraphStore, sources: Sources | None = None) -> BuildReport:
    """Build ``sources`` (the bundled corpus by default) into ``store``, atomically."""
    started = time.perf_counter()
    dataset = load_dataset(sources or Sources.bundled())
    union = union_graph(dataset)
    violations = validate(union)
    if violations:
        raise BuildError(
            f"the data violates {len(violations)} shape constraint(s); the store was not changed:",
            [str(v) for v in violations],
        )
    nquads = dataset.serialize(format="nquads", encoding="utf-8")
    store.replace_all(nquads)
    report = summarise(dataset, union)
    report.seconds = time.perf_counter() - started
    return report


def summarise(dataset: Dataset, union: Graph | None = None) -> BuildReport:
    """Counts per kind and per source document."""
    report = BuildReport()
    union = union if union is not None else union_graph(dataset)
    report.triples = len(union)
    kinds = {
        "commitments": PACT.Commitment,
        "organisations": URIRef("http://www.w3.org/ns/org#Organization"),
        "people": URIRef("http://xmlns.com/foaf/0.1/Person"),
        "programmes": URIRef("https://schema.org/Project"),
        "funds": URIRef("https://schema.org/FundingScheme"),
        "documents": URIRef("http://xmlns.com/foaf/0.1/Document"),
        "memberships": URIRef("http://www.w3.org/ns/org#Membership"),
    }
    for name, cls in kinds.items():
        report.things[name] = len(set(union.subjects(RDF.type, cls)))
    for graph in dataset.graphs():
        count = len(set(graph.subjects(RDF.type, PACT.Commitment)))
        if count:
            report.commitments_per_document[str(graph.identifier).rsplit("/", 1)[-1]] = count
    return report
