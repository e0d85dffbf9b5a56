"""Typed dependencies the routes share: the store, and the language labels are shown in."""

from __future__ import annotations

from typing import Literal

from fastapi import Request
from pactgraph.graph.labels import LabelIndex
from pactgraph.graph.store import GraphStore

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = ("nl", "en")
LANGUAGE_COOKIE = "pactgraph-lang"


def get_store(request: Request) -> GraphStore:
    """The store the app was created with (one per process; Oxigraph reads are thread-safe)."""
    store: GraphStore = request.app.state.store
    return store


def ui_language(request: Request) -> Language:
    """The language labels are shown in: ``?lang=``, else the cookie, else ``Accept-Language``.

    Dutch is the default: the pact, its letters and most labels are Dutch.
    """
    for candidate in (
        request.query_params.get("lang"),
        request.cookies.get(LANGUAGE_COOKIE),
    ):
        if candidate in LANGUAGES:
            return "en" if candidate == "en" else "nl"
    accepted = request.headers.get("accept-language", "").lower()
    if accepted.startswith("en"):
        return "en"
    return "nl"


def label_preference(language: Language) -> tuple[str, ...]:
    """Languages to try for a label, best first; a label in any language beats an IRI."""
    return (language, "nl" if language == "en" else "en", "")


def get_labels(request: Request) -> LabelIndex:
    """The label index of the served store, read on first use and kept for the app's life.

    The served graph only changes by a rebuild, which restarts the server.
    """
    index: LabelIndex | None = getattr(request.app.state, "labels", None)
    if index is None:
        index = LabelIndex.read(get_store(request))
        request.app.state.labels = index
    return index
