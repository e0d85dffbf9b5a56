"""Named queries over the bundled graph: real answers, typed and bound parameters, every format.

Expected answers are worked out here from the curated records (YAML), not from the queries, so
a query that drifts from the data model fails. Parameters are attacked through every query's
every parameter: the answer is a 400 or no more rows than without that parameter.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pactgraph.data import bundled_dataset
from pactgraph.graph.commitments import commitment_rows
from pactgraph.graph.store import OxigraphStore
from pactgraph.ontology.namespace import ID_IRI
from pactgraph.queries import catalogue, load_query, run_named_query
from rdflib import URIRef

QUERIES = sorted(catalogue())
TODAY = date(2016, 2, 29)
Rows = list[dict[str, Any]]
Records = Mapping[str, list[dict[str, Any]]]

SAMPLES: dict[tuple[str, str], list[str]] = {
    ("owners-and-partners", "action_line"): ["concept/werken"],
    ("owners-and-partners", "landsdeel"): ["organisation/oost"],
    ("owners-and-partners", "organisation"): [
        "organisation/arbeidsmarktregio-stedendriehoek-noord-veluwe"
    ],
    ("organisation-commitments", "organisation"): ["organisation/ocw"],
    ("organisation-commitments", "as"): ["partner"],
    ("trace", "commitment"): ["commitment/c75-servicepunten-techniek-16-in-2014"],
    ("commitments-due", "from"): ["2014-01-01"],
    ("commitments-due", "to"): ["2014-12-31"],
    ("commitments-due", "organisation"): ["organisation/ocw"],
    ("commitments-due", "text"): ["studiebijsluiter"],
    ("overdue-commitments", "as_of"): ["2015-01-01"],
    ("overdue-commitments", "organisation"): ["organisation/ocw"],
    ("signatories", "kind"): ["kind/landsdeel"],
    ("signatories", "landsdeel"): ["organisation/noord"],
    ("programmes", "organisation"): ["organisation/pbt"],
    ("funds", "funder"): ["organisation/ocw"],
    ("funds", "from"): ["2015-06-01"],
    ("funds", "to"): ["2015-12-31"],
    ("amounts", "payer"): ["organisation/ocw"],
    ("amounts", "from"): ["2014-06-01"],
    ("amounts", "to"): ["2014-12-31"],
    ("amounts", "min_amount"): ["10000000"],
    ("document-timeline", "from"): ["2014-01-01"],
    ("document-timeline", "to"): ["2019-01-01"],
    ("document-timeline", "include_cited"): ["true"],
    ("goal-editions", "edition"): ["2018"],
    ("co-partners", "organisation"): ["organisation/ocw"],
    ("co-partners", "min_shared"): ["2"],
}
"""A valid value per parameter that narrows (or, for flags, changes) the answer."""

WIDENING = {("document-timeline", "include_cited"), ("overdue-commitments", "as_of")}
"""Parameters whose sample does not only remove rows (a flag that adds, a different day)."""

INJECTIONS = (
    "x> ?p ?o . FILTER(true) #",
    '" ) || true #',
    "' } UNION { ?s ?p ?o } #",
    "https://w3id.org/pactgraph/id/organisation/vhto> . ?s ?p ?o . #",
    '2014-01-01"^^<http://www.w3.org/2001/XMLSchema#date> ) ) #',
    "1 ) } UNION { ?s ?p ?o",
    "true || 1",
)


def sample_parameters(name: str) -> dict[str, list[str]]:
    """Every parameter of a query with its sample value."""
    return {p.name: SAMPLES[(name, p.name)] for p in load_query(name).params}


def required_samples(name: str) -> dict[str, list[str]]:
    """Just the required parameters of a query with their sample values."""
    return {p.name: SAMPLES[(name, p.name)] for p in load_query(name).params if p.required}


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    """A client with its own cookie jar: the language cookie a page sets must not leak."""
    with TestClient(app) as own:
        yield own


def iri(kind: str, identifier: str) -> str:
    return f"{ID_IRI}{kind}/{identifier}"


def tail(value: str) -> str:
    return value.rsplit("/", 1)[-1]


def ask(client: TestClient, name: str, **params: str | Iterable[str]) -> Rows:
    """The JSON rows of ``/queries/{name}`` with parameters (lists for repeated values)."""
    pairs = []
    for key, value in params.items():
        values = [value] if isinstance(value, str) else list(value)
        pairs += [(key, v) for v in values]
    response = client.get(f"/queries/{name}", params=pairs)
    assert response.status_code == 200, response.text
    rows: Rows = response.json()["rows"]
    return rows


def row_set(rows: Rows) -> set[tuple[tuple[str, Any], ...]]:
    return {tuple(sorted(row.items())) for row in rows}


def ids(rows: Rows, column: str) -> set[str]:
    return {tail(row[column]) for row in rows if row[column] is not None}


@pytest.fixture(scope="module")
def records() -> Records:
    """Every top-level list of the bundled records, merged across files."""
    merged: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in bundled_dataset().joinpath("records").iterdir():
        if entry.name.endswith(".yaml"):
            for key, items in (yaml.safe_load(entry.read_text(encoding="utf-8")) or {}).items():
                merged[key].extend(items)
    return merged


def commitments_of(records: Records, organisation: str) -> set[str]:
    """Commitments an organisation owns or partners, by the records."""
    return {
        c["id"]
        for c in records["commitments"]
        if c["owner"] == organisation or organisation in c.get("partners", [])
    }


def by_id(records: Records, kind: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in records[kind]}


# ------------------------------------------------------------------ every query, every parameter


@pytest.mark.parametrize("name", QUERIES)
def test_every_parameter_has_a_sample_for_the_tests(name: str) -> None:
    """A new parameter needs a sample value here, so the binding and injection tests cover it."""
    for parameter in load_query(name).params:
        assert (name, parameter.name) in SAMPLES, f"add a sample for {name}?{parameter.name}"


@pytest.mark.parametrize("name", QUERIES)
def test_every_parameter_can_be_bound(name: str, built_store: OxigraphStore) -> None:
    """The engine refuses a binding for a variable outside the projection; none may be."""
    result = run_named_query(built_store, name, sample_parameters(name), today=TODAY)
    hidden = {p.name for p in load_query(name).params if not p.column}
    assert not hidden & set(result.variables), "parameter columns are dropped"
    for row in result.rows:
        assert not hidden & set(row)


EXPORT_CONTRACT = "commitments"
"""The commitments export keeps its fixed fields (ids, not IRIs); the CLI and users rely on them."""


@pytest.mark.parametrize("name", [q for q in QUERIES if q != EXPORT_CONTRACT])
def test_query_results_carry_iris_and_labels(name: str, built_store: OxigraphStore) -> None:
    """Every query gives IRIs to link and Dutch labels to show for them."""
    result = run_named_query(built_store, name, sample_parameters(name), today=TODAY)
    assert result.rows, f"{name} with its sample parameters should find something"
    iri_columns = {k for row in result.rows for k, v in row.items() if isinstance(v, URIRef)}
    assert iri_columns
    assert any(f"{c}_label" in result.variables for c in iri_columns)


OPTIONAL_PARAMETERS = [
    (name, p.name) for name in QUERIES for p in load_query(name).params if not p.required
]


@pytest.mark.parametrize(("name", "parameter"), OPTIONAL_PARAMETERS)
def test_every_optional_parameter_changes_the_answer(
    name: str, parameter: str, built_store: OxigraphStore
) -> None:
    """Unbound means no filter, bound means the filter applies — the trap is a silent no-op."""
    base = required_samples(name)
    without = run_named_query(built_store, name, base, today=TODAY).rows
    with_it = run_named_query(
        built_store, name, {**base, parameter: SAMPLES[(name, parameter)]}, today=TODAY
    ).rows
    assert without, "the unfiltered answer should not be empty"
    assert with_it, "the sample should still find something"
    as_set = lambda rows: {tuple(sorted(r.items())) for r in rows}  # noqa: E731
    assert as_set(with_it) != as_set(without)
    if (name, parameter) not in WIDENING:
        assert as_set(with_it) < as_set(without)


INJECTION_CASES = [
    (name, p.name, payload)
    for name in QUERIES
    for p in load_query(name).params
    for payload in INJECTIONS
]


@pytest.mark.parametrize(("name", "parameter", "payload"), INJECTION_CASES)
def test_injection_through_any_parameter_gives_400_or_no_extra_rows(
    name: str, parameter: str, payload: str, client: TestClient
) -> None:
    query = load_query(name)
    required = next(p for p in query.params if p.name == parameter).required
    others = {k: v for k, v in sample_parameters(name).items() if k != parameter}
    response = client.get(
        f"/queries/{name}",
        params=[*((k, v) for k, vs in others.items() for v in vs), (parameter, payload)],
    )
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert f"'{parameter}'" in response.json()["detail"]
        assert response.json()["parameter"] == parameter
        return
    attacked = row_set(response.json()["rows"])
    baseline = set() if required else row_set(ask(client, name, **others))
    assert attacked <= baseline


# ------------------------------------------------------------------ owners and partners


def test_owners_and_partners_lists_every_owner_and_partner(
    client: TestClient, records: Records
) -> None:
    expected = set()
    for c in records["commitments"]:
        expected.add((c["id"], "owner", c["owner"]))
        expected |= {(c["id"], "partner", p) for p in c.get("partners", [])}
    rows = ask(client, "owners-and-partners")
    assert len(rows) == len(expected)
    assert {(tail(r["commitment"]), r["role"], tail(r["party"])) for r in rows} == expected


def test_owners_and_partners_of_an_organisation_lists_all_their_parties(
    client: TestClient, records: Records
) -> None:
    mine = commitments_of(records, "ocw")
    rows = ask(client, "owners-and-partners", organisation="organisation/ocw")
    assert ids(rows, "commitment") == mine
    commitments = by_id(records, "commitments")
    assert len(rows) == sum(1 + len(commitments[c].get("partners", [])) for c in mine)
    vhto = ask(client, "owners-and-partners", organisation="organisation/vhto")
    assert {(tail(r["commitment"]), r["role"], r["party_label"]) for r in vhto} == {
        ("c50-vhto-3500-klassen-rolmodellen-2014", "owner", "VHTO")
    }


def test_owners_and_partners_by_action_lines_merges_each_line(
    client: TestClient, records: Records
) -> None:
    lines = ["werken", "publiek-privaat-samenwerken"]
    rows = ask(client, "owners-and-partners", action_line=[f"concept/{x}" for x in lines])
    expected = {c["id"] for c in records["commitments"] if c.get("action_line") in lines}
    assert ids(rows, "commitment") == expected
    assert {tail(r["line"]) for r in rows} == set(lines)
    assert rows[0]["line_label"] and rows[0]["line_label_en"]
    assert len(row_set(rows)) == len(rows), "no row twice"
    separately = ask(client, "owners-and-partners", action_line="concept/werken")
    assert row_set(separately) < row_set(rows)


def test_owners_and_partners_in_a_landsdeel(client: TestClient, records: Records) -> None:
    members = {o["id"] for o in records["organisations"] if o.get("landsdeel") == "oost"}
    members.add("oost")
    expected = {
        c["id"]
        for c in records["commitments"]
        if "oost" in c.get("landsdelen", []) or ({c["owner"], *c.get("partners", [])} & members)
    }
    rows = ask(client, "owners-and-partners", landsdeel="organisation/oost")
    assert ids(rows, "commitment") == expected
    assert "r14b-stedendriehoek-1830-banen-jongeren" in expected


# ------------------------------------------------------------------ an organisation's commitments


def test_vhto_committed_to_exactly_what_the_records_say(
    client: TestClient, records: Records
) -> None:
    rows = ask(client, "organisation-commitments", organisation="organisation/vhto")
    assert ids(rows, "commitment") == commitments_of(records, "vhto")
    assert {tail(r["commitment"]) for r in rows} == {"c50-vhto-3500-klassen-rolmodellen-2014"}
    (row,) = rows
    assert row["role"] == "owner"
    assert row["organisation"] == iri("organisation", "vhto")
    assert row["due_phrase"] == "In 2014"
    assert row["due_end"] == "2014-12-31"
    assert tail(row["document"]) == "tk-32637-50"


def test_organisation_commitments_as_partner(client: TestClient, records: Records) -> None:
    rows = ask(
        client, "organisation-commitments", organisation="organisation/ocw", **{"as": "partner"}
    )
    expected = {c["id"] for c in records["commitments"] if "ocw" in c.get("partners", [])}
    assert expected
    assert ids(rows, "commitment") == expected
    assert {r["role"] for r in rows} == {"partner"}


def test_organisation_commitments_of_several_organisations(
    client: TestClient, records: Records
) -> None:
    rows = ask(
        client,
        "organisation-commitments",
        organisation=["organisation/ocw", "organisation/pbt"],
    )
    got = {(tail(r["organisation"]), tail(r["commitment"])) for r in rows}
    expected = {("ocw", c) for c in commitments_of(records, "ocw")} | {
        ("pbt", c) for c in commitments_of(records, "pbt")
    }
    assert got == expected


# ------------------------------------------------------------------ trace


def letter_text(records: Records, document: str) -> str:
    file_name = by_id(records, "documents")[document]["file"]
    return bundled_dataset().joinpath("letters", file_name).read_text(encoding="utf-8")


def test_trace_gives_source_and_status_passages_with_offsets(
    client: TestClient, records: Records
) -> None:
    commitment_id = "c75-servicepunten-techniek-16-in-2014"
    record = by_id(records, "commitments")[commitment_id]
    rows = ask(client, "trace", commitment=f"commitment/{commitment_id}")
    by_evidence = {r["evidence"]: r for r in rows}
    assert set(by_evidence) == {"source", "status"}
    for evidence, source in (("source", record["source"]), ("status", record["status"]["source"])):
        row = by_evidence[evidence]
        assert tail(row["document"]) == source["document"]
        assert row["quote"] == " ".join(source["quote"].split())
        assert isinstance(row["start"], int) and isinstance(row["end"], int)
        assert letter_text(records, source["document"])[row["start"] : row["end"]] == row["exact"]
    assert by_evidence["source"]["document_date"] == str(
        by_id(records, "documents")["tk-32637-75"]["date"]
    )
    assert tail(by_evidence["status"]["status"]) == record["status"]["value"]
    assert by_evidence["source"]["owner_label"] == "UWV"


def test_trace_shows_a_due_passage_and_several_commitments(
    client: TestClient, records: Records
) -> None:
    with_due = [c for c in records["commitments"] if c.get("due_quote")]
    first, second = with_due[0]["id"], "c50-vhto-3500-klassen-rolmodellen-2014"
    rows = ask(client, "trace", commitment=[f"commitment/{first}", f"commitment/{second}"])
    assert {tail(r["commitment"]) for r in rows} == {first, second}
    due = [r for r in rows if r["evidence"] == "due"]
    assert [tail(r["commitment"]) for r in due] == [first]
    assert due[0]["quote"] == " ".join(with_due[0]["due_quote"].split())


def test_trace_of_something_that_is_no_commitment_is_empty(client: TestClient) -> None:
    assert ask(client, "trace", commitment="organisation/vhto") == []


# ------------------------------------------------------------------ due and overdue


def test_commitments_due_in_2014_match_the_export(
    client: TestClient, built_store: OxigraphStore
) -> None:
    export = commitment_rows(built_store)
    expected = {r["id"] for r in export if "2014-01-01" <= r["due_end"] <= "2014-12-31"}
    rows = ask(client, "commitments-due", **{"from": "2014-01-01", "to": "2014-12-31"})
    assert ids(rows, "commitment") == expected
    assert "c50-vhto-3500-klassen-rolmodellen-2014" in expected
    open_ended = ask(client, "commitments-due", **{"from": "2020-01-01"})
    assert ids(open_ended, "commitment") == {
        r["id"] for r in export if r["due_end"] >= "2020-01-01"
    }


def test_commitments_due_by_text_in_the_label(
    client: TestClient, built_store: OxigraphStore
) -> None:
    rows = ask(client, "commitments-due", text="SectorPlan")
    expected = {r["id"] for r in commitment_rows(built_store) if "sectorplan" in r["label"].lower()}
    assert len(expected) > 3
    assert ids(rows, "commitment") == expected


def overdue(client: TestClient, as_of: str, **params: str) -> set[str]:
    return ids(ask(client, "overdue-commitments", as_of=as_of, **params), "commitment")


def test_an_open_commitment_is_overdue_only_after_its_due_date(
    client: TestClient, records: Records
) -> None:
    vhto = "c50-vhto-3500-klassen-rolmodellen-2014"
    record = by_id(records, "commitments")[vhto]
    assert "status" not in record and record["due"] == "In 2014"
    assert vhto in overdue(client, "2015-01-01")
    assert vhto not in overdue(client, "2014-12-31")
    assert vhto not in overdue(client, "2014-06-30")
    row = next(
        r
        for r in ask(client, "overdue-commitments", as_of="2015-03-01")
        if tail(r["commitment"]) == vhto
    )
    assert row["days_overdue"] == (date(2015, 3, 1) - date(2014, 12, 31)).days


def test_a_commitment_reported_met_stops_being_overdue_when_the_report_is_dated(
    client: TestClient, records: Records
) -> None:
    jetnet = "c50-jetnet-junior-begin-2013"
    record = by_id(records, "commitments")[jetnet]
    assert record["status"]["value"] == "met"
    reported = by_id(records, "documents")[record["status"]["source"]["document"]]["date"]
    assert reported == date(2014, 5, 1)
    assert jetnet in overdue(client, "2014-01-01")
    assert jetnet not in overdue(client, "2014-06-01")
    met = {c["id"] for c in records["commitments"] if c.get("status", {}).get("value") == "met"}
    assert not met & overdue(client, "2021-01-01")


def test_ongoing_commitments_past_their_date_are_overdue(
    client: TestClient, records: Records
) -> None:
    servicepunten = "c75-servicepunten-techniek-16-in-2014"
    assert by_id(records, "commitments")[servicepunten]["status"]["value"] == "ongoing"
    assert servicepunten in overdue(client, "2015-06-01")


def test_overdue_defaults_to_today(client: TestClient) -> None:
    implicit = client.get("/queries/overdue-commitments").json()
    explicit = ask(client, "overdue-commitments", as_of=date.today().isoformat())
    assert implicit["parameters"]["as_of"] == [date.today().isoformat()]
    assert implicit["rows"] == explicit
    assert implicit["rows"]


def test_overdue_for_an_organisation(client: TestClient, records: Records) -> None:
    everything = overdue(client, "2016-01-01")
    ocw = overdue(client, "2016-01-01", organisation="organisation/ocw")
    assert ocw == everything & commitments_of(records, "ocw")
    assert ocw


# ------------------------------------------------------------------ signatories, programmes, money


def test_signatories_by_kind_and_landsdeel(client: TestClient, records: Records) -> None:
    members = {m for group in records["signatories"] for m in group["members"]}
    kinds = {o["id"]: o["kind"] for o in records["organisations"]}
    rows = ask(client, "signatories")
    assert ids(rows, "organisation") == members
    assert {r["since"] for r in rows} == {str(records["signatories"][0]["date"])}
    ministries = ask(client, "signatories", kind="kind/ministry")
    assert ids(ministries, "organisation") == {m for m in members if kinds[m] == "ministry"}
    assert {r["signatory_kind_label_en"] for r in ministries} == {"ministry"}
    two = ask(client, "signatories", kind=["kind/ministry", "kind/union"])
    assert ids(two, "organisation") == {m for m in members if kinds[m] in ("ministry", "union")}
    noord = ask(client, "signatories", landsdeel="organisation/noord")
    assert [(tail(r["organisation"]), tail(r["region"])) for r in noord] == [("noord", "noord")]


def test_programmes_and_who_runs_and_funds_them(client: TestClient, records: Records) -> None:
    rows = ask(client, "programmes")
    got = {(tail(r["programme"]), r["involvement"], tail(r["party"] or "")) for r in rows}
    for programme in records["programmes"]:
        for runner in programme.get("run_by", []):
            assert (programme["id"], "runs", runner) in got
        for funder in programme.get("funded_by", []):
            assert (programme["id"], "funds", funder) in got
    assert ids(rows, "programme") == {p["id"] for p in records["programmes"]}
    used = Counter(p for c in records["commitments"] for p in c.get("programmes", []))
    counts = {tail(r["programme"]): r["commitments"] for r in rows}
    assert counts == {p["id"]: used[p["id"]] for p in records["programmes"]}
    pbt = ask(client, "programmes", organisation="organisation/pbt")
    assert ids(pbt, "programme") == {
        p["id"]
        for p in records["programmes"]
        if "pbt" in p.get("run_by", []) or "pbt" in p.get("funded_by", [])
    }


def test_funds_by_funder_and_period(client: TestClient, records: Records) -> None:
    rows = ask(client, "funds")
    assert ids(rows, "fund") == {f["id"] for f in records["funds"]}
    for fund in records["funds"]:
        row = next(r for r in rows if tail(r["fund"]) == fund["id"])
        assert tail(row["payer"]) == fund["funder"]
        assert row["amount_phrase"] == fund.get("amount")
        assert row["period_phrase"] == fund.get("period")
        assert row["commitments"] == sum(
            c.get("fund") == fund["id"] for c in records["commitments"]
        )
    rif = next(r for r in rows if tail(r["fund"]) == "regionaal-investeringsfonds-mbo")
    assert (rif["amount_eur"], rif["per_year"]) == (100_000_000, False)
    ocw = ask(client, "funds", funder="organisation/ocw")
    assert ids(ocw, "fund") == {f["id"] for f in records["funds"] if f["funder"] == "ocw"}
    in_2016 = ids(ask(client, "funds", **{"from": "2016-01-01"}), "fund")
    assert in_2016 == {"regionaal-investeringsfonds-mbo"}
    assert "subsidieregeling-praktijkleren" in ids(rows, "fund"), "no period: kept unfiltered"


def test_amounts_of_funds_and_commitments(client: TestClient, records: Records) -> None:
    rows = ask(client, "amounts")
    with_amount = [
        *(f for f in records["funds"] if f.get("amount")),
        *(c for c in records["commitments"] if c.get("amount")),
    ]
    assert len(rows) == len(with_amount)
    assert Counter(r["kind"] for r in rows) == {
        "fund": sum(1 for f in records["funds"] if f.get("amount")),
        "commitment": sum(1 for c in records["commitments"] if c.get("amount")),
    }
    big = ask(client, "amounts", min_amount="100000000")
    assert big and all(r["amount_eur"] >= 100_000_000 for r in big)
    assert "c75-sectorplannen-600-miljoen-2014-2015" in ids(big, "item")
    vhto = ask(client, "amounts", payer="organisation/vhto")
    assert [(tail(r["item"]), r["amount_eur"], r["amount_phrase"]) for r in vhto] == [
        ("c50-vhto-3500-klassen-rolmodellen-2014", 1_600_000, "€ 1,6 miljoen")
    ]


# ------------------------------------------------------------------ documents and editions


def test_document_timeline_counts_what_each_letter_added(
    client: TestClient, records: Records
) -> None:
    letters = [d for d in records["documents"] if d.get("file")]
    drawn = Counter(c["source"]["document"] for c in records["commitments"])
    reported = Counter(
        c["status"]["source"]["document"] for c in records["commitments"] if "status" in c
    )
    reported.update(r["source"]["document"] for r in records.get("status_reports", []))
    rows = ask(client, "document-timeline")
    assert [tail(r["document"]) for r in rows] == [
        d["id"] for d in sorted(letters, key=lambda d: str(d["date"]))
    ]
    for row in rows:
        assert row["commitments"] == drawn[tail(row["document"])]
        assert row["statuses"] == reported[tail(row["document"])]
        assert row["has_text"] is True
    assert sum(r["statuses"] for r in rows) == 20
    everything = ask(client, "document-timeline", include_cited="true")
    assert ids(everything, "document") == {d["id"] for d in records["documents"]}
    early = ask(client, "document-timeline", to="2013-12-31")
    assert ids(early, "document") == {d["id"] for d in letters if str(d["date"]) <= "2013-12-31"}


def test_goal_editions_chain_2013_2016_2018(client: TestClient, records: Records) -> None:
    rows = ask(client, "goal-editions")
    chain = {
        (
            tail(r["scheme"]),
            r["scheme_edition"],
            tail(r["replaced_by"] or ""),
            r["replaced_by_edition"],
        )
        for r in rows
    }
    assert chain == {
        ("actielijnen-2013", 2013, "doelen-2016", 2016),
        ("doelen-2016", 2016, "themas-2018", 2018),
        ("themas-2018", 2018, "", None),
    }
    schemes = {s["id"]: s for s in records["schemes"]}
    assert schemes["actielijnen-2013"]["replaced_by"] == "doelen-2016"
    matches = {(tail(r["concept"]), tail(r["close_match"])) for r in rows if r["close_match"]}
    for concept in records["concepts"]:
        for match in concept.get("close_match", []):
            assert (concept["id"], match) in matches
            assert (match, concept["id"]) in matches, "closeMatch is read both ways"
    kiezen = next(r for r in rows if r["concept"] == iri("concept", "kiezen"))
    assert kiezen["commitments"] == sum(
        c.get("action_line") == "kiezen" for c in records["commitments"]
    )
    only_2018 = ask(client, "goal-editions", edition="2018")
    assert {tail(r["scheme"]) for r in only_2018} == {"themas-2018"}


def test_co_partners_of_ocw_with_how_many(client: TestClient, records: Records) -> None:
    shared: Counter[str] = Counter()
    for c in records["commitments"]:
        parties = {c["owner"], *c.get("partners", [])}
        if "ocw" in parties:
            shared.update(parties - {"ocw"})
    rows = ask(client, "co-partners", organisation="organisation/ocw")
    assert {tail(r["co_partner"]): r["shared"] for r in rows} == dict(shared)
    assert {r["organisation"] for r in rows} == {iri("organisation", "ocw")}
    assert [r["shared"] for r in rows] == sorted((r["shared"] for r in rows), reverse=True)
    at_least_two = ask(client, "co-partners", organisation="organisation/ocw", min_shared="2")
    assert {tail(r["co_partner"]) for r in at_least_two} == {p for p, n in shared.items() if n >= 2}


# ------------------------------------------------------------------ formats


def test_csv_has_the_same_rows_as_json(client: TestClient) -> None:
    params = {"organisation": "organisation/ocw"}
    as_json = client.get("/queries/organisation-commitments", params=params).json()
    response = client.get("/queries/organisation-commitments", params={**params, "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0] == as_json["variables"]
    assert len(table) - 1 == as_json["count"] == len(as_json["rows"])
    first = dict(zip(table[0], table[1], strict=True))
    assert first["commitment"] == as_json["rows"][0]["commitment"]
    assert first["organisation"] == iri("organisation", "ocw")


def test_accept_chooses_the_format_and_format_overrides_it(client: TestClient) -> None:
    url = "/queries/co-partners?organisation=organisation/vhto"
    assert (
        client.get(url, headers={"accept": "text/csv"})
        .headers["content-type"]
        .startswith("text/csv")
    )
    html = client.get(url, headers={"accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html")
    forced = client.get(url + "&format=json", headers={"accept": "text/html"})
    assert forced.headers["content-type"].startswith("application/json")
    assert "Accept" in forced.headers["vary"]
    assert client.get(url).headers["content-type"].startswith("application/json")


def test_html_table_links_labels_to_entities_and_commitments_to_their_trace(
    browser: TestClient,
) -> None:
    response = browser.get(
        "/queries/owners-and-partners",
        params={"organisation": "organisation/vhto", "format": "html"},
    )
    assert response.status_code == 200
    page = response.text
    assert '<a href="/id/organisation/vhto">VHTO</a>' in page
    assert 'href="/id/commitment/c50-vhto-3500-klassen-rolmodellen-2014"' in page
    assert 'href="/trace/c50-vhto-3500-klassen-rolmodellen-2014"' in page
    assert '<a href="/id/concept/kiezen">Kiezen voor techniek</a>' in page
    assert '<strong id="row-count">1</strong>' in page
    assert "format=csv" in page and "format=json" in page
    assert 'value="organisation/vhto"' in page, "the form keeps the request's values"
    english = browser.get(
        "/queries/owners-and-partners",
        params={"organisation": "organisation/vhto", "format": "html", "lang": "en"},
    ).text
    assert '<a href="/id/concept/kiezen">Choosing technology</a>' in english


def test_json_values_are_plain(client: TestClient) -> None:
    body = client.get("/queries/amounts", params={"payer": "organisation/vhto"}).json()
    (row,) = body["rows"]
    assert row["amount_eur"] == 1_600_000
    assert row["per_year"] is False
    assert row["paid_by"] == iri("organisation", "vhto")
    assert row["end"] == "2014-12-31"
    assert row["fund"] is None
    assert body["variables"][0] == "kind"
    assert body["query"] == "amounts"


# ------------------------------------------------------------------ errors


def test_unknown_query_is_404_in_json_and_html(client: TestClient) -> None:
    response = client.get("/queries/no-such-question")
    assert response.status_code == 404
    assert "no-such-question" in response.json()["detail"]
    assert "overdue-commitments" in response.json()["detail"]
    page = client.get("/queries/no-such-question", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert 'href="/queries/trace"' in page.text


@pytest.mark.parametrize(
    ("url", "parameter", "expected"),
    [
        ("/queries/overdue-commitments?as_of=31-12-2014", "as_of", "YYYY-MM-DD"),
        ("/queries/overdue-commitments?as_of=2014-02-30", "as_of", "YYYY-MM-DD"),
        ("/queries/co-partners?organisation=vhto", "organisation", "absolute IRI"),
        (
            "/queries/co-partners?organisation=organisation/ocw&min_shared=two",
            "min_shared",
            "whole",
        ),
        ("/queries/amounts?min_amount=lots", "min_amount", "number"),
        ("/queries/document-timeline?include_cited=perhaps", "include_cited", "true or false"),
        ("/queries/organisation-commitments?organisation=organisation/ocw&as=chair", "as", "owner"),
        ("/queries/trace", "commitment", "required"),
        ("/queries/co-partners", "organisation", "required"),
        (
            "/queries/signatories?landsdeel=organisation/noord&landsdeel=organisation/oost",
            "landsdeel",
            "one value",
        ),
        ("/queries/signatories?regio=noord", "regio", "kind, landsdeel"),
        ("/queries/signatories?format=xml", "format", "json, csv, html"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter_and_the_form(
    url: str, parameter: str, expected: str, client: TestClient
) -> None:
    response = client.get(url)
    assert response.status_code == 400
    body = response.json()
    assert f"'{parameter}'" in body["detail"]
    assert body["parameter"] == parameter
    assert expected in body["detail"]


def test_bad_parameter_in_a_browser_shows_the_form_and_the_problem(browser: TestClient) -> None:
    response = browser.get(
        "/queries/overdue-commitments?as_of=yesterday", headers={"accept": "text/html"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert re.search(r'<p class="error" id="problem">[^<]*as_of', response.text)
    assert 'name="as_of"' in response.text


def test_nothing_acceptable_is_406(client: TestClient) -> None:
    response = client.get("/queries/signatories", headers={"accept": "image/png"})
    assert response.status_code == 406
    assert "text/csv" in response.json()["detail"]
