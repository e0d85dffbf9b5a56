"""The bundled Techniekpact graph: complete, conforming, every quote where its offsets say."""

from __future__ import annotations

from collections import Counter

import pytest
from pactgraph.data import bundled_dataset
from pactgraph.graph.build import check
from pactgraph.graph.commitments import FIELDS, commitment_rows
from pactgraph.graph.store import OxigraphStore
from pactgraph.loaders.anchor import KeyedText, comparison_key, find_quote
from pactgraph.ontology.namespace import ID_IRI, OA, PACT
from rdflib import RDF, SKOS, Dataset, Graph, Literal, URIRef

NAMED_PARTIES = [
    "VSNU",
    "VO-raad",
    "PO-Raad",
    "AOC Raad",
    "MBO Raad",
    "Vereniging Hogescholen",
    "NRTO",
    "FNV",
    "CNV",
    "VNO-NCW",
    "MKB-Nederland",
    "FME",
    "Koninklijke Metaalunie",
    "Uneto-VNI",
    "ISO",
    "Landsdeel Noord",
    "Landsdeel Oost-Nederland",
    "Landsdeel Zuidoost",
    "Landsdeel Zuidwestvleugel",
    "Landsdeel Noordvleugel",
    "Ministerie van Economische Zaken",
    "Ministerie van Onderwijs, Cultuur en Wetenschap",
    "Ministerie van Sociale Zaken en Werkgelegenheid",
    "Landelijke Regiegroep Techniekpact",
    "Programmateam Techniekpact",
    "Platform Bèta Techniek",
    "Platform Talent voor Technologie",
    "SLO",
    "UWV",
    "SBB",
    "VHTO",
    "TechniekTalent.nu",
    "Topsectoren",
]


def letter_text(file_name: str) -> str:
    return bundled_dataset().joinpath("letters", file_name).read_bytes().decode("utf-8")


def test_the_bundled_graph_conforms_to_the_shapes(bundled_rdf: Dataset) -> None:
    assert check(bundled_rdf) == []


def test_at_least_80_commitments_and_every_letter_contributes(built_store: OxigraphStore) -> None:
    rows = commitment_rows(built_store)
    per_document = Counter(row["document"] for row in rows)
    assert len(rows) >= 80
    identifiers = built_store.select(
        "PREFIX pact: <https://w3id.org/pactgraph/def#> PREFIX dcterms: <http://purl.org/dc/terms/>"
        " SELECT ?id WHERE { ?d pact:originalText ?t ; dcterms:identifier ?id }"
    )
    shipped = {str(r["id"]) for r in identifiers.rows}
    assert len(shipped) == 5
    assert set(per_document) == shipped
    assert all(count > 0 for count in per_document.values())


def test_every_named_party_is_present_with_a_dutch_label(built_store: OxigraphStore) -> None:
    result = built_store.select(
        "PREFIX org: <http://www.w3.org/ns/org#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
        " SELECT ?label WHERE { ?o a org:Organization ; skos:prefLabel ?label"
        " FILTER(lang(?label)='nl') }"
    )
    labels = {str(row["label"]) for row in result.rows}
    missing = [name for name in NAMED_PARTIES if name not in labels]
    assert missing == []


def test_every_quote_slice_of_its_letter_reproduces_the_quote(bundled_union: Graph) -> None:
    """For every passage in the graph: the [start, end) slice of the shipped letter is the quote."""
    bundled_rdf = bundled_union
    checked = 0
    letters: dict[URIRef, str] = {}
    for document, text in bundled_rdf.subject_objects(PACT.originalText):
        letters[document] = str(text)
    for passage in set(bundled_rdf.subjects(RDF.type, OA.SpecificResource)):
        document = bundled_rdf.value(passage, OA.hasSource)
        quote = str(bundled_rdf.value(passage, PACT.quote))
        selectors = list(bundled_rdf.objects(passage, OA.hasSelector))
        position = next(
            s for s in selectors if (s, RDF.type, OA.TextPositionSelector) in bundled_rdf
        )
        exact_selector = next(
            s for s in selectors if (s, RDF.type, OA.TextQuoteSelector) in bundled_rdf
        )
        start = int(bundled_rdf.value(position, OA.start))
        end = int(bundled_rdf.value(position, OA.end))
        text = letters[document]
        passage_text = text[start:end]
        assert str(bundled_rdf.value(exact_selector, OA.exact)) == passage_text
        assert text[:start].endswith(str(bundled_rdf.value(exact_selector, OA.prefix)))
        assert text[end:].startswith(str(bundled_rdf.value(exact_selector, OA.suffix)))
        # whitespace and line-break hyphens aside; page furniture the quote skips is cut out
        gaps = find_quote(KeyedText.of(text), quote).gaps
        for gap_start, gap_end in reversed(gaps):
            passage_text = passage_text[: gap_start - start] + " " + passage_text[gap_end - start :]
        assert comparison_key(passage_text) == comparison_key(quote), passage
        checked += 1
    assert checked >= 80


def test_the_commitments_export_has_the_contracted_fields(built_store: OxigraphStore) -> None:
    rows = commitment_rows(built_store)
    assert all(tuple(row) == FIELDS for row in rows)
    servicepunten = next(r for r in rows if r["id"] == "c75-servicepunten-techniek-16-in-2014")
    assert servicepunten["owner_id"] == "uwv"
    assert servicepunten["due_phrase"] == "in 2014"
    assert (servicepunten["due_start"], servicepunten["due_end"]) == ("2014-01-01", "2014-12-31")
    assert servicepunten["target"] == "16 servicepunten"
    assert servicepunten["document"] == "Tweede Kamer, vergaderjaar 2012–2013, 32 637, nr. 75"
    letter = letter_text("tk-32637-75.txt")
    sliced = letter[int(servicepunten["quote_start"]) : int(servicepunten["quote_end"])]
    assert comparison_key(sliced) == comparison_key(servicepunten["quote"])


def test_amounts_are_euros_and_yearly_amounts_are_flagged(built_store: OxigraphStore) -> None:
    result = built_store.select(
        "PREFIX pact: <https://w3id.org/pactgraph/def#> PREFIX schema: <https://schema.org/>"
        " SELECT ?phrase ?value ?yearly WHERE { ?c a pact:Commitment ; pact:amount ?a ."
        " ?a pact:amountPhrase ?phrase ; schema:value ?value ; pact:perYear ?yearly }"
    )
    amounts = {str(r["phrase"]): (float(r["value"]), r["yearly"].toPython()) for r in result.rows}
    assert amounts["€ 8 miljoen"] == (8_000_000.0, False)
    assert all(value > 0 for value, _ in amounts.values())
    assert any(yearly for _, yearly in amounts.values())


def test_relative_due_phrases_are_read_against_their_letter_date(
    built_store: OxigraphStore,
) -> None:
    rows = {r["id"]: r for r in commitment_rows(built_store)}
    slo = next(
        r
        for r in rows.values()
        if r["due_phrase"].lower() == "dit najaar" and "2013" in r["document"]
    )
    assert (slo["due_start"], slo["due_end"]) == ("2013-09-01", "2013-11-30")


def test_statuses_carry_evidence_from_a_letter(built_store: OxigraphStore) -> None:
    result = built_store.select(
        "PREFIX pact: <https://w3id.org/pactgraph/def#> PREFIX oa: <http://www.w3.org/ns/oa#>"
        " SELECT ?c ?status ?doc WHERE { ?c pact:status ?status ."
        " OPTIONAL { ?c pact:statusEvidence/oa:hasSource ?doc } }"
    )
    assert len(result.rows) >= 10
    assert all("doc" in row for row in result.rows)


def test_people_hold_roles_with_periods(built_store: OxigraphStore) -> None:
    result = built_store.select(
        "PREFIX org: <http://www.w3.org/ns/org#> PREFIX time: <http://www.w3.org/2006/time#>"
        " SELECT ?end WHERE { ?m org:member <" + ID_IRI + "person/paul-de-krom> ;"
        " org:role <"
        + ID_IRI
        + "role/aanjager> ; org:memberDuring/time:hasEnd/time:inXSDDate ?end }"
    )
    assert [str(r["end"]) for r in result.rows] == ["2014-04-30"]


def test_signatories_are_memberships_of_the_pact_from_13_may_2013(
    built_store: OxigraphStore,
) -> None:
    result = built_store.select(
        "PREFIX org: <http://www.w3.org/ns/org#> PREFIX time: <http://www.w3.org/2006/time#>"
        " SELECT ?member ?start WHERE { ?m org:role <"
        + ID_IRI
        + "role/signatory> ; org:member ?member ;"
        " org:organization <" + ID_IRI + "organisation/techniekpact> ;"
        " org:memberDuring/time:hasBeginning/time:inXSDDate ?start }"
    )
    members = {str(r["member"]).rsplit("/", 1)[-1] for r in result.rows}
    assert {"vsnu", "fnv", "iso", "noord", "ocw"} <= members
    assert {str(r["start"]) for r in result.rows} == {"2013-05-13"}


@pytest.mark.parametrize("scheme", ["actielijnen-2013", "doelen-2016", "themas-2018"])
def test_each_edition_has_a_concept_scheme(bundled_union: Graph, scheme: str) -> None:
    bundled_rdf = bundled_union
    subject = URIRef(f"{ID_IRI}scheme/{scheme}")
    assert (subject, SKOS.prefLabel, None) in bundled_rdf
    labels = [
        label
        for label in bundled_rdf.objects(subject, SKOS.prefLabel)
        if isinstance(label, Literal)
    ]
    assert {label.language for label in labels} == {"nl", "en"}
