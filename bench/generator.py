"""A deterministic synthetic pact in the bundled data's input format: records YAML + letters.

The point is to exercise the *real* build path, so the output looks like
``data/techniekpact/``: ``records/*.yaml`` written the way curators write them and
``letters/*.txt`` that read like PDF extractions (wrapped lines with trailing spaces, words
hyphenated across line breaks, typographic apostrophes and dashes, page footers that can fall
inside a sentence). Every quote in the records is a sentence of its letter, so every quote must
be anchored by the build; each carries a unique number ("werkpakket 1234") so it occurs once.

Shape, for N commitments: about N/10 organisations of the real kinds (plus the pact, the five
landsdelen and three ministries), a few people, the 2013 action lines and 2018 themes, actions
per action line, programmes, funds, one letter per ~50 commitments and a status report for ~40%
of them in the next letter. A fraction of commitments can be made invalid on purpose, each with
one known defect, to check that the build rejects exactly those.

Same :class:`PactSpec` → byte-identical files (``random.Random(seed)``, no clocks, no sets in
iteration order).
"""

from __future__ import annotations

import json
import math
import random
import re
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

GENERATOR_VERSION = 4
"""Bump when the output changes, so cached datasets are made again."""

DEFECTS = (
    "unknown-field",
    "unknown-owner",
    "quote-not-in-letter",
    "due-not-in-quote",
    "bad-amount",
)
"""Kinds of invalid commitment the generator can write; each gives the build one problem."""

LANDSDELEN = {
    "noord": ("Landsdeel Noord", "Noord-Nederland"),
    "oost": ("Landsdeel Oost-Nederland", "Oost-Nederland"),
    "zuidoost": ("Landsdeel Zuidoost", "Zuidoost-Nederland"),
    "zuidwestvleugel": ("Landsdeel Zuidwestvleugel", "de Zuidwestvleugel"),
    "noordvleugel": ("Landsdeel Noordvleugel", "de Noordvleugel"),
}
MINISTRIES = {
    "ez": "Ministerie van Economische Zaken",
    "ocw": "Ministerie van Onderwijs, Cultuur en Wetenschap",
    "szw": "Ministerie van Sociale Zaken en Werkgelegenheid",
}
ACTION_LINES = {
    "kiezen": "Kiezen voor techniek",
    "leren": "Leren in de techniek",
    "werken": "Werken in de techniek",
}
THEMES = {
    "leven-lang-ontwikkelen": ("Leven Lang Ontwikkelen", "werken"),
    "hybride-docenten": ("(Hybride) docenten", "leren"),
    "publiek-privaat-samenwerken": ("Publiek-privaat samenwerken", "leren"),
    "instroom-verhogen": ("Instroom bèta-technisch onderwijs verhogen", "kiezen"),
}
# Organisation kinds with the weights they have in the bundled records (pact, landsdelen and
# ministries are added separately).
KIND_WEIGHTS = {
    "education-council": 7,
    "employers-organisation": 6,
    "education-institution": 6,
    "expertise-centre": 5,
    "topsector": 4,
    "steering-body": 3,
    "social-partners": 3,
    "research-institute": 3,
    "government-agency": 3,
    "government": 3,
    "union": 2,
    "other": 2,
    "student-organisation": 1,
    "regional-partnership": 1,
    "foundation": 1,
    "company": 1,
}
KIND_NAMES = {
    "education-council": "Onderwijsraad {topic}",
    "employers-organisation": "Werkgeversvereniging {sector}",
    "education-institution": "Technisch College",
    "expertise-centre": "Expertisecentrum {topic}",
    "topsector": "Topsector {sector}",
    "steering-body": "Regiegroep {topic}",
    "social-partners": "Sociale Partners {sector}",
    "research-institute": "Kennisinstituut {topic}",
    "government-agency": "Uitvoeringsdienst {topic}",
    "government": "Gemeente",
    "union": "Vakbond {sector}",
    "other": "Netwerk {topic}",
    "student-organisation": "Studentenbond",
    "regional-partnership": "Platform {topic}",
    "foundation": "Stichting {topic}",
    "company": "{sector}bedrijf",
}
PLACES = (
    "Almelo",
    "Apeldoorn",
    "Arnhem",
    "Assen",
    "Breda",
    "Delft",
    "Deventer",
    "Dordrecht",
    "Drachten",
    "Ede",
    "Eindhoven",
    "Emmen",
    "Enschede",
    "Goes",
    "Gouda",
    "Groningen",
    "Haarlem",
    "Helmond",
    "Hengelo",
    "Hilversum",
    "Hoorn",
    "Leeuwarden",
    "Leiden",
    "Lelystad",
    "Maastricht",
    "Middelburg",
    "Nijmegen",
    "Oss",
    "Roermond",
    "Rotterdam",
    "Sittard",
    "Tiel",
    "Tilburg",
    "Utrecht",
    "Venlo",
    "Vlissingen",
    "Weert",
    "Zaandam",
    "Zoetermeer",
    "Zutphen",
    "Zwolle",
    "Alkmaar",
    "Amersfoort",
    "Den-Helder",
    "Heerlen",
    "Harderwijk",
    "Meppel",
    "Terneuzen",
    "Veendam",
    "Winterswijk",
)
SECTORS = (
    "Metaal",
    "Installatie",
    "Maritiem",
    "Chemie",
    "Energie",
    "Logistiek",
    "Bouw",
    "Voedsel",
    "Water",
    "ICT",
    "Elektrotechniek",
    "Procesindustrie",
    "Luchtvaart",
    "Mobiliteit",
    "Agro",
    "Zorgtechniek",
)
TOPICS = (
    "Techniekonderwijs",
    "Bètatechniek",
    "Vakmanschap",
    "Loopbaan",
    "Praktijkleren",
    "Talent",
    "Innovatie",
    "Wetenschapsoriëntatie",
    "Leerwerkplaatsen",
    "Omscholing",
    "Doorstroom",
    "Werkplekleren",
)
FIRST_NAMES = (
    "Anna",
    "Bram",
    "Carla",
    "Daan",
    "Eva",
    "Frank",
    "Greet",
    "Henk",
    "Ingrid",
    "Jan",
    "Karin",
    "Lodewijk",
    "Mona",
    "Niels",
)
LAST_NAMES = (
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
)
TARGETS = (
    ("leerwerkplaatsen", "beschikbaar zijn"),
    ("docenten", "zijn bijgeschoold"),
    ("servicepunten", "goed werken"),
    ("beurzen", "zijn toegekend"),
    ("scholen", "meedoen"),
    ("stageplaatsen", "zijn aangeboden"),
    ("leerlingen", "een techniekles hebben gevolgd"),
)
ACTIVITIES = (
    "de aansluiting tussen onderwijs en arbeidsmarkt in de techniek wordt versterkt",
    "meer jongeren kiezen voor een technische opleiding",
    "technische vakmensen voor de sector worden behouden",
    "docenten in het beroepsonderwijs de praktijk van bedrijven leren kennen",
    "de regionale afspraken worden uitgevoerd en gevolgd",
    "werkenden zich laten omscholen naar een technisch beroep",
    "bedrijven en scholen samen een leerlijn techniek ontwikkelen",
)
FILLER = (
    (
        "Het Techniekpact is een gezamenlijke inzet van onderwijs, werkgevers, werknemers, regio’s "
        "en overheid om te zorgen voor voldoende technisch geschoolde vakmensen."
    ),
    (
        "De partijen in de regio’s zijn zelf verantwoordelijk voor de uitvoering van hun "
        "afspraken en kiezen een uitvoeringsstructuur die bij hun situatie past."
    ),
    (
        "Wij informeren uw Kamer met deze brief over de voortgang van de afspraken en over de "
        "stappen die de komende periode worden gezet."
    ),
    (
        "De Landelijke Regiegroep bewaakt de samenhang tussen de landelijke en de regionale "
        "aanpak en stuurt zo nodig bij."
    ),
    (
        "Het kabinet hecht eraan dat de afspraken concreet en controleerbaar zijn, zodat de "
        "voortgang zichtbaar wordt in de monitor."
    ),
    (
        "Voor een goede aansluiting is het van belang dat werkgevers en onderwijsinstellingen "
        "elkaar vaker en eerder weten te vinden."
    ),
)
STATUS_PHRASES = {
    "met": "{owner} heeft de afspraak gerealiseerd",
    "ongoing": "de uitvoering door {owner} loopt volgens planning",
    "not-met": "het beoogde resultaat van {owner} is niet gehaald",
    "open": "met de uitvoering door {owner} is nog niet begonnen",
    "superseded": "de afspraak van {owner} is opgegaan in de inzet voor de komende jaren",
}
STATUS_WEIGHTS = {"met": 5, "ongoing": 4, "not-met": 2, "open": 2, "superseded": 1}

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
LINE_WIDTH = 72
LINES_PER_PAGE = 46


@dataclass(frozen=True)
class PactSpec:
    """What to generate. Equal specs give byte-identical output."""

    commitments: int
    seed: int = 20130513
    invalid_fraction: float = 0.0
    defect: str | None = None
    """The defect of every invalid commitment, or ``None`` to cycle through :data:`DEFECTS`."""
    per_letter: int = 50

    def __post_init__(self) -> None:
        if self.commitments < 1:
            msg = f"commitments must be at least 1, not {self.commitments}"
            raise ValueError(msg)
        if not 0.0 <= self.invalid_fraction <= 1.0:
            msg = f"invalid_fraction must be between 0 and 1, not {self.invalid_fraction}"
            raise ValueError(msg)
        if self.defect is not None and self.defect not in DEFECTS:
            msg = f"unknown defect {self.defect!r}; known: {', '.join(DEFECTS)}"
            raise ValueError(msg)

    @property
    def name(self) -> str:
        """A directory name that differs whenever the output would."""
        invalid = f"-invalid{self.invalid_fraction:g}-{self.defect or 'mixed'}"
        return (
            f"pact-n{self.commitments}-s{self.seed}-l{self.per_letter}"
            f"{invalid if self.invalid_fraction else ''}-v{GENERATOR_VERSION}"
        )


@dataclass
class GeneratedPact:
    """A generated dataset on disk and what a benchmark needs to know about it."""

    root: Path
    spec: PactSpec
    counts: dict[str, int]
    invalid: dict[str, str]
    """Invalid commitment id → its defect."""
    samples: dict[str, str]
    """Ids a query can be asked about: ``commitment``, ``organisation``, ``action``, …"""

    @property
    def records(self) -> Path:
        return self.root / "records"

    @property
    def letters(self) -> Path:
        return self.root / "letters"

    def manifest(self) -> dict[str, Any]:
        return {
            "spec": asdict(self.spec),
            "generator_version": GENERATOR_VERSION,
            "counts": self.counts,
            "invalid": self.invalid,
            "samples": self.samples,
        }


# ------------------------------------------------------------------ the world


@dataclass
class _Sentence:
    """A sentence of a letter; ``quoted`` says it must be findable (no footer near its ends)."""

    text: str
    quoted: bool = True


@dataclass
class _Letter:
    id: str
    number: int
    written_on: date
    kind: str
    paragraphs: list[list[_Sentence]] = field(default_factory=list)
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, sentence: str, *, quoted: bool = True) -> None:
        if not self.paragraphs or len(self.paragraphs[-1]) >= 4:
            self.paragraphs.append([])
        self.paragraphs[-1].append(_Sentence(sentence, quoted))


def _slug(text: str) -> str:
    plain = text.lower().translate(str.maketrans("ëéèïöüçà", "eeeiouca"))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def _reader(sentence: str) -> str:
    """How a curator writes a quote: straight apostrophes (letters use typographic ones)."""
    return sentence.replace("\u2019", "'")


def _join(labels: Sequence[str]) -> str:
    if len(labels) == 1:
        return labels[0]
    return ", ".join(labels[:-1]) + " en " + labels[-1]


class _World:
    """Builds the records and letters of one synthetic pact, drawing from one seeded RNG."""

    def __init__(self, spec: PactSpec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)  # noqa: S311 - reproducible data, not secrets
        self.serial = 0
        self.labels: dict[str, str] = {}
        self.used_labels: set[str] = set()
        self.organisations: list[dict[str, Any]] = []
        self.people: list[dict[str, Any]] = []
        self.programmes: list[dict[str, Any]] = []
        self.funds: list[dict[str, Any]] = []
        self.actions: list[dict[str, Any]] = []
        self.letters: list[_Letter] = []
        self.cited: list[dict[str, Any]] = []
        self.invalid: dict[str, str] = {}
        self.counts: dict[str, int] = {}

    # -------------------------------------------------------------- helpers
    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def unique_label(self, label: str) -> str:
        candidate, number = label, 1
        while candidate in self.used_labels:
            number += 1
            candidate = f"{label} {number}"
        self.used_labels.add(candidate)
        return candidate

    def letter_for_source(self) -> _Letter:
        return self.letters[self.rng.randrange(len(self.letters))]

    def source(self, letter: _Letter, sentence: str) -> dict[str, str]:
        if self.rng.random() < 0.15:
            letter.add(self.rng.choice(FILLER), quoted=False)
        letter.add(sentence)
        return {"document": letter.id, "quote": _reader(sentence)}

    # -------------------------------------------------------------- documents
    def make_letters(self) -> None:
        count = max(1, math.ceil(self.spec.commitments / self.spec.per_letter))
        first, last = date(2013, 2, 26), date(2020, 9, 18)
        span = (last - first).days
        for index in range(count):
            written_on = first + timedelta(
                days=span * index // max(1, count - 1) if count > 1 else 0
            )
            number = 50 + index
            kind = "report" if index % 5 == 4 else "letter"
            letter = _Letter(f"tk-32637-{number}", number, written_on, kind)
            self.letters.append(letter)
        cited = max(2, count // 4)
        for index in range(cited):
            self.cited.append(
                {
                    "id": f"tk-31288-{index + 1}",
                    "identifier": f"Tweede Kamer, 31 288, nr. {index + 1}",
                    "title": f"Brief over het Masterplan Bèta en Technologie, deel {index + 1}",
                    "type": "letter",
                }
            )

    # -------------------------------------------------------------- organisations, people
    def make_organisations(self) -> None:
        self.organisations.append(
            {
                "id": "techniekpact",
                "label": "Nationaal Techniekpact 2020",
                "label_en": "National Technology Pact 2020",
                "alt": ["Techniekpact"],
                "kind": "pact",
            }
        )
        for slug, (label, short) in LANDSDELEN.items():
            self.organisations.append(
                {"id": slug, "label": label, "alt": [short], "kind": "landsdeel"}
                | {"part_of": "techniekpact"}
            )
        for slug, label in MINISTRIES.items():
            self.organisations.append(
                {"id": slug, "label": label, "alt": [slug.upper()], "kind": "ministry"}
            )
        kinds = list(KIND_WEIGHTS)
        weights = list(KIND_WEIGHTS.values())
        wanted = max(3, self.spec.commitments // 10)
        for _ in range(wanted):
            kind = self.rng.choices(kinds, weights)[0]
            pattern = KIND_NAMES[kind].format(
                topic=self.rng.choice(TOPICS), sector=self.rng.choice(SECTORS)
            )
            place = self.rng.choice(PLACES).replace("-", " ")
            label = self.unique_label(f"{pattern} {place}")
            record: dict[str, Any] = {"id": _slug(label), "label": label, "kind": kind}
            if self.rng.random() < 0.7:
                record["landsdeel"] = self.rng.choice(list(LANDSDELEN))
            if self.rng.random() < 0.3:
                sentence = (
                    f"Als deelnemer {self.next_serial()} van het pact zet {label} zich in voor "
                    "meer technici in de regio’s."
                )
                record["source"] = self.source(self.letter_for_source(), sentence)
            self.organisations.append(record)
        for record in self.organisations:
            self.labels[record["id"]] = record["label"]

    def make_people(self) -> None:
        wanted = max(4, self.spec.commitments // 100)
        roles = ["aanjager", "ambassadeur", "minister", "voorzitter"]
        for index in range(wanted):
            name = self.unique_label(
                f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            )
            role = roles[index % len(roles)]
            of = self.rng.choice(list(MINISTRIES)) if role == "minister" else "techniekpact"
            start = date(2013, 5, 13) + timedelta(days=self.rng.randrange(0, 2000))
            person: dict[str, Any] = {
                "id": _slug(name),
                "name": name,
                "roles": [{"role": role, "of": of, "start": start}],
            }
            if self.rng.random() < 0.5:
                person["roles"][0]["end"] = start + timedelta(days=self.rng.randrange(200, 1500))
            self.people.append(person)
            self.labels[person["id"]] = name

    def make_signatories(self) -> dict[str, Any]:
        members = [o["id"] for o in self.organisations if o["kind"] not in ("pact", "landsdeel")]
        members = members[:20]
        labels = [self.labels[m] for m in members]
        sentence = (
            f"Het pact (ondertekening {self.next_serial()}) is op 13 mei 2013 ondertekend door "
            f"{_join(labels)}."
        )
        return {
            "date": date(2013, 5, 13),
            "members": members,
            "source": self.source(self.letters[0], sentence),
        }

    # -------------------------------------------------------------- actions, programmes, funds
    def make_actions(self) -> None:
        per_line = max(2, self.spec.commitments // 100)
        for line, line_label in ACTION_LINES.items():
            for index in range(per_line):
                label = self.unique_label(
                    f"{self.rng.choice(TOPICS)} in {self.rng.choice(PLACES).replace('-', ' ')}"
                )
                serial = self.next_serial()
                sentence = (
                    f"Nationale actie {serial} binnen de actielijn {line_label.lower()} "
                    f"heet {label}."
                )
                self.actions.append(
                    {
                        "id": f"actie-{line}-{index + 1}",
                        "label": label,
                        "action_line": line,
                        "source": self.source(self.letter_for_source(), sentence),
                    }
                )

    def pick_organisations(self, count: int) -> list[str]:
        pool = self.organisations[9:]  # past the pact, landsdelen and ministries
        return [r["id"] for r in self.rng.sample(pool, min(count, len(pool)))]

    def make_programmes(self) -> None:
        wanted = max(5, self.spec.commitments // 20)
        for _ in range(wanted):
            label = self.unique_label(
                f"{self.rng.choice(['Jet-Net', 'Techniekroute', 'Talentlab', 'Vakwerk'])} "
                f"{self.rng.choice(PLACES).replace('-', ' ')}"
            )
            record: dict[str, Any] = {
                "id": _slug(label),
                "label": label,
                "run_by": self.pick_organisations(self.rng.choice((1, 1, 2))),
            }
            if self.rng.random() < 0.4:
                record["funded_by"] = [self.rng.choice(list(MINISTRIES))]
            if self.rng.random() < 0.5:
                runners = _join([self.labels[r] for r in record["run_by"]])
                sentence = (
                    f"Het programma {label} (programmanummer {self.next_serial()}) wordt "
                    f"uitgevoerd door {runners}."
                )
                record["source"] = self.source(self.letter_for_source(), sentence)
            self.programmes.append(record)
            self.labels[record["id"]] = label

    def make_funds(self) -> None:
        wanted = max(2, self.spec.commitments // 100)
        for _ in range(wanted):
            label = self.unique_label(
                f"Fonds {self.rng.choice(TOPICS)} {self.rng.choice(PLACES).replace('-', ' ')}"
            )
            funder = self.rng.choice(list(MINISTRIES))
            amount = f"€ {self.rng.randrange(2, 200)} miljoen"
            first = self.rng.randrange(2013, 2019)
            period = f"{first}–{first + self.rng.randrange(1, 4)}"
            sentence = (
                f"Voor het fonds {label} (regeling {self.next_serial()}) stelt het "
                f"{MINISTRIES[funder]} {amount} beschikbaar in de periode {period}."
            )
            self.funds.append(
                {
                    "id": _slug(label),
                    "label": label,
                    "funder": funder,
                    "amount": amount,
                    "period": period,
                    "source": self.source(self.letter_for_source(), sentence),
                }
            )
            self.labels[self.funds[-1]["id"]] = label

    # -------------------------------------------------------------- commitments
    def due_phrase(self, written_on: date) -> str:
        year = written_on.year
        choices = (
            f"najaar {year + 1}",
            f"eind {year + 1}",
            f"in {year + 1}",
            f"per 1 augustus {year + 1}",
            f"{year}–{year + 3}",
            f"studiejaar {year + 1}/{(year + 2) % 100:02d}",
            f"voorjaar {year + 1}",
            f"uiterlijk in {year + 2}",
            f"begin {year + 1}",
            "volgend jaar",
            f"vanaf januari {year + 1}",
        )
        return self.rng.choice(choices)

    def make_commitments(self) -> None:  # noqa: PLR0912, PLR0915 - one record, field by field
        rng = self.rng
        organisations = [o["id"] for o in self.organisations[9:]]
        invalid_every = (
            max(1, round(1 / self.spec.invalid_fraction)) if self.spec.invalid_fraction else 0
        )
        status_values = list(STATUS_WEIGHTS)
        status_weights = list(STATUS_WEIGHTS.values())
        for index in range(self.spec.commitments):
            letter = self.letters[index // self.spec.per_letter]
            serial = self.next_serial()
            owner = (
                rng.choice(self.people)["id"] if rng.random() < 0.03 else rng.choice(organisations)
            )
            partners = (
                [p for p in self.pick_organisations(rng.randrange(1, 4)) if p != owner]
                if rng.random() < 0.6
                else []
            )
            due = self.due_phrase(letter.written_on)
            record: dict[str, Any] = {"id": f"c{serial}", "label": ""}
            record["owner"] = owner
            if partners:
                record["partners"] = partners
            record["due"] = due
            line = rng.choice([*ACTION_LINES, *ACTION_LINES, *THEMES])
            record["action_line"] = line
            base_line = THEMES[line][1] if line in THEMES else line
            clause = f"Binnen werkpakket {serial} zorgt {self.labels[owner]}"
            if partners:
                clause += f" samen met {_join([self.labels[p] for p in partners])}"
            if rng.random() < 0.2:
                unit, verb = rng.choice(TARGETS)
                value = rng.randrange(5, 2000)
                record["target"] = {"value": value, "unit": unit}
                what = f"{value} {unit} {verb}"
                record["label"] = f"{value} {unit} ({self.labels[owner]}, {due})"
            else:
                what = rng.choice(ACTIVITIES)
                record["label"] = f"{what[0].upper()}{what[1:]} ({self.labels[owner]}, {due})"
            clause += f" ervoor dat {due} {what}"
            if rng.random() < 0.5:
                candidates = [a for a in self.actions if a["action_line"] == base_line]
                action = rng.choice(candidates)
                record["action"] = action["id"]
                clause += f", als bijdrage aan de actie {action['label']}"
            if rng.random() < 0.4:
                chosen = rng.sample(self.programmes, rng.choice((1, 1, 2)))
                record["programmes"] = [p["id"] for p in chosen]
                clause += f", via {_join([p['label'] for p in chosen])}"
            if rng.random() < 0.15:
                fund = rng.choice(self.funds)
                record["fund"] = fund["id"]
                clause += f", met steun uit {fund['label']}"
            if rng.random() < 0.35:
                lands = sorted(rng.sample(list(LANDSDELEN), rng.choice((1, 1, 2))))
                record["landsdelen"] = lands
                clause += f" in de regio’s van {_join([LANDSDELEN[s][1] for s in lands])}"
            if rng.random() < 0.25:
                amount = f"€ {rng.randrange(1, 40)},{rng.randrange(1, 10)} miljoen"
                if rng.random() < 0.3:
                    amount += " per jaar"
                record["amount"] = amount
                clause += f"; hiervoor is {amount} beschikbaar"
            sentence = clause + "."
            record["source"] = self.source(letter, sentence)
            if rng.random() < 0.4:
                status = rng.choices(status_values, status_weights)[0]
                later = self.letters[min(len(self.letters) - 1, letters_index(letter, self) + 1)]
                status_text = STATUS_PHRASES[status].format(owner=self.labels[owner])
                record["status"] = {
                    "value": status,
                    "source": self.source(later, f"Stand van werkpakket {serial}: {status_text}."),
                }
            if invalid_every and index % invalid_every == invalid_every - 1:
                self.make_invalid(record)
            letter.records.setdefault("commitments", []).append(record)

    def make_invalid(self, record: dict[str, Any]) -> None:
        """Give ``record`` one defect that the build must report (and nothing else wrong)."""
        defect = self.spec.defect or DEFECTS[len(self.invalid) % len(DEFECTS)]
        if defect == "unknown-field":
            record["eigenaar"] = record["owner"]
        elif defect == "unknown-owner":
            record["owner"] = f"onbekende-partij-{record['id']}"
        elif defect == "quote-not-in-letter":
            quote = record["source"]["quote"]
            record["source"] = dict(record["source"])
            record["source"]["quote"] = quote.replace(" zorgt ", " belooft ", 1)
        elif defect == "due-not-in-quote":
            record["due"] = "eind 2031"
        else:  # bad-amount
            record["amount"] = "een flink bedrag"
        self.invalid[record["id"]] = defect

    def samples(self) -> dict[str, str]:
        """Ids of things a query can ask about (the middle commitment, a busy owner, …)."""
        commitments = [c for letter in self.letters for c in letter.records.get("commitments", [])]
        owners: dict[str, int] = {}
        for commitment in commitments:
            owners[commitment["owner"]] = owners.get(commitment["owner"], 0) + 1
        busiest = max(sorted(owners), key=lambda o: owners[o])
        return {
            "commitment": commitments[len(commitments) // 2]["id"],
            "organisation": busiest,
            "action": self.actions[0]["id"],
            "programme": self.programmes[0]["id"],
            "fund": self.funds[0]["id"],
            "document": self.letters[0].id,
            "landsdeel": "oost",
        }


def letters_index(letter: _Letter, world: _World) -> int:
    """The position of ``letter`` in the pact's sequence (letter numbers start at 50)."""
    return letter.number - world.letters[0].number


# ------------------------------------------------------------------ output: letters


def typeset(letter: _Letter, rng: random.Random) -> str:
    """A letter as a PDF extraction: wrapped, hyphenated, with page footers between lines.

    A footer is only put at a line break that is at least 40 characters inside a quoted
    sentence from either end (so the quote's start can be found and each piece is long), and
    never after a hyphenated line: a curator could not quote across those either.
    """
    year = letter.written_on.year
    header = [
        " Aan de Voorzitter van de Tweede Kamer der Staten-Generaal ",
        "",
        f"Den Haag, {letter.written_on.day} {_month(letter.written_on.month)} {year} ",
        "",
    ]
    lines: list[str] = list(header)
    safe_breaks: list[bool] = [True] * len(lines)
    for paragraph in letter.paragraphs:
        text = " ".join(s.text for s in paragraph)
        unsafe = _unsafe_spans(paragraph)
        for line, offset, hyphenated in _wrap(text, rng):
            lines.append(line + ("-" if hyphenated else " "))
            safe_breaks.append(not hyphenated and not any(a <= offset < b for a, b in unsafe))
        lines.append("")
        safe_breaks.append(True)
    out: list[str] = []
    page, since_footer = 1, 0
    for line, safe in zip(lines, safe_breaks, strict=True):
        out.append(line)
        since_footer += 1
        if since_footer >= LINES_PER_PAGE and safe:
            out.append("")
            out.append(
                f"Tweede Kamer, vergaderjaar {year}–{year + 1}, 32 637, nr. {letter.number} {page} "
            )
            out.append("")
            page += 1
            since_footer = 0
    return "\n".join(out) + "\n"


def _unsafe_spans(paragraph: list[_Sentence]) -> list[tuple[int, int]]:
    """Character spans of a paragraph where a page break would make a quote unfindable."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for sentence in paragraph:
        end = offset + len(sentence.text)
        if sentence.quoted:
            spans.extend(((offset, offset + 40), (max(offset, end - 40), end + 1)))
        offset = end + 1
    return spans


def _wrap(text: str, rng: random.Random) -> Iterator[tuple[str, int, bool]]:
    """Lines of at most :data:`LINE_WIDTH`: (line, offset in ``text`` where the next line
    starts, whether the line ends in a hyphenated word)."""
    words = text.split(" ")
    line: list[str] = []
    length = 0
    position = 0
    for word in words:
        start = position
        position += len(word) + 1
        extra = len(word) + (1 if line else 0)
        if line and length + extra > LINE_WIDTH:
            cut = _hyphenation_point(word, LINE_WIDTH - length - 2)
            if cut and rng.random() < 0.6:
                line.append(word[:cut])
                yield " ".join(line), start + cut, True
                line, length = [word[cut:]], len(word) - cut
                continue
            yield " ".join(line), start, False
            line, length = [word], len(word)
            continue
        line.append(word)
        length += extra
    if line:
        yield " ".join(line), len(text), False


def _hyphenation_point(word: str, room: int) -> int:
    """Where to split ``word`` across a line break (0: don't), as a PDF typesetter would."""
    if len(word) < 10 or not word.isalpha() or room < 5:
        return 0
    return min(room, len(word) - 4, max(4, len(word) // 2))


def _month(month: int) -> str:
    return MONTHS[month - 1]


# ------------------------------------------------------------------ output: YAML

_PLAIN_SCALAR = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def _scalar(value: Any) -> str:  # noqa: ANN401 - YAML scalars of any kind
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if _PLAIN_SCALAR.fullmatch(text) and text not in _YAML_WORDS:
        return text  # ids are written bare, as curators write them
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _emit(value: Any, indent: int) -> list[str]:  # noqa: ANN401
    """Block-style YAML, the way the curated records are written."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            nested = isinstance(item, list) and bool(item) and isinstance(item[0], dict)
            if isinstance(item, dict) or nested:
                lines.append(f"{pad}{key}:")
                lines.extend(_emit(item, indent + 2))
            elif isinstance(item, list):
                lines.append(f"{pad}{key}: [{', '.join(_scalar(v) for v in item)}]")
            else:
                lines.append(f"{pad}{key}: {_scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            inner = _emit(item, indent + 2)
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines.extend(inner[1:])
    return lines


def _yaml(comment: str, lists: dict[str, list[dict[str, Any]]]) -> str:
    lines = [f"# {comment}"]
    for kind, records in lists.items():
        if records:
            lines.append(f"{kind}:")
            lines.extend(_emit(records, 2))
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ generate


def generate(spec: PactSpec, root: Path) -> GeneratedPact:
    """Write the pact ``spec`` describes into ``root`` (made anew) and describe it."""
    world = _World(spec)
    world.make_letters()
    world.make_organisations()
    world.make_people()
    signatories = world.make_signatories()
    world.make_actions()
    world.make_programmes()
    world.make_funds()
    world.make_commitments()

    if root.exists():
        shutil.rmtree(root)
    records, letters = root / "records", root / "letters"
    records.mkdir(parents=True)
    letters.mkdir()
    creators = [p["id"] for p in world.people]
    documents: list[dict[str, Any]] = []
    for index, letter in enumerate(world.letters):
        document: dict[str, Any] = {
            "id": letter.id,
            "file": f"{letter.id}.txt",
            "identifier": f"Tweede Kamer, 32 637, nr. {letter.number}",
            "date": letter.written_on,
            "title": f"Brief over de voortgang van het synthetische pact ({index + 1})",
            "type": letter.kind,
            "creators": sorted(world.rng.sample(creators, min(2, len(creators)))),
            "ministries": sorted(world.rng.sample(list(MINISTRIES), world.rng.randrange(1, 4))),
            "references": sorted(
                {c["id"] for c in world.rng.sample(world.cited, min(2, len(world.cited)))}
                | ({world.letters[index - 1].id} if index else set())
            ),
        }
        documents.append(document)
        for filler in world.rng.sample(FILLER, 3):
            letter.add(filler, quoted=False)
        (letters / document["file"]).write_text(typeset(letter, world.rng), encoding="utf-8")
    _write(
        records / "documents.yaml",
        "Letters and the documents they cite.",
        {"documents": [*documents, *world.cited]},
    )
    _write(
        records / "organisations.yaml",
        "Organisations: the pact, five landsdelen, ministries and the partners.",
        {"organisations": world.organisations, "signatories": [signatories]},
    )
    _write(records / "people.yaml", "People and their roles.", {"people": world.people})
    _write(records / "concepts.yaml", "Action lines (2013) and themes (2018).", _concepts())
    _write(
        records / "programmes.yaml",
        "Actions per action line, programmes and funds.",
        {"actions": world.actions, "programmes": world.programmes, "funds": world.funds},
    )
    commitments = 0
    for letter in world.letters:
        items = letter.records.get("commitments", [])
        commitments += len(items)
        _write(
            records / f"commitments-{letter.id}.yaml",
            f"Commitments from {letter.id} ({letter.written_on.isoformat()}).",
            {"commitments": items},
        )
    counts = {
        "commitments": commitments,
        "organisations": len(world.organisations),
        "people": len(world.people),
        "actions": len(world.actions),
        "programmes": len(world.programmes),
        "funds": len(world.funds),
        "letters": len(world.letters),
        "documents": len(documents) + len(world.cited),
        "invalid": len(world.invalid),
    }
    pact = GeneratedPact(root, spec, counts, dict(world.invalid), world.samples())
    (root / "manifest.json").write_text(
        json.dumps(pact.manifest(), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return pact


def _write(path: Path, comment: str, lists: dict[str, list[dict[str, Any]]]) -> None:
    path.write_text(_yaml(comment, lists), encoding="utf-8")


def _concepts() -> dict[str, list[dict[str, Any]]]:
    schemes = [
        {
            "id": "actielijnen-2013",
            "label": "Actielijnen 2013",
            "edition": 2013,
            "replaced_by": "themas-2018",
        },
        {"id": "themas-2018", "label": "Prioritaire thema's 2018", "edition": 2018},
    ]
    concepts: list[dict[str, Any]] = [
        {"id": slug, "scheme": "actielijnen-2013", "label": label}
        for slug, label in ACTION_LINES.items()
    ]
    concepts += [
        {"id": slug, "scheme": "themas-2018", "label": label, "close_match": [line]}
        for slug, (label, line) in THEMES.items()
    ]
    return {"schemes": schemes, "concepts": concepts}


def ensure(spec: PactSpec, cache: Path) -> GeneratedPact:
    """The pact for ``spec`` under ``cache``, generated only if it is not there yet."""
    root = cache / spec.name
    manifest = root / "manifest.json"
    if manifest.is_file():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if data.get("spec") == asdict(spec) and data.get("generator_version") == GENERATOR_VERSION:
            return GeneratedPact(root, spec, data["counts"], data["invalid"], data["samples"])
    return generate(spec, root)


SIZES = {"100": 100, "1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}


def parse_size(text: str) -> int:
    """``1k`` → 1000, ``100k`` → 100000, ``250`` → 250."""
    lowered = text.strip().lower()
    if lowered in SIZES:
        return SIZES[lowered]
    match = re.fullmatch(r"(\d+)([km]?)", lowered)
    if not match:
        msg = f"size {text!r}: expected a number of commitments such as 250, 1k, 10k or 100k"
        raise ValueError(msg)
    return int(match.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2)]
