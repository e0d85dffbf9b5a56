"""Where an IRI of the graph lives on this server, so every page links within the site.

The graph's IRIs are ``https://w3id.org/pactgraph/{id,def,graph}/…``; the server answers them at
the same path (``/id/organisation/vhto``), so a persistent IRI and a local link differ only by
the host. Other IRIs (vocabularies, the web) stay as they are.
"""

from __future__ import annotations

from pactgraph.ontology.namespace import DEF_IRI, GRAPH_IRI, ID_IRI
from rdflib import URIRef

BASE_IRI = ID_IRI.removesuffix("id/")  # https://w3id.org/pactgraph/


def local_href(iri: str | URIRef) -> str:
    """The server path of a pactgraph IRI (fragment kept), or the IRI itself if it is not ours."""
    text = str(iri)
    if text.startswith((ID_IRI, GRAPH_IRI, DEF_IRI.removesuffix("#"))):
        return "/" + text.removeprefix(BASE_IRI)
    return text


def iri_for_path(path: str) -> URIRef:
    """The pactgraph IRI a server path (``id/organisation/vhto``) stands for."""
    return URIRef(BASE_IRI + path.lstrip("/"))


def commitment_id(iri: str | URIRef) -> str | None:
    """The id of a commitment IRI (``…/id/commitment/<id>``), or ``None`` for anything else."""
    prefix = f"{ID_IRI}commitment/"
    text = str(iri)
    if text.startswith(prefix) and "#" not in text:
        return text.removeprefix(prefix)
    return None


def trace_href(iri: str | URIRef) -> str | None:
    """The trace page of a commitment IRI, or ``None`` if the IRI is not a commitment."""
    identifier = commitment_id(iri)
    return f"/trace/{identifier}" if identifier is not None else None
