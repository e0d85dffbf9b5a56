"""The benchmark's synthetic pact: deterministic, and built by the real build path.

The generator lives in ``bench/`` (not an installed package); the tests run from the
repository root, where ``bench`` is importable.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pactgraph.graph.build import BuildError, Sources, load_dataset, union_graph
from pactgraph.loaders.anchor import comparison_key
from pactgraph.ontology.namespace import OA, PACT
from rdflib import RDF, Graph
from rdflib.namespace import DCTERMS, PROV

from bench.generator import DEFECTS, PactSpec, generate, parse_size

SIZE = 30


def _digest(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pact") / "pact"
    generate(PactSpec(SIZE, per_letter=10), root)
    return root


@pytest.fixture(scope="module")
def tiny_graph(tiny: Path) -> Graph:
    """The tiny pact through the real build path (records + letters → RDF, quotes anchored)."""
    return union_graph(load_dataset(Sources.from_directories(tiny / "records", tiny / "letters")))


def test_same_spec_gives_identical_files(tiny: Path, tmp_path: Path) -> None:
    again = generate(PactSpec(SIZE, per_letter=10), tmp_path / "again")
    assert _digest(tiny) == _digest(again.root)


def test_another_seed_gives_another_pact(tiny: Path, tmp_path: Path) -> None:
    other = generate(PactSpec(SIZE, per_letter=10, seed=7), tmp_path / "other")
    assert _digest(tiny) != _digest(other.root)


def test_output_has_the_bundled_format(tiny: Path) -> None:
    records = sorted(p.name for p in (tiny / "records").iterdir())
    assert {"documents.yaml", "organisations.yaml", "concepts.yaml"} <= set(records)
    assert len(list((tiny / "letters").glob("*.txt"))) == SIZE // 10
    letter = next((tiny / "letters").glob("*.txt")).read_text(encoding="utf-8")
    assert "-\n" in letter, "words are hyphenated across line breaks, as in a PDF extraction"
    assert "vergaderjaar" in letter, "page footers are in the text"


def test_every_quote_is_anchored_in_its_letter(tiny_graph: Graph) -> None:
    """The real build path anchors every quote; each position slice *is* the quoted passage."""
    dataset = tiny_graph
    texts = {
        str(document): str(text) for document, text in dataset.subject_objects(PACT.originalText)
    }
    commitments = set(dataset.subjects(RDF.type, PACT.Commitment))
    assert len(commitments) == SIZE
    passages = list(dataset.subjects(RDF.type, OA.SpecificResource))
    assert len(passages) > SIZE  # commitments, statuses, organisations, actions, …
    spans_footer = 0
    for passage in passages:
        source = str(dataset.value(passage, OA.hasSource))
        quote = str(dataset.value(passage, PACT.quote))
        position = next(
            s
            for s in dataset.objects(passage, OA.hasSelector)
            if (s, RDF.type, OA.TextPositionSelector) in dataset
        )
        start = int(dataset.value(position, OA.start))
        end = int(dataset.value(position, OA.end))
        lines = texts[source][start:end].split("\n")
        spans_footer += any("vergaderjaar" in line for line in lines)
        read = "\n".join(line for line in lines if "vergaderjaar" not in line)
        assert comparison_key(read) == comparison_key(quote)
    assert spans_footer > 0, "some quotes run across a page footer, so gap matching is exercised"


def test_status_is_reported_by_a_later_letter(tiny_graph: Graph) -> None:
    dataset = tiny_graph
    reported = 0
    for commitment, evidence in dataset.subject_objects(PACT.statusEvidence):
        source = dataset.value(commitment, PROV.wasDerivedFrom)
        promised = dataset.value(dataset.value(source, OA.hasSource), DCTERMS.date).toPython()
        told = dataset.value(dataset.value(evidence, OA.hasSource), DCTERMS.date).toPython()
        assert told >= promised, commitment
        reported += 1
    assert 0 < reported < SIZE


@pytest.mark.parametrize("defect", DEFECTS)
def test_invalid_records_are_each_rejected_by_name(defect: str, tmp_path: Path) -> None:
    pact = generate(PactSpec(SIZE, per_letter=10, invalid_fraction=0.1, defect=defect), tmp_path)
    assert len(pact.invalid) == 3
    with pytest.raises(BuildError) as raised:
        load_dataset(Sources.from_directories(pact.records, pact.letters))
    details = raised.value.details
    assert len(details) == len(pact.invalid)
    for record in pact.invalid:
        assert any(f"'{record}'" in line for line in details), (record, details)


def test_sizes_read_as_people_write_them() -> None:
    assert parse_size("1k") == 1000
    assert parse_size("100k") == 100_000
    assert parse_size("250") == 250
    with pytest.raises(ValueError, match="number of commitments"):
        parse_size("lots")


def test_spec_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="invalid_fraction"):
        PactSpec(10, invalid_fraction=2)
    with pytest.raises(ValueError, match="unknown defect"):
        PactSpec(10, invalid_fraction=0.1, defect="typo")
