"""Curated records (YAML) → checked, typed records, with every problem named by file and line.

Reading is in two passes: each file's records are checked against the field table below (known
fields, required fields, types), then every reference between records is resolved. All problems
are collected and reported together, so a curator fixes a batch in one go.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib.resources.abc import Traversable
from typing import Any

from pactgraph.loaders.yamlfile import LineDict, YamlSyntaxError, load_yaml

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

KINDS = (
    "documents",
    "organisations",
    "signatories",
    "people",
    "programmes",
    "funds",
    "actions",
    "schemes",
    "concepts",
    "commitments",
    "status_reports",
)
STATUSES = ("open", "ongoing", "met", "not-met", "superseded")
DOCUMENT_TYPES = ("letter", "report", "pact", "motion", "other")
ORGANISATION_KINDS = (
    "pact",
    "landsdeel",
    "ministry",
    "government",
    "education-council",
    "union",
    "employers-organisation",
    "student-organisation",
    "social-partners",
    "steering-body",
    "expertise-centre",
    "government-agency",
    "topsector",
    "sector-organisation",
    "education-institution",
    "research-institute",
    "company",
    "regional-partnership",
    "foundation",
    "other",
)
ROLES = (
    "signatory",
    "aanjager",
    "ambassadeur",
    "minister",
    "staatssecretaris",
    "voorzitter",
    "lid",
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the records, located so a person can go and fix it."""

    file: str
    line: int
    record: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.record}: {self.message}" if self.record else f"{where}: {self.message}"
        )


class RecordsError(ValueError):
    """The records cannot be built; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = len(problems)
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the records:\n{lines}")


@dataclass
class Record:
    """A record of one kind, its fields as written, and where it was written."""

    kind: str
    data: LineDict
    file: str

    @property
    def line(self) -> int:
        return self.data.line

    @property
    def id(self) -> str:
        value = self.data.get("id")
        return value if isinstance(value, str) else f"#{self.line}"

    def label(self) -> str:
        """How problems name this record: its kind and id."""
        return f"{self.kind[:-1] if self.kind.endswith('s') else self.kind} {self.id!r}"

    def text(self, name: str) -> str:
        value = self.data.get(name)
        return value if isinstance(value, str) else ""

    def optional(self, name: str) -> Any:  # noqa: ANN401 - field values are checked by the table
        return self.data.get(name)

    def ids(self, name: str) -> list[str]:
        value = self.data.get(name)
        if value is None:
            return []
        return [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]

    def field_line(self, name: str) -> int:
        return self.data.key_lines.get(name, self.line)


# ------------------------------------------------------------------ field checks

Check = Callable[[Any], str | None]
"""Returns None when a value is acceptable, else what was expected."""


def _text(value: Any) -> str | None:  # noqa: ANN401
    return None if isinstance(value, str) and value.strip() else "a non-empty text"


def _slug(value: Any) -> str | None:  # noqa: ANN401
    if isinstance(value, str) and SLUG.match(value):
        return None
    return "an id of lowercase letters, digits and single hyphens (e.g. 'mbo-raad')"


def _slugs(value: Any) -> str | None:  # noqa: ANN401
    if isinstance(value, str):
        return _slug(value)
    if isinstance(value, list) and all(_slug(v) is None for v in value):
        return None
    return "an id or a list of ids"


def _texts(value: Any) -> str | None:  # noqa: ANN401
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return None
    return "a list of texts"


def _date(value: Any) -> str | None:  # noqa: ANN401
    if isinstance(value, date):
        return None
    if isinstance(value, str) and re.fullmatch(r"\d{4}(-\d{2}){0,2}", value):
        return None
    return "a date written YYYY-MM-DD (or YYYY-MM, YYYY for documents)"


def _one_of(*allowed: str) -> Check:
    def check(value: Any) -> str | None:  # noqa: ANN401
        return None if value in allowed else "one of " + ", ".join(allowed)

    return check


def _source(value: Any) -> str | None:  # noqa: ANN401
    if not isinstance(value, Mapping):
        return "a mapping with 'document' and 'quote'"
    extra = set(value) - {"document", "quote"}
    if extra:
        return f"only 'document' and 'quote' (not {', '.join(sorted(extra))})"
    if _slug(value.get("document")) or _text(value.get("quote")):
        return "a mapping with 'document' (an id) and 'quote' (the passage, verbatim)"
    return None


def _status(value: Any) -> str | None:  # noqa: ANN401
    if not isinstance(value, Mapping) or value.get("value") not in STATUSES:
        return f"a mapping with 'value' (one of {', '.join(STATUSES)}) and 'source'"
    if set(value) - {"value", "source"}:
        return "only 'value' and 'source'"
    return _source(value.get("source"))


def _target(value: Any) -> str | None:  # noqa: ANN401
    if not isinstance(value, Mapping) or set(value) - {"value", "unit"}:
        return "a mapping with 'value' (a positive number) and 'unit' (text)"
    number = value.get("value")
    if isinstance(number, bool) or not isinstance(number, int | float) or number <= 0:
        return "a target 'value' that is a positive number"
    return _text(value.get("unit"))


def _roles(value: Any) -> str | None:  # noqa: ANN401
    if not isinstance(value, list):
        return "a list of roles"
    for role in value:
        if not isinstance(role, Mapping) or role.get("role") not in ROLES:
            return (
                f"roles with 'role' (one of {', '.join(ROLES)}), 'of', "
                "optional 'start', 'end', 'source'"
            )
        if set(role) - {"role", "of", "start", "end", "source"} or _slug(role.get("of")):
            return "roles with only 'role', 'of' (an id), 'start', 'end' and 'source'"
        for bound in ("start", "end"):
            if bound in role and _date(role[bound]):
                return f"a role {bound} written YYYY-MM-DD"
        if "source" in role and _source(role["source"]):
            return "a role source with 'document' and 'quote'"
    return None


def _edition(value: Any) -> str | None:  # noqa: ANN401
    return None if isinstance(value, int) and 1900 < value < 2200 else "a year, e.g. 2013"


Fields = Mapping[str, tuple[Check, bool]]

FIELDS: Mapping[str, Fields] = {
    "documents": {
        "id": (_slug, True),
        "file": (_text, False),
        "identifier": (_text, True),
        "date": (_date, False),
        "date_precision": (_one_of("day", "month", "year"), False),
        "title": (_text, True),
        "type": (_one_of(*DOCUMENT_TYPES), True),
        "creators": (_slugs, False),
        "ministries": (_slugs, False),
        "references": (_slugs, False),
        "same_as_note": (_text, False),
    },
    "organisations": {
        "id": (_slug, True),
        "label": (_text, True),
        "label_en": (_text, False),
        "alt": (_texts, False),
        "kind": (_one_of(*ORGANISATION_KINDS), True),
        "landsdeel": (_slug, False),
        "part_of": (_slug, False),
        "replaced_by": (_slug, False),
        "source": (_source, False),
    },
    "signatories": {
        "date": (_date, True),
        "source": (_source, True),
        "members": (_slugs, True),
    },
    "people": {
        "id": (_slug, True),
        "name": (_text, True),
        "roles": (_roles, False),
        "source": (_source, False),
    },
    "programmes": {
        "id": (_slug, True),
        "label": (_text, True),
        "label_en": (_text, False),
        "alt": (_texts, False),
        "run_by": (_slugs, False),
        "funded_by": (_slugs, False),
        "source": (_source, False),
    },
    "funds": {
        "id": (_slug, True),
        "label": (_text, True),
        "label_en": (_text, False),
        "alt": (_texts, False),
        "funder": (_slug, False),
        "amount": (_text, False),
        "period": (_text, False),
        "source": (_source, False),
    },
    "actions": {
        "id": (_slug, True),
        "label": (_text, True),
        "action_line": (_slug, False),
        "source": (_source, True),
    },
    "schemes": {
        "id": (_slug, True),
        "label": (_text, True),
        "label_en": (_text, False),
        "edition": (_edition, True),
        "replaced_by": (_slug, False),
        "note": (_text, False),
        "source": (_source, False),
    },
    "concepts": {
        "id": (_slug, True),
        "scheme": (_slug, True),
        "label": (_text, True),
        "label_en": (_text, False),
        "definition": (_text, False),
        "close_match": (_slugs, False),
        "source": (_source, False),
    },
    "commitments": {
        "id": (_slug, True),
        "label": (_text, True),
        "owner": (_slug, True),
        "partners": (_slugs, False),
        "due": (_text, True),
        "due_quote": (_text, False),
        "action_line": (_slug, False),
        "action": (_slug, False),
        "programmes": (_slugs, False),
        "fund": (_slug, False),
        "landsdelen": (_slugs, False),
        "amount": (_text, False),
        "target": (_target, False),
        "source": (_source, True),
        "status": (_status, False),
    },
    "status_reports": {
        "commitment": (_slug, True),
        "value": (_one_of(*STATUSES), True),
        "source": (_source, True),
    },
}


# ------------------------------------------------------------------ the record set


@dataclass
class RecordSet:
    """All records of a dataset, by kind, with ids resolved."""

    by_kind: dict[str, list[Record]] = field(default_factory=lambda: {k: [] for k in KINDS})
    index: dict[str, dict[str, Record]] = field(default_factory=dict)

    def of(self, kind: str) -> list[Record]:
        return self.by_kind[kind]

    def get(self, kind: str, record_id: str) -> Record | None:
        return self.index.get(kind, {}).get(record_id)

    def agents(self) -> dict[str, Record]:
        """Organisations and people by id: who can own or partner in a commitment."""
        return {**self.index.get("organisations", {}), **self.index.get("people", {})}


def read_records(files: Iterable[Traversable]) -> RecordSet:
    """Read and check every records file; raise :class:`RecordsError` listing all problems."""
    records = RecordSet()
    problems: list[Problem] = []
    for file in sorted(files, key=lambda f: f.name):
        problems.extend(_read_file(file, records))
    problems.extend(_index(records))
    if not problems:
        problems.extend(_check_references(records))
    if problems:
        raise RecordsError(problems)
    return records


def _read_file(file: Traversable, records: RecordSet) -> Iterator[Problem]:
    name = file.name
    try:
        text = file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        yield Problem(name, 0, "", f"is not UTF-8 text ({error.reason} at byte {error.start})")
        return
    try:
        document = load_yaml(text, name)
    except YamlSyntaxError as error:
        yield Problem(name, 0, "", str(error).removeprefix(name + ":").strip())
        return
    if document is None:
        return
    if not isinstance(document, LineDict):
        yield Problem(name, 1, "", f"expected a mapping of lists ({', '.join(KINDS)})")
        return
    for kind, items in document.items():
        line = document.key_lines.get(kind, 1)
        if kind not in FIELDS:
            yield Problem(
                name, line, "", f"unknown list {kind!r}; expected one of {', '.join(KINDS)}"
            )
            continue
        if items is None:
            continue
        if not isinstance(items, list):
            yield Problem(name, line, "", f"{kind!r} must be a list of records")
            continue
        for item in items:
            if not isinstance(item, LineDict):
                yield Problem(
                    name, line, "", f"every entry of {kind!r} must be a mapping, not {item!r}"
                )
                continue
            record = Record(kind, item, name)
            problems = list(_check_fields(record))
            yield from problems
            if not problems:
                records.by_kind[kind].append(record)


def _check_fields(record: Record) -> Iterator[Problem]:
    fields = FIELDS[record.kind]
    for name in record.data:
        if name not in fields:
            close = ", ".join(sorted(fields))
            yield Problem(
                record.file,
                record.field_line(name),
                record.label(),
                f"unknown field {name!r}; fields are: {close}",
            )
    for name, (check, required) in fields.items():
        if name not in record.data or record.data[name] is None:
            if required:
                yield Problem(
                    record.file, record.line, record.label(), f"missing required field {name!r}"
                )
            continue
        expected = check(record.data[name])
        if expected:
            yield Problem(
                record.file,
                record.field_line(name),
                record.label(),
                f"field {name!r} is {record.data[name]!r}; expected {expected}",
            )


def _index(records: RecordSet) -> Iterator[Problem]:
    for kind, items in records.by_kind.items():
        seen = records.index.setdefault(kind, {})
        for record in items:
            if "id" not in FIELDS[kind]:
                continue
            first = seen.get(record.id)
            if first is not None:
                yield Problem(
                    record.file,
                    record.line,
                    record.label(),
                    f"id already used at {first.file}:{first.line}",
                )
                continue
            seen[record.id] = record
    overlap = set(records.index.get("organisations", {})) & set(records.index.get("people", {}))
    for record_id in sorted(overlap):
        person = records.index["people"][record_id]
        yield Problem(
            person.file, person.line, person.label(), "id is also used by an organisation"
        )


def _check_references(records: RecordSet) -> Iterator[Problem]:  # noqa: PLR0912 - one flat checklist
    agents = records.agents()
    orgs = records.index["organisations"]
    landsdelen = {k for k, r in orgs.items() if r.text("kind") == "landsdeel"}
    documents = records.index["documents"]
    texts = {k for k, r in documents.items() if r.text("file")}

    def refs(
        record: Record, name: str, pool: Mapping[str, Any] | set[str], what: str
    ) -> Iterator[Problem]:
        for ref in record.ids(name):
            if ref not in pool:
                yield Problem(
                    record.file,
                    record.field_line(name),
                    record.label(),
                    f"{name} {ref!r} is not a known {what}",
                )

    def sources(record: Record) -> Iterator[Problem]:
        for name, value in _sources_of(record):
            document = value.get("document")
            if document not in texts:
                known = (
                    "a document without shipped text"
                    if document in documents
                    else "not a known document"
                )
                yield Problem(
                    record.file,
                    record.field_line(name),
                    record.label(),
                    f"{name} document {document!r} is {known}; "
                    "quotes need a document with a 'file'",
                )

    for record in records.of("documents"):
        yield from refs(record, "creators", records.index["people"], "person")
        yield from refs(record, "ministries", orgs, "organisation")
        yield from refs(record, "references", documents, "document")
    for record in records.of("organisations"):
        yield from refs(record, "landsdeel", landsdelen, "landsdeel")
        yield from refs(record, "part_of", orgs, "organisation")
        yield from refs(record, "replaced_by", orgs, "organisation")
    for record in records.of("signatories"):
        yield from refs(record, "members", orgs, "organisation")
    for record in records.of("people"):
        for role in record.optional("roles") or []:
            if role["of"] not in orgs:
                yield Problem(
                    record.file,
                    record.field_line("roles"),
                    record.label(),
                    f"role {role['role']!r} is held in {role['of']!r}, not a known organisation",
                )
    for record in records.of("programmes"):
        yield from refs(record, "run_by", orgs, "organisation")
        yield from refs(record, "funded_by", agents, "organisation or person")
    for record in records.of("funds"):
        yield from refs(record, "funder", agents, "organisation or person")
    concepts = records.index["concepts"]
    schemes = records.index["schemes"]
    for record in records.of("actions"):
        yield from refs(record, "action_line", concepts, "action line or theme (see concepts.yaml)")
    for record in records.of("schemes"):
        yield from refs(record, "replaced_by", schemes, "concept scheme")
    for record in records.of("concepts"):
        yield from refs(record, "scheme", schemes, "concept scheme")
        yield from refs(record, "close_match", concepts, "concept")
    commitments = records.index["commitments"]
    for record in records.of("commitments"):
        yield from refs(record, "owner", agents, "organisation or person (the owner)")
        yield from refs(record, "partners", agents, "organisation or person")
        yield from refs(record, "action_line", concepts, "action line or theme (see concepts.yaml)")
        yield from refs(record, "action", records.index["actions"], "action")
        yield from refs(record, "programmes", records.index["programmes"], "programme")
        yield from refs(record, "fund", records.index["funds"], "fund")
        yield from refs(record, "landsdelen", landsdelen, "landsdeel")
        if record.text("owner") in record.ids("partners"):
            yield Problem(
                record.file,
                record.field_line("partners"),
                record.label(),
                "the owner is also listed as a partner",
            )
    reported: dict[str, Record] = {}
    for record in records.of("status_reports"):
        target = record.text("commitment")
        if target not in commitments:
            yield Problem(
                record.file,
                record.line,
                "status report",
                f"commitment {target!r} is not a known commitment",
            )
        elif "status" in commitments[target].data or target in reported:
            yield Problem(
                record.file,
                record.line,
                "status report",
                f"commitment {target!r} already has a status; give one status per commitment",
            )
        reported[target] = record
    for kind in KINDS:
        for record in records.of(kind):
            yield from sources(record)


def _sources_of(record: Record) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every (field, source mapping) of a record, including role and status sources."""
    if isinstance(record.optional("source"), Mapping):
        yield "source", record.data["source"]
    status = record.optional("status")
    if isinstance(status, Mapping) and isinstance(status.get("source"), Mapping):
        yield "status", status["source"]
    for role in record.optional("roles") or []:
        if isinstance(role.get("source"), Mapping):
            yield "roles", role["source"]
