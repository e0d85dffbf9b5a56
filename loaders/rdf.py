"""Checked records + letters → RDF: one named graph per source letter, one for shared records.

Every quote is anchored in its letter here (a quote that cannot be found is an error, not a
warning), every due phrase parsed against its letter's date, every amount parsed to euros.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from pactgraph.loaders.amounts import AmountError, parse_amount
from pactgraph.loaders.anchor import AnchorError, KeyedText, comparison_key, find_quote
from pactgraph.loaders.dates import DatePhraseError, DueInterval, parse_due
from pactgraph.loaders.records import Problem, Record, RecordsError, RecordSet
from pactgraph.ontology.namespace import (
    BIBO,
    GRAPH_IRI,
    ID_IRI,
    KIND,
    OA,
    PACT,
    ROLE,
    SCHEMA,
    STATUS,
    TIME,
)
from rdflib import RDF, SKOS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV

RECORDS_GRAPH = URIRef(GRAPH_IRI + "records")
KIND_PATHS = {
    "documents": "document",
    "organisations": "organisation",
    "people": "person",
    "programmes": "programme",
    "funds": "fund",
    "actions": "action",
    "schemes": "scheme",
    "concepts": "concept",
    "commitments": "commitment",
}
DOCUMENT_CLASSES = {
    "letter": BIBO.Letter,
    "report": BIBO.Report,
    "pact": BIBO.LegalDocument,
    "motion": BIBO.Document,
    "other": BIBO.Document,
}


def iri(kind: str, record_id: str) -> URIRef:
    """The IRI of a record: ``<base>id/<kind>/<id>``."""
    return URIRef(f"{ID_IRI}{KIND_PATHS.get(kind, kind)}/{record_id}")


def document_graph(document_id: str) -> URIRef:
    """The named graph holding a letter and what was drawn from it."""
    return URIRef(f"{GRAPH_IRI}document/{document_id}")


@dataclass
class Letter:
    """A shipped letter: its document id, its date and its original text."""

    document_id: str
    file_name: str
    written_on: date | None
    text: str
    _keyed: KeyedText | None = field(default=None, repr=False)

    @property
    def keyed(self) -> KeyedText:
        if self._keyed is None:
            self._keyed = KeyedText.of(self.text)
        return self._keyed


def document_date(value: Any) -> tuple[Literal, date]:  # noqa: ANN401 - YAML gives date or str
    """A document date as an RDF literal of the right precision, and a day to read phrases by."""
    if isinstance(value, date):
        return Literal(value, datatype=XSD.date), value
    parts = [int(p) for p in str(value).split("-")]
    if len(parts) == 3:
        day = date(*parts)
        return Literal(day, datatype=XSD.date), day
    if len(parts) == 2:
        return Literal(f"{parts[0]:04d}-{parts[1]:02d}", datatype=XSD.gYearMonth), date(
            parts[0], parts[1], 1
        )
    return Literal(f"{parts[0]:04d}", datatype=XSD.gYear), date(parts[0], 1, 1)


class _Builder:
    """Accumulates triples and problems while walking the record set once."""

    def __init__(self, records: RecordSet, letters: Mapping[str, Letter]) -> None:
        self.records = records
        self.letters = letters
        self.dataset = Dataset()
        self.problems: list[Problem] = []
        self.shared = self.dataset.graph(RECORDS_GRAPH)

    # ---------------------------------------------------------------- helpers
    def problem(self, record: Record, field_name: str, message: str) -> None:
        self.problems.append(
            Problem(record.file, record.field_line(field_name), record.label(), message)
        )

    def graph_of(self, document_id: str) -> Graph:
        return self.dataset.graph(document_graph(document_id))

    def labels(self, graph: Graph, subject: URIRef, record: Record, name: str = "label") -> None:
        graph.add((subject, SKOS.prefLabel, Literal(record.text(name), lang="nl")))
        if record.text("label_en"):
            graph.add((subject, SKOS.prefLabel, Literal(record.text("label_en"), lang="en")))
        for alt in record.optional("alt") or []:
            graph.add((subject, SKOS.altLabel, Literal(alt)))

    def passage(
        self, graph: Graph, node: URIRef, source: Mapping[str, Any], record: Record, field_name: str
    ) -> bool:
        """Anchor a quote and describe it as an ``oa:SpecificResource`` at ``node``."""
        letter = self.letters[source["document"]]
        try:
            anchor = find_quote(letter.keyed, source["quote"])
        except AnchorError as error:
            self.problem(record, field_name, f"{letter.file_name}: {error}")
            return False
        quote_selector = URIRef(f"{node}-quote")
        position_selector = URIRef(f"{node}-position")
        graph.add((node, RDF.type, OA.SpecificResource))
        graph.add((node, OA.hasSource, iri("documents", letter.document_id)))
        graph.add((node, PACT.quote, Literal(" ".join(source["quote"].split()))))
        graph.add((node, OA.hasSelector, quote_selector))
        graph.add((node, OA.hasSelector, position_selector))
        graph.add((quote_selector, RDF.type, OA.TextQuoteSelector))
        graph.add((quote_selector, OA.exact, Literal(anchor.exact)))
        graph.add((quote_selector, OA.prefix, Literal(anchor.prefix)))
        graph.add((quote_selector, OA.suffix, Literal(anchor.suffix)))
        graph.add((position_selector, RDF.type, OA.TextPositionSelector))
        graph.add(
            (position_selector, OA.start, Literal(anchor.start, datatype=XSD.nonNegativeInteger))
        )
        graph.add((position_selector, OA.end, Literal(anchor.end, datatype=XSD.nonNegativeInteger)))
        return True

    def sourced(
        self, graph: Graph, subject: URIRef, record: Record, suffix: str = "source"
    ) -> None:
        source = record.optional("source")
        if isinstance(source, Mapping):
            node = URIRef(f"{subject}#{suffix}")
            if self.passage(graph, node, source, record, "source"):
                graph.add((subject, PROV.wasDerivedFrom, node))

    def interval(self, graph: Graph, node: URIRef, start: date | None, end: date | None) -> None:
        graph.add((node, RDF.type, TIME.ProperInterval if start and end else TIME.Interval))
        for edge, day in ((TIME.hasBeginning, start), (TIME.hasEnd, end)):
            if day is None:
                continue
            instant = URIRef(f"{node}-{'start' if edge == TIME.hasBeginning else 'end'}")
            graph.add((node, edge, instant))
            graph.add((instant, RDF.type, TIME.Instant))
            graph.add((instant, TIME.inXSDDate, Literal(day, datatype=XSD.date)))

    def money(self, graph: Graph, owner: URIRef, record: Record) -> None:
        phrase = record.text("amount")
        if not phrase:
            return
        try:
            amount = parse_amount(phrase)
        except AmountError as error:
            self.problem(record, "amount", str(error))
            return
        if amount.euros <= 0:
            self.problem(record, "amount", f"amount {phrase!r} must be a positive sum of euros")
            return
        node = URIRef(f"{owner}#amount")
        graph.add((owner, PACT.amount, node))
        graph.add((node, RDF.type, SCHEMA.MonetaryAmount))
        graph.add((node, SCHEMA.value, Literal(amount.euros, datatype=XSD.decimal)))
        graph.add((node, SCHEMA.currency, Literal("EUR")))
        graph.add((node, PACT.perYear, Literal(amount.per_year)))
        graph.add((node, PACT.amountPhrase, Literal(phrase, lang="nl")))

    def phrase_interval(
        self, record: Record, field_name: str, written_on: date | None
    ) -> DueInterval | None:
        try:
            return parse_due(record.text(field_name), written_on)
        except DatePhraseError as error:
            self.problem(record, field_name, str(error))
            return None

    # ---------------------------------------------------------------- kinds
    def documents(self) -> None:
        for record in self.records.of("documents"):
            subject = iri("documents", record.id)
            graph = self.graph_of(record.id) if record.text("file") else self.shared
            graph.add((subject, RDF.type, FOAF.Document))
            graph.add((subject, RDF.type, PROV.Entity))
            graph.add((subject, RDF.type, DOCUMENT_CLASSES[record.text("type")]))
            graph.add((subject, DCTERMS.identifier, Literal(record.text("identifier"))))
            graph.add((subject, DCTERMS.title, Literal(record.text("title"), lang="nl")))
            graph.add((subject, SKOS.prefLabel, Literal(record.text("title"), lang="nl")))
            if record.optional("date") is not None:
                graph.add((subject, DCTERMS.date, document_date(record.optional("date"))[0]))
            for person in record.ids("creators"):
                graph.add((subject, DCTERMS.creator, iri("people", person)))
            for ministry in record.ids("ministries"):
                graph.add((subject, PROV.wasAttributedTo, iri("organisations", ministry)))
            for cited in record.ids("references"):
                graph.add((subject, DCTERMS.references, iri("documents", cited)))
            if record.text("same_as_note"):
                graph.add((subject, SKOS.note, Literal(record.text("same_as_note"), lang="nl")))
            letter = self.letters.get(record.id)
            if letter is not None:
                graph.add((subject, PACT.originalText, Literal(letter.text)))
                graph.add((subject, DCTERMS.format, Literal("text/plain")))
                graph.add((subject, DCTERMS.language, Literal("nl")))
                graph.add((subject, DCTERMS.source, Literal(letter.file_name)))

    def organisations(self) -> None:
        g = self.shared
        for record in self.records.of("organisations"):
            subject = iri("organisations", record.id)
            kind = record.text("kind")
            g.add((subject, RDF.type, ORG.Organization))
            if kind == "pact":
                g.add((subject, RDF.type, PACT.Pact))
                g.add((subject, RDF.type, ORG.OrganizationalCollaboration))
            elif kind == "landsdeel":
                g.add((subject, RDF.type, PACT.Landsdeel))
                g.add((subject, RDF.type, ORG.OrganizationalCollaboration))
            else:
                g.add((subject, RDF.type, ORG.FormalOrganization))
            g.add((subject, PACT.organisationKind, KIND[kind]))
            self.labels(g, subject, record)
            for name, predicate in (
                ("part_of", ORG.subOrganizationOf),
                ("replaced_by", DCTERMS.isReplacedBy),
                ("landsdeel", PACT.landsdeel),
            ):
                for target in record.ids(name):
                    g.add((subject, predicate, iri("organisations", target)))
            self.sourced(g, subject, record)

    def memberships(self) -> None:
        g = self.shared
        pact = self._the_pact()
        for group in self.records.of("signatories"):
            since = document_date(group.optional("date"))[1]
            for member in group.ids("members"):
                node = URIRef(f"{ID_IRI}membership/{member}-signatory")
                self._membership(
                    g, node, iri("organisations", member), pact, ROLE.signatory, since, None
                )
                self.sourced(g, node, group)
        for person in self.records.of("people"):
            subject = iri("people", person.id)
            g.add((subject, RDF.type, FOAF.Person))
            g.add((subject, FOAF.name, Literal(person.text("name"))))
            g.add((subject, SKOS.prefLabel, Literal(person.text("name"), lang="nl")))
            self.sourced(g, subject, person)
            for number, role in enumerate(person.optional("roles") or [], start=1):
                node = URIRef(
                    f"{ID_IRI}membership/{person.id}-{role['role']}-{role['of']}-{number}"
                )
                start = document_date(role["start"])[1] if "start" in role else None
                end = document_date(role["end"])[1] if "end" in role else None
                if start and end and start > end:
                    self.problem(
                        person,
                        "roles",
                        f"role {role['role']!r} ends ({end}) before it starts ({start})",
                    )
                self._membership(
                    g,
                    node,
                    subject,
                    iri("organisations", role["of"]),
                    ROLE[role["role"]],
                    start,
                    end,
                )
                if isinstance(role.get("source"), Mapping):
                    source_node = URIRef(f"{node}#source")
                    if self.passage(g, source_node, role["source"], person, "roles"):
                        g.add((node, PROV.wasDerivedFrom, source_node))

    def _the_pact(self) -> URIRef:
        pacts = [r for r in self.records.of("organisations") if r.text("kind") == "pact"]
        return iri("organisations", pacts[0].id) if pacts else iri("organisations", "pact")

    def _membership(
        self,
        g: Graph,
        node: URIRef,
        member: URIRef,
        organisation: URIRef,
        role: URIRef,
        start: date | None,
        end: date | None,
    ) -> None:
        g.add((node, RDF.type, ORG.Membership))
        g.add((node, ORG.member, member))
        g.add((node, ORG.organization, organisation))
        g.add((node, ORG.role, role))
        if start or end:
            during = URIRef(f"{node}#during")
            g.add((node, ORG.memberDuring, during))
            self.interval(g, during, start, end)

    def programmes_and_funds(self) -> None:
        g = self.shared
        for record in self.records.of("programmes"):
            subject = iri("programmes", record.id)
            g.add((subject, RDF.type, SCHEMA.Project))
            self.labels(g, subject, record)
            for runner in record.ids("run_by"):
                g.add((subject, PACT.runBy, iri("organisations", runner)))
            for funder in record.ids("funded_by"):
                g.add((subject, SCHEMA.funder, self._agent(funder)))
            self.sourced(g, subject, record)
        for record in self.records.of("funds"):
            subject = iri("funds", record.id)
            g.add((subject, RDF.type, SCHEMA.FundingScheme))
            self.labels(g, subject, record)
            for funder in record.ids("funder"):
                g.add((subject, SCHEMA.funder, self._agent(funder)))
            written_on = self._source_date(record)
            self.money(g, subject, record)
            if record.text("period"):
                period = self.phrase_interval(record, "period", written_on)
                if period is not None:
                    node = URIRef(f"{subject}#period")
                    g.add((subject, PACT.period, node))
                    g.add((subject, PACT.periodPhrase, Literal(record.text("period"), lang="nl")))
                    self.interval(g, node, period.start, period.end)
            self.sourced(g, subject, record)

    def _agent(self, agent_id: str) -> URIRef:
        kind = "people" if self.records.get("people", agent_id) else "organisations"
        return iri(kind, agent_id)

    def _source_date(self, record: Record) -> date | None:
        source = record.optional("source")
        if isinstance(source, Mapping) and source.get("document") in self.letters:
            return self.letters[source["document"]].written_on
        return None

    def concepts(self) -> None:
        g = self.shared
        for record in self.records.of("schemes"):
            subject = iri("schemes", record.id)
            g.add((subject, RDF.type, SKOS.ConceptScheme))
            self.labels(g, subject, record)
            g.add(
                (
                    subject,
                    PACT.edition,
                    Literal(str(record.optional("edition")), datatype=XSD.gYear),
                )
            )
            for successor in record.ids("replaced_by"):
                g.add((subject, DCTERMS.isReplacedBy, iri("schemes", successor)))
                g.add((iri("schemes", successor), DCTERMS.replaces, subject))
            if record.text("note"):
                g.add((subject, SKOS.scopeNote, Literal(record.text("note"), lang="nl")))
            self.sourced(g, subject, record)
        for record in self.records.of("concepts"):
            subject = iri("concepts", record.id)
            g.add((subject, RDF.type, SKOS.Concept))
            g.add((subject, SKOS.inScheme, iri("schemes", record.text("scheme"))))
            g.add((subject, SKOS.topConceptOf, iri("schemes", record.text("scheme"))))
            self.labels(g, subject, record)
            if record.text("definition"):
                g.add((subject, SKOS.definition, Literal(record.text("definition"), lang="nl")))
            for match in record.ids("close_match"):
                g.add((subject, SKOS.closeMatch, iri("concepts", match)))
            self.sourced(g, subject, record)
        for record in self.records.of("actions"):
            subject = iri("actions", record.id)
            g.add((subject, RDF.type, PACT.Action))
            self.labels(g, subject, record)
            for line in record.ids("action_line"):
                g.add((subject, PACT.actionLine, iri("concepts", line)))
            self.sourced(g, subject, record)

    def commitments(self) -> None:
        reports = {r.text("commitment"): r for r in self.records.of("status_reports")}
        for record in self.records.of("commitments"):
            source = record.data["source"]
            letter = self.letters[source["document"]]
            g = self.graph_of(letter.document_id)
            subject = iri("commitments", record.id)
            g.add((subject, RDF.type, PACT.Commitment))
            g.add((subject, SKOS.prefLabel, Literal(record.text("label"), lang="nl")))
            g.add((subject, PACT.owner, self._agent(record.text("owner"))))
            for partner in record.ids("partners"):
                g.add((subject, PACT.partner, self._agent(partner)))
            for name, predicate, kind in (
                ("action_line", PACT.actionLine, "concepts"),
                ("action", PACT.action, "actions"),
                ("programmes", PACT.programme, "programmes"),
                ("fund", PACT.fund, "funds"),
                ("landsdelen", PACT.landsdeel, "organisations"),
            ):
                for target in record.ids(name):
                    g.add((subject, predicate, iri(kind, target)))
            self.sourced(g, subject, record)
            self._due(g, subject, record, letter)
            self.money(g, subject, record)
            target = record.optional("target")
            if isinstance(target, Mapping):
                node = URIRef(f"{subject}#target")
                g.add((subject, PACT.target, node))
                g.add((node, RDF.type, SCHEMA.QuantitativeValue))
                g.add(
                    (
                        node,
                        SCHEMA.value,
                        Literal(Decimal(str(target["value"])), datatype=XSD.decimal),
                    )
                )
                g.add((node, SCHEMA.unitText, Literal(target["unit"], lang="nl")))
            status = record.optional("status")
            report = reports.get(record.id)
            if isinstance(status, Mapping):
                self._status(g, subject, record, status["value"], status["source"], "status")
            elif report is not None:
                self._status(
                    g, subject, report, report.text("value"), report.data["source"], "source"
                )

    def _due(self, g: Graph, subject: URIRef, record: Record, letter: Letter) -> None:
        phrase = record.text("due")
        due_quote = record.text("due_quote")
        in_quote = (
            comparison_key(phrase).lower() in comparison_key(record.data["source"]["quote"]).lower()
        )
        if due_quote:
            node = URIRef(f"{subject}#due-source")
            evidence = {"document": letter.document_id, "quote": due_quote}
            if self.passage(g, node, evidence, record, "due_quote"):
                g.add((subject, PACT.dueEvidence, node))
            in_quote = (
                in_quote or comparison_key(phrase).lower() in comparison_key(due_quote).lower()
            )
        if not in_quote:
            self.problem(
                record,
                "due",
                f"due phrase {phrase!r} does not occur in the quote"
                + (
                    " or the due_quote"
                    if due_quote
                    else "; quote the passage that states it"
                    " (or add a due_quote from the same letter)"
                ),
            )
        interval = self.phrase_interval(record, "due", letter.written_on)
        if interval is None:
            return
        node = URIRef(f"{subject}#due")
        g.add((subject, PACT.duePhrase, Literal(phrase, lang="nl")))
        g.add((subject, PACT.due, node))
        self.interval(g, node, interval.start, interval.end)

    def _status(
        self,
        g: Graph,
        subject: URIRef,
        record: Record,
        value: str,
        source: Mapping[str, Any],
        field_name: str,
    ) -> None:
        g.add((subject, PACT.status, STATUS[value]))
        node = URIRef(f"{subject}#status")
        if self.passage(g, node, source, record, field_name):
            g.add((subject, PACT.statusEvidence, node))


def records_to_rdf(records: RecordSet, letters: Mapping[str, Letter]) -> Dataset:
    """The dataset for ``records`` and ``letters``; :class:`RecordsError` lists every problem."""
    builder = _Builder(records, letters)
    builder.documents()
    builder.organisations()
    builder.memberships()
    builder.programmes_and_funds()
    builder.concepts()
    builder.commitments()
    if builder.problems:
        raise RecordsError(builder.problems)
    return builder.dataset


def iter_letters(records: RecordSet, read: Mapping[str, str]) -> Iterator[Letter]:
    """Letters for every document record with a ``file``, texts taken from ``read`` by file name."""
    for record in records.of("documents"):
        file_name = record.text("file")
        if not file_name:
            continue
        written = record.optional("date")
        day = document_date(written)[1] if written is not None else None
        yield Letter(record.id, file_name, day, read[file_name])
