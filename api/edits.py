"""Routes: edits with authority — SPARQL Update at ``/sparql/update``, uploads at
``/edits/records`` — and the change log at ``/edits``.

Only a request carrying an operator-issued bearer token may edit; the token's *name* is who the
change log says made the edit. Without configured tokens the server takes no edits at all.
Each edit is one transaction (:mod:`pactgraph.graph.edits`): rehearsed on a copy, checked
against the shapes (a violating edit is refused with the report, 422), then applied together
with its PROV record, or not at all.

Browsers get no way in from other sites: no CORS headers are ever granted, and an edit request
whose ``Origin`` is another site is refused even with a valid token.
"""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pactgraph.api.deps import get_store
from pactgraph.graph import edits
from pactgraph.graph.store import GraphStore, StoreError
from pactgraph.loaders import safe_rdf
from pactgraph.ontology.namespace import ID_IRI

router = APIRouter(tags=["Edits"])

TOKENS_FILE_ENV = "PACTGRAPH_TOKENS_FILE"
TOKENS_ENV = "PACTGRAPH_TOKENS"
MIN_TOKEN_LENGTH = 16
"""Shorter tokens are refused at start-up: a token is a password nobody has to remember."""
MAX_UPDATE_BYTES = 256 * 1024
MAX_UPLOAD_BYTES = 4 * 1024 * 1024
MAX_UPLOAD_STATEMENTS = 100_000

SPARQL_UPDATE = "application/sparql-update"
FORM = "application/x-www-form-urlencoded"
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})
REALM = 'Bearer realm="pactgraph edits"'
DERIVED_STATE = ("labels", "network_data", "network_views", "sparql_graph_sizes", "responses")
"""What other routes cache on ``app.state`` from the graph; an edit makes it stale."""

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


# ------------------------------------------------------------------ tokens


class TokenConfigError(ValueError):
    """The operator's token configuration cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class EditTokens:
    """Bearer tokens that may edit, each with the name the change log credits edits to."""

    entries: tuple[tuple[str, bytes], ...]

    @classmethod
    def parse(cls, text: str, source: str) -> EditTokens:
        """``name:token`` entries, one per line (or comma-separated); ``#`` starts a comment."""
        entries: list[tuple[str, bytes]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            for item in line.split("#", 1)[0].split(","):
                entry = item.strip()
                if entry:
                    entries.append(_token_entry(entry, f"{source}, line {number}"))
        names = [name for name, _ in entries]
        tokens = [token for _, token in entries]
        for kind, values in (("name", names), ("token", tokens)):
            if len(set(values)) != len(values):
                msg = f"{source}: a {kind} appears twice; every token needs its own name"
                raise TokenConfigError(msg)
        return cls(tuple(entries))

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> EditTokens | None:
        """Tokens from ``$PACTGRAPH_TOKENS_FILE`` (preferred) or ``$PACTGRAPH_TOKENS``; else
        ``None``: edits are disabled."""
        environ = os.environ if environ is None else environ
        file_name, inline = environ.get(TOKENS_FILE_ENV), environ.get(TOKENS_ENV)
        if file_name and inline:
            msg = f"set {TOKENS_FILE_ENV} or {TOKENS_ENV}, not both"
            raise TokenConfigError(msg)
        if file_name:
            try:
                text = Path(file_name).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                msg = f"{TOKENS_FILE_ENV}: cannot read {file_name}: {error}"
                raise TokenConfigError(msg) from error
            tokens = cls.parse(text, file_name)
        elif inline:
            tokens = cls.parse(inline, TOKENS_ENV)
        else:
            return None
        return tokens if tokens.entries else None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.entries)

    def agent(self, presented: str) -> str | None:
        """The name of the token ``presented`` matches, compared in constant time; else None.

        Every configured token is compared, so the time taken does not say which one nearly
        matched.
        """
        given = presented.encode("utf-8")
        found = None
        for name, token in self.entries:
            if hmac.compare_digest(given, token):
                found = name
        return found


def _token_entry(entry: str, where: str) -> tuple[str, bytes]:
    name, separator, token = entry.partition(":")
    name, token = name.strip(), token.strip()
    if not separator or not _NAME.fullmatch(name):
        msg = (
            f"{where}: expected name:token with a name of letters, digits, '.', '_' or '-' "
            f"(the change log credits edits to it)"
        )
        raise TokenConfigError(msg)
    if len(token) < MIN_TOKEN_LENGTH or any(c.isspace() for c in token):
        msg = (
            f"{where}: the token for {name!r} must be at least {MIN_TOKEN_LENGTH} characters "
            "without spaces (e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
        raise TokenConfigError(msg)
    return name, token.encode("utf-8")


# ------------------------------------------------------------------ authority

_bearer = HTTPBearer(
    auto_error=False,
    description=(
        "An edit token the operator issued (PACTGRAPH_TOKENS_FILE: name:token lines). "
        "The change log credits each edit to the token's name."
    ),
)


def edit_agent(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """Who is editing: the name of the request's bearer token; else the request stops here.

    403 when edits are disabled or the request comes from another site's page, 401 without
    a bearer token, 403 with a token nobody issued.
    """
    tokens: EditTokens | None = getattr(request.app.state, "edit_tokens", None)
    if tokens is None or not tokens.entries:
        _fail(
            403,
            "Edits are disabled on this server: the operator has configured no edit tokens "
            f"({TOKENS_FILE_ENV}). Nothing was changed.",
        )
    if not _same_origin(request):
        _fail(
            403,
            "Edits are not accepted from another site's page (Origin "
            f"{request.headers.get('origin')!r}). Nothing was changed.",
        )
    if credentials is None or not credentials.credentials:
        _fail(
            401,
            "Editing needs an edit token: send Authorization: Bearer <token>. Nothing was changed.",
            {"WWW-Authenticate": REALM},
        )
    agent = tokens.agent(credentials.credentials)
    if agent is None:
        _fail(
            403,
            "The edit token is not valid here. Nothing was changed.",
            {"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    return agent


def _same_origin(request: Request) -> bool:
    """No ``Origin`` (not a browser) or the server's own origin."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    own = f"{request.url.scheme}://{request.url.netloc}"
    return origin.rstrip("/").lower() == own.lower()


def _fail(status: int, message: str, headers: dict[str, str] | None = None) -> NoReturn:
    raise HTTPException(status_code=status, detail=message, headers=headers)


def _body_within(limit: int, instead: str) -> Callable[[Request], Awaitable[bytes]]:
    """A dependency reading the body on the event loop, refused with a JSON 413 past ``limit``.

    Refused as soon as ``Content-Length`` says so, or once ``limit`` bytes have streamed in
    without one; the caller's token is checked first (``edit_agent`` comes before the body).
    """

    async def read(request: Request) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            _too_large(f"{int(declared):,}", limit, instead)
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                _too_large(f"more than {limit:,}", limit, instead)
            chunks.append(chunk)
        return b"".join(chunks)

    return read


def _too_large(size: str, limit: int, instead: str) -> NoReturn:
    _fail(
        413,
        f"The request body is {size} bytes; the limit is {limit:,} bytes. {instead} "
        "Nothing was changed.",
    )


_update_body = _body_within(MAX_UPDATE_BYTES, "Upload larger data to /edits/records.")
_upload_body = _body_within(MAX_UPLOAD_BYTES, "Split the data into several uploads.")


def _media_type(request: Request) -> tuple[str, str]:
    media, _, parameters = (request.headers.get("content-type") or "").partition(";")
    charset = ""
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.strip().lower(), charset


def _text(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        _fail(400, f"The {what} is not valid UTF-8 (byte {error.start}). Nothing was changed.")


# ------------------------------------------------------------------ applying


def _apply(
    request: Request, store: GraphStore, planner: Callable[[], edits.EditPlan]
) -> JSONResponse:
    """Plan and commit under the write lock; turn every refusal into its status and report."""
    if getattr(store, "read_only", False):
        _fail(
            503,
            f"The store {store.description} is open read-only; restart the server "
            "with edit tokens configured to open it for writing. Nothing was changed.",
        )
    try:
        with edits.writing():
            edit = edits.commit(store, planner())
    except edits.EditViolationsError as error:
        return JSONResponse(
            {
                "detail": str(error),
                "violations": [
                    {
                        "focus": v.focus,
                        "focus_label": v.focus_label,
                        "path": v.path,
                        "message": v.message,
                        "value": v.value,
                        "severity": v.severity,
                    }
                    for v in error.violations
                ],
            },
            status_code=error.status,
        )
    except edits.EditError as error:
        return JSONResponse(
            {"detail": str(error), "problems": error.details}, status_code=error.status
        )
    except StoreError as error:
        _fail(503, f"The store refused the write: {error}. Nothing was changed.")
    if edit is None:
        return JSONResponse(
            {
                "applied": False,
                "detail": (
                    "The edit changed nothing (its statements were there already, or its "
                    "WHERE matched nothing), so nothing was recorded. Note that an update's "
                    "default graph holds no data here: match with GRAPH ?g { … } or WITH <graph>."
                ),
            }
        )
    for name in DERIVED_STATE:
        if hasattr(request.app.state, name):
            delattr(request.app.state, name)
    return JSONResponse({"applied": True, **edit.as_json()})


# ------------------------------------------------------------------ routes


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"detail": {"type": "string"}},
                    "required": ["detail"],
                }
            }
        },
    }


EDIT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Applied (with its change-log record), or nothing to change."},
    400: _error("Malformed, uses LOAD/SERVICE, fails while running, or writes the default graph."),
    401: _error("No bearer token (WWW-Authenticate: Bearer)."),
    403: _error(
        "Edits disabled, a token nobody issued, another site's page, or a protected graph."
    ),
    413: _error("The body is too large."),
    415: _error("The body is in a format this route does not take."),
    422: _error("The data after the edit would violate the shapes; the report lists how."),
    503: _error("The store is open read-only or refused the write."),
}


@router.post(
    "/sparql/update",
    name="sparql_update",
    summary="SPARQL 1.1 Update (POST form update=… or application/sparql-update), with a token",
    responses=EDIT_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                FORM: {
                    "schema": {
                        "type": "object",
                        "properties": {"update": {"type": "string"}},
                        "required": ["update"],
                    }
                },
                SPARQL_UPDATE: {"schema": {"type": "string"}},
            },
        }
    },
)
def sparql_update(
    request: Request,
    agent: Annotated[str, Depends(edit_agent)],
    body: Annotated[bytes, Depends(_update_body)],
    store: Annotated[GraphStore, Depends(get_store)],
) -> JSONResponse:
    """Apply one SPARQL Update as one transaction, checked against the shapes and logged.

    A multi-operation update is all or nothing. ``LOAD`` and ``SERVICE`` are refused (nothing
    is fetched). Data lives in named graphs: match with ``GRAPH ?g`` or ``WITH <graph>``.
    """
    update = _update_text(request, body)
    return _apply(request, store, lambda: edits.plan_update(store, update, agent))


def _update_text(request: Request, body: bytes) -> str:
    """The one update of a protocol update request, from a form or the body."""
    in_url = {key for key, _ in request.query_params.multi_items()}
    if in_url & {"update", "query"}:
        _fail(
            400,
            "Send the update in the request body (form update=… or "
            f"{SPARQL_UPDATE}), not in the URL. Nothing was changed.",
        )
    media, charset = _media_type(request)
    if charset not in {"", "utf-8", "utf8"}:
        _fail(415, f"The body must be UTF-8, not charset={charset}.")
    if media == SPARQL_UPDATE:
        pairs: list[tuple[str, str]] = []
        updates = [_text(body, "update")]
    elif media == FORM:
        try:
            pairs = parse_qsl(_text(body, "form"), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError as error:
            _fail(400, f"The form is not valid UTF-8 once percent-decoded ({error.reason}).")
        updates = [value for key, value in pairs if key == "update"]
    else:
        given = f"Content-Type {media}" if media else "no Content-Type"
        _fail(
            415,
            f"An update is POSTed as {FORM} (update=…) or as {SPARQL_UPDATE}; "
            f"the request has {given}.",
        )
    names = {key for key, _ in pairs} | in_url
    if "query" in names:
        _fail(400, "A query is not an update; send queries to /sparql. Nothing was changed.")
    dataset = names & {"using-graph-uri", "using-named-graph-uri"}
    if dataset:
        _fail(
            400,
            f"{', '.join(sorted(dataset))} is not supported; name graphs in the update "
            "(GRAPH, WITH, USING). Nothing was changed.",
        )
    if len(updates) != 1:
        _fail(
            400,
            f"The request has {len(updates)} updates; send exactly one "
            "(one update may hold several operations separated by ';').",
        )
    return updates[0]


GraphParameter = Annotated[
    str | None,
    Query(
        description="The named graph uploaded triples go into (RDF uploads only).",
        examples=[edits.EDITS_GRAPH],
    ),
]
NameParameter = Annotated[
    str | None,
    Query(
        description="The records file name problems are reported under (YAML uploads).",
        examples=["extra-records.yaml"],
    ),
]


@router.post(
    "/edits/records",
    name="upload_records",
    summary="Add statements: Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML or YAML records",
    responses=EDIT_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"type": "string"}}
                for media in (*safe_rdf.FORMATS, "application/yaml")
            },
        }
    },
)
def upload_records(
    request: Request,
    agent: Annotated[str, Depends(edit_agent)],
    body: Annotated[bytes, Depends(_upload_body)],
    store: Annotated[GraphStore, Depends(get_store)],
    graph: GraphParameter = None,
    name: NameParameter = None,
) -> JSONResponse:
    """Add the statements of an RDF document, or curated records, as one checked edit.

    RDF triples go into ``graph`` (default: the edits graph); quads keep their graphs.
    JSON-LD with a context by IRI and RDF/XML with DOCTYPE/ENTITY are refused unparsed.
    Records (the YAML format of the bundled data) are read with the bundled records, so their
    references resolve and their quotes are anchored in the bundled letters, as in a build.
    """
    media, charset = _media_type(request)
    if charset not in {"", "utf-8", "utf8"}:
        _fail(415, f"The body must be UTF-8, not charset={charset}.")
    if media in YAML_TYPES:
        if graph is not None:
            _fail(400, "Records decide their own graphs; leave out graph=. Nothing was changed.")
        text = _text(body, "records file")
        file_name = name or "upload.yaml"
        return _apply(request, store, lambda: edits.plan_records(store, text, file_name, agent))
    rdf_type = safe_rdf.media_type_of(media)
    if rdf_type not in safe_rdf.FORMATS:
        accepted = ", ".join([*safe_rdf.FORMATS, "application/yaml"])
        _fail(415, f"Upload one of {accepted}; the request has Content-Type {media or 'none'}.")
    try:
        quads = safe_rdf.parse_untrusted(
            body, rdf_type, base_iri=ID_IRI, max_quads=MAX_UPLOAD_STATEMENTS
        )
    except (safe_rdf.UnsafeRdfError, safe_rdf.RdfSyntaxError) as error:
        _fail(400, f"{error}. Nothing was changed.")
    target = graph or edits.EDITS_GRAPH
    summary = edits.excerpt(body.decode("utf-8", errors="replace"))
    return _apply(
        request, store, lambda: edits.plan_quads(store, quads, agent, rdf_type, summary, target)
    )


Limit = Annotated[int, Query(ge=1, le=1000, description="How many edits, newest first.")]


@router.get(
    "/edits",
    name="edit_history",
    summary="The change log: who edited what and when, newest first",
)
def edit_history(
    store: Annotated[GraphStore, Depends(get_store)], limit: Limit = 100
) -> list[dict[str, object]]:
    """The PROV records of applied edits (the same as the change-log graph via ``/sparql``)."""
    return [edit.as_json() for edit in edits.history(store, limit)]
