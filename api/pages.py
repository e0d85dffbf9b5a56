"""The home page (what the graph holds) and the search across labels.

Search is over the label index, not SPARQL text: it matches names in Dutch and English and
returns things people look for — organisations, programmes, funds, commitments, documents and
people — each linked to its page (commitments to their trace).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pactgraph.api.conneg import prefers_html
from pactgraph.api.deps import get_labels, get_store, label_preference, ui_language
from pactgraph.api.links import local_href, trace_href
from pactgraph.api.templating import render
from pactgraph.graph.labels import LabelIndex
from pactgraph.graph.store import GraphStore

router = APIRouter(tags=["pages"])

SEARCHABLE: dict[str, str] = {
    "https://w3id.org/pactgraph/def#Commitment": "commitment",
    "http://www.w3.org/ns/org#Organization": "organisation",
    "https://schema.org/Project": "programme",
    "https://schema.org/FundingScheme": "fund",
    "http://xmlns.com/foaf/0.1/Document": "document",
    "http://xmlns.com/foaf/0.1/Person": "person",
}
KIND_NAMES = {
    "nl": {
        "commitment": "toezeggingen",
        "organisation": "organisaties",
        "programme": "programma's",
        "fund": "fondsen",
        "document": "documenten",
        "person": "personen",
    },
    "en": {
        "commitment": "commitments",
        "organisation": "organisations",
        "programme": "programmes",
        "fund": "funds",
        "document": "documents",
        "person": "people",
    },
}
COUNTS_QUERY = """
PREFIX pact: <https://w3id.org/pactgraph/def#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?kind (COUNT(DISTINCT ?thing) AS ?count) WHERE {
  VALUES (?type ?kind) {
    (pact:Commitment "commitment") (org:Organization "organisation") (schema:Project "programme")
    (schema:FundingScheme "fund") (foaf:Document "document") (foaf:Person "person")
  }
  ?thing a ?type
} GROUP BY ?kind
"""
MAX_QUERY_LENGTH = 200


def graph_counts(store: GraphStore) -> dict[str, int]:
    """How many of each searchable kind the graph holds."""
    counts = dict.fromkeys(SEARCHABLE.values(), 0)
    for row in store.select(COUNTS_QUERY).rows:
        counts[str(row["kind"])] = int(str(row["count"]))
    return counts


def kind_of(iri: str, labels: LabelIndex) -> str | None:
    """The searchable kind of an IRI (the first of its types we know), if any."""
    for type_iri, kind in SEARCHABLE.items():
        if type_iri in labels.types.get(iri, set()):
            return kind
    return None


def search_hits(text: str, labels: LabelIndex, language: str) -> list[dict[str, str]]:
    """Search results as plain records: IRI, label in the chosen language, kind and link."""
    hits = []
    for iri in labels.search(text, types=SEARCHABLE):
        kind = kind_of(iri, labels) or "thing"
        hits.append(
            {
                "iri": iri,
                "label": labels.label(iri, label_preference("en" if language == "en" else "nl")),
                "kind": kind,
                "href": trace_href(iri) or local_href(iri),
            }
        )
    return hits


@router.get("/", summary="Home: what the graph holds, and a search box")
def home(request: Request, store: Annotated[GraphStore, Depends(get_store)]) -> Response:
    counts = graph_counts(store)
    if not prefers_html(request.headers.get("accept")):
        return JSONResponse({"counts": counts, "store": store.description})
    return render(request, "home.html", {"counts": counts, "kinds": KIND_NAMES})


@router.get(
    "/search",
    summary="Search organisations, programmes, funds, commitments, documents and people by name",
    responses={400: {"description": "The search text is too long"}},
)
def search(
    request: Request,
    labels: Annotated[LabelIndex, Depends(get_labels)],
    q: Annotated[str, Query(description="text to look for in names (nl or en)")] = "",
) -> Response:
    if len(q) > MAX_QUERY_LENGTH:
        detail = f"parameter 'q': at most {MAX_QUERY_LENGTH} characters, got {len(q)}"
        return JSONResponse({"detail": detail}, status_code=400)
    language = ui_language(request)
    hits = search_hits(q, labels, language)
    if not prefers_html(request.headers.get("accept")):
        return JSONResponse({"query": q, "results": hits})
    grouped: dict[str, list[dict[str, Any]]] = {}
    for hit in hits:
        grouped.setdefault(hit["kind"], []).append(hit)
    return render(
        request,
        "search.html",
        {"q": q, "grouped": grouped, "kinds": KIND_NAMES, "total": len(hits)},
    )
