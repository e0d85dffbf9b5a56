"""Named SPARQL queries: ``.rq`` files with a ``#+`` YAML header, and the catalogue reading them.

Header lines start with ``#+`` and together form a YAML mapping (in the spirit of grlc):
``summary``, ``description``, ``tags`` and ``params`` — a list of ``{name, type, default,
required, multi, description}``. Parameter values are bound to the query's variables of the same
name when it runs; they are never pasted into the query text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

PARAM_TYPES = ("iri", "string", "date", "integer", "decimal", "boolean")


class QueryCatalogueError(ValueError):
    """A named query file whose header is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Parameter:
    """A parameter of a named query, bound to ``?name`` when the query runs."""

    name: str
    type: str = "string"
    default: Any = None
    required: bool = False
    multi: bool = False
    description: str = ""


@dataclass(frozen=True)
class NamedQuery:
    """A SPARQL query with its metadata."""

    name: str
    summary: str
    description: str
    text: str
    tags: tuple[str, ...] = ()
    params: tuple[Parameter, ...] = field(default=())


def parse_named_query(name: str, text: str) -> NamedQuery:
    """Read the ``#+`` header of a ``.rq`` file; :class:`QueryCatalogueError` says what is wrong."""
    header = "\n".join(line[2:] for line in text.splitlines() if line.startswith("#+"))
    try:
        meta = yaml.safe_load(header) if header.strip() else {}
    except yaml.YAMLError as error:
        msg = f"{name}.rq: the '#+' header is not valid YAML: {error}"
        raise QueryCatalogueError(msg) from error
    if not isinstance(meta, dict):
        msg = f"{name}.rq: the '#+' header must be a mapping (summary:, description:, params:)"
        raise QueryCatalogueError(msg)
    params = []
    for raw in meta.get("params") or []:
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            msg = f"{name}.rq: every entry of 'params' needs a 'name'"
            raise QueryCatalogueError(msg)
        if raw.get("type", "string") not in PARAM_TYPES:
            msg = (
                f"{name}.rq: parameter {raw['name']!r} has type {raw.get('type')!r}; "
                f"expected one of {', '.join(PARAM_TYPES)}"
            )
            raise QueryCatalogueError(msg)
        params.append(
            Parameter(
                name=raw["name"],
                type=raw.get("type", "string"),
                default=raw.get("default"),
                required=bool(raw.get("required", False)),
                multi=bool(raw.get("multi", False)),
                description=str(raw.get("description", "")),
            )
        )
    return NamedQuery(
        name=name,
        summary=str(meta.get("summary", name)),
        description=str(meta.get("description", "")),
        text=text,
        tags=tuple(meta.get("tags") or ()),
        params=tuple(params),
    )


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
    """A packaged named query; ``KeyError`` names the ones that exist."""
    queries = catalogue()
    if name not in queries:
        msg = f"no named query {name!r}; known: {', '.join(queries)}"
        raise KeyError(msg)
    return queries[name]
