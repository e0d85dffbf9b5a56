"""The web application: one FastAPI app, thin over the store facade and the named queries.

Routes live in one module per concern (``sparql``, ``named``, ``entities``, ``network``,
``pages``); this module only wires them to a store.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib.resources import as_file, files
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from pactgraph.api import edits, entities, named, network, pages, sparql
from pactgraph.api.cache import ResponseCache
from pactgraph.api.edits import EditTokens
from pactgraph.graph.sandbox import Limits
from pactgraph.graph.store import GraphStore, OxigraphStore

TITLE = "pactgraph"
DESCRIPTION = (
    "The partners, actions and commitments of a public pact as one graph, every commitment "
    "traced to the passage of the letter it came from. SPARQL 1.1 at `/sparql`, named queries "
    "at `/queries`, entity pages under `/id/`, traces at `/trace/{id}`, networks at `/network`."
)


def static_directory() -> Path:
    """The packaged static assets as a directory (an installed package is always unpacked).

    Links are followed because an editable install links each packaged file to the source tree.
    """
    with as_file(files("pactgraph.api") / "static") as directory:
        return Path(directory)


RESPONSE_CACHE_ENV = "PACTGRAPH_RESPONSE_CACHE"
_SWITCH = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
}


def cache_wanted(environ: Mapping[str, str]) -> bool:
    """``$PACTGRAPH_RESPONSE_CACHE`` as a switch (on when unset); anything else is an error."""
    text = environ.get(RESPONSE_CACHE_ENV, "1").strip().lower()
    if text not in _SWITCH:
        msg = f"{RESPONSE_CACHE_ENV} must be 1 or 0 (on or off), not {text!r}"
        raise ValueError(msg)
    return _SWITCH[text]


def create_app(
    store: GraphStore,
    *,
    edit_tokens: EditTokens | None = None,
    query_timeout: float | None = None,
    max_rows: int | None = None,
    query_workers: int | None = None,
    response_cache: bool | None = None,
) -> FastAPI:
    """An app serving one store; every request reads through the store facade.

    ``edit_tokens`` enable edits (``/sparql/update``, ``/edits/records``); without them the
    app takes none. ``query_timeout`` (seconds, default 10), ``max_rows`` (default 10,000) and
    ``query_workers`` (default 2) bound user queries; each defaults to its environment
    variable (``PACTGRAPH_QUERY_TIMEOUT``, ``PACTGRAPH_MAX_ROWS``, ``PACTGRAPH_QUERY_WORKERS``).

    ``response_cache`` keeps answers to repeated reading requests (:mod:`pactgraph.api.cache`).
    By default it is on for the embedded store, whose graph changes only through this app, and
    off for a SPARQL server, which others may change; ``PACTGRAPH_RESPONSE_CACHE=0`` turns it
    off.
    """
    limits = Limits.configure(
        os.environ, timeout=query_timeout, max_rows=max_rows, workers=query_workers
    )
    app = FastAPI(title=TITLE, description=DESCRIPTION, version="0.1.0", lifespan=sparql.lifespan)
    sparql.configure(app, store, limits)
    app.state.store = store
    app.state.edit_tokens = edit_tokens
    app.mount("/static", StaticFiles(directory=static_directory(), follow_symlink=True), "static")
    for module in (edits, sparql, named, entities, network, pages):
        app.include_router(module.router)
    if response_cache is None:
        response_cache = isinstance(store, OxigraphStore) and cache_wanted(os.environ)
    if response_cache:
        app.add_middleware(ResponseCache)
    return app
