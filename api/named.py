"""Routes: the named-query catalogue at ``/queries`` and one route per query at ``/queries/{name}``.

Each ``.rq`` file of :mod:`pactgraph.queries` becomes its own route when the router is built, with
its parameters (name, type and format, default, required, multi-valued as an array) in the
OpenAPI document, so ``/docs`` shows a form per question. The handler reads the request's query
string itself and hands the raw values to :func:`pactgraph.queries.run_named_query`, which checks
them by type and binds them; a bad value is a 400 naming the parameter and the expected form.

Results come as JSON (the default: variables, and rows of plain values with IRIs as strings),
CSV, or an HTML table whose labels link to the entity pages (commitments also to their trace),
chosen by ``Accept`` or by ``format=json|csv|html``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pactgraph.api.conneg import negotiate, prefers_html
from pactgraph.api.deps import Language, get_labels, get_store, label_preference, ui_language
from pactgraph.api.links import local_href, trace_href
from pactgraph.api.templating import render
from pactgraph.graph.labels import LabelIndex
from pactgraph.graph.store import GraphStore, SelectResult, StoreError
from pactgraph.queries import (
    TODAY,
    NamedQuery,
    Parameter,
    ParameterError,
    UnknownQueryError,
    catalogue,
    load_query,
    resolve_bindings,
    run_named_query,
)
from rdflib import XSD, Literal, URIRef
from rdflib.term import Node

JSON = "application/json"
CSV = "text/csv"
HTML = "text/html"
OFFERS = (JSON, CSV, HTML)
"""What a query result is served as; JSON is the default for clients that do not say."""
FORMATS = {"json": JSON, "csv": CSV, "html": HTML}
API_PARAMETERS = frozenset({"format", "lang"})
"""Request parameters of the API itself, never passed to a query."""
VARY = "Accept, Accept-Language, Cookie"
TAG = "named queries"

INTEGER_TYPES = frozenset(
    str(XSD[name])
    for name in (
        "integer",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "int",
        "long",
        "short",
    )
)
NUMBER_TYPES = frozenset({str(XSD.decimal), str(XSD.double), str(XSD.float)})

# Words of these pages; data labels come from the graph in the chosen language.
WORDS = {
    "nl": {
        "catalogue": "Vragen aan de graaf",
        "catalogue_lead": "Vaste vragen met parameters; elk antwoord ook als JSON of CSV.",
        "parameters": "Parameters",
        "none": "geen",
        "required": "verplicht",
        "multi": "meerdere waarden",
        "default": "standaard",
        "run": "Vraag stellen",
        "rows": "rijen",
        "no_rows": "Geen resultaten.",
        "download": "Downloaden",
        "trace": "herkomst",
        "all_queries": "Alle vragen",
        "not_found": "Niet gevonden",
        "bad_request": "Ongeldige vraag",
        "today": "vandaag",
        "any": "(alle)",
        "iri_hint": "bijv. organisation/vhto of een volledige IRI",
        "truncated": "Het antwoord is afgekapt: alleen de eerste {cap} rijen worden getoond.",
    },
    "en": {
        "catalogue": "Questions to the graph",
        "catalogue_lead": "Fixed questions with parameters; every answer also as JSON or CSV.",
        "parameters": "Parameters",
        "none": "none",
        "required": "required",
        "multi": "several values",
        "default": "default",
        "run": "Ask",
        "rows": "rows",
        "no_rows": "No results.",
        "download": "Download",
        "trace": "trace",
        "all_queries": "All queries",
        "not_found": "Not found",
        "bad_request": "Bad request",
        "today": "today",
        "any": "(any)",
        "iri_hint": "e.g. organisation/vhto or a full IRI",
        "truncated": "The answer was cut off: only the first {cap} rows are shown.",
    },
}

OPENAPI_TYPES: dict[str, dict[str, Any]] = {
    "iri": {"type": "string", "format": "iri"},
    "string": {"type": "string"},
    "date": {"type": "string", "format": "date"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "boolean": {"type": "boolean"},
}
"""The OpenAPI schema of each parameter type (``iri`` is a custom format, as RFC 3987 IRIs)."""


class NotAcceptableError(ValueError):
    """The client accepts none of the formats a query result is offered in."""


# ------------------------------------------------------------------ text helpers


def localized(text: str, language: Language) -> str:
    """One side of a bilingual ``"Dutch / English"`` header text, else the text as it is."""
    dutch, separator, english = text.partition(" / ")
    if not separator:
        return text
    return english.strip() if language == "en" else dutch.strip()


def header_default(parameter: Parameter) -> Any:  # noqa: ANN401 - YAML gives any scalar
    """A parameter's default as JSON can carry it (YAML reads ``2014-01-01`` as a date)."""
    default = parameter.default
    if isinstance(default, date):
        return default.isoformat()
    return default


# ------------------------------------------------------------------ catalogue


def parameter_entry(parameter: Parameter) -> dict[str, Any]:
    """A parameter as the catalogue describes it."""
    entry: dict[str, Any] = {
        "name": parameter.name,
        "type": parameter.type,
        "default": header_default(parameter),
        "required": parameter.required,
        "multi": parameter.multi,
        "description": parameter.description,
        "expected": parameter.expected,
    }
    if parameter.choices:
        entry["choices"] = list(parameter.choices)
    return entry


def catalogue_entry(query: NamedQuery) -> dict[str, Any]:
    """A named query as the catalogue lists it, with the path to run it at."""
    return {
        "name": query.name,
        "title": query.title,
        "summary": query.summary,
        "description": query.description,
        "tags": list(query.tags),
        "url": f"/queries/{query.name}",
        "params": [parameter_entry(p) for p in query.params],
    }


def list_queries(request: Request) -> Response:
    """The named queries with their parameters: HTML for a browser, JSON otherwise."""
    queries = list(catalogue().values())
    if prefers_html(request.headers.get("accept")):
        return catalogue_page(request, queries)
    return JSONResponse({"queries": [catalogue_entry(q) for q in queries]}, headers={"Vary": VARY})


def catalogue_page(
    request: Request, queries: Sequence[NamedQuery], message: str = "", status_code: int = 200
) -> Response:
    """The catalogue as a page (also the 404 page for an unknown query name)."""
    language = ui_language(request)
    response = render(
        request,
        "queries.html",
        {
            "w": WORDS[language],
            "queries": queries,
            "localized": lambda text: localized(text, language),
            "default_of": header_default,
            "message": message,
        },
        status_code,
    )
    response.headers["Vary"] = VARY
    return response


# ------------------------------------------------------------------ results


def plain(term: Node) -> str | int | float | bool:
    """A result term as a plain JSON value: numbers and booleans as such, everything else text."""
    if not isinstance(term, Literal):
        return str(term)
    datatype = str(term.datatype) if term.datatype else ""
    text = str(term)
    try:
        if datatype in INTEGER_TYPES:
            return int(text)
        if datatype in NUMBER_TYPES:
            number = Decimal(text)
            return int(number) if number == number.to_integral_value() else float(number)
    except (ValueError, InvalidOperation):
        return text
    if datatype == str(XSD.boolean):
        return text in ("true", "1")
    return text


def json_rows(result: SelectResult) -> list[dict[str, str | int | float | bool | None]]:
    """Rows with every variable present (``null`` where unbound)."""
    return [
        {name: plain(row[name]) if name in row else None for name in result.variables}
        for row in result.rows
    ]


def csv_text(result: SelectResult) -> str:
    """The result as CSV: a header of variables, IRIs and literals as their text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([str(row[name]) if name in row else "" for name in result.variables])
    return buffer.getvalue()


@dataclass(frozen=True)
class Cell:
    """One cell of the HTML table: its text, where it links, and a commitment's trace."""

    text: str
    href: str | None = None
    trace: str | None = None


def label_columns(variables: Sequence[str]) -> set[str]:
    """Columns holding the label of another column (``x_label``, ``x_label_en`` for ``x``)."""
    present = set(variables)
    return {
        name
        for name in variables
        for suffix in ("_label", "_label_en")
        if name.endswith(suffix) and name.removesuffix(suffix) in present
    }


def html_table(
    result: SelectResult, labels: LabelIndex, language: Language
) -> tuple[list[str], list[list[Cell]]]:
    """Columns and cells for people: an IRI shows its label and links to its page.

    The label comes from the row's own ``x_label`` (or ``x_label_en`` in English) when the query
    gives one, else from the graph's label index.
    """
    hidden = label_columns(result.variables)
    columns = [name for name in result.variables if name not in hidden]
    preference = label_preference(language)
    rows = []
    for row in result.rows:
        cells = []
        for name in columns:
            value = row.get(name)
            if value is None:
                cells.append(Cell(""))
            elif isinstance(value, URIRef):
                own = [row.get(f"{name}_label_en")] if language == "en" else []
                own.append(row.get(f"{name}_label"))
                text = next((str(v) for v in own if v is not None), None)
                cells.append(
                    Cell(
                        text or labels.label(value, preference),
                        href=local_href(value),
                        trace=trace_href(value),
                    )
                )
            else:
                cells.append(Cell(str(value)))
        rows.append(cells)
    return columns, rows


# ------------------------------------------------------------------ answering


def requested_media(request: Request) -> str:
    """``format=`` if given, else the best offer for ``Accept``.

    Raises :class:`ParameterError` for an unknown ``format`` and :class:`NotAcceptableError` when
    the ``Accept`` header allows none of the offers.
    """
    wanted = request.query_params.get("format")
    if wanted is not None:
        if wanted.lower() not in FORMATS:
            expected = "one of " + ", ".join(FORMATS)
            msg = f"parameter 'format': {wanted!r} is not valid; expected {expected}"
            raise ParameterError("format", expected, msg)
        return FORMATS[wanted.lower()]
    media = negotiate(request.headers.get("accept"), OFFERS)
    if media is None:
        msg = f"none of the formats offered is acceptable: {', '.join(OFFERS)}"
        raise NotAcceptableError(msg)
    return media


def raw_parameters(request: Request) -> dict[str, list[str]]:
    """The query's own request parameters with all their values, in request order."""
    raw: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        if key not in API_PARAMETERS:
            raw.setdefault(key, []).append(value)
    return raw


def effective_values(
    query: NamedQuery, raw: Mapping[str, Sequence[str]], today: date
) -> dict[str, list[str]]:
    """The values each parameter ran with (defaults and ``today`` resolved), for the answer."""
    values: dict[str, list[str]] = {}
    for bindings in resolve_bindings(query, raw, today):
        for name, term in bindings.items():
            shown = values.setdefault(name, [])
            if str(term) not in shown:
                shown.append(str(term))
    return values


def error_response(
    request: Request,
    media: str,
    status_code: int,
    message: str,
    query: NamedQuery | None = None,
    extra: Mapping[str, str] | None = None,
) -> Response:
    """A 4xx answer in the chosen representation: ``{"detail": …}`` or a page that explains."""
    if media == HTML:
        if query is None:
            return catalogue_page(request, list(catalogue().values()), message, status_code)
        return result_page(request, query, None, message, status_code)
    return JSONResponse(
        {"detail": message, **(extra or {})}, status_code=status_code, headers={"Vary": VARY}
    )


TRUNCATED_HEADER = "X-Pactgraph-Truncated"
ROW_CAP_HEADER = "X-Pactgraph-Row-Cap"
DEFAULT_ROW_CAP = 10_000


def row_cap(request: Request) -> int:
    """The app's row cap (``create_app(max_rows=…)``), the same as ``/sparql``'s."""
    limits = getattr(request.app.state, "limits", None)
    return int(getattr(limits, "max_rows", DEFAULT_ROW_CAP))


def capped(result: SelectResult, cap: int) -> tuple[SelectResult, bool]:
    """At most ``cap`` rows of ``result``, and whether any were cut off.

    Named queries are bounded by their own shape; the cap bounds the answer a client must
    take and a page must render.
    """
    if len(result.rows) <= cap:
        return result, False
    return SelectResult(result.variables, result.rows[:cap]), True


def answer(request: Request, store: GraphStore, name: str) -> Response:
    """Run the named query ``name`` for this request and answer in the format asked for."""
    format_error: ParameterError | None = None
    try:
        media = requested_media(request)
    except NotAcceptableError as error:
        return JSONResponse({"detail": str(error)}, status_code=406, headers={"Vary": VARY})
    except ParameterError as error:
        media, format_error = (HTML if prefers_html(request.headers.get("accept")) else JSON), error
    query: NamedQuery | None = None
    try:
        query = load_query(name)
        if format_error is not None:
            raise format_error
        raw = raw_parameters(request)
        today = date.today()
        result = run_named_query(store, name, raw, today=today)
        values = effective_values(query, raw, today)
    except UnknownQueryError as error:
        return error_response(request, media, 404, str(error))
    except ParameterError as error:
        extra = {"parameter": error.parameter, "expected": error.expected}
        return error_response(request, media, 400, str(error), query, extra)
    except StoreError as error:
        return error_response(request, media, 503, str(error), query)
    cap = row_cap(request)
    result, truncated = capped(result, cap)
    response = represent(request, query, result, values, media, cap if truncated else None)
    if truncated:
        response.headers[TRUNCATED_HEADER] = "true"
        response.headers[ROW_CAP_HEADER] = str(cap)
    return response


def represent(
    request: Request,
    query: NamedQuery,
    result: SelectResult,
    values: Mapping[str, list[str]],
    media: str,
    cut_at: int | None = None,
) -> Response:
    """A successful result as CSV, an HTML page, or JSON; ``cut_at`` is the cap it was cut at."""
    if media == CSV:
        return Response(
            csv_text(result),
            media_type="text/csv; charset=utf-8",
            headers={
                "Vary": VARY,
                "Content-Disposition": f'inline; filename="{query.name}.csv"',
            },
        )
    if media == HTML:
        return result_page(request, query, result, cut_at=cut_at)
    return JSONResponse(
        {
            "query": query.name,
            "title": query.title,
            "parameters": values,
            "variables": result.variables,
            "count": len(result.rows),
            "truncated": cut_at is not None,
            "rows": json_rows(result),
        },
        headers={"Vary": VARY},
    )


@dataclass(frozen=True)
class FormField:
    """One input of the parameter form, with the values the request carried."""

    parameter: Parameter
    values: list[str]
    input_type: str


INPUT_TYPES = {
    "iri": "text",
    "string": "text",
    "date": "date",
    "integer": "number",
    "decimal": "number",
    "boolean": "select",
}


def form_fields(query: NamedQuery, request: Request) -> list[FormField]:
    """The parameter form, filled with the request's values (one extra box for a multi value)."""
    fields = []
    for parameter in query.params:
        values = [v for v in request.query_params.getlist(parameter.name) if v.strip()]
        if parameter.multi or not values:
            values = [*values, ""]
        input_type = "select" if parameter.choices else INPUT_TYPES[parameter.type]
        fields.append(FormField(parameter, values, input_type))
    return fields


def format_link(request: Request, format_name: str) -> str:
    """This request's URL asking for another format."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
    return f"{request.url.path}?{urlencode([*pairs, ('format', format_name)])}"


def result_page(
    request: Request,
    query: NamedQuery,
    result: SelectResult | None,
    message: str = "",
    status_code: int = 200,
    *,
    cut_at: int | None = None,
) -> Response:
    """A query's page: what it answers, the parameter form, and the result table or the error.

    ``cut_at``: the result was cut at this many rows, which the page says above the table.
    """
    language = ui_language(request)
    columns: list[str] = []
    rows: list[list[Cell]] = []
    if result is not None:
        columns, rows = html_table(result, get_labels(request), language)
    response = render(
        request,
        "query_result.html",
        {
            "w": WORDS[language],
            "query": query,
            "localized": lambda text: localized(text, language),
            "fields": form_fields(query, request),
            "today": TODAY,
            "default_of": header_default,
            "columns": columns,
            "rows": rows,
            "count": len(rows),
            "has_result": result is not None,
            "cut_at": cut_at,
            "message": message,
            "json_href": format_link(request, "json"),
            "csv_href": format_link(request, "csv"),
        },
        status_code,
    )
    response.headers["Vary"] = VARY
    return response


# ------------------------------------------------------------------ OpenAPI and routes


def openapi_parameter(parameter: Parameter) -> dict[str, Any]:
    """A named-query parameter as an OpenAPI query parameter (multi-valued ones as arrays)."""
    schema: dict[str, Any] = dict(OPENAPI_TYPES[parameter.type])
    if parameter.choices:
        schema["enum"] = list(parameter.choices)
    default = header_default(parameter)
    description = parameter.description
    if default == TODAY and parameter.type == "date":
        description += " Default: today (the day the request is answered)."
    elif default is not None:
        schema["default"] = default
    if parameter.multi:
        schema = {"type": "array", "items": schema}
        description += " Repeat the parameter for several values."
    return {
        "name": parameter.name,
        "in": "query",
        "required": parameter.required,
        "description": description.strip(),
        "schema": schema,
        "style": "form",
        "explode": True,
    }


FORMAT_PARAMETER: dict[str, Any] = {
    "name": "format",
    "in": "query",
    "required": False,
    "description": "Result format; overrides the Accept header. JSON unless asked otherwise.",
    "schema": {"type": "string", "enum": list(FORMATS)},
}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "parameter": {"type": "string"},
        "expected": {"type": "string"},
    },
    "required": ["detail"],
}

RESULT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "query": {"type": "string"},
        "title": {"type": "string"},
        "parameters": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "variables": {"type": "array", "items": {"type": "string"}},
        "count": {"type": "integer"},
        "truncated": {
            "type": "boolean",
            "description": "The rows were cut at the server's row cap (see X-Pactgraph-Row-Cap).",
        },
        "rows": {"type": "array", "items": {"type": "object"}},
    },
}


def route_responses() -> dict[int | str, dict[str, Any]]:
    """The documented answers of a query route: a result in three formats, or a 400."""
    return {
        200: {
            "description": "The result: JSON (default), CSV or an HTML table.",
            "content": {
                JSON: {"schema": RESULT_SCHEMA},
                CSV: {"schema": {"type": "string"}},
                HTML: {"schema": {"type": "string"}},
            },
            "headers": {
                TRUNCATED_HEADER: {
                    "description": "`true` when the rows were cut at the row cap.",
                    "schema": {"type": "string", "enum": ["true"]},
                },
                ROW_CAP_HEADER: {
                    "description": "The row cap, sent with a cut result.",
                    "schema": {"type": "integer"},
                },
            },
        },
        400: {
            "description": "A parameter is missing, unknown or not of its type (a page that "
            "says which, when HTML was asked for).",
            "content": {JSON: {"schema": ERROR_SCHEMA}, HTML: {"schema": {"type": "string"}}},
        },
        406: {"description": "None of JSON, CSV or HTML is acceptable."},
        503: {
            "description": "The store could not be read (a SPARQL server that did not answer).",
            "content": {JSON: {"schema": ERROR_SCHEMA}},
        },
    }


def endpoint_for(name: str) -> Callable[..., Response]:
    """The handler of one named query (plain ``def``: it queries the store in the threadpool)."""

    def run_query(request: Request, store: Annotated[GraphStore, Depends(get_store)]) -> Response:
        return answer(request, store, name)

    run_query.__name__ = "query_" + name.replace("-", "_")
    return run_query


def unknown_query(
    request: Request, name: str, store: Annotated[GraphStore, Depends(get_store)]
) -> Response:
    """Any other ``/queries/{name}``: a 404 that lists the queries there are."""
    return answer(request, store, name)


def build_router() -> APIRouter:
    """The catalogue route, one route per named query, and a 404 for any other name."""
    router = APIRouter(tags=[TAG])
    router.add_api_route(
        "/queries",
        list_queries,
        methods=["GET"],
        summary="The catalogue of named queries",
        description="Every named query with its parameters; HTML for browsers, JSON otherwise.",
        response_model=None,
    )
    for query in catalogue().values():
        router.add_api_route(
            f"/queries/{query.name}",
            endpoint_for(query.name),
            methods=["GET"],
            summary=localized(query.title, "en"),
            description=(
                f"{localized(query.summary, 'en')}\n\n{query.description}\n\n"
                f"Tags: {', '.join(query.tags) or '—'}."
            ),
            operation_id="query_" + query.name.replace("-", "_"),
            response_model=None,
            responses=route_responses(),
            openapi_extra={
                "parameters": [*(openapi_parameter(p) for p in query.params), FORMAT_PARAMETER]
            },
        )
    router.add_api_route(
        "/queries/{name}",
        unknown_query,
        methods=["GET"],
        include_in_schema=False,
        response_model=None,
    )
    return router


router = build_router()
