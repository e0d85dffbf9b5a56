"""What a SPARQL request is, read from its text before any engine parses it.

The ``/sparql`` endpoint has to choose its media types by the query form (results for SELECT and
ASK, RDF for CONSTRUCT and DESCRIBE) and refuse updates and federated queries *before* running
anything. A full parse is the engine's job and stays its authority on syntax; this module only
tokenises (skipping comments, strings and IRIs, so ``# SERVICE`` or ``"DELETE"`` cannot fool it)
and reads the first keyword after the ``PREFIX``/``BASE`` prologue.

It also measures what is known to hurt the engine: pyoxigraph recurses per nesting level, per
chained operator (``!``, ``||``, ``+``, ``*``, ``-``…) and per group-level clause (``UNION``,
``MINUS``, ``BIND``…) and crashes the process (SIGSEGV) past a few thousand (``1+1+…`` at 8,000
terms, 3,000 ``MINUS {}`` or 7,000 ``UNION``s, all well under the length limit), and long
property-path sequences take it seconds to plan. :func:`refusal` turns those measures into a
message a person can act on. User queries also run in a process that may crash
(:mod:`pactgraph.graph.sandbox`); these limits are what makes a crash rare and the refusal
readable.

The tokeniser must never read as a string, comment or IRI what the engine reads as code, or a
``SERVICE`` could hide behind it: a prefixed name's escapes (``ex:a\\#``, ``ex:a\\'``) and an
IRI's ``\\u`` escapes (``<http://x/\\u0041#>``) are therefore read as the engine reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "UPDATE", "UNKNOWN"]

QUERY_FORMS: frozenset[str] = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_KEYWORDS: frozenset[str] = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)

MAX_QUERY_CHARACTERS = 50_000
"""Longer than any hand-written or generated query we serve; a bound on parser work."""
MAX_NESTING = 64
"""Brackets deep; real queries stay under ten, the engine's parser crashes in the thousands."""
MAX_OPERATORS = 1_000
"""Chained ``!``, ``||``, ``&&``, ``/``, ``|``, ``^``, ``+``, ``-``, ``*``; each is a level of
recursion (an arithmetic chain of 8,000 terms crashes the engine, 5,000 does not)."""
MAX_CLAUSES = 500
"""``UNION``, ``MINUS``, ``OPTIONAL``, ``BIND``, ``FILTER``, ``VALUES``, ``GRAPH``, ``EXISTS``
and sub-``SELECT``s; each nests the algebra one level (3,000 ``MINUS`` crash the engine)."""
CLAUSE_KEYWORDS: frozenset[str] = frozenset(
    {"UNION", "MINUS", "OPTIONAL", "BIND", "FILTER", "VALUES", "GRAPH", "EXISTS", "SELECT"}
)
MAX_PATH_STEPS = 128
"""``/``, ``|`` and ``^`` tokens; a 200-step path sequence already takes seconds to plan."""

_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    | (?P<variable>[?$]\w*)
    | (?P<name>(?:[\w:]|\\.)(?:[\w\-.:%]|\\.)*)
    | (?P<operator>\|\||&&|\^\^|!=|<=|>=|[!^/|+*\-])
    | (?P<open>[({\[])
    | (?P<close>[)}\]])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_LONG_STRING = {
    "'''": re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*'''", re.DOTALL),
    '"""': re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""', re.DOTALL),
}
_PATH_OPERATORS = frozenset({"/", "|", "^"})


@dataclass(frozen=True)
class QueryShape:
    """What the text of a SPARQL request says about itself, without a full parse."""

    form: QueryForm
    keyword: str
    """The operation keyword as it stands after the prologue (``SELECT``, ``INSERT``), or ``""``."""
    has_dataset_clause: bool
    """The query names its own dataset (``FROM`` / ``FROM NAMED``)."""
    uses_service: bool
    """The query has a ``SERVICE`` clause (federated query: the server would fetch a URL)."""
    characters: int
    nesting: int
    operators: int
    path_steps: int
    clauses: int = 0
    """Group-level clauses (:data:`CLAUSE_KEYWORDS`), each a level of the algebra tree."""


def inspect_query(text: str) -> QueryShape:
    """Tokenise ``text`` once and report its form, dataset clause, SERVICE use and size.

    Text over :data:`MAX_QUERY_CHARACTERS` is measured, not tokenised: it is refused anyway.
    """
    if len(text) > MAX_QUERY_CHARACTERS:
        return QueryShape("UNKNOWN", "", False, False, len(text), 0, 0, 0)
    keywords: list[str] = []
    depth = nesting = operators = path_steps = clauses = 0
    for kind, token in tokens(text):
        if kind == "name" and ":" not in token:
            keywords.append(decode_escapes(token).upper())
            clauses += keywords[-1] in CLAUSE_KEYWORDS
        elif kind == "iri":
            keywords.append("<>")  # an IRI, kept so the prologue can be skipped by position
        elif kind == "operator" and token not in {"^^", "!=", "<=", ">="}:
            operators += 1
            path_steps += token in _PATH_OPERATORS
        elif kind == "open":
            depth += 1
            nesting = max(nesting, depth)
        elif kind == "close":
            depth = max(depth - 1, 0)
    keyword = _operation_keyword(keywords)
    return QueryShape(
        form=_form_of(keyword),
        keyword=keyword,
        has_dataset_clause="FROM" in keywords,
        uses_service="SERVICE" in keywords,
        characters=len(text),
        nesting=nesting,
        operators=operators,
        path_steps=path_steps,
        clauses=clauses,
    )


_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def decode_escapes(word: str) -> str:
    """``word`` with its ``\\u``/``\\U`` escapes decoded.

    SPARQL 1.1 (§19.2) lets them stand anywhere, so an engine that honours them reads
    ``\\u0053ERVICE`` as ``SERVICE``; the checks must read keywords the same way.
    """
    return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), word)


def tokens(text: str) -> Iterator[tuple[str, str]]:
    """``(kind, token)`` pairs, in linear time.

    Long strings (``\'\'\'…\'\'\'``) are matched separately: once one fails to close, no later one
    of the same quote can, so later openings are not scanned again (a regular expression would
    rescan to the end from each of them).
    """
    position, length = 0, len(text)
    unclosed: set[str] = set()
    while position < length:
        quotes = text[position : position + 3]
        if quotes in _LONG_STRING and quotes not in unclosed:
            long_string = _LONG_STRING[quotes].match(text, position)
            if long_string:
                yield "string", long_string.group()
                position = long_string.end()
                continue
            unclosed.add(quotes)
        match = _TOKEN.match(text, position)
        assert match is not None  # the last alternative matches any character
        yield match.lastgroup or "other", match.group()
        position = match.end()


def _operation_keyword(keywords: list[str]) -> str:
    """The first keyword after the prologue (``BASE <iri>``, ``PREFIX p: <iri>``)."""
    index = 0
    while index < len(keywords):
        word = keywords[index]
        if word == "BASE":
            index += 2  # BASE <iri>
        elif word == "PREFIX":
            # the prefix label is a name with a colon (not collected), so the IRI follows
            index += 2
        elif word == "<>":
            index += 1
        else:
            return word
    return ""


def _form_of(keyword: str) -> QueryForm:
    if keyword == "SELECT":
        return "SELECT"
    if keyword == "ASK":
        return "ASK"
    if keyword == "CONSTRUCT":
        return "CONSTRUCT"
    if keyword == "DESCRIBE":
        return "DESCRIBE"
    if keyword in UPDATE_KEYWORDS:
        return "UPDATE"
    return "UNKNOWN"


def refusal(shape: QueryShape) -> str | None:
    """Why this request must not be run as a query here, in words for its author; else ``None``.

    Checked before parsing: the limits keep the engine's parser from crashing the server, the
    rest keeps a read-only query endpoint read-only and local.
    """
    if shape.form == "UPDATE":
        return (
            f"{shape.keyword} is a SPARQL Update operation; this endpoint only answers queries "
            "(SELECT, ASK, CONSTRUCT, DESCRIBE) and never changes the graph."
        )
    if shape.uses_service:
        return (
            "SERVICE (federated query) is not allowed: this endpoint only queries its own "
            "graph and does not fetch other endpoints."
        )
    return limit_refusal(shape)


def limit_refusal(shape: QueryShape, what: str = "query") -> str | None:
    """Which of the engine's safe limits ``shape`` exceeds, in words for its author; else ``None``.

    Apart from :func:`refusal` so that updates (``what="update"``) are held to the same limits:
    the engine parses and evaluates them with the same recursion.
    """
    checks = (
        (
            shape.characters > MAX_QUERY_CHARACTERS,
            (
                f"The {what} is {shape.characters:,} characters long; the limit is "
                f"{MAX_QUERY_CHARACTERS:,}."
            ),
        ),
        (
            shape.nesting > MAX_NESTING,
            (
                f"The {what} nests brackets {shape.nesting} deep; the limit is {MAX_NESTING}. "
                "Flatten it, e.g. with VALUES or UNION."
            ),
        ),
        (
            shape.path_steps > MAX_PATH_STEPS,
            (
                f"The {what} has {shape.path_steps} property-path operators (/ | ^); the limit "
                f"is {MAX_PATH_STEPS}."
            ),
        ),
        (
            shape.operators > MAX_OPERATORS,
            (
                f"The {what} chains {shape.operators} operators; the limit is {MAX_OPERATORS}. "
                "Use IN (…) or VALUES instead of long chains of || and &&."
            ),
        ),
        (
            shape.clauses > MAX_CLAUSES,
            (
                f"The {what} has {shape.clauses} clauses (UNION, MINUS, OPTIONAL, BIND, FILTER, "
                f"VALUES, GRAPH, EXISTS, SELECT); the limit is {MAX_CLAUSES}. Use VALUES for "
                "alternatives of the same shape."
            ),
        ),
    )
    return next((message for failed, message in checks if failed), None)
