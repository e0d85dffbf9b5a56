"""Dutch due-date phrases → date intervals, keeping the phrase.

Letters promise things for "najaar 2013", "eind 2013", "per 1 augustus 2014", "studiejaar
2014/15" or "dit najaar". Each phrase becomes a closed interval ``[start, end]`` of dates; phrases
without a year ("dit najaar", "begin november", "16 september a.s.") are read against the date of
the letter they appear in. Conventions (documented in the README):

* seasons are meteorological: voorjaar Mar–May, zomer Jun–Aug, najaar Sep–Nov, winter Dec–Feb;
* begin/medio/eind of a year are Q1, May–Aug and Q4; of a month the 1st–10th, 11th–20th and
  21st–last day;
* "over een half jaar", "in twee jaar", "de komende drie jaar" run from the letter's date;
* a study, school or academic year runs 1 September – 31 August;
* "X tot en met Y" includes Y, "X tot Y" stops before Y (Dutch usage);
* deadlines ("uiterlijk", "voor", "vóór", "tot") run from the letter's date to the deadline;
  "voor de zomer" ends on 30 June (before the summer recess);
* "vanaf X" and "per X" are due at X: the promise is that something starts then.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    "januari": 1,
    "jan": 1,
    "februari": 2,
    "feb": 2,
    "maart": 3,
    "mrt": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "augustus": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
SEASONS = {
    "voorjaar": (3, 5),
    "lente": (3, 5),
    "zomer": (6, 8),
    "najaar": (9, 11),
    "herfst": (9, 11),
    "winter": (12, 2),
}
_SEASON = "(" + "|".join(SEASONS) + ")"
_YEAR = r"((?:19|20)\d\d)"
_ACADEMIC = r"(?:studiejaar|schooljaar|collegejaar|cursusjaar|academisch jaar)"

EXAMPLES = (
    "najaar 2013",
    "eind 2013",
    "per 1 augustus 2014",
    "2013–2017",
    "studiejaar 2014/15",
    "in 2014",
    "vanaf januari 2014",
    "begin november",
    "dit najaar",
)


class DatePhraseError(ValueError):
    """A due phrase the parser cannot read; the message lists forms it can."""


@dataclass(frozen=True)
class DueInterval:
    """The interval a due phrase stands for, with the phrase as written."""

    phrase: str
    start: date
    end: date


def parse_due(phrase: str, written_on: date | None = None) -> DueInterval:
    """Read a Dutch due phrase as an interval; ``written_on`` anchors relative phrases."""
    text = _normalise(phrase)
    qualifier, base_text = _split_qualifier(text)
    try:
        base = _parse_base(base_text, written_on)
    except DatePhraseError as error:
        raise DatePhraseError(f"{phrase!r}: {error}") from error
    except ValueError as error:  # e.g. 31 februari: a date that does not exist
        msg = f"{phrase!r} is not a real date: {error}"
        raise DatePhraseError(msg) from error
    if base is None:
        examples = ", ".join(repr(e) for e in EXAMPLES)
        msg = f"cannot read {phrase!r} as a due date; expected a form such as {examples}"
        raise DatePhraseError(msg)
    start, end = _apply_qualifier(qualifier, base, base_text, written_on)
    if start > end:
        msg = (
            f"due phrase {phrase!r} gives an interval that ends ({end}) before it starts ({start})"
        )
        raise DatePhraseError(msg)
    return DueInterval(phrase=phrase, start=start, end=end)


def _normalise(phrase: str) -> str:
    text = phrase.strip().lower()
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u00a0", " ")
    text = text.replace("vóór", "voor").replace("t/m", "tot en met")
    text = re.sub(r"\s*-\s*", "-", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(
        r"^(?:de |het )?(?:in de |voor de |gedurende de |de )?periode (?:van )?", "", text
    )
    text = re.sub(r"^(in )?(?:de )?jaren ", r"\1", text)
    text = re.sub(r"^(voor|uiterlijk) (?:de )?(?:start|begin) van (?:het )?", r"\1 ", text)
    text = re.sub(r"^(\d{4}/\d{2}(?:\d{2})?)$", r"studiejaar \1", text)
    text = re.sub(r"^tussen (\d{4}) en (\d{4})$", r"\1 tot en met \2", text)
    # "2013-2017" and "2014 en 2015" are spelled-out inclusive ranges
    return re.sub(
        r"^((?:van |in |vanaf |uiterlijk |voor |tot )?)(\d{4})(?:-| en )(\d{4})$",
        r"\1\2 tot en met \3",
        text,
    )


_QUALIFIERS = (
    "uiterlijk in",
    "uiterlijk op",
    "uiterlijk",
    "tot en met",
    "tot",
    "voor",
    "vanaf",
    "per",
    "in",
    "op",
    "over",
    "binnen",
    "sinds",
    "rond",
    "met ingang van",
)


def _split_qualifier(text: str) -> tuple[str, str]:
    if text.startswith("voor de zomer"):
        return "", text
    for qualifier in _QUALIFIERS:
        if text.startswith(qualifier + " "):
            return qualifier, text[len(qualifier) + 1 :]
    return "", text


def _apply_qualifier(
    qualifier: str, base: tuple[date, date], base_text: str, written_on: date | None
) -> tuple[date, date]:
    start, end = base
    if qualifier in ("uiterlijk", "uiterlijk in", "uiterlijk op", "tot en met"):
        return (written_on if written_on and written_on <= end else start), end
    if qualifier in ("voor", "tot"):
        deadline = start - timedelta(days=1)
        if re.fullmatch(r"(?:van )?\d{4} tot(?: en met)? \d{4}", base_text):
            deadline = end
        begin = written_on if written_on and written_on <= deadline else deadline
        return begin, deadline
    return start, end


def _year_span(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _season_span(year: int, season: str) -> tuple[date, date]:
    first, last = SEASONS[season]
    if first > last:  # winter runs into the next year
        return date(year, first, 1), _month_span(year + 1, last)[1]
    return date(year, first, 1), _month_span(year, last)[1]


def _academic_span(first_year: int) -> tuple[date, date]:
    return date(first_year, 9, 1), date(first_year + 1, 8, 31)


def _part_of_year(part: str, year: int) -> tuple[date, date]:
    parts = {
        "begin": (date(year, 1, 1), date(year, 3, 31)),
        "medio": (date(year, 5, 1), date(year, 8, 31)),
        "midden": (date(year, 5, 1), date(year, 8, 31)),
        "half": (date(year, 5, 1), date(year, 8, 31)),
        "eind": (date(year, 10, 1), date(year, 12, 31)),
        "einde": (date(year, 10, 1), date(year, 12, 31)),
    }
    return parts[part]


def _part_of_month(part: str, year: int, month: int) -> tuple[date, date]:
    last_day = calendar.monthrange(year, month)[1]
    if part == "begin":
        return date(year, month, 1), date(year, month, 10)
    if part in ("medio", "midden", "half"):
        return date(year, month, 11), date(year, month, 20)
    return date(year, month, 21), date(year, month, last_day)


def _require(written_on: date | None, text: str) -> date:
    if written_on is None:
        msg = f"{text!r} is relative to the letter's date, and no date is known for it"
        raise DatePhraseError(msg)
    return written_on


def _next_occurrence(written_on: date, month: int, day: int | None = None) -> int:
    """The year in which ``month`` (or ``month``/``day``) next comes: this year unless past.

    A month without a day counts as not yet past while it lasts ("eind augustus" written in
    August is this August).
    """
    if day is None:
        return written_on.year + (1 if month < written_on.month else 0)
    return written_on.year + (1 if (month, day) < (written_on.month, written_on.day) else 0)


def _second_year(first: int, raw: str) -> int:
    second = int(raw) if len(raw) == 4 else ((first + 1) // 100) * 100 + int(raw)
    if second != first + 1:
        msg = f"a study year runs over two consecutive years, not {first} and {raw}"
        raise DatePhraseError(msg)
    return second


Rule = tuple[str, Callable[[re.Match[str], date | None], tuple[date, date]]]


def _rules() -> list[Rule]:  # noqa: PLR0915 - a table of small, independent rules
    def day(m: re.Match[str], w: date | None) -> tuple[date, date]:
        d = date(int(m[3]), MONTHS[m[2]], int(m[1]))
        return d, d

    def day_no_year(m: re.Match[str], w: date | None) -> tuple[date, date]:
        ref = _require(w, m[0])
        month, dd = MONTHS[m[2]], int(m[1])
        d = date(_next_occurrence(ref, month, dd), month, dd)
        return d, d

    def month(m: re.Match[str], w: date | None) -> tuple[date, date]:
        return _month_span(int(m[2]), MONTHS[m[1]])

    def month_no_year(m: re.Match[str], w: date | None) -> tuple[date, date]:
        ref = _require(w, m[0])
        number = MONTHS[m[1]]
        return _month_span(_next_occurrence(ref, number), number)

    def season(m: re.Match[str], w: date | None) -> tuple[date, date]:
        return _season_span(int(m[2]), m[1])

    def this_season(m: re.Match[str], w: date | None) -> tuple[date, date]:
        ref = _require(w, m[0])
        spans = [_season_span(year, m[2]) for year in (ref.year - 1, ref.year, ref.year + 1)]
        current = [s for s in spans if s[0] <= ref <= s[1]]
        if m[1] in ("dit", "deze") and current:
            return current[0]
        if m[1] in ("dit", "deze"):  # the one of the letter's year, even when it has passed
            return next((s for s in spans if s[0].year == ref.year), spans[1])
        return next(s for s in spans if s[1] >= ref)  # komend/het: the next that has not ended

    def before_summer(m: re.Match[str], w: date | None) -> tuple[date, date]:
        if m[1]:
            year = int(m[1])
        else:
            ref = _require(w, m[0])
            year = ref.year if ref <= date(ref.year, 6, 30) else ref.year + 1
        deadline = date(year, 6, 30)
        return (w if w and w <= deadline else date(year, 1, 1)), deadline

    def part_year(m: re.Match[str], w: date | None) -> tuple[date, date]:
        return _part_of_year(m[1], int(m[2]))

    def part_month(m: re.Match[str], w: date | None) -> tuple[date, date]:
        number = MONTHS[m[2]]
        year = int(m[3]) if m[3] else _next_occurrence(_require(w, m[0]), number)
        return _part_of_month(m[1], year, number)

    def half(m: re.Match[str], w: date | None) -> tuple[date, date]:
        year = int(m[2])
        if m[1] == "eerste":
            return date(year, 1, 1), date(year, 6, 30)
        return date(year, 7, 1), date(year, 12, 31)

    def quarter(m: re.Match[str], w: date | None) -> tuple[date, date]:
        index = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4}.get(m[1]) or int(m[1])
        year = int(m[2])
        return date(year, 3 * index - 2, 1), _month_span(year, 3 * index)[1]

    def academic(m: re.Match[str], w: date | None) -> tuple[date, date]:
        first = int(m[1])
        if m[2]:
            _second_year(first, m[2])
        return _academic_span(first)

    def next_academic(m: re.Match[str], w: date | None) -> tuple[date, date]:
        ref = _require(w, m[0])
        return _academic_span(ref.year if ref.month < 9 else ref.year + 1)

    def year_range(m: re.Match[str], w: date | None) -> tuple[date, date]:
        first, last, joiner = int(m[1]), int(m[3]), m[2]
        if joiner == "tot":
            last -= 1
        if last < first:
            msg = f"the period {m[0]!r} ends before it starts"
            raise DatePhraseError(msg)
        return date(first, 1, 1), date(last, 12, 31)

    def year(m: re.Match[str], w: date | None) -> tuple[date, date]:
        return _year_span(int(m[1]))

    def this_year(m: re.Match[str], w: date | None) -> tuple[date, date]:
        return _year_span(_require(w, m[0]).year)

    def next_year(m: re.Match[str], w: date | None) -> tuple[date, date]:
        return _year_span(_require(w, m[0]).year + 1)

    def coming_years(m: re.Match[str], w: date | None) -> tuple[date, date]:
        ref = _require(w, m[0])
        words = {"twee": 2, "drie": 3, "vier": 4, "vijf": 5}
        count = words.get(m[1]) or int(m[1])
        year = ref.year + count
        return ref, date(year, ref.month, min(ref.day, calendar.monthrange(year, ref.month)[1]))

    def span_ahead(m: re.Match[str], w: date | None) -> tuple[date, date]:
        ref = _require(w, m[0])
        words = {"een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6}
        count = words.get(m[1]) or int(m[1])
        months = {"jaar": 12 * count, "maanden": count, "maand": count, "half jaar": 6 * count}[
            m[2]
        ]
        year, month = divmod(ref.month - 1 + months, 12)
        target_year, target_month = ref.year + year, month + 1
        last_day = calendar.monthrange(target_year, target_month)[1]
        return ref, date(target_year, target_month, min(ref.day, last_day))

    return [
        (rf"(\d{{1,2}}) {_MONTH} {_YEAR}", day),
        (rf"(\d{{1,2}}) {_MONTH}(?: a\.?s\.?)?", day_no_year),
        (rf"{_MONTH} {_YEAR}", month),
        (rf"{_MONTH}(?: a\.?s\.?)?", month_no_year),
        (rf"(?:het |de )?{_SEASON}(?: van)? {_YEAR}", season),
        (rf"(dit|deze|komend|komende|het|de) {_SEASON}", this_season),
        (rf"voor de zomer(?:vakantie|reces)?(?: van)?(?: {_YEAR})?", before_summer),
        (rf"(begin|medio|midden|half|eind|einde)(?: van)? {_YEAR}", part_year),
        (rf"(begin|medio|midden|half|eind|einde) {_MONTH}(?: {_YEAR})?", part_month),
        (rf"(eerste|tweede) helft(?: van)? {_YEAR}", half),
        (rf"(?:het )?(eerste|tweede|derde|vierde) kwartaal(?: van)? {_YEAR}", quarter),
        (rf"q([1-4]) {_YEAR}", quarter),
        (rf"(?:het )?{_ACADEMIC} {_YEAR}(?:[/-](\d{{2}}|\d{{4}}))?", academic),
        (rf"(?:het )?(?:komend|komende|volgend|volgende) {_ACADEMIC}", next_academic),
        (rf"(?:van )?{_YEAR} (tot en met|tot) {_YEAR}", year_range),
        (rf"{_YEAR}", year),
        (r"dit jaar|(?:het )?lopende jaar", this_year),
        (r"(?:volgend|komend) jaar", next_year),
        (r"(?:de )?komende (twee|drie|vier|vijf|\d) jaar", coming_years),
        (r"(een|twee|drie|vier|vijf|zes|\d{1,2}) (jaar|maanden|maand|half jaar)", span_ahead),
    ]


_COMPILED = [(re.compile(pattern), handler) for pattern, handler in _rules()]


def _parse_base(text: str, written_on: date | None) -> tuple[date, date] | None:
    for pattern, handler in _COMPILED:
        match = pattern.fullmatch(text)
        if match is not None:
            return handler(match, written_on)
    return None
