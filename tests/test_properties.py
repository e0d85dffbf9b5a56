"""Properties of the parsers and the quote anchoring, over generated and real input.

The table tests of ``test_dates``, ``test_amounts`` and ``test_anchor`` pin examples; these
check what must hold for *every* input: any text gives a result or the parser's own error
(never a crash), the same amount or date written another way reads the same, and an anchored
quote is always exactly its passage of the letter — on windows of the real bundled letters.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from decimal import Decimal
from functools import cache

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from pactgraph.data import bundled_dataset
from pactgraph.loaders.amounts import AmountError, parse_amount
from pactgraph.loaders.anchor import (
    AnchorError,
    KeyedText,
    comparison_key,
    find_quote,
    is_page_furniture,
)
from pactgraph.loaders.dates import MONTHS, DatePhraseError, parse_due

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
DUTCH_TEXT = st.lists(
    st.sampled_from(
        [
            *"0123456789 .,-–/€abcdefghijklmnoprstuvwyzéö",
            *("miljoen", "mln", "euro", "per jaar", "tot en met", "tot", "voor", "najaar"),
            *("eind", "studiejaar", "komend", "dit", "januari", "sept.", "\u00a0", "\u2212"),
            *(" 2014", " 2013/14", " 1.000", ",5", "a.s."),
        ]
    ),
    max_size=16,
).map("".join)
"""Text made of the pieces due and money phrases are made of, in any order."""
LETTER_DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
YEARS = st.integers(1900, 2099)


@st.composite
def due_phrases(draw: st.DrawFn) -> str:
    """Phrases shaped like the parser's forms, with numbers that may be out of range."""
    number = draw(st.integers(0, 40))
    year = draw(st.integers(1890, 2110))
    month = draw(st.sampled_from(sorted(MONTHS)))
    base = draw(
        st.sampled_from(
            [
                f"{number} {month} {year}",
                f"{number} {month} a.s.",
                f"{month} {year}",
                f"{month}",
                f"{draw(st.sampled_from(['begin', 'medio', 'eind']))} {month}",
                f"{draw(st.sampled_from(['begin', 'medio', 'eind', 'half']))} {year}",
                f"{draw(st.sampled_from(['najaar', 'winter', 'voorjaar']))} {year}",
                f"{draw(st.sampled_from(['dit', 'komend', 'het']))} najaar",
                f"studiejaar {year}/{draw(st.integers(0, 2200))}",
                f"{year} tot {draw(st.integers(1890, 2110))}",
                f"{year} tot en met {draw(st.integers(1890, 2110))}",
                f"q{draw(st.integers(0, 6))} {year}",
                f"komende {number} jaar",
                f"{number} maanden",
                f"voor de zomer {year}",
                str(year),
            ]
        )
    )
    qualifier = draw(st.sampled_from(["", "uiterlijk ", "voor ", "vanaf ", "per ", "in "]))
    return qualifier + base


# ------------------------------------------------------------------ due dates


@PROPERTY
@given(st.one_of(DUTCH_TEXT, due_phrases()), st.one_of(st.none(), LETTER_DATES))
@example("31 februari 2014", None)
@example("2014 tot 2014", None)
@example("komende 9 jaar", date(2090, 2, 28))
@example("studiejaar 2099/00", None)
def test_any_text_is_an_interval_or_a_date_phrase_error(text: str, written_on: date | None) -> None:
    try:
        due = parse_due(text, written_on)
    except DatePhraseError as error:
        assert repr(text) in str(error) or text.strip().lower() in str(error).lower()
        return
    assert due.phrase == text
    assert due.start <= due.end


def month_names(number: int) -> list[str]:
    return [name for name, value in MONTHS.items() if value == number]


@PROPERTY
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)), st.data())
def test_every_calendar_day_reads_back_as_itself(day: date, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(month_names(day.month)))
    dot = data.draw(st.sampled_from(["", "."])) if len(name) <= 4 else ""
    due = parse_due(f"{day.day} {name}{dot} {day.year}")
    assert (due.start, due.end) == (day, day)


@PROPERTY
@given(YEARS, st.integers(1, 12), st.integers(29, 31))
def test_a_day_the_month_does_not_have_is_refused(year: int, month: int, day: int) -> None:
    assume(day > calendar.monthrange(year, month)[1])
    name = month_names(month)[0]
    try:
        parse_due(f"{day} {name} {year}")
    except DatePhraseError as error:
        assert "not a real date" in str(error)
    else:
        raise AssertionError(f"{day} {name} {year} was read as a date")


@PROPERTY
@given(YEARS, st.integers(1, 12), LETTER_DATES)
def test_a_month_with_its_year_is_the_whole_month_whatever_the_letters_date(
    year: int, month: int, written_on: date
) -> None:
    name = month_names(month)[0]
    due = parse_due(f"{name} {year}", written_on)
    assert due.start == date(year, month, 1)
    assert due.end == date(year, month, calendar.monthrange(year, month)[1])
    assert parse_due(f"  {name.upper()} {year} ", None) == parse_due(f"  {name.upper()} {year} ")


@PROPERTY
@given(YEARS, YEARS)
def test_tot_stops_a_year_before_tot_en_met(first: int, last: int) -> None:
    assume(first < last)
    inclusive = parse_due(f"{first} tot en met {last}")
    exclusive = parse_due(f"{first} tot {last}")
    assert inclusive.start == exclusive.start == date(first, 1, 1)
    assert inclusive.end == date(last, 12, 31)
    assert exclusive.end == date(last - 1, 12, 31)


# ------------------------------------------------------------------ amounts


@st.composite
def amount_phrases(draw: st.DrawFn) -> str:
    """Money phrases of random digit groups, separators, signs, multipliers and suffixes."""
    groups = draw(st.lists(st.text("0123456789", min_size=1, max_size=4), min_size=1, max_size=4))
    separators = draw(st.lists(st.sampled_from([".", ",", " ", "\u00a0", ""]), min_size=3))
    number = groups[0] + "".join(s + g for s, g in zip(separators, groups[1:], strict=False))
    return "".join(
        [
            draw(st.sampled_from(["", "-", "\u2212"])),
            draw(st.sampled_from(["€ ", "€", "EUR ", ""])),
            number,
            draw(st.sampled_from(["", " miljoen", " mln.", " miljard", " duizend"])),
            draw(st.sampled_from(["", " euro", ",-"])),
            draw(st.sampled_from(["", " per jaar", " p.j."])),
        ]
    )


@PROPERTY
@given(st.one_of(DUTCH_TEXT, amount_phrases()))
@example("€ 1.2.3")
@example("€ 1 23")
@example("€ ,")
@example("€ 1e9")
def test_any_text_is_an_amount_or_an_amount_error(text: str) -> None:
    try:
        amount = parse_amount(text)
    except AmountError:
        return
    assert amount.phrase == text
    assert amount.euros.is_finite()
    assert amount.euros >= 0 or "-" in text or "\u2212" in text


def dutch_grouping(number: int, separator: str) -> str:
    return f"{number:,}".replace(",", separator)


@PROPERTY
@given(
    st.integers(0, 10**12),
    st.sampled_from([".", " ", "\u00a0", "\u202f", ""]),
    st.sampled_from(["€ {}", "€{}", "{} euro", "EUR {}", "{} EUR", "€ {},-"]),
)
def test_a_whole_number_reads_the_same_however_it_is_grouped(
    number: int, separator: str, template: str
) -> None:
    phrase = template.format(dutch_grouping(number, separator))
    assert parse_amount(phrase).euros == number


@PROPERTY
@given(
    st.integers(0, 999),
    st.integers(1, 99),
    st.sampled_from([("miljoen", 10**6), ("mln.", 10**6), ("miljard", 10**9)]),
)
def test_a_short_fraction_reads_the_same_with_a_comma_or_a_dot(
    whole: int, fraction: int, multiplier: tuple[str, int]
) -> None:
    word, factor = multiplier
    digits = str(fraction)
    expected = (Decimal(whole) + Decimal(digits) / 10 ** len(digits)) * factor
    for mark in (",", "."):
        assert parse_amount(f"€ {whole}{mark}{digits} {word}").euros == expected


@PROPERTY
@given(st.integers(1, 10**9), st.sampled_from(["per jaar", "jaarlijks", "p.j.", ", per jaar"]))
def test_per_year_marks_the_amount_without_changing_it(number: int, suffix: str) -> None:
    plain = parse_amount(f"€ {dutch_grouping(number, '.')}")
    yearly = parse_amount(f"€ {dutch_grouping(number, '.')} {suffix}")
    assert (plain.euros, plain.per_year) == (yearly.euros, not yearly.per_year)


@PROPERTY
@given(st.integers(1, 10**6))
def test_a_number_without_a_currency_is_not_an_amount(number: int) -> None:
    for phrase in (str(number), f"{number} miljoen", dutch_grouping(number, ".")):
        try:
            parse_amount(phrase)
        except AmountError:
            continue
        raise AssertionError(f"{phrase!r} was read as euros")


# ------------------------------------------------------------------ quote anchoring


@cache
def letters() -> tuple[str, ...]:
    folder = bundled_dataset().joinpath("letters")
    return tuple(
        entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".txt")
    )


@cache
def keyed(index: int) -> KeyedText:
    return KeyedText.of(letters()[index])


def assert_sound(
    text: KeyedText,
    quote: str,
    anchor_start: int,
    anchor_end: int,
    gaps: tuple[tuple[int, int], ...],
) -> None:
    """A found passage, minus the gaps it skips, says exactly what the quote says."""
    kept, cursor = [], anchor_start
    for gap_start, gap_end in gaps:
        assert is_page_furniture(text.original[gap_start:gap_end])
        kept.append(text.original[cursor:gap_start])
        cursor = gap_end
    kept.append(text.original[cursor:anchor_end])
    assert comparison_key("".join(kept)) == comparison_key(quote)


@PROPERTY
@given(st.data())
def test_a_unique_window_of_a_real_letter_anchors_to_itself(data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(letters()) - 1), label="letter")
    letter = letters()[index]
    start = data.draw(st.integers(0, len(letter) - 60), label="start")
    length = data.draw(st.integers(40, 400), label="length")
    window = letter[start : start + length]
    text = keyed(index)
    wanted = comparison_key(window)
    assume(len(wanted) >= 16 and text.key.count(wanted) == 1)
    found = find_quote(text, window)
    assert start <= found.start <= found.end <= start + len(window)
    assert comparison_key(letter[found.start : found.end]) == wanted
    assert found.exact == letter[found.start : found.end]
    assert found.prefix == letter[max(0, found.start - 32) : found.start]
    assert found.suffix == letter[found.end : found.end + 32]
    # as a reader would type it: one line, hyphenated breaks joined, plain quotes and dashes
    typed = re.sub(r"-\n\s*", "", window)
    typed = " ".join(typed.split()).replace("’", "'").replace("“", '"').replace("”", '"')
    typed = typed.replace("–", "-")
    retyped = find_quote(text, typed)
    assert (retyped.start, retyped.end) == (found.start, found.end)


WORDS = st.sampled_from(
    [
        *("techniek", "onderwijs", "bedrijven", "regio", "talent", "leerlingen", "scholen"),
        *("docenten", "beurzen", "innovatie", "vakmanschap", "werkgevers", "studenten"),
    ]
)


@PROPERTY
@given(
    st.lists(WORDS, min_size=4, max_size=10),
    st.lists(WORDS, min_size=4, max_size=10),
    st.integers(2, 400),
)
def test_a_quote_across_a_page_footer_skips_exactly_the_footer(
    before: list[str], after: list[str], page: int
) -> None:
    first, second = " ".join(before), " ".join(after)
    footer = f"\n\nTweede Kamer, vergaderjaar 2013–2014, 32 637, nr. 50 {page}\n\n"
    letter = f"{first}{footer}{second}\n"
    text = KeyedText.of(letter)
    quote = f"{first} {second}"
    assume(text.key.count(comparison_key(quote)) == 0)
    try:
        found = find_quote(text, quote)
    except AnchorError:
        # refused as ambiguous or too short: never anchored somewhere else
        return
    assert (found.start, found.end) == (0, len(letter) - 1)
    assert found.gaps == ((len(first), len(first) + len(footer)),)
    assert_sound(text, quote, found.start, found.end, found.gaps)


@PROPERTY
@given(st.data())
def test_a_changed_word_is_never_anchored_as_if_it_were_there(data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(letters()) - 1), label="letter")
    letter = letters()[index]
    start = data.draw(st.integers(0, len(letter) - 200), label="start")
    window = letter[start : start + 120]
    position = data.draw(st.integers(20, 100), label="position")
    replacement = data.draw(st.sampled_from("qxzQXZ"), label="replacement")
    assume(window[position].isalpha() and window[position] != replacement)
    changed = window[:position] + replacement + window[position + 1 :]
    text = keyed(index)
    try:
        found = find_quote(text, changed)
    except AnchorError:
        return
    assert_sound(text, changed, found.start, found.end, found.gaps)
