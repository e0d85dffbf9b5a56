"""Named SPARQL queries: ``.rq`` files with a ``#+`` YAML header, the catalogue, and running them.

Header lines start with ``#+`` and together form a YAML mapping (in the spirit of grlc):
``title``, ``summary``, ``description``, ``tags`` and ``params`` — a list of ``{name, type,
default, required, multi, description}`` plus, optionally, ``choices`` (allowed values of a
string) and ``column`` (keep the bound value as a result column).

How parameters reach the query
==============================
Values are **bound**, never pasted into the query text: :func:`run_named_query` checks and
converts each raw value by its declared type (:func:`coerce_value`) and hands the terms to the
store as bindings (pyoxigraph substitutions, SEP-0007). A value therefore cannot change the
shape of the query, whatever characters it holds.

The engine has three rules a named query must respect, each checked by the catalogue tests:

* a bound variable must be in the SELECT projection. Every query projects its parameter
  variables; :func:`run_named_query` drops those columns from the result again, unless the
  parameter says ``column: true`` (useful when the value identifies the rows, e.g. the
  organisation whose partners are listed);
* substitution reaches the top-level pattern and subqueries that project the variable, not
  subqueries that do not;
* the optimiser decides ``BOUND(?x)`` from the patterns alone, so ``BOUND(?param)`` is always
  false even for a bound parameter. :func:`parse_named_query` refuses it.

Optional parameters are simply left unbound when absent, and the queries are written so that an
unbound parameter means "no filter":

* a comparison is wrapped as ``COALESCE(?due_end <= ?to, true)``: with ``?to`` unbound the
  comparison is an error and ``COALESCE`` turns it into "keep the row";
* a graph condition is guarded with ``!COALESCE(isIRI(?landsdeel), false) || EXISTS {…}``:
  ``isIRI`` of an unbound variable is an error, so the guard holds exactly when no value was
  given;
* where the condition always holds for some value (every commitment has an owner), the plain
  ``EXISTS { ?c pact:owner|pact:partner ?organisation }`` already means "any" when unbound.

The planner does not see substituted values (it plans as if the parameter were unbound), so
a query must be fast by its shape alone. Measured on a synthetic pact of 10 000 commitments:
required patterns go before every ``OPTIONAL`` (a required pattern after one is joined as a
separate operand, evaluated over the whole graph: the trace query took 7 s that way, 2 ms
after), and alternatives over predicates are a ``UNION`` of fixed predicates, not
``VALUES (?predicate …)`` joined to ``?s ?predicate ?o``.

Multi-valued parameters (``multi: true``) are not turned into ``VALUES`` or ``IN (…)`` text
either: the query runs once per value (once per combination, if several parameters are
multi-valued) with that single value bound, and the rows are concatenated in the order the
values were given, identical rows kept once. The number of values and of runs is capped
(:data:`MAX_VALUES`, :data:`MAX_RUNS`), so a long list cannot make one request expensive.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import yaml
from pactgraph.graph.store import GraphStore, SelectResult
from pactgraph.ontology.namespace import ID_IRI
from rdflib import XSD, Literal, URIRef

if TYPE_CHECKING:
    from rdflib.term import Node

PARAM_TYPES = ("iri", "string", "date", "integer", "decimal", "boolean")
RESERVED_NAMES = frozenset({"format", "lang"})
"""Request parameters the web API keeps for itself (output format, interface language)."""
TODAY = "today"
"""The default of a date parameter that means "the day the request is answered"."""
MAX_VALUES = 20
"""At most this many values for one multi-valued parameter."""
MAX_RUNS = 50
"""At most this many runs of one query for one request (combinations of multi values)."""
MAX_TEXT = 500
"""The longest string value accepted (an IRI may be four times as long)."""

EXPECTED = {
    "iri": (
        "an absolute IRI such as https://w3id.org/pactgraph/id/organisation/vhto, "
        "or a pactgraph id such as organisation/vhto"
    ),
    "string": f"text of at most {MAX_TEXT} characters",
    "date": "a date as YYYY-MM-DD (or 'today')",
    "integer": "a whole number such as 3",
    "decimal": "a number such as 1500000 or 2.5",
    "boolean": "true or false",
}
"""What each parameter type accepts, in the words error messages use."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ID_PATH = re.compile(r"[a-z][a-z0-9-]*/[a-z0-9][a-z0-9-]*")
# Characters RFC 3987 does not allow anywhere in an IRI (plus controls and spaces).
_IRI_FORBIDDEN = re.compile(r"[\x00-\x20<>\"{}|\\^`\x7f-\x9f]")
_IRI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


class QueryCatalogueError(ValueError):
    """A named query file whose header is malformed; the message names the file and the field."""


class UnknownQueryError(KeyError):
    """No named query of that name; the message lists the ones that exist."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown named query"


class ParameterError(ValueError):
    """A request parameter that is missing, unknown or not of its declared type.

    ``parameter`` names it and ``expected`` says what would have been accepted, so an API can
    answer 400 with a message the user can act on.
    """

    def __init__(self, parameter: str, expected: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.expected = expected


@dataclass(frozen=True)
class Parameter:
    """A parameter of a named query, bound to ``?name`` when the query runs."""

    name: str
    type: str = "string"
    default: Any = None
    required: bool = False
    multi: bool = False
    description: str = ""
    choices: tuple[str, ...] = ()
    column: bool = False

    @property
    def expected(self) -> str:
        """What a value must look like, for error messages and documentation."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        return EXPECTED[self.type]


@dataclass(frozen=True)
class NamedQuery:
    """A SPARQL query with its metadata."""

    name: str
    summary: str
    description: str
    text: str
    tags: tuple[str, ...] = ()
    params: tuple[Parameter, ...] = field(default=())
    title: str = ""

    def param(self, name: str) -> Parameter | None:
        """The parameter called ``name``, if the query has one."""
        return next((p for p in self.params if p.name == name), None)


def parse_named_query(name: str, text: str) -> NamedQuery:
    """Read the ``#+`` header of a ``.rq`` file; :class:`QueryCatalogueError` says what is wrong."""
    header = "\n".join(line[2:] for line in text.splitlines() if line.startswith("#+"))
    try:
        meta = yaml.safe_load(header) if header.strip() else {}
    except (yaml.YAMLError, ValueError) as error:  # ValueError: e.g. a date like 2014-13-01
        msg = f"{name}.rq: the '#+' header is not valid YAML: {error}"
        raise QueryCatalogueError(msg) from error
    if not isinstance(meta, dict):
        msg = f"{name}.rq: the '#+' header must be a mapping (summary:, description:, params:)"
        raise QueryCatalogueError(msg)
    params: list[Parameter] = []
    for raw in meta.get("params") or []:
        parameter = _parameter(name, raw)
        if any(p.name == parameter.name for p in params):
            msg = f"{name}.rq: parameter {parameter.name!r} is declared twice"
            raise QueryCatalogueError(msg)
        _check_use(name, parameter, text)
        params.append(parameter)
    summary = str(meta.get("summary", name))
    return NamedQuery(
        name=name,
        summary=summary,
        description=str(meta.get("description", "")),
        text=text,
        tags=tuple(str(t) for t in meta.get("tags") or ()),
        params=tuple(params),
        title=str(meta.get("title") or summary),
    )


def _parameter(query: str, raw: object) -> Parameter:
    """One entry of ``params``, checked: a usable variable name, a known type, a valid default."""
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        msg = f"{query}.rq: every entry of 'params' needs a 'name'"
        raise QueryCatalogueError(msg)
    name = raw["name"]
    if not _NAME.fullmatch(name) or name in RESERVED_NAMES:
        msg = (
            f"{query}.rq: parameter name {name!r} must be a SPARQL variable name "
            f"(letters, digits, '_') and not one of {', '.join(sorted(RESERVED_NAMES))}"
        )
        raise QueryCatalogueError(msg)
    if raw.get("type", "string") not in PARAM_TYPES:
        msg = (
            f"{query}.rq: parameter {name!r} has type {raw.get('type')!r}; "
            f"expected one of {', '.join(PARAM_TYPES)}"
        )
        raise QueryCatalogueError(msg)
    choices = tuple(str(c) for c in raw.get("choices") or ())
    if choices and raw.get("type", "string") != "string":
        msg = f"{query}.rq: parameter {name!r} has 'choices'; only string parameters can"
        raise QueryCatalogueError(msg)
    parameter = Parameter(
        name=name,
        type=raw.get("type", "string"),
        default=raw.get("default"),
        required=bool(raw.get("required", False)),
        multi=bool(raw.get("multi", False)),
        description=str(raw.get("description", "")),
        choices=choices,
        column=bool(raw.get("column", False)),
    )
    if parameter.default is not None:
        try:
            coerce_value(parameter, _default_text(parameter.default), date(2000, 1, 1))
        except ParameterError as error:
            msg = f"{query}.rq: the default of parameter {name!r} is not valid: {error}"
            raise QueryCatalogueError(msg) from error
    return parameter


def _check_use(query: str, parameter: Parameter, text: str) -> None:
    """Refuse a query that cannot bind the parameter, or that tests it with ``BOUND``."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    variable = rf"[?$]{parameter.name}\b"
    if not re.search(variable, body):
        msg = f"{query}.rq: parameter {parameter.name!r} is declared, ?{parameter.name} unused"
        raise QueryCatalogueError(msg)
    if re.search(rf"BOUND\s*\(\s*{variable}\s*\)", body, re.IGNORECASE):
        msg = (
            f"{query}.rq: BOUND(?{parameter.name}) is always false for a bound parameter (the "
            "optimiser decides it from the patterns); guard optional filters with "
            f"COALESCE(isIRI(?{parameter.name}), false) or COALESCE(<comparison>, true) instead"
        )
        raise QueryCatalogueError(msg)


def _default_text(default: object) -> str:
    """A header default as the text a request would carry (YAML reads ``2014-01-01`` as a date)."""
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, date):
        return default.isoformat()
    return str(default)


@cache
def catalogue() -> dict[str, NamedQuery]:
    """Every packaged named query by name (the file name without ``.rq``)."""
    queries = {}
    for entry in sorted(files("pactgraph.queries").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name.removesuffix(".rq")
            queries[name] = parse_named_query(name, entry.read_text(encoding="utf-8"))
    return queries


def load_query(name: str) -> NamedQuery:
    """A packaged named query; :class:`UnknownQueryError` (a ``KeyError``) lists the known ones."""
    queries = catalogue()
    if name not in queries:
        msg = f"no named query {name!r}; known: {', '.join(queries)}"
        raise UnknownQueryError(msg)
    return queries[name]


# ------------------------------------------------------------------ values


def coerce_value(parameter: Parameter, raw: str, today: date) -> Node:
    """One raw request value as the RDF term bound for ``parameter``.

    Raises :class:`ParameterError` naming the parameter and the expected form. IRIs are checked
    against RFC 3987's forbidden characters, so nothing but an IRI term can come out of one.
    """
    converter = _CONVERTERS[parameter.type]
    value = raw.strip()
    term = converter(value, today)
    if term is None:
        shown = raw if len(raw) <= 80 else raw[:77] + "..."
        msg = f"parameter {parameter.name!r}: {shown!r} is not valid; expected {parameter.expected}"
        raise ParameterError(parameter.name, parameter.expected, msg)
    if parameter.choices and str(term) not in parameter.choices:
        msg = f"parameter {parameter.name!r}: {raw!r} is not allowed; expected {parameter.expected}"
        raise ParameterError(parameter.name, parameter.expected, msg)
    return term


def _iri(value: str, _today: date) -> URIRef | None:
    if len(value) > 4 * MAX_TEXT:
        return None
    if _ID_PATH.fullmatch(value):
        return URIRef(ID_IRI + value)
    if not _IRI_SCHEME.match(value) or _IRI_FORBIDDEN.search(value):
        return None
    return URIRef(value)


def _string(value: str, _today: date) -> Literal | None:
    return Literal(value) if len(value) <= MAX_TEXT else None


def _date(value: str, today: date) -> Literal | None:
    if value.lower() == TODAY:
        return Literal(today, datatype=XSD.date)
    if not _DATE.fullmatch(value):
        return None
    try:
        return Literal(date.fromisoformat(value), datatype=XSD.date)
    except ValueError:
        return None


def _integer(value: str, _today: date) -> Literal | None:
    if not _INTEGER.fullmatch(value):
        return None
    return Literal(int(value), datatype=XSD.integer)


def _decimal(value: str, _today: date) -> Literal | None:
    if not _DECIMAL.fullmatch(value):
        return None
    try:
        return Literal(Decimal(value), datatype=XSD.decimal)
    except InvalidOperation:
        return None


def _boolean(value: str, _today: date) -> Literal | None:
    flag = _BOOLEANS.get(value.lower())
    return None if flag is None else Literal(flag, datatype=XSD.boolean)


_CONVERTERS: dict[str, Callable[[str, date], Node | None]] = {
    "iri": _iri,
    "string": _string,
    "date": _date,
    "integer": _integer,
    "decimal": _decimal,
    "boolean": _boolean,
}


def resolve_bindings(
    query: NamedQuery, raw_params: Mapping[str, Sequence[str]], today: date | None = None
) -> list[dict[str, Node]]:
    """The bindings of each run of ``query``: one mapping per combination of multi values.

    Empty values count as absent (an empty form field); an absent parameter takes its default,
    is an error if required, and is left unbound otherwise. Unknown parameter names are errors,
    so a misspelt filter is never silently ignored.
    """
    day = today or date.today()
    for name in raw_params:
        if query.param(name) is None:
            known = ", ".join(p.name for p in query.params) or "none"
            msg = f"unknown parameter {name!r} for query {query.name!r}; it takes: {known}"
            raise ParameterError(name, f"one of: {known}", msg)
    choices: list[list[tuple[str, Node]]] = []
    for parameter in query.params:
        raw = [v for v in raw_params.get(parameter.name, ()) if v.strip()]
        if not raw and parameter.default is not None:
            raw = [_default_text(parameter.default)]
        if not raw:
            if parameter.required:
                msg = f"parameter {parameter.name!r} is required: {parameter.expected}"
                raise ParameterError(parameter.name, parameter.expected, msg)
            continue
        if len(raw) > 1 and not parameter.multi:
            msg = f"parameter {parameter.name!r} takes one value, got {len(raw)}"
            raise ParameterError(parameter.name, parameter.expected, msg)
        if len(raw) > MAX_VALUES:
            msg = f"parameter {parameter.name!r} takes at most {MAX_VALUES} values"
            raise ParameterError(parameter.name, parameter.expected, msg)
        terms = list(dict.fromkeys(coerce_value(parameter, value, day) for value in raw))
        choices.append([(parameter.name, term) for term in terms])
    runs = 1
    for options in choices:
        runs *= len(options)
    if runs > MAX_RUNS:
        multi = ", ".join(options[0][0] for options in choices if len(options) > 1)
        msg = f"too many combinations of values ({runs}) for {multi}; at most {MAX_RUNS}"
        raise ParameterError(multi, f"at most {MAX_RUNS} combinations", msg)
    return [dict(combination) for combination in itertools.product(*choices)]


def run_named_query(
    store: GraphStore,
    name: str,
    raw_params: Mapping[str, Sequence[str]],
    *,
    today: date | None = None,
) -> SelectResult:
    """Run a named query with request parameters; parameter columns are left out of the result.

    ``raw_params`` maps each parameter name to its raw values (as a query string gives them).
    Raises :class:`UnknownQueryError` for an unknown name and :class:`ParameterError` for a bad
    value. ``today`` fixes the day ``today`` stands for (tests); by default it is the day the
    request is answered.
    """
    query = load_query(name)
    hidden = {p.name for p in query.params if not p.column}
    variables: list[str] = []
    rows: list[dict[str, Node]] = []
    seen: set[tuple[tuple[str, Node | None], ...]] = set()
    runs = resolve_bindings(query, raw_params, today)
    for bindings in runs:
        result = store.select(query.text, bindings)
        variables = [v for v in result.variables if v not in hidden]
        for row in result.rows:
            kept = {k: v for k, v in row.items() if k not in hidden}
            key = tuple((v, kept.get(v)) for v in variables)
            if len(runs) > 1 and key in seen:
                continue
            seen.add(key)
            rows.append(kept)
    return SelectResult(variables, rows)
