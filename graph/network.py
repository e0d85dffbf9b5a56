"""Network views of the pact: who works with whom, on which programmes, in which landsdelen.

The graph is read once per store into :class:`NetworkData` (a handful of SPARQL SELECTs through
the store facade, no parameters pasted into query text); projections, filters and metrics are
then plain Python over typed values, so a view costs milliseconds and the store is not asked
again until it is rebuilt.

Every relation a projection draws is a :class:`Link` carrying the *facets* it speaks for: the
commitment it comes from, that commitment's action lines, landsdelen, programmes and due
interval. A filter keeps the links whose facets match, so one rule covers every projection.
A relation *to* a programme or landsdeel speaks only for that one (a commitment under two
programmes gives two relations, each kept only by a filter on its own programme). Relations
that do not come from a commitment (who runs a programme, which landsdeel an organisation
belongs to) carry only the facets they have: they survive a landsdeel or programme
filter that names them, and drop out under an action-line or period filter, since they have
neither.

Outputs: a networkx graph with metrics (degree, betweenness, communities) and style (size,
colour) on its nodes, and from it JSON, GraphML, GEXF and a pyvis network (nodes, edges and
vis-network options set directly; the HTML page around it belongs to the web layer).
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

import networkx as nx
from pactgraph.graph.labels import fallback_label
from pactgraph.graph.store import GraphStore
from pactgraph.ontology.namespace import DEF_IRI
from pyvis.network import Network
from rdflib import Literal as RDFLiteral
from rdflib import URIRef

Kind = Literal["organisation", "landsdeel", "programme", "commitment", "person"]
Language = Literal["nl", "en"]
SizeBy = Literal["degree", "betweenness"]
ColourBy = Literal["kind", "community"]

SIZE_CHOICES: tuple[SizeBy, ...] = ("degree", "betweenness")
COLOUR_CHOICES: tuple[ColourBy, ...] = ("kind", "community")
DEPTHS = (1, 2, 3)

SEED = 20130513
"""Seed for sampled betweenness, community detection and the browser layout (the signing date)."""

EXACT_BETWEENNESS_LIMIT = 500
"""Up to this many nodes betweenness is exact; above it, sampled from ``BETWEENNESS_SAMPLE``.

Measured on two cores (sparse graphs, two edges per node): exact takes 0.6 s at 500 nodes but
4.5 s at 1,000 (11 s at 2,000); sampling 128 sources takes 0.9 s at 2,000 nodes and finds 9 of
the exact top 10 (17 of the top 20).
"""
BETWEENNESS_SAMPLE = 128

DEFAULT_LIMIT = 2000
"""Nodes a view keeps by default: browsers draw about 1–2k nodes comfortably."""
MAX_LIMIT = 20000
LARGE_VIEW = 300
IMPROVED_LAYOUT_LIMIT = 100
"""Above this many nodes the browser gets cheaper settings (straight edges, no initial layout)."""

PREFIXES = f"""PREFIX pact: <{DEF_IRI}>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX time: <http://www.w3.org/2006/time#>
"""

ENTITIES_QUERY = (
    PREFIXES
    + """SELECT ?entity ?type ?organisation_kind ?label WHERE {
  VALUES ?type { org:Organization pact:Landsdeel schema:Project pact:Commitment foaf:Person }
  ?entity a ?type .
  OPTIONAL { ?entity pact:organisationKind ?organisation_kind }
  OPTIONAL { ?entity skos:prefLabel ?label }
}"""
)

CONCEPTS_QUERY = (
    PREFIXES
    + """SELECT DISTINCT ?concept ?role ?label WHERE {
  { ?concept a pact:OrganisationKind BIND("organisation-kind" AS ?role) }
  UNION { ?commitment pact:actionLine ?concept BIND("action-line" AS ?role) }
  ?concept skos:prefLabel ?label .
}"""
)

COMMITMENTS_QUERY = (
    PREFIXES
    + """SELECT ?commitment ?owner ?due_start ?due_end WHERE {
  ?commitment a pact:Commitment ; pact:owner ?owner .
  OPTIONAL { ?commitment pact:due/time:hasBeginning/time:inXSDDate ?due_start }
  OPTIONAL { ?commitment pact:due/time:hasEnd/time:inXSDDate ?due_end }
}"""
)

COMMITMENT_FACETS_QUERY = (
    PREFIXES
    + """SELECT ?commitment ?property ?value WHERE {
  VALUES ?property { pact:partner pact:actionLine pact:programme pact:landsdeel }
  ?commitment a pact:Commitment ; ?property ?value .
}"""
)

STRUCTURE_QUERY = (
    PREFIXES
    + """SELECT ?subject ?property ?object WHERE {
  VALUES ?property { pact:runBy pact:landsdeel org:subOrganizationOf }
  ?subject ?property ?object .
  FILTER NOT EXISTS { ?subject a pact:Commitment }
}"""
)

ENTITY_QUERY = "SELECT ?entity ?type WHERE { ?entity a ?type }"
"""Whether an IRI names anything in the store; ``?entity`` is bound, never pasted in."""

ORG = "http://www.w3.org/ns/org#"
TYPE_KINDS: tuple[tuple[str, Kind], ...] = (
    (f"{DEF_IRI}Landsdeel", "landsdeel"),  # a landsdeel is an organisation too; this wins
    (f"{DEF_IRI}Commitment", "commitment"),
    ("https://schema.org/Project", "programme"),
    ("http://xmlns.com/foaf/0.1/Person", "person"),
    (f"{ORG}Organization", "organisation"),
)
AGENT_KINDS: frozenset[Kind] = frozenset({"organisation", "landsdeel", "person"})

KIND_WORDS: dict[Language, dict[str, str]] = {
    "nl": {
        "organisation": "organisatie",
        "landsdeel": "landsdeel",
        "programme": "programma",
        "commitment": "toezegging",
        "person": "persoon",
        "community": "gemeenschap",
        "degree": "verbindingen",
        "betweenness": "tussenpositie",
        "weight": "gewicht",
    },
    "en": {
        "organisation": "organisation",
        "landsdeel": "landsdeel (region)",
        "programme": "programme",
        "commitment": "commitment",
        "person": "person",
        "community": "community",
        "degree": "degree",
        "betweenness": "betweenness",
        "weight": "weight",
    },
}
RELATION_WORDS: dict[Language, dict[str, str]] = {
    "nl": {
        "co-commitment": "gedeelde toezegging",
        "owner": "eigenaar",
        "partner": "partner",
        "runs": "voert uit",
        "takes-part": "doet mee via toezegging",
        "belongs-to": "hoort bij",
        "works-in": "werkt in via toezegging",
        "part-of": "deel van",
        "within-programme": "binnen programma",
        "in-landsdeel": "in landsdeel",
    },
    "en": {
        "co-commitment": "shared commitment",
        "owner": "owner",
        "partner": "partner",
        "runs": "runs",
        "takes-part": "takes part through a commitment",
        "belongs-to": "belongs to",
        "works-in": "works in through a commitment",
        "part-of": "part of",
        "within-programme": "within programme",
        "in-landsdeel": "in landsdeel",
    },
}

# Colours: fixed for the kinds that are not organisations, a palette for organisation kinds
# (in the order of their IRIs, so a kind keeps its colour across the views of one graph).
KIND_COLOURS: dict[str, str] = {
    "landsdeel": "#2e9e5b",
    "programme": "#e08a1e",
    "commitment": "#9aa7b8",
    "person": "#d1589d",
    "organisation": "#3a76c4",
}
PALETTE: tuple[str, ...] = (
    "#3a76c4",
    "#c0392b",
    "#8e5cc2",
    "#17a2b8",
    "#b8860b",
    "#5d6d7e",
    "#2c7f6d",
    "#d35400",
    "#6c3483",
    "#1f618d",
    "#7d6608",
    "#a93226",
    "#117a65",
    "#884ea0",
    "#2874a6",
    "#af601a",
    "#566573",
    "#239b56",
    "#cb4335",
    "#5b2c6f",
)
DIMMED = "#dfe4ea"

IRI_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")


class NetworkError(ValueError):
    """A request for a network the caller can fix; ``parameter`` names what to change."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"parameter '{parameter}': {message}")
        self.parameter = parameter
        self.message = message


class UnknownEntityError(LookupError):
    """The IRI asked for is not (or not in this projection) in the graph."""


# ------------------------------------------------------------------ what is read from the store


@dataclass(frozen=True)
class Entity:
    """A thing a network can show: an organisation, landsdeel, programme, commitment or person."""

    iri: str
    kind: Kind
    organisation_kind: str | None
    labels: Mapping[str, str]

    def label(self, language: Language) -> str:
        """The label in ``language``, else the other one, else any, else the IRI's tail."""
        for candidate in (language, "en" if language == "nl" else "nl", ""):
            if candidate in self.labels:
                return self.labels[candidate]
        return next(iter(self.labels.values()), fallback_label(self.iri))


@dataclass(frozen=True)
class Facets:
    """What a relation speaks for, so that a filter can keep or drop it.

    ``dated`` is false for relations that are not drawn from a commitment: they have no due
    interval, so a period filter drops them (rather than pretending they are timeless).
    """

    commitment: str | None = None
    action_lines: frozenset[str] = frozenset()
    landsdelen: frozenset[str] = frozenset()
    programmes: frozenset[str] = frozenset()
    due_start: date | None = None
    due_end: date | None = None
    dated: bool = False


@dataclass(frozen=True)
class Commitment:
    """A commitment with the facets networks filter on."""

    iri: str
    owner: str
    partners: tuple[str, ...]
    action_lines: frozenset[str]
    landsdelen: frozenset[str]
    programmes: frozenset[str]
    due_start: date | None
    due_end: date | None

    @property
    def participants(self) -> tuple[str, ...]:
        """Owner first, then partners, each once."""
        return tuple(dict.fromkeys((self.owner, *self.partners)))


@dataclass(frozen=True)
class Link:
    """One relation a projection draws; ``target`` ``None`` only says the source takes part."""

    source: str
    target: str | None
    relation: str
    facets: Facets


@dataclass
class NetworkData:
    """Everything the network views need, read from the store once (it changes on rebuild only)."""

    entities: dict[str, Entity] = field(default_factory=dict)
    commitments: dict[str, Commitment] = field(default_factory=dict)
    runs: list[tuple[str, str]] = field(default_factory=list)  # (programme, organisation)
    belongs: list[tuple[str, str]] = field(default_factory=list)  # (organisation, landsdeel)
    part_of: list[tuple[str, str]] = field(default_factory=list)  # (part, whole)
    concept_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    action_lines: set[str] = field(default_factory=set)
    organisation_kinds: set[str] = field(default_factory=set)
    agent_landsdelen: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def read(cls, store: GraphStore) -> NetworkData:
        """Read the entities, commitments and structural relations (five SELECTs, no input)."""
        data = cls()
        data._read_entities(store)
        data._read_concepts(store)
        data._read_commitments(store)
        data._read_structure(store)
        data.index_landsdelen()
        return data

    def _read_entities(self, store: GraphStore) -> None:
        types: dict[str, set[str]] = defaultdict(set)
        kinds: dict[str, str] = {}
        labels: dict[str, dict[str, str]] = defaultdict(dict)
        for row in store.select(ENTITIES_QUERY).rows:
            iri = str(row["entity"])
            types[iri].add(str(row["type"]))
            if "organisation_kind" in row:
                kinds[iri] = str(row["organisation_kind"])
            label = row.get("label")
            if isinstance(label, RDFLiteral):
                labels[iri].setdefault(label.language or "", str(label))
        for iri, its_types in types.items():
            kind = next(k for type_iri, k in TYPE_KINDS if type_iri in its_types)
            self.entities[iri] = Entity(iri, kind, kinds.get(iri), dict(labels[iri]))

    def _read_concepts(self, store: GraphStore) -> None:
        for row in store.select(CONCEPTS_QUERY).rows:
            concept, label = str(row["concept"]), row["label"]
            language = label.language or "" if isinstance(label, RDFLiteral) else ""
            self.concept_labels.setdefault(concept, {}).setdefault(language, str(label))
            if str(row["role"]) == "action-line":
                self.action_lines.add(concept)
            else:
                self.organisation_kinds.add(concept)

    def _read_commitments(self, store: GraphStore) -> None:
        facets: dict[tuple[str, str], list[str]] = defaultdict(list)
        for row in store.select(COMMITMENT_FACETS_QUERY).rows:
            name = str(row["property"]).removeprefix(DEF_IRI)
            facets[str(row["commitment"]), name].append(str(row["value"]))
        for row in store.select(COMMITMENTS_QUERY).rows:
            iri = str(row["commitment"])
            self.commitments[iri] = Commitment(
                iri=iri,
                owner=str(row["owner"]),
                partners=tuple(sorted(facets[iri, "partner"])),
                action_lines=frozenset(facets[iri, "actionLine"]),
                landsdelen=frozenset(facets[iri, "landsdeel"]),
                programmes=frozenset(facets[iri, "programme"]),
                due_start=_as_date(row.get("due_start")),
                due_end=_as_date(row.get("due_end")),
            )

    def _read_structure(self, store: GraphStore) -> None:
        for row in store.select(STRUCTURE_QUERY).rows:
            subject, name, target = str(row["subject"]), str(row["property"]), str(row["object"])
            if name == f"{DEF_IRI}runBy":
                self.runs.append((subject, target))
            elif name == f"{DEF_IRI}landsdeel":
                self.belongs.append((subject, target))
            else:
                self.part_of.append((subject, target))
        for pairs in (self.runs, self.belongs, self.part_of):
            pairs.sort()

    def index_landsdelen(self) -> None:
        """Which landsdelen each agent belongs to (a landsdeel belongs to itself)."""
        found: dict[str, set[str]] = defaultdict(set)
        for agent, landsdeel in self.belongs:
            found[agent].add(landsdeel)
        for iri, entity in self.entities.items():
            if entity.kind == "landsdeel":
                found[iri].add(iri)
        self.agent_landsdelen = {agent: frozenset(places) for agent, places in found.items()}

    # -- questions the projections ask
    def kind_of(self, iri: str) -> Kind | None:
        entity = self.entities.get(iri)
        return entity.kind if entity else None

    def landsdelen_of(self, iri: str) -> frozenset[str]:
        """The landsdelen an agent belongs to (see :meth:`index_landsdelen`)."""
        return self.agent_landsdelen.get(iri, frozenset())

    def facets_of(self, commitment: Commitment) -> Facets:
        """A commitment's facets; its landsdelen include those its participants belong to."""
        landsdelen = set(commitment.landsdelen)
        for agent in commitment.participants:
            landsdelen |= self.landsdelen_of(agent)
        return Facets(
            commitment=commitment.iri,
            action_lines=commitment.action_lines,
            landsdelen=frozenset(landsdelen),
            programmes=commitment.programmes,
            due_start=commitment.due_start,
            due_end=commitment.due_end,
            dated=True,
        )

    def concept_label(self, iri: str, language: Language) -> str:
        labels = self.concept_labels.get(iri, {})
        for candidate in (language, "en" if language == "nl" else "nl", ""):
            if candidate in labels:
                return labels[candidate]
        return fallback_label(iri)

    def choices(self, parameter: str) -> dict[str, str]:
        """The values a filter parameter accepts, IRI → slug (the IRI's last segment)."""
        if parameter == "action_line":
            iris: Iterable[str] = self.action_lines
        elif parameter == "organisation_kind":
            iris = self.organisation_kinds
        elif parameter in ("landsdeel", "programme"):
            iris = [i for i, e in self.entities.items() if e.kind == parameter]
        else:
            msg = f"no choices for {parameter!r}"
            raise KeyError(msg)
        return {iri: fallback_label(iri) for iri in sorted(iris)}

    def resolve(self, parameter: str, value: str) -> str:
        """A filter value given as an IRI or a slug (``oost``), as the IRI it names."""
        choices = self.choices(parameter)
        text = value.strip()
        if text in choices:
            return text
        by_slug = {slug: iri for iri, slug in choices.items()}
        if text in by_slug:
            return by_slug[text]
        shown = ", ".join(list(by_slug)[:12]) + (", …" if len(by_slug) > 12 else "")
        raise NetworkError(parameter, f"expected one of {shown} (or its IRI), got {value!r}")


def _as_date(term: object) -> date | None:
    value = term.toPython() if isinstance(term, RDFLiteral) else None
    return value if isinstance(value, date) else None


# ------------------------------------------------------------------ filters


@dataclass(frozen=True)
class NetworkFilter:
    """Which relations and organisations a view keeps; all values are IRIs or dates.

    A relation is kept when it matches every commitment filter given (action line, landsdeel,
    programme, period); the organisation-kind filter then keeps only agents of that kind.
    The period keeps commitments whose due interval overlaps ``[period_from, period_to]``;
    a due interval without a start is open towards the past.
    """

    action_line: str | None = None
    landsdeel: str | None = None
    programme: str | None = None
    organisation_kind: str | None = None
    period_from: date | None = None
    period_to: date | None = None

    def __post_init__(self) -> None:
        if self.period_from and self.period_to and self.period_from > self.period_to:
            raise NetworkError(
                "to",
                f"must not be before 'from' ({self.period_from.isoformat()}), "
                f"got {self.period_to.isoformat()}",
            )

    def keeps(self, facets: Facets) -> bool:
        """Whether a relation with these facets passes the commitment filters."""
        wanted = (
            (self.action_line, facets.action_lines),
            (self.landsdeel, facets.landsdelen),
            (self.programme, facets.programmes),
        )
        if any(value and value not in present for value, present in wanted):
            return False
        return self.in_period(facets)

    def in_period(self, facets: Facets) -> bool:
        """Whether a relation's due interval overlaps the period (always, if none is set)."""
        if self.period_from is None and self.period_to is None:
            return True
        if not facets.dated:
            return False
        start, end = facets.due_start, facets.due_end or facets.due_start
        if self.period_to is not None and start is not None and start > self.period_to:
            return False
        return not (self.period_from is not None and end is not None and end < self.period_from)

    def keeps_entity(self, entity: Entity, exempt: frozenset[Kind]) -> bool:
        """Whether an entity passes the organisation-kind filter (only agents are filtered)."""
        if self.organisation_kind is None or entity.kind in exempt:
            return True
        if entity.kind not in AGENT_KINDS:
            return True
        return entity.organisation_kind == self.organisation_kind

    def as_dict(self) -> dict[str, str]:
        """The filters that are set, as strings (for JSON and GraphML)."""
        values = {
            "action_line": self.action_line,
            "landsdeel": self.landsdeel,
            "programme": self.programme,
            "organisation_kind": self.organisation_kind,
            "from": self.period_from.isoformat() if self.period_from else None,
            "to": self.period_to.isoformat() if self.period_to else None,
        }
        return {key: value for key, value in values.items() if value}


# ------------------------------------------------------------------ projections


def _co_commitment(data: NetworkData) -> Iterator[Link]:
    """Agents linked when they share a commitment (as owner or partner)."""
    for commitment in data.commitments.values():
        facets = data.facets_of(commitment)
        agents = [a for a in commitment.participants if data.kind_of(a) in AGENT_KINDS]
        for agent in agents:
            yield Link(agent, None, "co-commitment", facets)
        for index, first in enumerate(agents):
            for second in agents[index + 1 :]:
                yield Link(first, second, "co-commitment", facets)


def _organisation_commitment(data: NetworkData) -> Iterator[Link]:
    """Agents and the commitments they own or are partner in (bipartite)."""
    for commitment in data.commitments.values():
        facets = data.facets_of(commitment)
        yield Link(commitment.owner, commitment.iri, "owner", facets)
        for partner in commitment.partners:
            yield Link(partner, commitment.iri, "partner", facets)


def _organisation_programme(data: NetworkData) -> Iterator[Link]:
    """Organisations and programmes: who runs a programme, who takes part through a commitment."""
    for programme, organisation in data.runs:
        facets = Facets(
            programmes=frozenset({programme}), landsdelen=data.landsdelen_of(organisation)
        )
        yield Link(organisation, programme, "runs", facets)
    for commitment in data.commitments.values():
        facets = data.facets_of(commitment)
        for programme in sorted(commitment.programmes):
            narrowed = replace(facets, programmes=frozenset({programme}))
            for agent in commitment.participants:
                yield Link(agent, programme, "takes-part", narrowed)


def _organisation_landsdeel(data: NetworkData) -> Iterator[Link]:
    """Organisations and landsdelen: belongs to, part of, works in through a commitment."""
    for organisation, landsdeel in data.belongs:
        yield Link(organisation, landsdeel, "belongs-to", Facets(landsdelen=frozenset({landsdeel})))
    for part, whole in data.part_of:
        if "landsdeel" in (data.kind_of(part), data.kind_of(whole)):
            places = data.landsdelen_of(part) | data.landsdelen_of(whole)
            yield Link(part, whole, "part-of", Facets(landsdelen=places))
    for commitment in data.commitments.values():
        facets = data.facets_of(commitment)
        for landsdeel in sorted(commitment.landsdelen):
            narrowed = replace(facets, landsdelen=frozenset({landsdeel}))
            for agent in commitment.participants:
                if agent != landsdeel:
                    yield Link(agent, landsdeel, "works-in", narrowed)


def _everything(data: NetworkData) -> Iterator[Link]:
    """All of the above as one graph of agents, commitments, programmes and landsdelen."""
    yield from _organisation_commitment(data)
    for commitment in data.commitments.values():
        facets = data.facets_of(commitment)
        for programme in sorted(commitment.programmes):
            narrowed = replace(facets, programmes=frozenset({programme}))
            yield Link(commitment.iri, programme, "within-programme", narrowed)
        for landsdeel in sorted(commitment.landsdelen):
            narrowed = replace(facets, landsdelen=frozenset({landsdeel}))
            yield Link(commitment.iri, landsdeel, "in-landsdeel", narrowed)
    for programme, organisation in data.runs:
        facets = Facets(
            programmes=frozenset({programme}), landsdelen=data.landsdelen_of(organisation)
        )
        yield Link(organisation, programme, "runs", facets)
    for organisation, landsdeel in data.belongs:
        yield Link(organisation, landsdeel, "belongs-to", Facets(landsdelen=frozenset({landsdeel})))
    for part, whole in data.part_of:
        places = data.landsdelen_of(part) | data.landsdelen_of(whole)
        yield Link(part, whole, "part-of", Facets(landsdelen=places))


@dataclass(frozen=True)
class Projection:
    """A named way of drawing the pact as a network."""

    name: str
    title: Mapping[Language, str]
    links: Callable[[NetworkData], Iterator[Link]]
    exempt: frozenset[Kind] = frozenset()
    """Kinds the organisation-kind filter leaves alone (places and things, not agents)."""
    leaf_kind: Kind | None = None
    """In a two-mode projection, the kind of the many small nodes (each linked to a few hubs):
    a limit keeps hubs *and* their leaves, where the plain degree cut would keep hubs alone."""


PROJECTIONS: dict[str, Projection] = {
    p.name: p
    for p in (
        Projection(
            "co-commitment",
            {"nl": "Wie werkt met wie (gedeelde toezeggingen)", "en": "Who works with whom"},
            _co_commitment,
        ),
        Projection(
            "organisation-programme",
            {"nl": "Organisaties en programma's", "en": "Organisations and programmes"},
            _organisation_programme,
        ),
        Projection(
            "organisation-landsdeel",
            {"nl": "Organisaties en landsdelen", "en": "Organisations and landsdelen"},
            _organisation_landsdeel,
            exempt=frozenset({"landsdeel"}),
        ),
        Projection(
            "organisation-commitment",
            {"nl": "Organisaties en toezeggingen", "en": "Organisations and commitments"},
            _organisation_commitment,
            leaf_kind="commitment",
        ),
        Projection(
            "all",
            {"nl": "Alles (voor ego-netwerken)", "en": "Everything (for ego networks)"},
            _everything,
        ),
    )
}


def projection_named(name: str) -> Projection:
    """The projection called ``name``; :class:`KeyError` names the ones there are."""
    if name not in PROJECTIONS:
        msg = f"no projection {name!r}; there are {', '.join(PROJECTIONS)}"
        raise KeyError(msg)
    return PROJECTIONS[name]


def project(
    data: NetworkData,
    projection: Projection,
    network_filter: NetworkFilter | None = None,
    language: Language = "nl",
) -> nx.Graph:
    """The weighted, labelled networkx graph of a projection under a filter.

    An edge's ``weight`` counts the distinct facts behind it: shared commitments for
    co-commitment, plus one for each structural relation (runs, belongs to, part of).
    """
    chosen = network_filter or NetworkFilter()
    graph = nx.Graph(projection=projection.name)
    facts: dict[tuple[str, str], set[tuple[str, str | None]]] = defaultdict(set)
    for link in projection.links(data):
        if not chosen.keeps(link.facets):
            continue
        ends = [link.source] if link.target is None else [link.source, link.target]
        entities = [data.entities.get(end) for end in ends]
        if any(e is None or not chosen.keeps_entity(e, projection.exempt) for e in entities):
            continue
        for entity in entities:
            if entity is not None and entity.iri not in graph:
                graph.add_node(entity.iri, **_node_attributes(data, entity, language))
        if link.target is not None and link.target != link.source:
            first, second = sorted((link.source, link.target))
            facts[first, second].add((link.relation, link.facets.commitment))
    words = RELATION_WORDS[language]
    for (first, second), supporting in facts.items():
        relations = sorted({relation for relation, _ in supporting})
        graph.add_edge(
            first,
            second,
            weight=len(supporting),
            relations="; ".join(words.get(r, r) for r in relations),
        )
    if chosen.organisation_kind:  # things left without the agents they were linked to
        graph.remove_nodes_from(
            [
                n
                for n, k in graph.nodes(data="kind")
                if k not in AGENT_KINDS and graph.degree(n) == 0
            ]
        )
    return graph


def _node_attributes(data: NetworkData, entity: Entity, language: Language) -> dict[str, Any]:
    key = entity.organisation_kind if entity.kind == "organisation" else entity.kind
    if entity.kind == "organisation" and entity.organisation_kind:
        kind_label = data.concept_label(entity.organisation_kind, language)
    else:
        kind_label = KIND_WORDS[language][entity.kind]
    return {
        "label": entity.label(language),
        "kind": entity.kind,
        "kind_key": key or entity.kind,
        "kind_label": kind_label,
        "organisation_kind": entity.organisation_kind or "",
    }


def ego_network(graph: nx.Graph, center: str, depth: int) -> nx.Graph:
    """Everything within ``depth`` steps (1–3) of ``center`` in ``graph``."""
    if depth not in DEPTHS:
        raise NetworkError("depth", f"expected 1, 2 or 3, got {depth}")
    if center not in graph:
        msg = f"{center} is not in the {graph.graph.get('projection', '')} network"
        raise UnknownEntityError(msg)
    ego: nx.Graph = nx.ego_graph(graph, center, radius=depth)
    return ego


def entity_types(store: GraphStore, iri: str) -> list[str]:
    """The types the store knows for an IRI (empty: the graph does not mention it as a thing)."""
    result = store.select(ENTITY_QUERY, {"entity": URIRef(iri)})
    return sorted({str(row["type"]) for row in result.rows})


def is_iri(text: str) -> bool:
    """Whether ``text`` is an absolute IRI (scheme, colon, no spaces or forbidden characters)."""
    return bool(IRI_PATTERN.match(text))


# ------------------------------------------------------------------ metrics, limits, style


@dataclass(frozen=True)
class Cut:
    """What a limit left out of a view, so the view can say so."""

    nodes_total: int
    edges_total: int
    nodes_shown: int
    edges_shown: int
    by_kind: Mapping[str, int]
    min_degree_kept: int

    @property
    def nodes_cut(self) -> int:
        return self.nodes_total - self.nodes_shown

    def as_dict(self) -> dict[str, Any]:
        return {
            "nodes_total": self.nodes_total,
            "edges_total": self.edges_total,
            "nodes_shown": self.nodes_shown,
            "edges_shown": self.edges_shown,
            "nodes_cut": self.nodes_cut,
            "cut_by_kind": dict(self.by_kind),
            "min_degree_kept": self.min_degree_kept,
        }


def limit_graph(
    graph: nx.Graph, limit: int | None, keep: Iterable[str] = (), leaf_kind: str | None = None
) -> tuple[nx.Graph, Cut]:
    """The ``limit`` nodes of highest degree (ties by IRI), plus ``keep``; and what was cut.

    With ``leaf_kind`` (a two-mode projection) the hubs of highest degree are kept together with
    the leaves most linked to them (:func:`hubs_and_leaves`).
    """
    total_nodes, total_edges = graph.number_of_nodes(), graph.number_of_edges()
    if limit is None or total_nodes <= limit:
        degrees = [d for _, d in graph.degree()]
        cut = Cut(total_nodes, total_edges, total_nodes, total_edges, {}, min(degrees, default=0))
        return graph, cut
    must = [n for n in keep if n in graph]
    if leaf_kind is not None:
        ranked_nodes = hubs_and_leaves(graph, limit, leaf_kind)
    else:
        ranked = sorted(graph.degree(), key=lambda item: (-item[1], item[0]))
        ranked_nodes = [n for n, _ in ranked]
    chosen = list(dict.fromkeys([*must, *ranked_nodes]))[: max(limit, len(must))]
    kept = set(chosen)
    shown: nx.Graph = graph.subgraph(kept).copy()
    by_kind = Counter(kind for n, kind in graph.nodes(data="kind") if n not in kept)
    min_degree = min((graph.degree(n) for n in kept), default=0)
    cut = Cut(
        total_nodes,
        total_edges,
        shown.number_of_nodes(),
        shown.number_of_edges(),
        dict(sorted(by_kind.items())),
        min_degree,
    )
    return shown, cut


HUB_SHARE = 5
"""A two-mode view under a limit spends one node in this many on hubs, the rest on leaves."""


def hubs_and_leaves(graph: nx.Graph, limit: int, leaf_kind: str) -> list[str]:
    """Nodes of a two-mode graph in the order a limit should keep them.

    First the ``limit // HUB_SHARE`` hubs (nodes not of ``leaf_kind``) of highest degree, then
    the leaves by how many of those hubs they link (then degree, then IRI), then everything
    else by degree: a cut of the organisation–commitment graph shows the best-connected
    organisations with the commitments they share, not organisations without a single edge.
    """
    by_degree = sorted(graph.degree(), key=lambda item: (-item[1], item[0]))
    hubs = [n for n, _ in by_degree if graph.nodes[n].get("kind") != leaf_kind]
    chosen_hubs = hubs[: max(1, limit // HUB_SHARE)]
    hub_set = set(chosen_hubs)
    leaves = sorted(
        (n for n, _ in by_degree if graph.nodes[n].get("kind") == leaf_kind),
        key=lambda n: (-sum(1 for m in graph[n] if m in hub_set), -graph.degree(n), n),
    )
    return list(dict.fromkeys([*chosen_hubs, *leaves, *(n for n, _ in by_degree)]))


@dataclass(frozen=True)
class GraphMetrics:
    """Graph-level numbers a view reports next to its nodes."""

    nodes: int
    edges: int
    density: float
    components: int
    communities: int
    modularity: float
    betweenness: str  # "exact" or "sampled (k=…)"

    def as_dict(self) -> dict[str, Any]:
        return {
            "nodes": self.nodes,
            "edges": self.edges,
            "density": round(self.density, 6),
            "components": self.components,
            "communities": self.communities,
            "modularity": round(self.modularity, 6),
            "betweenness": self.betweenness,
        }


def add_metrics(graph: nx.Graph) -> GraphMetrics:
    """Put degree, weighted degree, betweenness and community on every node; return totals.

    Betweenness is exact up to :data:`EXACT_BETWEENNESS_LIMIT` nodes and sampled (seeded)
    above; communities are Louvain with a fixed seed, numbered from the largest (0).
    """
    count = graph.number_of_nodes()
    if count <= EXACT_BETWEENNESS_LIMIT:
        betweenness = nx.betweenness_centrality(graph)
        method = "exact"
    else:
        sample = min(BETWEENNESS_SAMPLE, count)
        betweenness = nx.betweenness_centrality(graph, k=sample, seed=SEED)
        method = f"sampled (k={sample})"
    if graph.number_of_edges():
        found = nx.community.louvain_communities(graph, weight="weight", seed=SEED)
        modularity = float(nx.community.modularity(graph, found, weight="weight"))
    else:
        found, modularity = [{n} for n in graph.nodes], 0.0
    ordered = sorted(found, key=lambda members: (-len(members), min(members)))
    community = {node: index for index, members in enumerate(ordered) for node in members}
    for node in graph.nodes:
        attributes = graph.nodes[node]
        attributes["degree"] = int(graph.degree(node))
        attributes["strength"] = int(graph.degree(node, weight="weight"))
        attributes["betweenness"] = round(float(betweenness.get(node, 0.0)), 6)
        attributes["community"] = community.get(node, 0)
    return GraphMetrics(
        nodes=count,
        edges=graph.number_of_edges(),
        density=float(nx.density(graph)) if count > 1 else 0.0,
        components=nx.number_connected_components(graph) if count else 0,
        communities=len(ordered),
        modularity=modularity,
        betweenness=method,
    )


@dataclass(frozen=True)
class LegendEntry:
    """One colour of a view and what it stands for."""

    key: str
    label: str
    colour: str
    count: int


def kind_colours(organisation_kinds: Iterable[str]) -> dict[str, str]:
    """A colour per kind key: fixed for non-organisations, the palette for organisation kinds."""
    colours = dict(KIND_COLOURS)
    for index, kind in enumerate(sorted(set(organisation_kinds))):
        colours[kind] = PALETTE[index % len(PALETTE)]
    return colours


def style(
    graph: nx.Graph,
    *,
    size_by: SizeBy,
    colour_by: ColourBy,
    colours: Mapping[str, str],
    language: Language,
) -> list[LegendEntry]:
    """Set ``size`` and ``color`` on every node (after :func:`add_metrics`); return the legend."""
    values = {n: float(graph.nodes[n][size_by]) for n in graph.nodes}
    low, high = min(values.values(), default=0.0), max(values.values(), default=0.0)
    for node, value in values.items():
        share = (value - low) / (high - low) if high > low else 0.3
        graph.nodes[node]["size"] = round(10 + 35 * share**0.5, 2)
    counts: Counter[str] = Counter()
    labels: dict[str, str] = {}
    chosen: dict[str, str] = {}
    for _, attributes in graph.nodes(data=True):
        if colour_by == "community":
            key = str(attributes["community"])
            colour = PALETTE[attributes["community"] % len(PALETTE)]
            labels[key] = f"{KIND_WORDS[language]['community']} {attributes['community'] + 1}"
        else:
            key = attributes["kind_key"]
            colour = colours.get(key, KIND_COLOURS.get(attributes["kind"], PALETTE[0]))
            labels[key] = attributes["kind_label"]
        attributes["color"] = colour
        chosen[key] = colour
        counts[key] += 1
    return [
        LegendEntry(key, labels[key], chosen[key], count)
        for key, count in sorted(counts.items(), key=lambda item: (-item[1], labels[item[0]]))
    ]


# ------------------------------------------------------------------ a view


@dataclass
class NetworkView:
    """A projection ready to show: graph with metrics and style, legend, totals, what was cut."""

    projection: str
    graph: nx.Graph
    metrics: GraphMetrics
    cut: Cut
    legend: list[LegendEntry]
    language: Language
    filters: Mapping[str, str] = field(default_factory=dict)
    center: str | None = None
    depth: int | None = None


def build_view(
    graph: nx.Graph,
    *,
    projection: str,
    colours: Mapping[str, str],
    size_by: SizeBy = "degree",
    colour_by: ColourBy = "kind",
    limit: int | None = DEFAULT_LIMIT,
    language: Language = "nl",
    filters: Mapping[str, str] | None = None,
    center: str | None = None,
    depth: int | None = None,
    leaf_kind: str | None = None,
) -> NetworkView:
    """Limit, measure and style a projected graph (the graph given is not changed)."""
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise NetworkError("limit", f"expected a whole number from 1 to {MAX_LIMIT}, got {limit}")
    shown, cut = limit_graph(graph, limit, keep=[center] if center else [], leaf_kind=leaf_kind)
    shown = shown.copy() if shown is graph else shown
    metrics = add_metrics(shown)
    legend = style(shown, size_by=size_by, colour_by=colour_by, colours=colours, language=language)
    return NetworkView(
        projection=projection,
        graph=shown,
        metrics=metrics,
        cut=cut,
        legend=legend,
        language=language,
        filters=dict(filters or {}),
        center=center,
        depth=depth,
    )


def data_view(
    data: NetworkData,
    projection_name: str,
    *,
    network_filter: NetworkFilter | None = None,
    size_by: SizeBy = "degree",
    colour_by: ColourBy = "kind",
    limit: int | None = DEFAULT_LIMIT,
    language: Language = "nl",
    center: str | None = None,
    depth: int | None = None,
) -> NetworkView:
    """A view of the stored graph: project, filter, optionally take an ego network, then style.

    Raises :class:`KeyError` for an unknown projection, :class:`UnknownEntityError` for a centre
    that is not in the projection, :class:`NetworkError` for a bad value.
    """
    projection = projection_named(projection_name)
    chosen = network_filter or NetworkFilter()
    graph = project(data, projection, chosen, language)
    if center is not None:
        graph = ego_network(graph, center, depth or 1)
    return build_view(
        graph,
        projection=projection.name,
        colours=kind_colours(data.organisation_kinds),
        size_by=size_by,
        colour_by=colour_by,
        limit=limit,
        language=language,
        filters=chosen.as_dict(),
        center=center,
        depth=depth if center is not None else None,
        leaf_kind=projection.leaf_kind,
    )


# ------------------------------------------------------------------ formats

NODE_FIELDS = (
    "label",
    "kind",
    "kind_label",
    "organisation_kind",
    "degree",
    "strength",
    "betweenness",
    "community",
    "size",
    "color",
)


def graph_summary(view: NetworkView) -> dict[str, Any]:
    """Graph-level facts of a view: metrics, what was cut, the request that made it."""
    return {
        "projection": view.projection,
        "language": view.language,
        "filters": dict(view.filters),
        "center": view.center,
        "depth": view.depth,
        **view.metrics.as_dict(),
        "cut": view.cut.as_dict(),
    }


def to_json(view: NetworkView) -> dict[str, Any]:
    """Nodes (id, label, kind, metrics, style), links with weight, graph metrics, legend."""
    nodes = [
        {"id": node, **{name: attributes[name] for name in NODE_FIELDS}}
        for node, attributes in sorted(view.graph.nodes(data=True))
    ]
    links = [
        {"source": a, "target": b, "weight": d["weight"], "relations": d["relations"]}
        for a, b, d in sorted(view.graph.edges(data=True))
    ]
    legend = [
        {"key": e.key, "label": e.label, "color": e.colour, "count": e.count} for e in view.legend
    ]
    return {"graph": graph_summary(view), "nodes": nodes, "links": links, "legend": legend}


def _exchange_graph(view: NetworkView) -> nx.Graph:
    """A copy with only GraphML/GEXF-safe attribute values (str, int, float, bool)."""
    graph = nx.Graph()
    summary = graph_summary(view)
    for key, value in summary.items():
        if isinstance(value, str | int | float | bool):
            graph.graph[key] = value
    for key, value in summary["cut"].items():
        if isinstance(value, int):
            graph.graph[f"cut_{key}"] = value
    for key, value in summary["filters"].items():
        graph.graph[f"filter_{key}"] = value
    for node, attributes in view.graph.nodes(data=True):
        graph.add_node(node, **{name: attributes[name] for name in NODE_FIELDS})
    for a, b, attributes in view.graph.edges(data=True):
        graph.add_edge(a, b, weight=int(attributes["weight"]), relations=attributes["relations"])
    return graph


def to_graphml(view: NetworkView) -> bytes:
    """The view as GraphML (nodes keyed by IRI, metrics and style as typed attributes)."""
    buffer = io.BytesIO()
    nx.write_graphml(_exchange_graph(view), buffer, encoding="utf-8")
    return buffer.getvalue()


def to_gexf(view: NetworkView) -> bytes:
    """The view as GEXF 1.2, with colour and size also as GEXF ``viz`` (Gephi shows them)."""
    graph = _exchange_graph(view)
    for _, attributes in graph.nodes(data=True):
        red, green, blue = _rgb(str(attributes["color"]))
        attributes["viz"] = {
            "color": {"r": red, "g": green, "b": blue, "a": 1.0},
            "size": float(attributes["size"]),
        }
    buffer = io.BytesIO()
    nx.write_gexf(graph, buffer, encoding="utf-8")
    return buffer.getvalue()


def _rgb(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def vis_options(node_count: int) -> dict[str, Any]:
    """vis-network options: stabilise once (seeded), then the page switches physics off.

    Large views get Barnes–Hut with a coarser approximation (``theta`` 1.0), fewer iterations
    the more nodes there are, straight edges and no initial layout pass (vis-network's
    "improved layout" is slow past a few hundred nodes). Measured in headless Chromium on two
    busy cores, 2,000 nodes: 300 iterations at theta 0.5 took 33–37 s, 150 at theta 1.0 8–9 s;
    the bundled 149-node view took 3.4 s with the improved layout and 1.7 s without.
    """
    large = node_count > LARGE_VIEW
    iterations = max(100, min(400, 300_000 // max(node_count, 1))) if large else 800
    return {
        "autoResize": True,
        "layout": {"randomSeed": SEED, "improvedLayout": node_count <= IMPROVED_LAYOUT_LIMIT},
        "physics": {
            "enabled": True,
            "solver": "barnesHut" if large else "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -60,
                "centralGravity": 0.01,
                "springLength": 110,
                "springConstant": 0.08,
                "damping": 0.6,
                "avoidOverlap": 0.4,
            },
            "barnesHut": {
                "theta": 1.0,
                "gravitationalConstant": -5000,
                "centralGravity": 0.3,
                "springLength": 140,
                "springConstant": 0.04,
                "damping": 0.5,
                "avoidOverlap": 0.1,
            },
            "minVelocity": 1.0,
            "stabilization": {
                "enabled": True,
                "iterations": iterations,
                "updateInterval": 25,
                "fit": True,
            },
        },
        "nodes": {"shape": "dot", "borderWidth": 1, "font": {"size": 12 if large else 14}},
        "edges": {
            "smooth": False if large else {"enabled": True, "type": "continuous"},
            "color": {"color": "#aab4c3", "highlight": "#0b5cad", "hover": "#0b5cad"},
            "scaling": {"min": 1, "max": 8},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
        },
    }


def tooltip(attributes: Mapping[str, Any], language: Language) -> str:
    """A node's tooltip as plain text (vis-network shows a string title as text, not HTML)."""
    words = KIND_WORDS[language]
    return "\n".join(
        (
            str(attributes["label"]),
            str(attributes["kind_label"]),
            f"{words['degree']}: {attributes['degree']}",
            f"{words['betweenness']}: {attributes['betweenness']:.3f}",
        )
    )


def short_label(label: str, limit: int = 40) -> str:
    """A label short enough to draw next to a node (the tooltip has the whole)."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def to_pyvis(view: NetworkView, href: Callable[[str], str | None] | None = None) -> Network:
    """A pyvis network with nodes, edges and options set directly (``add_edge`` is quadratic)."""
    net = Network(height="100%", width="100%", directed=False, cdn_resources="in_line")
    nodes: list[dict[str, Any]] = []
    for node, attributes in sorted(view.graph.nodes(data=True)):
        record: dict[str, Any] = {
            "id": node,
            "label": short_label(str(attributes["label"])),
            "title": tooltip(attributes, view.language),
            "color": attributes["color"],
            "size": attributes["size"],
            "shape": "dot",
            "kind": attributes["kind"],
            "search": f"{attributes['label']} {node}".casefold(),
        }
        link = href(node) if href else None
        if link:
            record["href"] = link
        if node == view.center:
            record["borderWidth"] = 4
        nodes.append(record)
    words = KIND_WORDS[view.language]
    edges = [
        {
            "from": a,
            "to": b,
            "value": attributes["weight"],
            "title": f"{attributes['relations']} ({words['weight']} {attributes['weight']})",
        }
        for a, b, attributes in sorted(view.graph.edges(data=True))
    ]
    net.nodes = nodes
    net.edges = edges
    net.node_ids = [n["id"] for n in nodes]
    net.node_map = {n["id"]: n for n in nodes}
    net.options = vis_options(len(nodes))
    return net


def pyvis_payload(net: Network) -> dict[str, Any]:
    """What a page hands to vis-network: nodes, edges and options, from pyvis's own data."""
    nodes, edges, _, _, _, options = net.get_network_data()
    return {"nodes": nodes, "edges": edges, "options": json.loads(options)}


def synthetic_graph(nodes: int, *, seed: int = SEED) -> nx.Graph:
    """A projected-looking graph of ``nodes`` agents, for measuring views at browser scale.

    Organisations of a few kinds wired like a collaboration network (a few hubs, many small
    partners); only for measurements and tests, never mixed with real data.
    """
    generated = nx.barabasi_albert_graph(nodes, 2, seed=seed)
    graph = nx.Graph(projection="synthetic")
    kinds = [f"https://example.org/kind/{name}" for name in ("ministry", "council", "company")]
    for index in generated.nodes:
        kind = kinds[index % len(kinds)]
        graph.add_node(
            f"https://example.org/organisation/{index}",
            label=f"Organisatie {index}",
            kind="organisation",
            kind_key=kind,
            kind_label=fallback_label(kind),
            organisation_kind=kind,
        )
    for a, b in generated.edges:
        graph.add_edge(
            f"https://example.org/organisation/{a}",
            f"https://example.org/organisation/{b}",
            weight=1 + (a + b) % 3,
            relations="co-commitment",
        )
    return graph


def organisation_kinds_of(graph: nx.Graph) -> list[str]:
    """The organisation kinds a graph's nodes have (for :func:`kind_colours`)."""
    return sorted({k for _, k in graph.nodes(data="organisation_kind") if k})
