"""Labels for IRIs, read once from the graph: pages show names, never raw IRIs.

Every entity pactgraph describes has a ``skos:prefLabel`` (Dutch, often English too); ontology
terms have ``rdfs:label``. One query reads them all into an index, which a page consults for
any IRI it shows; an IRI without a label falls back to its last path segment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pactgraph.graph.store import GraphStore
from rdflib import Literal, URIRef

LABELS_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?thing ?label ?type WHERE {
  { ?thing skos:prefLabel ?label } UNION { ?thing rdfs:label ?label }
  OPTIONAL { ?thing a ?type }
}
"""


@dataclass
class LabelIndex:
    """Labels by IRI and language, and the types of each labelled thing."""

    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def read(cls, store: GraphStore) -> LabelIndex:
        """Read every label in the store (one query; the graph is small next to its text)."""
        index = cls()
        for row in store.select(LABELS_QUERY).rows:
            thing, label = str(row["thing"]), row["label"]
            language = (label.language or "") if isinstance(label, Literal) else ""
            index.labels.setdefault(thing, {}).setdefault(language, str(label))
            if "type" in row:
                index.types[thing].add(str(row["type"]))
        return index

    def label(self, iri: str | URIRef, preference: Sequence[str] = ("nl", "en", "")) -> str:
        """The label in the first preferred language that has one, else any, else the IRI's tail."""
        by_language = self.labels.get(str(iri), {})
        for language in preference:
            if language in by_language:
                return by_language[language]
        if by_language:
            return next(iter(by_language.values()))
        return fallback_label(str(iri))

    def search(
        self, text: str, *, types: Iterable[str] | None = None, limit: int = 50
    ) -> list[str]:
        """IRIs whose label (any language) contains ``text``, case-insensitively, best first.

        Exact matches come first, then labels starting with the text, then the rest; ties by label.
        """
        needle = text.casefold().strip()
        if not needle:
            return []
        wanted = set(types) if types is not None else None
        scored = []
        for iri, by_language in self.labels.items():
            if wanted is not None and not (self.types.get(iri, set()) & wanted):
                continue
            values = [v.casefold() for v in by_language.values()]
            if not any(needle in v for v in values):
                continue
            rank = 0 if needle in values else 1 if any(v.startswith(needle) for v in values) else 2
            scored.append((rank, self.label(iri).casefold(), iri))
        return [iri for _, _, iri in sorted(scored)[:limit]]


def fallback_label(iri: str) -> str:
    """The readable tail of an IRI without a label (after the last ``#`` or ``/``)."""
    tail = iri.rstrip("/").rsplit("#", 1)[-1] if "#" in iri else iri.rstrip("/").rsplit("/", 1)[-1]
    return tail or iri
