"""A SPARQL 1.1 server as the store, for when one machine is not enough.

:class:`RemoteStore` gives the :class:`~pactgraph.graph.store.GraphStore` facade over the SPARQL
1.1 Protocol (queries and updates, sent with SPARQLWrapper) and the Graph Store Protocol (whole
named graphs, sent with httpx). The web API and the command line run on it unchanged.

How the embedded store's behaviour is kept on a server
=======================================================
* **The dataset is explicit.** The embedded store's default graph is the union of its named
  graphs. Servers differ (Oxigraph's default graph is a graph of its own, Virtuoso's is every
  graph it holds, system graphs included), and a shared server holds other people's graphs. So
  every query names its dataset with the protocol's ``default-graph-uri`` and
  ``named-graph-uri`` parameters: the graphs a *manifest* graph lists. ``replace_all`` writes
  the manifest in the same update request that swaps the new graphs in.
* **Bindings are bound, not pasted.** Servers take no bindings over the protocol, so each bound
  term is checked (an absolute IRI without the characters that could end ``<…>``, a literal
  escaped character by character, a well-formed language tag) and written into one ``VALUES``
  row placed first in the query's top-level group. That is SEP-0007's "values insertion" at the
  top level: the row joins the first element of the group, so every pattern, ``FILTER``,
  ``BIND``, ``OPTIONAL`` and ``EXISTS`` of that group sees the value, exactly as Oxigraph's
  substitutions do (and, like them, not inside sub-SELECTs that do not project the variable).
  A value can only ever be one RDF term in a data block: the escaping is property-tested
  against a real SPARQL parser.
* **Queries go to the query endpoint, updates to the update endpoint, never the other way.**
  Virtuoso executes an update sent as ``query=``, so a text must be a query (checked from its
  tokens: the first keyword after the prologue, no ``;`` at top level) before it is sent there.
* **Answers are asked for by media type**: Virtuoso answers HTML and Oxigraph N-Quads when no
  ``Accept`` is given. Requests are form POSTs (a direct ``application/sparql-query`` POST can
  hang Virtuoso). JSON results may say ``typed-literal`` (Virtuoso); both spellings are read.
  Virtuoso cuts results at ``ResultSetMaxRows`` and answers partially when a query runs past
  its time limit, saying so in headers; both are errors here, never silently short answers.
* **Replacing the graph is atomic for readers**: every graph is loaded into a staging graph
  with the Graph Store Protocol, the staged triple counts are checked, and one update request
  drops the previous graphs, moves the staged ones into place and rewrites the manifest. Both
  engines run an update request as one transaction, so a failed load leaves the previous graph
  served.
"""

from __future__ import annotations

import http.client
import json
import re
import ssl
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from functools import lru_cache
from http.client import HTTPResponse
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox
from pactgraph.graph.store import (
    QueryDataset,
    QueryError,
    Row,
    SelectResult,
    StoreError,
    from_oxigraph,
)
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node
from SPARQLWrapper import BASIC, JSON, POST, TURTLE, URLENCODED, SPARQLWrapper

SCHEMES: Final = {"sparql+http": "http", "sparql+https": "https"}
ENGINES: Final = ("generic", "oxigraph", "virtuoso")
AUTH_KINDS: Final = ("basic", "digest", "bearer")
SPEC_PARAMETERS: Final = ("update", "gsp", "engine", "timeout", "connect-timeout")

ENV_USER: Final = "PACTGRAPH_STORE_USER"
ENV_PASSWORD: Final = "PACTGRAPH_STORE_PASSWORD"  # noqa: S105 - the variable's name, not a secret
ENV_PASSWORD_FILE: Final = "PACTGRAPH_STORE_PASSWORD_FILE"  # noqa: S105
ENV_TOKEN: Final = "PACTGRAPH_STORE_TOKEN"  # noqa: S105
ENV_AUTH: Final = "PACTGRAPH_STORE_AUTH"

DEFAULT_CONNECT_TIMEOUT: Final = 5.0
DEFAULT_READ_TIMEOUT: Final = 60.0
GRAPHS_TTL_SECONDS: Final = 10.0  # how long a reader trusts its copy of the manifest
UPLOAD_CHUNK_TRIPLES: Final = 100_000
USER_AGENT: Final = "pactgraph (SPARQLWrapper)"

STORE_IRI: Final = "https://w3id.org/pactgraph/store/"
MANIFEST_GRAPH: Final = STORE_IRI + "manifest"  # lists the graphs that make up the dataset
STAGING_IRI: Final = STORE_IRI + "staging/"  # where replace_all loads before the swap
EMPTY_GRAPH: Final = STORE_IRI + "empty"  # never written: names "no graph" in a dataset
HAS_PART: Final = "http://purl.org/dc/terms/hasPart"
GRAPH_PREFIX: Final = "https://w3id.org/pactgraph/graph/"  # pactgraph's own named graphs

XSD_STRING: Final = "http://www.w3.org/2001/XMLSchema#string"
SPARQL_JSON: Final = "application/sparql-results+json"
N_TRIPLES: Final = "application/n-triples"
RDF_PARSERS: Final = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}

QUERY_FORMS: Final = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
UPDATE_KEYWORDS: Final = (
    "INSERT",
    "DELETE",
    "WITH",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
)


# ------------------------------------------------------------------ where the server is


@dataclass(frozen=True)
class Credentials:
    """How to authenticate: HTTP basic or digest with a user, or a bearer token."""

    kind: str
    user: str = ""
    password: str = field(default="", repr=False)
    token: str = field(default="", repr=False)


@dataclass(frozen=True)
class RemoteConfig:
    """A SPARQL server's endpoints, engine, credentials and timeouts (from a store spec)."""

    query_url: str
    update_url: str | None = None
    gsp_url: str | None = None
    engine: str = "generic"
    credentials: Credentials | None = None
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT

    @property
    def description(self) -> str:
        """The spec in canonical form: what logs and messages show (never a credential)."""
        scheme, netloc, path, _, _ = urlsplit(self.query_url)
        params = {
            "update": self.update_url,
            "gsp": self.gsp_url,
            "engine": None if self.engine == "generic" else self.engine,
        }
        query = "&".join(f"{k}={_relative(self.query_url, v)}" for k, v in params.items() if v)
        return urlunsplit((f"sparql+{scheme}", netloc, path, query, ""))


def is_remote_spec(spec: str) -> bool:
    """Whether a store spec names a SPARQL server (``sparql+http://`` or ``sparql+https://``)."""
    return spec.split("://", 1)[0] in SCHEMES and "://" in spec


def parse_remote_spec(spec: str, environ: Mapping[str, str]) -> RemoteConfig:
    """Read ``sparql+http(s)://host:port/query?update=…&gsp=…&engine=…`` and the credentials.

    ``update`` and ``gsp`` are paths on the same server (``/update``) or full URLs; without
    ``update`` the store is read-only, without ``gsp`` it cannot load whole graphs. Credentials
    come from the environment only (a spec is printed in logs): :data:`ENV_USER` with
    :data:`ENV_PASSWORD` (or :data:`ENV_PASSWORD_FILE`), or :data:`ENV_TOKEN`, with
    :data:`ENV_AUTH` choosing ``basic``, ``digest`` or ``bearer``.
    """
    parts = urlsplit(spec)
    scheme = SCHEMES.get(parts.scheme)
    if scheme is None or not parts.hostname:
        msg = f"not a SPARQL server spec: {spec!r}; expected e.g. {_EXAMPLE_SPEC!r}"
        raise StoreError(msg)
    if parts.username or parts.password:
        msg = (
            f"the store spec {_without_userinfo(spec)!r} carries credentials; put them in "
            f"{ENV_USER}/{ENV_PASSWORD} or {ENV_TOKEN} instead (a spec is shown in logs)"
        )
        raise StoreError(msg)
    if parts.fragment:
        msg = f"the store spec {spec!r} has a '#' fragment; remove it"
        raise StoreError(msg)
    params = _spec_parameters(spec, parts.query)
    query_url = urlunsplit((scheme, parts.netloc, parts.path or "/", "", ""))
    engine = params.get("engine", "generic").lower()
    if engine not in ENGINES:
        msg = f"unknown engine {engine!r} in the store spec; expected one of {', '.join(ENGINES)}"
        raise StoreError(msg)
    return RemoteConfig(
        query_url=query_url,
        update_url=_endpoint(query_url, params.get("update"), "update"),
        gsp_url=_endpoint(query_url, params.get("gsp"), "gsp"),
        engine=engine,
        credentials=credentials_from(environ),
        connect_timeout=_seconds(params.get("connect-timeout"), "connect-timeout")
        or DEFAULT_CONNECT_TIMEOUT,
        read_timeout=_seconds(params.get("timeout"), "timeout") or DEFAULT_READ_TIMEOUT,
    )


_EXAMPLE_SPEC: Final = "sparql+http://localhost:7878/query?update=/update&gsp=/store"


def _spec_parameters(spec: str, query: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key not in SPEC_PARAMETERS:
            msg = (
                f"unknown parameter {key!r} in the store spec {spec!r}; "
                f"known: {', '.join(SPEC_PARAMETERS)}"
            )
            raise StoreError(msg)
        if key in params:
            msg = f"the store spec {spec!r} gives {key!r} twice"
            raise StoreError(msg)
        params[key] = value
    return params


def _endpoint(query_url: str, value: str | None, name: str) -> str | None:
    """An endpoint given as a path on the query endpoint's server, or as a full URL."""
    if not value:
        return None
    if value.startswith("/"):
        return urljoin(query_url, value)
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.hostname and not parts.username:
        return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))
    msg = f"the store spec's {name}= takes a path such as /{name} or a full URL, not {value!r}"
    raise StoreError(msg)


def _relative(base: str, url: str) -> str:
    """``url`` as a path when it is on ``base``'s server (for the canonical spec)."""
    if urlsplit(url)[:2] == urlsplit(base)[:2]:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return url


def _seconds(value: str | None, name: str) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 86_400:
        msg = f"the store spec's {name}= takes a number of seconds, such as 30, not {value!r}"
        raise StoreError(msg)
    return seconds


def _without_userinfo(spec: str) -> str:
    parts = urlsplit(spec)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def credentials_from(environ: Mapping[str, str]) -> Credentials | None:
    """The credentials the environment gives, or ``None``; a half-given set is an error."""
    user = environ.get(ENV_USER, "")
    password = environ.get(ENV_PASSWORD, "")
    password_file = environ.get(ENV_PASSWORD_FILE, "")
    token = environ.get(ENV_TOKEN, "")
    if password_file and not password:
        try:
            password = Path(password_file).read_text(encoding="utf-8").strip()
        except OSError as error:
            msg = f"cannot read {ENV_PASSWORD_FILE}={password_file}: {error.strerror or error}"
            raise StoreError(msg) from error
    kind = environ.get(ENV_AUTH, "").strip().lower()
    if not kind:
        kind = "bearer" if token else "basic" if user else ""
    if not kind:
        return None
    if kind not in AUTH_KINDS:
        msg = f"{ENV_AUTH}={kind!r} is not known; expected one of {', '.join(AUTH_KINDS)}"
        raise StoreError(msg)
    if kind == "bearer" and not token:
        msg = f"{ENV_AUTH}=bearer needs the token in {ENV_TOKEN}"
        raise StoreError(msg)
    if kind != "bearer" and not (user and password):
        msg = f"{ENV_AUTH}={kind} needs {ENV_USER} and {ENV_PASSWORD} (or {ENV_PASSWORD_FILE})"
        raise StoreError(msg)
    return Credentials(kind, user, password, token)


# ------------------------------------------------------------------ reading a query's shape


_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
               |\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'
               |"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\U000EFFFF]+)
    | (?P<open>[{(])
    | (?P<close>[})])
    | (?P<semicolon>;)
    | (?P<word>(?:[A-Za-z0-9_\-.:%\u00B7\u00C0-\U000EFFFF]|\\.)+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    """A lexical token of a SPARQL text, with its brace and parenthesis depth."""

    kind: str
    text: str
    start: int
    end: int
    braces: int
    parens: int

    def word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


def tokens(text: str) -> list[Token]:
    """The significant tokens of ``text`` (no white space or comments), with nesting depths.

    Strings and IRIs are single tokens, so braces, parentheses, ``;`` and ``#`` inside them do
    not count; this is all the structure binding and query checks need.
    """
    found: list[Token] = []
    braces = parens = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        value = match.group()
        if kind == "close":
            if value == "}":
                braces -= 1
            else:
                parens -= 1
        found.append(Token(kind, value, match.start(), match.end(), braces, parens))
        if kind == "open":
            if value == "{":
                braces += 1
            else:
                parens += 1
    return found


@dataclass(frozen=True)
class QueryShape:
    """What the store needs to know about a query before sending it."""

    form: str
    projection: frozenset[str] | None  # SELECT's projected variables; None for SELECT *
    where_open: int | None  # offset just after the top-level group's '{' (None: no group)
    where_close: int | None  # offset of that group's '}'
    subselect: bool  # the top-level group is a bare sub-SELECT
    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()

    @property
    def has_dataset_clause(self) -> bool:
        return bool(self.from_graphs or self.from_named)


@lru_cache(maxsize=512)
def query_shape(text: str) -> QueryShape:
    """The form, projection, top-level group and dataset clauses of a SPARQL query.

    Raises :class:`QueryError` for an update, or for text that is not one query: what goes to a
    query endpoint must be a query (Virtuoso would execute an update sent there).
    """
    toks = tokens(text)
    prefixes, base, index = _prologue(toks)
    if index >= len(toks) or not toks[index].word(*QUERY_FORMS):
        raise QueryError(_not_a_query(toks[index] if index < len(toks) else None))
    for token in toks:
        if token.kind == "semicolon" and token.braces == 0 and token.parens == 0:
            msg = "a query request holds one query; ';' at top level separates update operations"
            raise QueryError(msg)
    if toks[-1].braces != 0 or toks[-1].parens != 0 or toks[-1].kind == "open":
        msg = "unbalanced braces or parentheses in the query"
        raise QueryError(msg)
    form = toks[index].text.upper()
    start = index + 1
    if form == "CONSTRUCT" and start < len(toks) and toks[start].text == "{":
        start = _matching(toks, start) + 1  # skip the template
    group = _where_group(toks, start, short_construct=form == "CONSTRUCT" and start == index + 1)
    head = toks[index + 1 : group if group is not None else len(toks)]
    from_graphs, from_named = _dataset_clauses(head, prefixes, base)
    if group is None:
        return QueryShape(form, _projection(form, head), None, None, False, from_graphs, from_named)
    close = _matching(toks, group)
    inner = toks[group + 1] if group + 1 < close else None
    return QueryShape(
        form=form,
        projection=_projection(form, head),
        where_open=toks[group].end,
        where_close=toks[close].start,
        subselect=inner is not None and inner.word("SELECT"),
        from_graphs=from_graphs,
        from_named=from_named,
    )


def _not_a_query(token: Token | None) -> str:
    if token is not None and token.word(*UPDATE_KEYWORDS):
        return (
            f"{token.text.upper()} is a SPARQL update; only queries (SELECT, CONSTRUCT, ASK, "
            "DESCRIBE) are sent to the query endpoint"
        )
    found = f"found {token.text[:20]!r}" if token is not None else "found nothing"
    return f"not a SPARQL query: expected SELECT, CONSTRUCT, ASK or DESCRIBE, {found}"


def _prologue(toks: list[Token]) -> tuple[dict[str, str], str, int]:
    """The PREFIX and BASE declarations at the start; returns where the query form begins."""
    prefixes: dict[str, str] = {}
    base = ""
    index = 0
    while index < len(toks):
        token = toks[index]
        if token.word("BASE") and index + 1 < len(toks) and toks[index + 1].kind == "iri":
            base = urljoin(base, toks[index + 1].text[1:-1])
            index += 2
        elif (
            token.word("PREFIX")
            and index + 2 < len(toks)
            and toks[index + 1].kind == "word"
            and toks[index + 1].text.endswith(":")
            and toks[index + 2].kind == "iri"
        ):
            prefixes[toks[index + 1].text[:-1]] = urljoin(base, toks[index + 2].text[1:-1])
            index += 3
        else:
            break
    return prefixes, base, index


def _matching(toks: list[Token], index: int) -> int:
    """The index of the token closing the brace or parenthesis at ``index``."""
    opening = toks[index]
    closing = "}" if opening.text == "{" else ")"
    for position in range(index + 1, len(toks)):
        token = toks[position]
        if (
            token.text == closing
            and token.braces == opening.braces
            and (token.parens == opening.parens)
        ):
            return position
    msg = f"unbalanced {opening.text!r} in the query"
    raise QueryError(msg)


def _where_group(toks: list[Token], start: int, *, short_construct: bool) -> int | None:
    """The index of the '{' opening the query's WHERE group, if it has one of its own."""
    if short_construct:
        return None  # CONSTRUCT WHERE { … }: the group is also the template
    previous: Token | None = None
    for index in range(start, len(toks)):
        token = toks[index]
        at_top = token.braces == 0 and token.parens == 0
        if at_top and token.text == "{" and (previous is None or not previous.word("EXISTS")):
            return index
        if token.braces == 0 and token.word("WHERE"):
            following = toks[index + 1] if index + 1 < len(toks) else None
            return index + 1 if following is not None and following.text == "{" else None
        previous = token
    return None


def _projection(form: str, head: list[Token]) -> frozenset[str] | None:
    """SELECT's projected variable names; ``None`` for ``SELECT *`` (and other forms)."""
    if form != "SELECT":
        return None
    names: set[str] = set()
    for index, token in enumerate(head):
        if token.word("FROM"):
            break
        if token.text == "*" and token.parens == 0:
            return None
        if token.kind == "var" and token.parens == 0:
            names.add(token.text[1:])
        if token.word("AS") and index + 1 < len(head) and head[index + 1].kind == "var":
            names.add(head[index + 1].text[1:])
    return frozenset(names)


def _dataset_clauses(
    head: list[Token], prefixes: Mapping[str, str], base: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The graphs of the query's FROM and FROM NAMED clauses, as absolute IRIs."""
    default: list[str] = []
    named: list[str] = []
    index = 0
    while index < len(head):
        if head[index].word("FROM") and head[index].parens == 0:
            is_named = index + 1 < len(head) and head[index + 1].word("NAMED")
            position = index + (2 if is_named else 1)
            if position >= len(head):
                break
            (named if is_named else default).append(_iri_of(head[position], prefixes, base))
            index = position
        index += 1
    return tuple(default), tuple(named)


def _iri_of(token: Token, prefixes: Mapping[str, str], base: str) -> str:
    if token.kind == "iri":
        return urljoin(base, token.text[1:-1])
    if token.kind == "word" and ":" in token.text:
        prefix, local = token.text.split(":", 1)
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    msg = f"cannot read the graph name {token.text!r} in FROM"
    raise QueryError(msg)


def update_keyword(text: str) -> str:
    """The first keyword of a SPARQL update; :class:`QueryError` when the text is not one."""
    toks = tokens(text)
    _, _, index = _prologue(toks)
    if index < len(toks) and toks[index].word(*UPDATE_KEYWORDS):
        return toks[index].text.upper()
    found = repr(toks[index].text[:20]) if index < len(toks) else "nothing"
    msg = f"not a SPARQL update: expected INSERT, DELETE, WITH, LOAD, … found {found}"
    raise QueryError(msg)


# ------------------------------------------------------------------ binding values


_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|^`\\\x7f-\x9f\ud800-\udfff]*")
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_VARIABLE = re.compile(r"[A-Za-z0-9_]+")
_ESCAPES: Final = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


def checked_iri(value: str) -> str:
    """``value`` if it is an absolute IRI that can stand between ``<`` and ``>``.

    The characters SPARQL's IRIREF excludes (space, controls, ``<>"{}|^`\\``) are exactly those
    that could end the IRI early or smuggle syntax in; an IRI holding one is refused, never
    escaped. The rest of RFC 3987 (allowed characters, structure) is checked by Oxigraph's IRI
    parser, so a server never receives an IRI it would reject.
    """
    if not _IRI.fullmatch(value) or not _is_rfc3987(value):
        msg = (
            f'cannot bind {value!r}: not an absolute IRI (RFC 3987) without <>"{{}}|^`\\ or spaces'
        )
        raise QueryError(msg)
    return value


def _is_rfc3987(value: str) -> bool:
    """Whether Oxigraph's RFC 3987 parser accepts ``value`` as an absolute IRI."""
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


def escape_string(value: str) -> str:
    """A string's characters as the body of a double-quoted SPARQL literal.

    Backslash, quote and line breaks get their ECHAR escapes and other control characters a
    ``\\u`` escape, so the literal ends only at the closing quote this module writes.
    """
    out: list[str] = []
    for char in value:
        code = ord(char)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        elif 0xD800 <= code <= 0xDFFF:
            msg = f"cannot bind a string holding a lone surrogate (U+{code:04X})"
            raise QueryError(msg)
        else:
            out.append(char)
    return "".join(out)


def sparql_term(term: Node) -> str:
    """An IRI or literal as SPARQL syntax, after checking every part of it."""
    if isinstance(term, URIRef):
        return f"<{checked_iri(str(term))}>"
    if isinstance(term, Literal):
        body = f'"{escape_string(str(term))}"'
        if term.language:
            if not _LANGUAGE.fullmatch(term.language):
                msg = f"cannot bind {term!r}: {term.language!r} is not a language tag"
                raise QueryError(msg)
            return f"{body}@{term.language}"
        if term.datatype is not None and str(term.datatype) != XSD_STRING:
            return f"{body}^^<{checked_iri(str(term.datatype))}>"
        return body
    kind = "a blank node" if isinstance(term, BNode) else repr(term)
    msg = f"cannot bind {kind} on a SPARQL server: only IRIs and literals can be bound"
    raise QueryError(msg)


def values_block(bindings: Mapping[str, Node]) -> str:
    """One ``VALUES`` row holding the bound terms (names checked by :func:`bind`)."""
    names = [f"?{name}" for name in bindings]
    terms = " ".join(sparql_term(term) for term in bindings.values())
    return f"VALUES ({' '.join(names)}) {{ ({terms}) }}"


def bind(query: str, bindings: Mapping[str, Node] | None) -> str:
    """``query`` with ``bindings`` as a ``VALUES`` row opening its top-level group.

    Mirrors the embedded store: a bound variable of a SELECT must be projected (Oxigraph's
    rule), so a query that runs on one backend runs on the other.
    """
    shape = query_shape(query)
    if not bindings:
        return query
    for name in bindings:
        if not _VARIABLE.fullmatch(name):
            msg = f"cannot bind {name!r}: a variable name is letters, digits and '_'"
            raise QueryError(msg)
    if shape.form == "SELECT":
        missing = [n for n in bindings if shape.projection is None or n not in shape.projection]
        if missing:
            msg = f"the query does not contain variable ?{missing[0]} in its SELECT projection"
            raise QueryError(msg)
    block = values_block(bindings)
    if shape.where_open is None or shape.where_close is None:
        # CONSTRUCT WHERE and DESCRIBE without a group: every variable comes from plain
        # triple patterns, so a trailing VALUES clause restricts them the same way.
        return f"{query}\n{block}\n"
    start, end = shape.where_open, shape.where_close
    if shape.subselect:
        return f"{query[:start]} {block} {{ {query[start:end]} }} {query[end:]}"
    return f"{query[:start]} {block}\n{query[start:]}"


# ------------------------------------------------------------------ answers


def term_from_json(value: Mapping[str, str]) -> Node:
    """A SPARQL JSON result term (``typed-literal`` included) as an rdflib term."""
    kind = value.get("type")
    text = value.get("value", "")
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if kind in ("literal", "typed-literal"):
        language = value.get("xml:lang")
        if language:
            return Literal(text, lang=language)
        datatype = value.get("datatype")
        if datatype and datatype != XSD_STRING:
            return Literal(text, datatype=URIRef(datatype))
        return Literal(text)
    msg = f"the server answered a term pactgraph cannot use: {dict(value)!r}"
    raise StoreError(msg)


def select_result(data: Mapping[str, Any]) -> SelectResult:
    """SPARQL JSON results as :class:`SelectResult`."""
    variables = [str(v) for v in data.get("head", {}).get("vars", [])]
    rows: list[Row] = []
    for binding in data.get("results", {}).get("bindings", []):
        rows.append({name: term_from_json(binding[name]) for name in variables if name in binding})
    return SelectResult(variables, rows)


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type header, without parameters, lower case."""
    return (content_type or "").split(";", 1)[0].strip().lower()


# ------------------------------------------------------------------ transport


class _ConnectTimeoutError(TimeoutError):
    """No connection within the connect timeout (told apart from a slow answer)."""


def _connect_within(
    connection: http.client.HTTPConnection, connect: Callable[[], None], seconds: float
) -> None:
    """Connect with ``seconds`` as the timeout, then read with the request's own timeout."""
    read_timeout = connection.timeout
    connection.timeout = seconds
    try:
        connect()
    except TimeoutError as error:
        raise _ConnectTimeoutError(f"no connection within {seconds:g} s") from error
    finally:
        connection.timeout = read_timeout
    if connection.sock is not None:
        connection.sock.settimeout(read_timeout)


class _HTTPConnection(http.client.HTTPConnection):
    connect_timeout = DEFAULT_CONNECT_TIMEOUT

    def connect(self) -> None:
        _connect_within(self, super().connect, self.connect_timeout)


class _HTTPSConnection(http.client.HTTPSConnection):
    connect_timeout = DEFAULT_CONNECT_TIMEOUT

    def connect(self) -> None:
        _connect_within(self, super().connect, self.connect_timeout)


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, connect_timeout: float) -> None:
        super().__init__()

        class Connection(_HTTPConnection):
            pass

        Connection.connect_timeout = connect_timeout
        self._connection: type[http.client.HTTPConnection] = Connection

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, connect_timeout: float) -> None:
        self._ssl_context = ssl.create_default_context()
        super().__init__(context=self._ssl_context)

        class Connection(_HTTPSConnection):
            pass

        Connection.connect_timeout = connect_timeout
        self._connection: type[http.client.HTTPSConnection] = Connection

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req, context=self._ssl_context)


def build_opener(config: RemoteConfig) -> urllib.request.OpenerDirector:
    """This store's own urllib opener: connect timeout, and digest auth when configured.

    SPARQLWrapper would otherwise use urllib's process-wide opener (and installs a new global
    one for every digest request); an opener per store keeps stores and threads apart.
    """
    handlers: list[urllib.request.BaseHandler] = [
        _HTTPHandler(config.connect_timeout),
        _HTTPSHandler(config.connect_timeout),
    ]
    credentials = config.credentials
    if credentials is not None and credentials.kind == "digest":
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        urls = [u for u in (config.query_url, config.update_url) if u]
        passwords.add_password(None, urls, credentials.user, credentials.password)
        handlers.append(urllib.request.HTTPDigestAuthHandler(passwords))
    return urllib.request.build_opener(*handlers)


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper sending through a store's opener, with the store's read timeout."""

    def __init__(self, store: RemoteStore) -> None:
        config = store.config
        super().__init__(
            config.query_url, updateEndpoint=config.update_url or None, agent=USER_AGENT
        )
        self._opener = store.opener
        self._read_timeout = config.read_timeout
        self.setMethod(POST)
        self.setRequestMethod(URLENCODED)  # form POST: a direct POST can hang Virtuoso
        self.setOnlyConneg(True)  # media types by Accept only, no format= parameters
        credentials = config.credentials
        if credentials is not None and credentials.kind == "basic":
            self.setHTTPAuth(BASIC)
            self.setCredentials(credentials.user, credentials.password)
        elif credentials is not None and credentials.kind == "bearer":
            self.addCustomHttpHeader("Authorization", f"Bearer {credentials.token}")

    def _query(self) -> tuple[HTTPResponse, str]:
        request = self._createRequest()
        response = self._opener.open(request, timeout=self._read_timeout)
        return response, self.returnFormat


def _excerpt(body: bytes, limit: int = 400) -> str:
    text = " ".join(body.decode("utf-8", "replace").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def status_error(status: int, url: str, body: str, what: str) -> StoreError | QueryError:
    """A readable error for an HTTP error status: which URL, what status, what to check."""
    said = f" The server said: {body}" if body else ""
    if status == 400:
        return QueryError(f"{url} rejected the {what} (400 Bad Request).{said}")
    if status in (401, 403):
        return StoreError(
            f"{url} refused the {what} ({status}): check {ENV_USER} and {ENV_PASSWORD} "
            f"(or {ENV_TOKEN}) and {ENV_AUTH}=basic|digest|bearer; Virtuoso's "
            f"/sparql-auth and /sparql-graph-crud-auth want digest.{said}"
        )
    if status == 404:
        return StoreError(
            f"{url} answered 404 Not Found: check the path in the store spec (Oxigraph "
            "serves /query, /update and /store; Virtuoso /sparql, /sparql-auth and "
            f"/sparql-graph-crud-auth).{said}"
        )
    return StoreError(f"{url} answered {status} to the {what}.{said}")


def transport_error(error: BaseException, url: str, config: RemoteConfig) -> StoreError:
    """A readable error for a failed connection or a timeout."""
    reason: object = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, _ConnectTimeoutError | httpx.ConnectTimeout):
        return StoreError(
            f"no connection to {url} within {config.connect_timeout:g} s: is the server up and "
            "reachable from here (host, port, firewall)? Raise connect-timeout= in the store "
            "spec for a slow network."
        )
    if isinstance(reason, TimeoutError | httpx.TimeoutException):
        return StoreError(
            f"{url} gave no answer within {config.read_timeout:g} s: the server is busy or the "
            "request is expensive; raise timeout= in the store spec if it should take longer."
        )
    if isinstance(reason, ConnectionRefusedError) or (
        isinstance(error, httpx.ConnectError) and "refused" in str(error).lower()
    ):
        return StoreError(
            f"cannot connect to {url}: connection refused. Is the SPARQL server running, and "
            "are the host and port in the store spec right?"
        )
    return StoreError(f"cannot reach {url}: {reason}. Check the host in the store spec.")


# ------------------------------------------------------------------ the store


class RemoteStore:
    """The store facade over a SPARQL 1.1 server (see the module docstring for the rules)."""

    def __init__(self, config: RemoteConfig, *, read_only: bool = False) -> None:
        self.config = config
        self.read_only = read_only
        self.description = config.description
        self.opener = build_opener(config)
        self._client: httpx.Client | None = None
        self._graphs: tuple[str, ...] | None = None
        self._graphs_read_at = 0.0
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()

    @classmethod
    def from_spec(
        cls, spec: str, environ: Mapping[str, str], *, read_only: bool = False
    ) -> RemoteStore:
        """The store a ``sparql+http(s)://`` spec names, with credentials from ``environ``."""
        return cls(parse_remote_spec(spec, environ), read_only=read_only)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- the dataset
    def graphs(self, *, refresh: bool = False) -> tuple[str, ...]:
        """The named graphs that make up the dataset, as the manifest lists them.

        Read again after :data:`GRAPHS_TTL_SECONDS`, so a reader notices a rebuild by another
        process; this process's own writes refresh it at once.
        """
        with self._lock:
            fresh = time.monotonic() - self._graphs_read_at < GRAPHS_TTL_SECONDS
            if self._graphs is not None and fresh and not refresh:
                return self._graphs
        body, _ = self._send_query(_MANIFEST_QUERY, SPARQL_JSON, (EMPTY_GRAPH,), (MANIFEST_GRAPH,))
        result = select_result(_json(body, self.config.query_url))
        graphs = tuple(sorted({str(row["g"]) for row in result.rows if "g" in row}))
        self._remember(graphs)
        return graphs

    def _remember(self, graphs: tuple[str, ...] | None) -> None:
        with self._lock:
            self._graphs = graphs
            self._graphs_read_at = time.monotonic() if graphs is not None else 0.0

    def _dataset(
        self, shape: QueryShape, dataset: QueryDataset | None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The default and named graphs a query runs over (never empty: empty means all)."""
        live = self.graphs()
        if shape.has_dataset_clause:
            outside = [g for g in shape.from_graphs + shape.from_named if g not in live]
            if outside:
                msg = (
                    f"FROM <{outside[0]}> names a graph that is not part of this store; "
                    f"its graphs are: {', '.join(live) or 'none (the store is empty)'}"
                )
                raise QueryError(msg)
        if dataset is not None and (dataset.default_graphs or dataset.named_graphs):
            default = tuple(g for g in dataset.default_graphs if g in live)
            named = tuple(g for g in dataset.named_graphs if g in live)
        elif shape.has_dataset_clause:
            default, named = shape.from_graphs, shape.from_named
        else:
            default = named = live
        return default or (EMPTY_GRAPH,), named or (EMPTY_GRAPH,)

    # -- reading
    def _run(
        self,
        query: str,
        bindings: Mapping[str, Node] | None,
        accept: str,
        dataset: QueryDataset | None = None,
    ) -> tuple[QueryShape, bytes, str]:
        shape = query_shape(query)
        text = bind(query, bindings)
        default, named = self._dataset(shape, dataset)
        body, content_type = self._send_query(text, accept, default, named)
        return shape, body, content_type

    def select(self, query: str, bindings: Mapping[str, Node] | None = None) -> SelectResult:
        if query_shape(query).form != "SELECT":
            msg = "expected a SELECT query"
            raise QueryError(msg)
        _, body, _ = self._run(query, bindings, SPARQL_JSON)
        return select_result(_json(body, self.config.query_url))

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None) -> bool:
        if query_shape(query).form != "ASK":
            msg = "expected an ASK query"
            raise QueryError(msg)
        _, body, _ = self._run(query, bindings, SPARQL_JSON)
        answer = _json(body, self.config.query_url).get("boolean")
        if not isinstance(answer, bool):
            msg = f"{self.config.query_url} answered an ASK query without a boolean"
            raise StoreError(msg)
        return answer

    def construct(self, query: str, bindings: Mapping[str, Node] | None = None) -> Graph:
        if query_shape(query).form not in ("CONSTRUCT", "DESCRIBE"):
            msg = "expected a CONSTRUCT or DESCRIBE query"
            raise QueryError(msg)
        _, body, content_type = self._run(query, bindings, N_TRIPLES)
        graph = Graph()
        for quad in _parse_rdf(body, content_type, self.config.query_url):
            graph.add(
                (
                    from_oxigraph(quad.subject),
                    from_oxigraph(quad.predicate),
                    from_oxigraph(quad.object),
                )
            )
        return graph

    def serialize_query(
        self, query: str, media_type: str, dataset: QueryDataset | None = None
    ) -> bytes:
        """Any query form, answered by the server in ``media_type`` (asked for with Accept)."""
        return self._run(query, None, media_type, dataset)[1]

    def is_empty(self) -> bool:
        if not self.graphs(refresh=True):
            return True
        return not self.ask("ASK { ?s ?p ?o }")

    def dump(self, format_name: str = "nquads") -> bytes:
        """The whole dataset as N-Quads or TriG, graph by graph (GSP, else CONSTRUCT)."""
        formats = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}
        if format_name not in formats:
            msg = f"cannot dump as {format_name!r}; choose one of {', '.join(formats)}"
            raise ValueError(msg)
        quads: list[ox.Quad] = []
        for graph in self.graphs(refresh=True):
            name = ox.NamedNode(graph)
            for triple in self._read_graph(graph):
                quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, name))
        data = ox.serialize(quads, format=formats[format_name])
        return data if isinstance(data, bytes) else b""

    def _read_graph(self, graph: str) -> list[ox.Quad]:
        """One graph's triples, checked against the server's count of them.

        Virtuoso's Graph Store Protocol and CONSTRUCT both stop at ``ResultSetMaxRows`` without
        a word; a dump must never lose triples silently.
        """
        if self.config.gsp_url is not None:
            response = self._gsp("GET", graph, accept=N_TRIPLES)
            triples = _parse_rdf(response.content, response.headers.get("content-type"), graph)
        else:
            query = (
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{checked_iri(graph)}> {{ ?s ?p ?o }} }}"
            )
            body, content_type = self._send_query(query, N_TRIPLES, (EMPTY_GRAPH,), (graph,))
            triples = _parse_rdf(body, content_type, self.config.query_url)
        expected = self._count_triples((graph,)).get(graph, 0)
        if len(triples) < expected:
            msg = (
                f"{self.description} returned {len(triples)} of the {expected} triples of "
                f"<{graph}>: the server cuts long answers (Virtuoso: raise ResultSetMaxRows "
                "in virtuoso.ini)"
            )
            raise StoreError(msg)
        return triples

    def _count_triples(self, graphs: tuple[str, ...]) -> dict[str, int]:
        """Triples per named graph, counted by the server."""
        query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        body, _ = self._send_query(query, SPARQL_JSON, (EMPTY_GRAPH,), graphs or (EMPTY_GRAPH,))
        rows = select_result(_json(body, self.config.query_url)).rows
        return {str(row["g"]): int(str(row["n"])) for row in rows}

    # -- writing
    def update(self, update: str) -> None:
        """Run a SPARQL update on the update endpoint; new pactgraph graphs join the dataset.

        Graphs whose name starts with ``https://w3id.org/pactgraph/graph/`` that the update
        creates are added to the manifest in the same request, so they are served at once.
        """
        self._writable("update")
        update_keyword(update)
        text = update.rstrip()
        while text.endswith(";"):
            text = text[:-1].rstrip()
        self._send_update(f"{text}\n;\n{_REGISTER_NEW_GRAPHS}")
        self._remember(None)

    def replace_all(self, nquads: bytes) -> None:
        """Replace the dataset with ``nquads``; readers see the old graphs or the new, whole."""
        self._writable("replace the graph")
        if self.config.gsp_url is None:
            msg = (
                f"the store {self.description} has no Graph Store Protocol endpoint; add "
                "gsp=/store (Oxigraph) or gsp=/sparql-graph-crud-auth (Virtuoso) to the spec"
            )
            raise StoreError(msg)
        graphs = split_by_graph(nquads)
        token = uuid.uuid4().hex
        staging = {graph: f"{STAGING_IRI}{token}/{n}" for n, graph in enumerate(graphs)}
        with self._write_lock:
            try:
                for graph, triples in graphs.items():
                    self._upload(staging[graph], triples)
                self._check_staged(staging, {g: len(t) for g, t in graphs.items()})
                self._send_update(swap_update(self.graphs(refresh=True), staging))
            except (StoreError, QueryError) as error:
                self._drop_quietly(staging.values())
                msg = (
                    f"loading into {self.description} failed; the previous graph is still "
                    f"served: {error}"
                )
                raise StoreError(msg) from error
        self._remember(tuple(sorted(graphs)))

    def _writable(self, what: str) -> None:
        if self.read_only:
            msg = f"the store {self.description} is open read-only"
            raise StoreError(msg)
        if self.config.update_url is None:
            msg = (
                f"cannot {what}: the store spec {self.description} names no update endpoint; "
                "add update=/update (Oxigraph) or update=/sparql-auth (Virtuoso)"
            )
            raise StoreError(msg)

    def _upload(self, graph: str, triples: list[ox.Triple]) -> None:
        """Load one graph with GSP: a PUT, then POSTs for further chunks of a big graph.

        A graph with blank nodes goes in one request, so its blank nodes stay the same nodes.
        """
        has_blank = any(
            isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
            for t in triples
        )
        size = len(triples) if has_blank else UPLOAD_CHUNK_TRIPLES
        for offset in range(0, max(len(triples), 1), max(size, 1)):
            chunk = triples[offset : offset + size]
            data = ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES)
            self._gsp("PUT" if offset == 0 else "POST", graph, content=data or b"")

    def _check_staged(self, staging: Mapping[str, str], expected: Mapping[str, int]) -> None:
        """Every staged graph holds as many triples as were sent, before anything is swapped."""
        counts = self._count_triples(tuple(staging.values()))
        for graph, staged in staging.items():
            if counts.get(staged, 0) != expected[graph]:
                msg = (
                    f"the server holds {counts.get(staged, 0)} of the {expected[graph]} triples "
                    f"sent for <{graph}>"
                )
                raise StoreError(msg)

    def _drop_quietly(self, graphs: Iterable[str]) -> None:
        """Remove staging graphs after a failure; a failure here only leaves litter."""
        operations = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs)
        if operations:
            with suppress(StoreError, QueryError):
                self._send_update(operations)

    # -- the wire
    def _send_query(
        self, text: str, accept: str, default: tuple[str, ...], named: tuple[str, ...]
    ) -> tuple[bytes, str]:
        """POST a query (form-encoded) with its dataset; returns the body and its media type."""
        form = query_shape(text).form  # never send anything but one query to the query endpoint
        wrapper = _Wrapper(self)
        wrapper.setQuery(text)
        # SPARQLWrapper guesses the form with a regular expression that words in comments can
        # fool (a header saying "load" made a query an update); the tokens decide instead.
        wrapper.queryType = form
        assert not wrapper.isSparqlUpdateRequest()
        wrapper.setReturnFormat(JSON if form in ("SELECT", "ASK") else TURTLE)
        wrapper.addCustomHttpHeader("Accept", accept)
        for graph in default:
            wrapper.addDefaultGraph(graph)
        for graph in named:
            wrapper.addNamedGraph(graph)
        response = self._open(wrapper, self.config.query_url, "query")
        with response:
            headers = response.headers
            body = response.read()
        _check_complete(dict(headers.items()), self.config.query_url)
        content_type = media_type(headers.get("Content-Type"))
        if accept != "*/*" and content_type != media_type(accept):
            msg = (
                f"asked {self.config.query_url} for {accept}, it answered "
                f"{content_type or 'without a type'}: is it a SPARQL endpoint?"
            )
            raise StoreError(msg)
        return body, content_type

    def _send_update(self, text: str) -> None:
        """POST an update (form-encoded ``update=``) to the update endpoint, one at a time."""
        url = self.config.update_url
        assert url is not None
        keyword = update_keyword(text)
        wrapper = _Wrapper(self)
        wrapper.setQuery(text)
        wrapper.queryType = "INSERT" if keyword == "WITH" else keyword  # see _send_query
        assert wrapper.isSparqlUpdateRequest()
        wrapper.setReturnFormat(JSON)
        response = self._open(wrapper, url, "update")
        with response:
            response.read()

    def _open(self, wrapper: _Wrapper, url: str, what: str) -> HTTPResponse:
        try:
            response = wrapper.query().response
        except urllib.error.HTTPError as error:
            body = _excerpt(error.read() or b"")
            raise status_error(error.code, url, body, what) from error
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            raise transport_error(error, url, self.config) from error
        assert isinstance(response, HTTPResponse)
        return response

    def _http(self) -> httpx.Client:
        if self._client is None:
            credentials = self.config.credentials
            auth: httpx.Auth | None = None
            headers = {"User-Agent": USER_AGENT}
            if credentials is not None and credentials.kind == "digest":
                auth = httpx.DigestAuth(credentials.user, credentials.password)
            elif credentials is not None and credentials.kind == "basic":
                auth = httpx.BasicAuth(credentials.user, credentials.password)
            elif credentials is not None:
                headers["Authorization"] = f"Bearer {credentials.token}"
            timeout = httpx.Timeout(self.config.read_timeout, connect=self.config.connect_timeout)
            self._client = httpx.Client(auth=auth, headers=headers, timeout=timeout)
        return self._client

    def _gsp(
        self, method: str, graph: str, *, content: bytes | None = None, accept: str | None = None
    ) -> httpx.Response:
        """One Graph Store Protocol request on ``graph``."""
        url = self.config.gsp_url
        assert url is not None
        headers = {"Accept": accept} if accept else {}
        if content is not None:
            headers["Content-Type"] = "text/turtle; charset=utf-8"  # N-Triples is Turtle
        try:
            response = self._http().request(
                method, url, params={"graph": graph}, content=content, headers=headers
            )
        except httpx.HTTPError as error:
            raise transport_error(error, url, self.config) from error
        if response.status_code >= 400:
            what = f"Graph Store Protocol {method} of <{graph}>"
            raise status_error(response.status_code, url, _excerpt(response.content), what)
        return response


_MANIFEST_QUERY: Final = (
    f"SELECT ?g WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ <{MANIFEST_GRAPH}> <{HAS_PART}> ?g }} }}"
)
_REGISTER_NEW_GRAPHS: Final = (
    f"INSERT {{ GRAPH <{MANIFEST_GRAPH}> {{ <{MANIFEST_GRAPH}> <{HAS_PART}> ?g }} }} "
    f"WHERE {{ SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
    f'FILTER(STRSTARTS(STR(?g), "{GRAPH_PREFIX}")) }} }}'
)


def swap_update(previous: Iterable[str], staging: Mapping[str, str]) -> str:
    """The one update request that makes the staged graphs the dataset.

    Previous graphs that are not replaced are dropped, each staged graph is moved onto its real
    name (MOVE replaces what was there) and the manifest is rewritten: one transaction, so a
    reader sees the old dataset or the new one.
    """
    operations = [f"DROP SILENT GRAPH <{checked_iri(g)}>" for g in previous if g not in staging]
    operations += [
        f"MOVE GRAPH <{checked_iri(s)}> TO GRAPH <{checked_iri(g)}>" for g, s in staging.items()
    ]
    operations.append(f"DROP SILENT GRAPH <{MANIFEST_GRAPH}>")
    if staging:
        parts = ", ".join(f"<{g}>" for g in staging)
        manifest = f"<{MANIFEST_GRAPH}> <{HAS_PART}> {parts} ."
        operations.append(f"INSERT DATA {{ GRAPH <{MANIFEST_GRAPH}> {{ {manifest} }} }}")
    return " ;\n".join(operations)


def split_by_graph(nquads: bytes) -> dict[str, list[ox.Triple]]:
    """N-Quads as triples per named graph; :class:`StoreError` before anything is sent.

    A server keeps pactgraph's data in named graphs only (Virtuoso has no default graph of its
    own), so a triple outside a named graph is refused.
    """
    graphs: dict[str, set[ox.Triple]] = {}
    try:
        for quad in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
            if not isinstance(quad.graph_name, ox.NamedNode):
                msg = f"every triple must be in a named graph on a SPARQL server; {quad} is not"
                raise StoreError(msg)
            graph = graphs.setdefault(quad.graph_name.value, set())
            graph.add(ox.Triple(quad.subject, quad.predicate, quad.object))
    except SyntaxError as error:
        msg = f"the data is not valid N-Quads, nothing was sent: {error}"
        raise StoreError(msg) from error
    return {name: sorted(triples, key=str) for name, triples in graphs.items()}


def _json(body: bytes, url: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as error:
        msg = f"{url} answered something that is not SPARQL JSON: {_excerpt(body, 200)}"
        raise StoreError(msg) from error
    if not isinstance(data, dict):
        msg = f"{url} answered JSON that is not a SPARQL result"
        raise StoreError(msg)
    return data


def _parse_rdf(body: bytes, content_type: str | None, source: str) -> list[ox.Quad]:
    rdf_format = RDF_PARSERS.get(media_type(content_type))
    if rdf_format is None:
        msg = f"{source} answered {content_type!r}, not N-Triples, Turtle or N-Quads"
        raise StoreError(msg)
    try:
        return list(ox.parse(body, format=rdf_format))
    except SyntaxError as error:
        msg = f"{source} answered RDF that does not parse: {error}"
        raise StoreError(msg) from error


def _check_complete(headers: Mapping[str, str], url: str) -> None:
    """Refuse an answer Virtuoso says is partial (result row cap, or its time limit)."""
    if headers.get("X-SQL-State") or headers.get("X-SPARQL-MaxRows"):
        limit = headers.get("X-SPARQL-MaxRows")
        reason = (
            f"cut at {limit} rows (raise ResultSetMaxRows in virtuoso.ini)"
            if limit
            else f"partial ({headers.get('X-SQL-Message') or headers.get('X-SQL-State')})"
        )
        msg = f"{url} answered a {reason}; pactgraph does not use incomplete answers"
        raise StoreError(msg)


__all__ = [
    "Credentials",
    "RemoteConfig",
    "RemoteStore",
    "bind",
    "is_remote_spec",
    "parse_remote_spec",
    "query_shape",
    "sparql_term",
]
