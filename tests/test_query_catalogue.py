"""The named-query catalogue: headers, parameter types and binding rules, OpenAPI and listing.

What is checked here holds for every ``.rq`` file, present and future: a header that says what
the query answers, parameters of known types whose variables the engine can bind, no
``BOUND(?param)`` (the optimiser folds it to false), and a route with those parameters in the
OpenAPI document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pactgraph.graph.store import OxigraphStore
from pactgraph.queries import (
    MAX_RUNS,
    MAX_TEXT,
    MAX_VALUES,
    Parameter,
    ParameterError,
    QueryCatalogueError,
    UnknownQueryError,
    catalogue,
    coerce_value,
    load_query,
    parse_named_query,
    resolve_bindings,
    run_named_query,
)
from rdflib import XSD, Literal, URIRef

QUERIES = sorted(catalogue())
TODAY = date(2016, 2, 29)

# The questions the users asked for, by the names the API serves them under.
EXPECTED_QUERIES = {
    "commitments",
    "owners-and-partners",
    "organisation-commitments",
    "trace",
    "commitments-due",
    "overdue-commitments",
    "signatories",
    "programmes",
    "funds",
    "amounts",
    "document-timeline",
    "goal-editions",
    "co-partners",
}


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    """A client with its own cookie jar: the language cookie a page sets must not leak."""
    with TestClient(app) as own:
        yield own


def header(params: str, body: str = "SELECT ?x ?p WHERE { ?x ?y ?p }") -> str:
    """A small ``.rq`` text with the given ``params`` YAML (already ``#+``-prefixed)."""
    return f"#+ summary: test\n#+ params:\n{params}\n{body}\n"


# ------------------------------------------------------------------ the packaged catalogue


def test_catalogue_holds_the_questions_users_asked_for() -> None:
    assert set(catalogue()) >= EXPECTED_QUERIES


@pytest.mark.parametrize("name", QUERIES)
def test_every_query_says_what_it_answers(name: str) -> None:
    query = load_query(name)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", name), "query names are lowercase words with '-'"
    assert query.title and query.summary and query.description
    assert query.tags
    for parameter in query.params:
        assert parameter.description, f"{name}: parameter {parameter.name} is undocumented"


def test_commitments_query_still_serves_the_export(built_store: OxigraphStore) -> None:
    query = load_query("commitments")
    assert query.params == ()
    assert len(run_named_query(built_store, "commitments", {}).rows) == 84


def test_unknown_query_is_a_key_error_that_lists_the_known_ones() -> None:
    with pytest.raises(UnknownQueryError) as caught:
        load_query("no-such-query")
    assert isinstance(caught.value, KeyError)
    assert "trace" in str(caught.value)


# ------------------------------------------------------------------ header checks


def test_header_with_every_field_parses() -> None:
    text = header(
        "#+   - {name: p, type: date, default: 2014-01-01, description: a day}\n"
        "#+   - {name: x, type: iri, required: true, multi: true, column: true}",
    ).replace("#+ summary: test", "#+ title: T\n#+ summary: S\n#+ tags: [a, b]")
    query = parse_named_query("t", text)
    assert query.title == "T"
    assert query.summary == "S"
    assert query.tags == ("a", "b")
    first, second = query.params
    assert (first.name, first.type, first.default) == ("p", "date", date(2014, 1, 1))
    assert second.required and second.multi and second.column


@pytest.mark.parametrize(
    ("params", "body", "complaint"),
    [
        ("#+   - {name: p, type: colour}", None, "expected one of iri"),
        ("#+   - {type: iri}", None, "needs a 'name'"),
        ("#+   - {name: p-q, type: iri}", None, "SPARQL variable name"),
        ("#+   - {name: format, type: string}", None, "SPARQL variable name"),
        ("#+   - {name: p, type: date, default: '2014-13-01'}", None, "default of parameter 'p'"),
        ("#+   - {name: p, type: date, default: 2014-13-01}", None, "not valid YAML"),
        ("#+   - {name: p, type: integer, default: many}", None, "default of parameter 'p'"),
        ("#+   - {name: p, type: iri, choices: [a]}", None, "only string parameters"),
        ("#+   - {name: p}\n#+   - {name: p}", None, "declared twice"),
        ("#+   - {name: z, type: iri}", None, "?z unused"),
        (
            "#+   - {name: p, type: iri}",
            "SELECT ?x ?p WHERE { ?x ?y ?z FILTER(!BOUND(?p) || ?z = ?p) }",
            "BOUND(?p) is always false",
        ),
        ("#+   - name: [unclosed", None, "not valid YAML"),
    ],
)
def test_malformed_headers_are_refused_with_the_reason(
    params: str, body: str | None, complaint: str
) -> None:
    text = header(params) if body is None else header(params, body)
    with pytest.raises(QueryCatalogueError, match=re.escape(complaint)):
        parse_named_query("broken", text)


def test_bound_in_a_comment_is_not_refused() -> None:
    text = header(
        "#+   - {name: p, type: iri}",
        "# never write BOUND(?p)\nSELECT ?x ?p WHERE { ?x ?y ?p }",
    )
    assert parse_named_query("ok", text).params[0].name == "p"


def test_bound_really_is_false_for_a_bound_parameter(built_store: OxigraphStore) -> None:
    """Why the header check exists: the engine answers BOUND(?p) from the patterns alone."""
    query = (
        "PREFIX pact: <https://w3id.org/pactgraph/def#>\n"
        "SELECT ?c ?p WHERE { ?c pact:owner ?o FILTER(BOUND(?p)) }"
    )
    vhto = URIRef("https://w3id.org/pactgraph/id/organisation/vhto")
    assert built_store.select(query, {"p": vhto}).rows == []


# ------------------------------------------------------------------ values by type


def param(kind: str, **extra: object) -> Parameter:
    return Parameter(name="p", type=kind, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "raw", "term"),
    [
        ("iri", "https://example.org/x", URIRef("https://example.org/x")),
        (
            "iri",
            "organisation/vhto",
            URIRef("https://w3id.org/pactgraph/id/organisation/vhto"),
        ),
        ("iri", "urn:isbn:9789012345678", URIRef("urn:isbn:9789012345678")),
        ("string", 'say "hi"', Literal('say "hi"')),
        ("date", "2014-12-31", Literal(date(2014, 12, 31), datatype=XSD.date)),
        ("date", "today", Literal(TODAY, datatype=XSD.date)),
        ("date", "Today", Literal(TODAY, datatype=XSD.date)),
        ("integer", "-12", Literal(-12, datatype=XSD.integer)),
        ("decimal", "1500000.50", Literal(Decimal("1500000.50"), datatype=XSD.decimal)),
        ("decimal", "7", Literal(Decimal(7), datatype=XSD.decimal)),
        ("boolean", "true", Literal(True, datatype=XSD.boolean)),
        ("boolean", "0", Literal(False, datatype=XSD.boolean)),
    ],
)
def test_values_become_typed_terms(kind: str, raw: str, term: object) -> None:
    assert coerce_value(param(kind), raw, TODAY) == term


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("iri", "x> ?p ?o . FILTER(true) #"),
        ("iri", "https://example.org/a> ?p ?o"),
        ("iri", "https://example.org/{x}"),
        ("iri", "vhto"),
        ("iri", "<https://example.org/x>"),
        ("iri", "https://example.org/" + "x" * 4 * MAX_TEXT),
        ("string", "x" * (MAX_TEXT + 1)),
        ("date", "31-12-2014"),
        ("date", "2014-02-30"),
        ("date", '2014-01-01"^^<x> ) }'),
        ("integer", "3.5"),
        ("integer", "1; DROP"),
        ("decimal", "NaN"),
        ("decimal", "1e9"),
        ("boolean", "maybe"),
    ],
)
def test_values_of_the_wrong_form_name_the_parameter_and_the_form(kind: str, raw: str) -> None:
    with pytest.raises(ParameterError) as caught:
        coerce_value(param(kind), raw, TODAY)
    assert caught.value.parameter == "p"
    assert "'p'" in str(caught.value)
    assert "expected" in str(caught.value)


def test_choices_limit_a_string() -> None:
    choice = param("string", choices=("owner", "partner"))
    assert coerce_value(choice, "owner", TODAY) == Literal("owner")
    with pytest.raises(ParameterError, match="one of owner, partner"):
        coerce_value(choice, "chair", TODAY)


# ------------------------------------------------------------------ resolving a request


def test_missing_required_parameter_is_refused() -> None:
    with pytest.raises(ParameterError) as caught:
        resolve_bindings(load_query("trace"), {}, TODAY)
    assert caught.value.parameter == "commitment"
    assert "required" in str(caught.value)


def test_empty_values_count_as_absent() -> None:
    runs = resolve_bindings(load_query("commitments-due"), {"from": [""], "to": ["  "]}, TODAY)
    assert runs == [{}]


def test_defaults_apply_and_today_is_resolved_when_asked() -> None:
    runs = resolve_bindings(load_query("overdue-commitments"), {}, TODAY)
    assert runs == [{"as_of": Literal(TODAY, datatype=XSD.date)}]
    later = date(2030, 1, 1)
    assert resolve_bindings(load_query("overdue-commitments"), {}, later)[0]["as_of"] == Literal(
        later, datatype=XSD.date
    )


def test_unknown_parameter_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ParameterError, match="it takes: from, to, organisation, text"):
        resolve_bindings(load_query("commitments-due"), {"form": ["2014-01-01"]}, TODAY)


def test_single_valued_parameter_refuses_two_values() -> None:
    with pytest.raises(ParameterError, match="takes one value, got 2"):
        resolve_bindings(load_query("co-partners"), {"organisation": ["a:b", "a:c"]}, TODAY)


def test_multi_values_run_once_each_deduplicated() -> None:
    runs = resolve_bindings(
        load_query("trace"),
        {"commitment": ["commitment/a", "commitment/b", "commitment/a"]},
        TODAY,
    )
    assert [str(r["commitment"]).rsplit("/", 1)[-1] for r in runs] == ["a", "b"]


def test_multi_values_are_capped() -> None:
    many = [f"commitment/c{i}" for i in range(MAX_VALUES + 1)]
    with pytest.raises(ParameterError, match=f"at most {MAX_VALUES} values"):
        resolve_bindings(load_query("trace"), {"commitment": many}, TODAY)


def test_combinations_of_multi_values_are_capped() -> None:
    query = parse_named_query(
        "combo",
        header(
            "#+   - {name: a, type: iri, multi: true}\n#+   - {name: b, type: iri, multi: true}",
            "SELECT ?x ?a ?b WHERE { ?x ?a ?b }",
        ),
    )
    side = int(MAX_RUNS**0.5) + 1
    raw = {"a": [f"x:a{i}" for i in range(side)], "b": [f"x:b{i}" for i in range(side)]}
    with pytest.raises(ParameterError, match="too many combinations"):
        resolve_bindings(query, raw, TODAY)


# ------------------------------------------------------------------ the API's catalogue


def test_catalogue_json_lists_every_query_with_its_parameters(client: TestClient) -> None:
    response = client.get("/queries")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    entries = {entry["name"]: entry for entry in response.json()["queries"]}
    assert set(entries) == set(QUERIES)
    trace = entries["trace"]
    assert trace["url"] == "/queries/trace"
    assert trace["params"][0] == {
        "name": "commitment",
        "type": "iri",
        "default": None,
        "required": True,
        "multi": True,
        "description": load_query("trace").params[0].description,
        "expected": load_query("trace").params[0].expected,
    }
    overdue = {p["name"]: p for p in entries["overdue-commitments"]["params"]}
    assert overdue["as_of"]["default"] == "today"
    assert {p["name"]: p for p in entries["organisation-commitments"]["params"]}["as"][
        "choices"
    ] == ["owner", "partner"]


def test_catalogue_html_for_browsers_links_every_query(browser: TestClient) -> None:
    response = browser.get("/queries", headers={"accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    for name in QUERIES:
        assert f'href="/queries/{name}"' in response.text
    assert "Achterstallige toezeggingen" in response.text
    english = browser.get("/queries?lang=en", headers={"accept": "text/html"})
    assert "Overdue commitments" in english.text
    assert "Achterstallige toezeggingen" not in english.text


def test_code_in_a_query_description_is_shown_as_code(browser: TestClient) -> None:
    """The headers write vocabulary terms as Markdown code spans; a page shows them as code."""
    page = browser.get("/queries/goal-editions", headers={"accept": "text/html"}).text
    description = page.split('class="muted query-description">', 1)[1].split("</p>", 1)[0]
    assert "<code>dcterms:isReplacedBy</code>" in description
    assert "`" not in description


# ------------------------------------------------------------------ OpenAPI


@pytest.fixture(scope="module")
def openapi(client: TestClient) -> dict[str, object]:
    spec: dict[str, object] = client.get("/openapi.json").json()
    return spec


@pytest.mark.parametrize("name", QUERIES)
def test_openapi_has_a_route_per_query_with_its_parameters(
    name: str, openapi: dict[str, object]
) -> None:
    paths = openapi["paths"]
    assert isinstance(paths, dict)
    operation = paths[f"/queries/{name}"]["get"]
    declared = {p["name"]: p for p in operation["parameters"]}
    query = load_query(name)
    assert set(declared) == {p.name for p in query.params} | {"format"}
    for parameter in query.params:
        entry = declared[parameter.name]
        assert entry["in"] == "query"
        assert entry["required"] is parameter.required
        schema = entry["schema"]
        if parameter.multi:
            assert schema["type"] == "array"
            schema = schema["items"]
        expected_type = {
            "iri": "string",
            "string": "string",
            "date": "string",
            "integer": "integer",
            "decimal": "number",
            "boolean": "boolean",
        }[parameter.type]
        assert schema["type"] == expected_type
        if parameter.type in ("iri", "date"):
            assert schema["format"] == parameter.type
        if parameter.default is not None and parameter.default != "today":
            assert str(schema["default"]).lower() in {
                str(parameter.default).lower(),
                getattr(parameter.default, "isoformat", lambda: "")(),
            }
    assert declared["format"]["schema"]["enum"] == ["json", "csv", "html"]
    assert {"200", "400"} <= set(operation["responses"])
    assert set(operation["responses"]["200"]["content"]) == {
        "application/json",
        "text/csv",
        "text/html",
    }


def test_openapi_documents_the_catalogue_but_not_the_fallback(openapi: dict[str, object]) -> None:
    paths = openapi["paths"]
    assert isinstance(paths, dict)
    assert "/queries" in paths
    assert "/queries/{name}" not in paths
