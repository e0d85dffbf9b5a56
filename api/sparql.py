"""Routes: the SPARQL 1.1 Protocol query operation at ``/sparql``.

``GET ?query=``, ``POST`` form-encoded (``query=``) and ``POST application/sparql-query``, with
``default-graph-uri`` and ``named-graph-uri`` (repeatable) naming the dataset; without them the
default graph is the union of all named graphs. The answer's media type is negotiated from
``Accept`` among those the query form allows (SPARQL JSON is the default for SELECT/ASK, Turtle
for CONSTRUCT/DESCRIBE), or forced with ``format=`` (for browsers and for clients such as
SPARQLWrapper that send ``format=json``). Every query runs through
:meth:`GraphStore.serialize_query`, so the engine's own writers produce the bytes.

Before anything runs, the query's form is read from its text (:mod:`pactgraph.graph.querytext`):
updates, ``SERVICE`` and queries past the parser's safe limits are refused with a 400 that says
why. A ``GET`` without a query describes the service (SPARQL Service Description), or, for a
browser, shows the query page.

On the embedded store a query is evaluated in a worker process (:mod:`pactgraph.graph.sandbox`):
one still running at the time limit is ended and answered with a 503, a crash of the engine ends
only its worker, and an answer is cut at the row cap with ``X-Pactgraph-Truncated: true`` and
``X-Pactgraph-Row-Cap``. ``FROM``, ``FROM NAMED`` and the dataset parameters only name graphs of
the store; nothing is ever fetched. Bodies over 256 KiB are refused with a JSON 413 while they
stream in, forms with more than :data:`MAX_FORM_FIELDS` fields with a 400.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, NoReturn
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import Response
from pactgraph.api.conneg import negotiate, prefers_html
from pactgraph.api.deps import get_store
from pactgraph.api.links import BASE_IRI
from pactgraph.api.templating import render
from pactgraph.graph.querytext import QueryForm, QueryShape, inspect_query, refusal
from pactgraph.graph.sandbox import (
    EngineError,
    Job,
    Limits,
    QuerySandbox,
    SandboxBusyError,
    SandboxError,
    WorkerCrashError,
    for_store,
)
from pactgraph.graph.store import GraphStore, QueryDataset, QueryError, StoreError
from pactgraph.ontology.namespace import DEF_IRI, GRAPH_IRI, ID_IRI, PREFIXES
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, VOID

router = APIRouter(tags=["SPARQL"])

SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
FORM = "application/x-www-form-urlencoded"
MAX_BODY_BYTES = 256 * 1024
"""A POSTed query (or form) larger than this is refused with 413 before it is read whole."""
MAX_FORM_FIELDS = 100
"""A form with more fields than this is refused; the protocol needs a handful."""
TRUNCATED_HEADER = "X-Pactgraph-Truncated"
ROW_CAP_HEADER = "X-Pactgraph-Row-Cap"
QUERY_BASE_IRI = ID_IRI.removesuffix("id/") + "sparql"
"""The endpoint under its persistent name: the base IRI of every query (as in the store)."""

RESULTS_JSON = "application/sparql-results+json"
RESULTS_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
N_TRIPLES = "application/n-triples"
N_QUADS = "application/n-quads"
TRIG = "application/trig"
JSON_LD = "application/ld+json"
RDF_XML = "application/rdf+xml"

RESULT_TYPES = (RESULTS_JSON, RESULTS_XML, CSV, TSV)
"""SELECT and ASK answers; the first is the default."""
GRAPH_TYPES = (TURTLE, N_TRIPLES, N_QUADS, TRIG, JSON_LD, RDF_XML)
"""CONSTRUCT and DESCRIBE answers; the first is the default."""
RESULT_ALIASES = {
    "application/json": RESULTS_JSON,
    "application/xml": RESULTS_XML,
    "text/xml": RESULTS_XML,
}
GRAPH_ALIASES = {
    "application/turtle": TURTLE,
    "application/x-turtle": TURTLE,
    "text/n3": TURTLE,  # Turtle is N3
    "text/plain": N_TRIPLES,
    "application/json": JSON_LD,
    "application/xml": RDF_XML,
    "text/xml": RDF_XML,
}
"""Media types clients commonly ask for, answered with the standard type's bytes."""

FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    # name: (for SELECT/ASK, for CONSTRUCT/DESCRIBE)
    "json": (RESULTS_JSON, JSON_LD),
    "xml": (RESULTS_XML, RDF_XML),
    "csv": (CSV, None),
    "tsv": (TSV, None),
    "ttl": (None, TURTLE),
    "turtle": (None, TURTLE),
    "n3": (None, TURTLE),
    "nt": (None, N_TRIPLES),
    "ntriples": (None, N_TRIPLES),
    "nq": (None, N_QUADS),
    "nquads": (None, N_QUADS),
    "trig": (None, TRIG),
    "jsonld": (None, JSON_LD),
    "json-ld": (None, JSON_LD),
    "rdfxml": (None, RDF_XML),
    "rdf+xml": (None, RDF_XML),
    "rdf": (None, RDF_XML),
}
"""``format=`` values: our short names and those SPARQLWrapper sends (``json``, ``turtle``…)."""

DESCRIPTION_TYPES = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML, TRIG, N_QUADS)
DESCRIPTION_WRITERS = {
    TURTLE: "turtle",
    JSON_LD: "json-ld",
    N_TRIPLES: "nt",
    RDF_XML: "xml",
    TRIG: "trig",
    N_QUADS: "nquads",
}
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
FORMAT_IRIS = {
    RESULTS_JSON: FORMATS.SPARQL_Results_JSON,
    RESULTS_XML: FORMATS.SPARQL_Results_XML,
    CSV: FORMATS.SPARQL_Results_CSV,
    TSV: FORMATS.SPARQL_Results_TSV,
    TURTLE: FORMATS.Turtle,
    N_TRIPLES: FORMATS["N-Triples"],
    N_QUADS: FORMATS["N-Quads"],
    TRIG: FORMATS.TriG,
    JSON_LD: FORMATS["JSON-LD"],
    RDF_XML: FORMATS.RDF_XML,
}
GRAPH_SIZES = """
SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } }
GROUP BY ?graph ORDER BY ?graph
"""
VARY = "Accept"


# ------------------------------------------------------------------ the request


@dataclass
class ProtocolRequest:
    """The protocol parameters of one request, from the URL and (for a form POST) the body."""

    queries: list[str] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)

    def add(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Collect the protocol's parameters; others (``output``, ``lang``) are not ours."""
        targets = {
            "query": self.queries,
            "update": self.updates,
            "default-graph-uri": self.default_graphs,
            "named-graph-uri": self.named_graphs,
            "format": self.formats,
        }
        for key, value in pairs:
            if key in targets:
                targets[key].append(value)

    @property
    def dataset(self) -> QueryDataset | None:
        if not (self.default_graphs or self.named_graphs):
            return None
        return QueryDataset(tuple(self.default_graphs), tuple(self.named_graphs))


def fail(status_code: int, message: str) -> NoReturn:
    """Stop with a 4xx whose ``detail`` says what was wrong and what to send instead."""
    raise HTTPException(status_code=status_code, detail=message, headers={"Vary": VARY})


async def read_body(request: Request) -> bytes:
    """The request body, read on the event loop (the query itself then runs in a worker thread).

    A body over :data:`MAX_BODY_BYTES` is refused with a JSON 413 as soon as its
    ``Content-Length`` says so, or once that many bytes have streamed in without one.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        too_large(int(declared))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            too_large(size, at_least=True)
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(size: int, *, at_least: bool = False) -> NoReturn:
    """Stop with a 413 that says how large a body may be."""
    given = f"more than {MAX_BODY_BYTES:,}" if at_least else f"{size:,}"
    fail(
        413,
        f"The request body is {given} bytes; the limit is {MAX_BODY_BYTES:,} bytes "
        f"({MAX_BODY_BYTES // 1024} KiB). Send a shorter query.",
    )


def parse_content_type(header: str | None) -> tuple[str, dict[str, str]]:
    """The media type of a ``Content-Type`` header, lower-cased, and its parameters."""
    media, *parameters = (header or "").split(";")
    params = {}
    for parameter in parameters:
        key, _, value = parameter.partition("=")
        params[key.strip().lower()] = value.strip().strip('"')
    return media.strip().lower(), params


def require_utf8(parameters: dict[str, str], media_type: str) -> None:
    """The protocol's bodies are UTF-8; a body declared as anything else cannot be read."""
    charset = parameters.get("charset", "utf-8").lower()
    if charset not in {"utf-8", "utf8"}:
        fail(415, f"{media_type} must be sent as UTF-8, not charset={charset}.")


def decode_utf8(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        fail(400, f"The {what} is not valid UTF-8 (byte {error.start}).")


def post_request(request: Request, body: bytes) -> ProtocolRequest:
    """The protocol request of a POST: a form, or a query as the body, by ``Content-Type``."""
    media_type, parameters = parse_content_type(request.headers.get("content-type"))
    protocol = ProtocolRequest()
    protocol.add(request.query_params.multi_items())
    if media_type == FORM:
        require_utf8(parameters, FORM)
        text = decode_utf8(body, "form")
        fields = text.count("&") + 1
        if fields > MAX_FORM_FIELDS:
            fail(400, f"The form has {fields} fields; the limit is {MAX_FORM_FIELDS}.")
        try:
            pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError as error:
            fail(400, f"The form is not valid UTF-8 once percent-decoded ({error.reason}).")
        protocol.add(pairs)
        return protocol
    if media_type == SPARQL_QUERY:
        require_utf8(parameters, SPARQL_QUERY)
        if protocol.queries:
            fail(
                400,
                "The request has a query both in the body and in the query parameter; send one.",
            )
        protocol.queries.append(decode_utf8(body, "query"))
        return protocol
    if media_type == SPARQL_UPDATE:
        fail(
            400,
            "This endpoint answers queries only; SPARQL Update requests are not accepted and "
            "nothing was changed.",
        )
    given = f"Content-Type {media_type}" if media_type else "no Content-Type"
    fail(
        415,
        f"A query is POSTed as {FORM} (query=…) or as {SPARQL_QUERY} (the query as the body); "
        f"the request has {given}.",
    )


# ------------------------------------------------------------------ answering


def answer(request: Request, protocol: ProtocolRequest, store: GraphStore) -> Response:
    """The protocol's answer to a parsed request: a result, or a 4xx that says why not."""
    if protocol.updates:
        fail(
            400,
            "This endpoint answers queries only; the update parameter is not accepted and "
            "nothing was changed.",
        )
    if len(protocol.queries) > 1:
        fail(400, f"The request has {len(protocol.queries)} queries; send exactly one.")
    query = protocol.queries[0] if protocol.queries else ""
    if not query.strip():
        fail(400, "The query is empty; send a SPARQL query as query=… or as the request body.")
    shape = inspect_query(query)
    problem = refusal(shape)
    if problem is not None:
        fail(400, problem)
    media_type, content_type = choose_media_type(request, protocol.formats, shape.form)
    headers = {"Content-Type": content_type, "Vary": VARY}
    sandbox: QuerySandbox | None = getattr(request.app.state, "sandbox", None)
    if sandbox is None:  # a SPARQL server evaluates the query, under its own limits
        try:
            body = store.serialize_query(query, media_type, protocol.dataset)
        except QueryError as error:
            fail(400, readable_error(str(error), query))
        except StoreError as error:
            fail(503, str(error))
        return Response(body, headers=headers)
    job = sandbox_job(query, shape, media_type, protocol.dataset, store)
    try:
        result = sandbox.run(job)
    except EngineError as error:
        message = str(error)
        fail(400, readable_error(message, query) if error.kind == "syntax" else message)
    except WorkerCrashError as error:
        fail(400, str(error))
    except SandboxBusyError as error:
        raise HTTPException(503, str(error), headers={"Vary": VARY, "Retry-After": "1"}) from None
    except SandboxError as error:
        fail(503, str(error))
    if result.truncated:
        headers[TRUNCATED_HEADER] = "true"
        headers[ROW_CAP_HEADER] = str(sandbox.limits.max_rows)
    return Response(result.body, headers=headers)


def sandbox_job(
    query: str, shape: QueryShape, media_type: str, dataset: QueryDataset | None, store: GraphStore
) -> Job:
    """The query as a worker runs it, its dataset checked here so a bad IRI is a clear 400.

    A protocol dataset replaces both the union default graph and the query's ``FROM``
    (SPARQL 1.1 Protocol §2.1.4); without one, a query's own ``FROM``/``FROM NAMED`` decide;
    otherwise the default graph is the union of all named graphs. Every IRI is a graph name.
    """
    default_graphs = graph_names(dataset.default_graphs if dataset else (), "default-graph-uri")
    named_graphs = graph_names(dataset.named_graphs if dataset else (), "named-graph-uri")
    return Job(
        query,
        media_type,
        base_iri=QUERY_BASE_IRI,
        union=not shape.has_dataset_clause,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        max_bytes=getattr(store, "max_result_bytes", Job.max_bytes),
    )


def graph_names(iris: Sequence[str], parameter: str) -> tuple[str, ...]:
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError as error:
            fail(400, f"{parameter} {iri!r} is not an absolute IRI ({error})")
    return tuple(iris)


# ------------------------------------------------------------------ the app's query workers


def configure(app: FastAPI, store: GraphStore, limits: Limits) -> None:
    """Give ``app`` its limits and, for an embedded store, its pool of query workers."""
    app.state.limits = limits
    app.state.sandbox = for_store(store, limits)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the query workers with the server and end them with it.

    Without a lifespan (some test servers), workers start on the first query and end with
    the process: they exit when their pipe closes.
    """
    sandbox: QuerySandbox | None = getattr(app.state, "sandbox", None)
    if sandbox is not None:
        sandbox.warm()
    try:
        yield
    finally:
        if sandbox is not None:
            sandbox.close()


def offers_for(form: QueryForm) -> tuple[tuple[str, ...], dict[str, str]]:
    """The media types a query form can be answered in, and the aliases among them."""
    if form in {"SELECT", "ASK"}:
        return (*RESULT_TYPES, *RESULT_ALIASES), RESULT_ALIASES
    if form in {"CONSTRUCT", "DESCRIBE"}:
        return (*GRAPH_TYPES, *GRAPH_ALIASES), GRAPH_ALIASES
    # not recognisable from its text: let the engine say what is wrong with it
    return (*RESULT_TYPES, *GRAPH_TYPES), {}


def choose_media_type(request: Request, formats: Sequence[str], form: QueryForm) -> tuple[str, str]:
    """The standard media type to serialise in, and the ``Content-Type`` to answer with.

    ``format=`` wins over ``Accept``; an alias (``application/json``) is answered with the
    standard type's bytes under the name the client asked for.
    """
    offers, aliases = offers_for(form)
    chosen = [value.strip() for value in formats if value.strip()]
    if chosen:
        media_type = media_type_for_format(chosen[0], form, offers)
    else:
        accept = request.headers.get("accept")
        negotiated = negotiate(accept, offers)
        if negotiated is None:
            fail(
                406,
                f"None of the media types in Accept ({accept}) is available for a {form} query; "
                f"ask for one of {', '.join(offers)}.",
            )
        media_type = negotiated
    standard = aliases.get(media_type, media_type)
    return standard, with_charset(media_type)


def media_type_for_format(value: str, form: QueryForm, offers: Sequence[str]) -> str:
    """The media type a ``format=`` value stands for, for this query form."""
    name = value.lower()
    if name in offers:  # a media type, as SPARQLWrapper sends for TSV, JSON-LD and RDF/XML
        return name
    graph_form = form in {"CONSTRUCT", "DESCRIBE"}
    choices = [n for n, pair in FORMAT_NAMES.items() if pair[1 if graph_form else 0]]
    if name in FORMAT_NAMES:
        media_type = FORMAT_NAMES[name][1 if graph_form else 0]
        if media_type is not None:
            return media_type
        fail(
            400,
            f"format={value} is not available for a {form} query; use one of {', '.join(choices)}.",
        )
    fail(400, f"format={value} is not a format of this endpoint; use one of {', '.join(choices)}.")


def with_charset(media_type: str) -> str:
    """Text types say their charset; the others are UTF-8 by definition."""
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_EXPECTED_ITEM = re.compile(r'"(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^,]+')


def readable_error(message: str, query: str) -> str:
    """The engine's message cut to what a person reads: where, near what, and a short hint.

    pyoxigraph lists every character class it could have accepted; those are dropped, while its
    plain-language notes (``Prefix not found``) and short keyword lists are kept.
    """
    match = _POSITION.match(message.strip())
    if match is None:
        first_line = message.strip().splitlines()[0] if message.strip() else "invalid query"
        return first_line[:300]
    line, column, rest = int(match[1]), int(match[2]), match[3]
    expected = rest.removeprefix("expected one of ").removeprefix("expected ")
    items = [item.strip() for item in _EXPECTED_ITEM.findall(expected) if item.strip()]
    notes = [i for i in items if " " in i and i[0].isalpha()]
    tokens = [i for i in items if i not in notes and not i.startswith("[")]
    text = f"Syntax error at line {line}, column {column}"
    lines = query.splitlines()
    near = lines[line - 1][max(column - 1, 0) :].strip()[:40] if 0 < line <= len(lines) else ""
    text += f", near “{near}”" if near else " (at the end of the query)"
    if notes:
        text += ": " + "; ".join(notes)
    elif tokens and len(tokens) <= 8:
        text += ": expected " + (tokens[0] if len(tokens) == 1 else "one of " + ", ".join(tokens))
    return text + "."


# ------------------------------------------------------------------ service description


def service_description(request: Request, store: GraphStore) -> Graph:
    """The endpoint described in the SPARQL 1.1 Service Description vocabulary.

    It names the endpoint, the language, every result format, the union default graph and each
    named graph with its size, so a client can discover what ``default-graph-uri`` and
    ``named-graph-uri`` may name.
    """
    endpoint = URIRef(str(request.url_for("sparql")))
    graph = Graph()
    for prefix, namespace in (("sd", SD), ("formats", FORMATS), ("void", VOID)):
        graph.bind(prefix, namespace)
    graph.bind("dcterms", DCTERMS)
    graph.add((endpoint, RDF.type, SD.Service))
    graph.add((endpoint, SD.endpoint, endpoint))
    graph.add((endpoint, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((endpoint, SD.feature, SD.UnionDefaultGraph))
    graph.add(
        (endpoint, SD.defaultEntailmentRegime, URIRef("http://www.w3.org/ns/entailment/Simple"))
    )
    graph.add((endpoint, DCTERMS.title, Literal("pactgraph SPARQL endpoint", lang="en")))
    graph.add(
        (
            endpoint,
            RDFS.comment,
            Literal(
                "Read-only SPARQL 1.1 query endpoint. The default graph is the union of all "
                "named graphs; default-graph-uri and named-graph-uri choose another dataset. "
                "Updates and SERVICE are refused.",
                lang="en",
            ),
        )
    )
    for media_type in (*RESULT_TYPES, *GRAPH_TYPES):
        graph.add((endpoint, SD.resultFormat, FORMAT_IRIS[media_type]))
    dataset, default = BNode(), BNode()
    graph.add((endpoint, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, RDFS.comment, Literal("The union of all named graphs.", lang="en")))
    for name, size in graph_sizes(request, store):
        named, description = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
        graph.add((named, SD.graph, description))
        graph.add((description, RDF.type, SD.Graph))
        graph.add((description, VOID.triples, Literal(size)))
    return graph


def graph_sizes(request: Request, store: GraphStore) -> list[tuple[str, int]]:
    """Each named graph and its number of triples, counted once per app.

    Counting scans the whole store; the served graph only changes by a rebuild, which restarts
    the server.
    """
    sizes: list[tuple[str, int]] | None = getattr(request.app.state, "sparql_graph_sizes", None)
    if sizes is None:
        rows = store.select(GRAPH_SIZES).rows
        sizes = [(str(row["graph"]), int(str(row["triples"]))) for row in rows]
        request.app.state.sparql_graph_sizes = sizes
    return sizes


def describe_service(request: Request, store: GraphStore) -> Response:
    accept = request.headers.get("accept")
    media_type = negotiate(accept, DESCRIPTION_TYPES)
    if media_type is None:
        fail(
            406,
            f"Without a query, /sparql describes itself as RDF; ask for one of "
            f"{', '.join(DESCRIPTION_TYPES)}, or send a query.",
        )
    text = service_description(request, store).serialize(format=DESCRIPTION_WRITERS[media_type])
    return Response(
        text.encode("utf-8"), headers={"Content-Type": with_charset(media_type), "Vary": VARY}
    )


# ------------------------------------------------------------------ the query page

EXAMPLE_PREFIXES = "\n".join(
    f"PREFIX {prefix}: <{PREFIXES[prefix]}>" for prefix in ("pact", "skos")
)
EXAMPLES: list[dict[str, str]] = [
    {
        "nl": "Toezeggingen van VHTO (eigenaar of partner)",
        "en": "Commitments of VHTO (owner or partner)",
        "query": f"""{EXAMPLE_PREFIXES}

SELECT ?commitment ?label ?role ?due WHERE {{
  VALUES (?property ?role) {{ (pact:owner "owner") (pact:partner "partner") }}
  ?commitment a pact:Commitment ;
              ?property <{ID_IRI}organisation/vhto> ;
              skos:prefLabel ?label ;
              pact:duePhrase ?due .
}}
ORDER BY ?label
""",
    },
    {
        "nl": "Toezeggingen per brief (named graph)",
        "en": "Commitments per letter (named graph)",
        "query": f"""PREFIX pact: <{DEF_IRI}>

SELECT ?graph (COUNT(?commitment) AS ?commitments) WHERE {{
  GRAPH ?graph {{ ?commitment a pact:Commitment }}
}}
GROUP BY ?graph
ORDER BY DESC(?commitments)
""",
    },
    {
        "nl": "Organisaties per soort",
        "en": "Organisations by kind",
        "query": f"""{EXAMPLE_PREFIXES}
PREFIX org: <{PREFIXES["org"]}>

SELECT ?kind (COUNT(?organisation) AS ?organisations) WHERE {{
  ?organisation a org:FormalOrganization ;
                pact:organisationKind/skos:prefLabel ?kind .
  FILTER(lang(?kind) = "en")
}}
GROUP BY ?kind
ORDER BY DESC(?organisations) ?kind
""",
    },
    {
        "nl": "Mensen en hun rol (aanjager, ambassadeur, minister)",
        "en": "People and their posts (champion, ambassador, minister)",
        "query": f"""PREFIX skos: <{PREFIXES["skos"]}>
PREFIX org: <{PREFIXES["org"]}>
PREFIX time: <{PREFIXES["time"]}>

SELECT ?person ?name ?role ?since WHERE {{
  ?membership a org:Membership ;
              org:member ?person ;
              org:role/skos:prefLabel ?role .
  ?person skos:prefLabel ?name .
  FILTER(lang(?role) = "en")
  OPTIONAL {{ ?membership org:memberDuring/time:hasBeginning/time:inXSDDate ?since }}
}}
ORDER BY ?role ?name
""",
    },
    {
        "nl": "Is er een toezegging van meer dan 10 miljoen euro? (ASK)",
        "en": "Is there a commitment of more than 10 million euro? (ASK)",
        "query": f"""PREFIX pact: <{DEF_IRI}>
PREFIX schema: <{PREFIXES["schema"]}>

ASK {{
  ?commitment a pact:Commitment ;
              pact:amount/schema:value ?euro .
  FILTER(?euro > 10000000)
}}
""",
    },
    {
        "nl": "VHTO beschreven (DESCRIBE)",
        "en": "VHTO described (DESCRIBE)",
        "query": f"DESCRIBE <{ID_IRI}organisation/vhto>\n",
    },
]


def query_page(request: Request, query: str | None) -> Response:
    """The query page: an editor, examples, and results rendered in the page by a small script."""
    response = render(
        request,
        "sparql.html",
        {
            "query": query if query is not None else EXAMPLES[0]["query"],
            "autorun": query is not None,
            "examples": EXAMPLES,
            "local_prefixes": [ID_IRI, GRAPH_IRI, DEF_IRI.removesuffix("#")],
            "base_iri": BASE_IRI,
        },
    )
    response.headers["Vary"] = VARY
    return response


# ------------------------------------------------------------------ routes

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}


def _error(description: str, example: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": ERROR_SCHEMA, "example": {"detail": example}}},
    }


ANSWER_CONTENT = {
    media_type: {"schema": {"type": "string"}} for media_type in (*RESULT_TYPES, *GRAPH_TYPES)
}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": (
            "SELECT/ASK: SPARQL results (JSON by default, XML, CSV, TSV). CONSTRUCT/DESCRIBE: "
            "RDF (Turtle by default, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML). Without a "
            "query: the service description (RDF), or the query page for a browser."
        ),
        "content": {**ANSWER_CONTENT, "text/html": {"schema": {"type": "string"}}},
        "headers": {
            TRUNCATED_HEADER: {
                "description": "`true` when the answer was cut at the row cap.",
                "schema": {"type": "string", "enum": ["true"]},
            },
            ROW_CAP_HEADER: {
                "description": "The row cap (solutions or triples), sent with a cut answer.",
                "schema": {"type": "integer"},
            },
        },
    },
    400: _error(
        "The query is malformed, is an update or uses SERVICE, or the request has two queries "
        "or an unknown format; the message says which.",
        "Syntax error at line 1, column 10, near “}”: expected one of WHERE, {.",
    ),
    406: _error(
        "None of the media types in Accept is available for this query form.",
        "None of the media types in Accept (image/png) is available for a SELECT query; …",
    ),
    503: _error(
        "The query ran past the time limit and was stopped, or every query worker stayed busy "
        "for that long (then with Retry-After).",
        "The query did not finish within 10 s and was stopped. Narrow it …",
    ),
}
POST_RESPONSES: dict[int | str, dict[str, Any]] = {
    **RESPONSES,
    413: _error(
        "The body is larger than 256 KiB.",
        "The request body is 400,000 bytes; the limit is 262,144 bytes (256 KiB). …",
    ),
    415: _error(
        "The body is neither a form nor application/sparql-query, or not UTF-8.",
        f"A query is POSTed as {FORM} (query=…) or as {SPARQL_QUERY} (the query as the body); …",
    ),
}
FORMAT_HELP = (
    "Answer format, overriding Accept: json, xml, csv, tsv (SELECT/ASK); ttl, nt, nq, trig, "
    "jsonld, rdfxml (CONSTRUCT/DESCRIBE; json and xml give JSON-LD and RDF/XML there)."
)
POST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            FORM: {
                "schema": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string", "minLength": 1},
                        "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                        "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                        "format": {"type": "string", "description": FORMAT_HELP},
                    },
                    "required": ["query"],
                }
            },
            SPARQL_QUERY: {"schema": {"type": "string"}},
        },
    }
}

QueryText = Annotated[
    str | None,
    Query(description="The SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE). Send it once."),
]
DefaultGraphs = Annotated[
    list[str] | None,
    Query(
        alias="default-graph-uri",
        description="A graph to merge into the default graph (repeatable); replaces the union.",
    ),
]
NamedGraphs = Annotated[
    list[str] | None,
    Query(alias="named-graph-uri", description="A graph GRAPH may name (repeatable)."),
]
Format = Annotated[str | None, Query(description=FORMAT_HELP)]


@router.get(
    "/sparql",
    name="sparql",
    summary="SPARQL 1.1 query (GET), or the service description",
    response_class=Response,
    responses=RESPONSES,
)
def sparql_get(
    request: Request,
    store: Annotated[GraphStore, Depends(get_store)],
    query: QueryText = None,
    default_graph_uri: DefaultGraphs = None,
    named_graph_uri: NamedGraphs = None,
    format: Format = None,
) -> Response:
    """Answer ``?query=`` in the negotiated format; without a query, describe the service.

    A browser (HTML preferred) gets the query page instead, with the query filled in if given.
    The declared parameters document the protocol in OpenAPI; the handler reads the raw query
    string, because a repeated ``query`` is itself an error the parsed values would hide.
    """
    protocol = ProtocolRequest()
    protocol.add(request.query_params.multi_items())
    if protocol.updates:
        return answer(request, protocol, store)  # refused there, with the reason
    accept = request.headers.get("accept")
    if not protocol.queries:
        if prefers_html(accept):
            return query_page(request, None)
        return describe_service(request, store)
    if prefers_html(accept) and not any(f.strip() for f in protocol.formats):
        return query_page(request, protocol.queries[-1])
    return answer(request, protocol, store)


@router.post(
    "/sparql",
    name="sparql_post",
    summary="SPARQL 1.1 query (POST, form-encoded or application/sparql-query)",
    response_class=Response,
    responses=POST_RESPONSES,
    openapi_extra=POST_BODY,
)
def sparql_post(
    request: Request,
    body: Annotated[bytes, Depends(read_body)],
    store: Annotated[GraphStore, Depends(get_store)],
) -> Response:
    """Answer a POSTed query: ``query=`` in a form, or the query itself as the body.

    With ``application/sparql-query`` the dataset parameters go in the URL; with a form they may
    be in the body or the URL.
    """
    return answer(request, post_request(request, body), store)
