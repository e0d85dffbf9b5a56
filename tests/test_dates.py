"""Tests for the Dutch due-date phrase parser (``pactgraph.loaders.dates``)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pactgraph.loaders.dates import DatePhraseError, DueInterval, parse_due

LETTER = date(2013, 8, 23)  # the date of a typical Techniekpact letter
DECEMBER = date(2013, 12, 5)

SEASON_MONTHS = {
    "voorjaar": (3, 5),
    "lente": (3, 5),
    "zomer": (6, 8),
    "najaar": (9, 11),
    "herfst": (9, 11),
    "winter": (12, 2),
}
MONTH_NAMES = (
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
PROPERTY = settings(deadline=None, max_examples=200)
# the parser reads years 1900–2099 (``(?:19|20)\d\d``), so properties stop at 2099
YEARS = st.integers(min_value=1990, max_value=2099)
LETTER_DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2097, 12, 31))


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _case(phrase: str, written_on: date | None, start: date, end: date, case_id: str) -> object:
    return pytest.param(phrase, written_on, start, end, id=case_id)


# --------------------------------------------------------------------------------------------
# Table: every form the module docstring and rules support, with exact intervals.
# --------------------------------------------------------------------------------------------

CASES = [
    # seasons (meteorological)
    _case("najaar 2013", None, date(2013, 9, 1), date(2013, 11, 30), "season-najaar"),
    _case("herfst 2014", None, date(2014, 9, 1), date(2014, 11, 30), "season-herfst"),
    _case("voorjaar 2014", None, date(2014, 3, 1), date(2014, 5, 31), "season-voorjaar"),
    _case("lente 2014", None, date(2014, 3, 1), date(2014, 5, 31), "season-lente"),
    _case("zomer 2014", None, date(2014, 6, 1), date(2014, 8, 31), "season-zomer"),
    _case("winter 2013", None, date(2013, 12, 1), date(2014, 2, 28), "season-winter-crosses-year"),
    _case("winter 2015", None, date(2015, 12, 1), date(2016, 2, 29), "season-winter-leap-year"),
    _case("het najaar van 2013", None, date(2013, 9, 1), date(2013, 11, 30), "season-het-van"),
    # parts of a year: Q1, May–Aug, Q4
    _case("eind 2013", None, date(2013, 10, 1), date(2013, 12, 31), "year-eind"),
    _case("einde 2014", None, date(2014, 10, 1), date(2014, 12, 31), "year-einde"),
    _case("eind van 2014", None, date(2014, 10, 1), date(2014, 12, 31), "year-eind-van"),
    _case("begin 2014", None, date(2014, 1, 1), date(2014, 3, 31), "year-begin"),
    _case("begin van 2014", None, date(2014, 1, 1), date(2014, 3, 31), "year-begin-van"),
    _case("medio 2014", None, date(2014, 5, 1), date(2014, 8, 31), "year-medio"),
    _case("midden 2014", None, date(2014, 5, 1), date(2014, 8, 31), "year-midden"),
    # parts of a month: 1–10, 11–20, 21–last
    _case("begin maart 2014", None, date(2014, 3, 1), date(2014, 3, 10), "month-begin"),
    _case("medio maart 2014", None, date(2014, 3, 11), date(2014, 3, 20), "month-medio"),
    _case("eind november 2013", None, date(2013, 11, 21), date(2013, 11, 30), "month-eind"),
    _case("eind februari 2016", None, date(2016, 2, 21), date(2016, 2, 29), "month-eind-leap"),
    # single days, months, years
    _case("per 1 augustus 2014", None, date(2014, 8, 1), date(2014, 8, 1), "day-per"),
    _case("Vanaf 1 oktober 2013", None, date(2013, 10, 1), date(2013, 10, 1), "day-vanaf-caps"),
    _case("op 1 mei 2014", None, date(2014, 5, 1), date(2014, 5, 1), "day-op"),
    _case("1 sept. 2014", None, date(2014, 9, 1), date(2014, 9, 1), "day-abbreviated-month"),
    _case(
        "met ingang van 1 januari 2014",
        None,
        date(2014, 1, 1),
        date(2014, 1, 1),
        "day-met-ingang-van",
    ),
    _case("september 2014", None, date(2014, 9, 1), date(2014, 9, 30), "month-year"),
    _case("vanaf januari 2014", None, date(2014, 1, 1), date(2014, 1, 31), "month-vanaf"),
    _case("in 2014", None, date(2014, 1, 1), date(2014, 12, 31), "year-in"),
    _case("rond 2015", None, date(2015, 1, 1), date(2015, 12, 31), "year-rond"),
    # halves and quarters
    _case("eerste helft 2014", None, date(2014, 1, 1), date(2014, 6, 30), "half-first"),
    _case("tweede helft 2014", None, date(2014, 7, 1), date(2014, 12, 31), "half-second"),
    _case("tweede kwartaal 2014", None, date(2014, 4, 1), date(2014, 6, 30), "quarter-word"),
    _case(
        "het eerste kwartaal van 2014",
        None,
        date(2014, 1, 1),
        date(2014, 3, 31),
        "quarter-het-van",
    ),
    _case("Q3 2014", None, date(2014, 7, 1), date(2014, 9, 30), "quarter-q"),
    # ranges of years: "tot en met" includes, "tot" excludes the last year
    _case("2013–2017", None, date(2013, 1, 1), date(2017, 12, 31), "range-en-dash"),
    _case("2013-2017", None, date(2013, 1, 1), date(2017, 12, 31), "range-hyphen"),
    _case("2013 – 2017", None, date(2013, 1, 1), date(2017, 12, 31), "range-spaced-dash"),
    _case("2013 tot en met 2016", None, date(2013, 1, 1), date(2016, 12, 31), "range-t-e-m"),
    _case("2013 t/m 2016", None, date(2013, 1, 1), date(2016, 12, 31), "range-t/m"),
    _case("van 2013 tot 2017", None, date(2013, 1, 1), date(2016, 12, 31), "range-van-tot"),
    _case("2013 tot 2017", None, date(2013, 1, 1), date(2016, 12, 31), "range-tot"),
    _case("in de jaren 2014 en 2015", None, date(2014, 1, 1), date(2015, 12, 31), "range-jaren-en"),
    _case("tussen 2014 en 2017", None, date(2014, 1, 1), date(2017, 12, 31), "range-tussen"),
    _case("periode 2014-2016", None, date(2014, 1, 1), date(2016, 12, 31), "range-periode"),
    _case(
        "de periode van 2014 tot 2016",
        None,
        date(2014, 1, 1),
        date(2015, 12, 31),
        "range-de-periode-van-tot",
    ),
    # study, school and academic years: 1 September – 31 August
    _case("studiejaar 2014/15", None, date(2014, 9, 1), date(2015, 8, 31), "study-studiejaar"),
    _case(
        "schooljaar 2013–2014", None, date(2013, 9, 1), date(2014, 8, 31), "study-schooljaar-dash"
    ),
    _case("collegejaar 2015/16", None, date(2015, 9, 1), date(2016, 8, 31), "study-collegejaar"),
    _case("schooljaar 2014/2015", None, date(2014, 9, 1), date(2015, 8, 31), "study-four-digits"),
    _case("academisch jaar 2014-15", None, date(2014, 9, 1), date(2015, 8, 31), "study-academisch"),
    _case("studiejaar 2014", None, date(2014, 9, 1), date(2015, 8, 31), "study-single-year"),
    _case("2014/15", None, date(2014, 9, 1), date(2015, 8, 31), "study-bare"),
    _case("periode 2014/15", None, date(2014, 9, 1), date(2015, 8, 31), "study-periode"),
    _case(
        "schooljaar 1999/00", None, date(1999, 9, 1), date(2000, 8, 31), "study-century-rollover"
    ),
    # relative to the letter's date
    _case("begin november", LETTER, date(2013, 11, 1), date(2013, 11, 10), "rel-begin-month"),
    _case(
        "begin november",
        DECEMBER,
        date(2014, 11, 1),
        date(2014, 11, 10),
        "rel-begin-month-next-year",
    ),
    _case("eind augustus", LETTER, date(2013, 8, 21), date(2013, 8, 31), "rel-eind-current-month"),
    _case("november", LETTER, date(2013, 11, 1), date(2013, 11, 30), "rel-month"),
    _case("november a.s.", LETTER, date(2013, 11, 1), date(2013, 11, 30), "rel-month-as"),
    _case("dit najaar", LETTER, date(2013, 9, 1), date(2013, 11, 30), "rel-dit-najaar"),
    _case("Dit najaar", LETTER, date(2013, 9, 1), date(2013, 11, 30), "rel-dit-najaar-caps"),
    _case("in het najaar", LETTER, date(2013, 9, 1), date(2013, 11, 30), "rel-in-het-najaar"),
    _case("deze winter", LETTER, date(2013, 12, 1), date(2014, 2, 28), "rel-deze-winter"),
    _case(
        "deze winter",
        date(2014, 1, 15),
        date(2013, 12, 1),
        date(2014, 2, 28),
        "rel-deze-winter-in-january",
    ),
    _case(
        "komende zomer",
        date(2013, 9, 10),
        date(2014, 6, 1),
        date(2014, 8, 31),
        "rel-komende-zomer-after-summer",
    ),
    _case(
        "in het voorjaar",
        DECEMBER,
        date(2014, 3, 1),
        date(2014, 5, 31),
        "rel-het-voorjaar-after-spring",
    ),
    _case("16 september a.s.", LETTER, date(2013, 9, 16), date(2013, 9, 16), "rel-day-as"),
    _case("1 augustus", LETTER, date(2014, 8, 1), date(2014, 8, 1), "rel-day-passed"),
    _case("dit jaar", LETTER, date(2013, 1, 1), date(2013, 12, 31), "rel-dit-jaar"),
    _case("het lopende jaar", LETTER, date(2013, 1, 1), date(2013, 12, 31), "rel-lopende-jaar"),
    _case("volgend jaar", LETTER, date(2014, 1, 1), date(2014, 12, 31), "rel-volgend-jaar"),
    _case("komend jaar", LETTER, date(2014, 1, 1), date(2014, 12, 31), "rel-komend-jaar"),
    _case(
        "komend cursusjaar", LETTER, date(2013, 9, 1), date(2014, 8, 31), "rel-komend-cursusjaar"
    ),
    _case(
        "komend cursusjaar",
        date(2013, 9, 5),
        date(2014, 9, 1),
        date(2015, 8, 31),
        "rel-komend-cursusjaar-after-start",
    ),
    _case("de komende drie jaar", LETTER, LETTER, date(2016, 8, 23), "rel-komende-drie-jaar"),
    _case("de komende 3 jaar", LETTER, LETTER, date(2016, 8, 23), "rel-komende-3-jaar"),
    _case(
        "de komende drie jaar",
        date(2012, 2, 29),
        date(2012, 2, 29),
        date(2015, 2, 28),
        "rel-komende-drie-jaar-from-leap-day",
    ),
    _case(
        "de komende drie jaar",
        date(2013, 8, 31),
        date(2013, 8, 31),
        date(2016, 8, 31),
        "rel-komende-drie-jaar-from-31st",
    ),
    _case("over een half jaar", LETTER, LETTER, date(2014, 2, 23), "rel-over-half-jaar"),
    _case(
        "over een half jaar",
        date(2013, 8, 31),
        date(2013, 8, 31),
        date(2014, 2, 28),
        "rel-over-half-jaar-clamped",
    ),
    _case("over een jaar", LETTER, LETTER, date(2014, 8, 23), "rel-over-een-jaar"),
    _case("in twee jaar", LETTER, LETTER, date(2015, 8, 23), "rel-in-twee-jaar"),
    _case("binnen twee jaar", LETTER, LETTER, date(2015, 8, 23), "rel-binnen-twee-jaar"),
    _case("over 6 maanden", LETTER, LETTER, date(2014, 2, 23), "rel-over-6-maanden"),
    _case(
        "over een maand",
        date(2013, 1, 31),
        date(2013, 1, 31),
        date(2013, 2, 28),
        "rel-over-een-maand-clamped",
    ),
    # deadlines run from the letter's date to the deadline
    _case("voor 1 januari 2015", LETTER, LETTER, date(2014, 12, 31), "deadline-voor-day"),
    _case("vóór 1 januari 2015", LETTER, LETTER, date(2014, 12, 31), "deadline-voor-accent"),
    _case("voor 2015", LETTER, LETTER, date(2014, 12, 31), "deadline-voor-year"),
    _case("tot 2015", LETTER, LETTER, date(2014, 12, 31), "deadline-tot-year"),
    _case("tot en met 2015", LETTER, LETTER, date(2015, 12, 31), "deadline-tot-en-met"),
    _case("uiterlijk in 2015", LETTER, LETTER, date(2015, 12, 31), "deadline-uiterlijk-in"),
    _case("uiterlijk 1 januari 2014", LETTER, LETTER, date(2014, 1, 1), "deadline-uiterlijk-day"),
    _case("uiterlijk begin 2014", LETTER, LETTER, date(2014, 3, 31), "deadline-uiterlijk-begin"),
    _case(
        "uiterlijk 2015",
        date(2016, 1, 1),
        date(2015, 1, 1),
        date(2015, 12, 31),
        "deadline-uiterlijk-already-past",
    ),
    _case(
        "voor de start van schooljaar 2014/15",
        LETTER,
        LETTER,
        date(2014, 8, 31),
        "deadline-voor-start-schooljaar",
    ),
    _case(
        "voor de zomer van 2014",
        date(2014, 3, 10),
        date(2014, 3, 10),
        date(2014, 6, 30),
        "deadline-voor-de-zomer-same-year",
    ),
    _case(
        "voor de zomer van 2014",
        LETTER,
        LETTER,
        date(2014, 6, 30),
        "deadline-voor-de-zomer-next-year",
    ),
    _case(
        "voor de zomer",
        date(2013, 3, 1),
        date(2013, 3, 1),
        date(2013, 6, 30),
        "deadline-voor-de-zomer-relative",
    ),
    _case(
        "voor de zomer",
        LETTER,
        LETTER,
        date(2014, 6, 30),
        "deadline-voor-de-zomer-relative-after-summer",
    ),
    # whitespace and typography
    _case("najaar\u00a02013", None, date(2013, 9, 1), date(2013, 11, 30), "nbsp"),
    _case("  eind   2013 ", None, date(2013, 10, 1), date(2013, 12, 31), "extra-spaces"),
    _case("Medio 2014", None, date(2014, 5, 1), date(2014, 8, 31), "capitalised"),
]


@pytest.mark.parametrize(("phrase", "written_on", "start", "end"), CASES)
def test_parse_due_table(phrase: str, written_on: date | None, start: date, end: date) -> None:
    result = parse_due(phrase, written_on)
    assert result == DueInterval(phrase=phrase, start=start, end=end)


def test_year_anchored_phrase_ignores_the_letter_date() -> None:
    assert parse_due("najaar 2013", LETTER) == parse_due("najaar 2013", None)
    assert parse_due("studiejaar 2014/15", DECEMBER) == parse_due("studiejaar 2014/15")


# --------------------------------------------------------------------------------------------
# Errors: a DatePhraseError whose message quotes the phrase as written.
# --------------------------------------------------------------------------------------------

ERRORS = [
    pytest.param("binnenkort", LETTER, id="unparseable-binnenkort"),
    pytest.param("ooit", LETTER, id="unparseable-ooit"),
    pytest.param("", LETTER, id="unparseable-empty"),
    pytest.param("   ", LETTER, id="unparseable-blank"),
    pytest.param("najaar 20134", None, id="unparseable-five-digit-year"),
    pytest.param("winter", LETTER, id="unparseable-bare-season"),
    pytest.param("dit najaar", None, id="relative-without-date-dit-najaar"),
    pytest.param("Dit najaar", None, id="relative-without-date-capitalised"),
    pytest.param("in het najaar", None, id="relative-without-date-with-qualifier"),
    pytest.param("begin november", None, id="relative-without-date-begin-november"),
    pytest.param("16 september a.s.", None, id="relative-without-date-day"),
    pytest.param("volgend jaar", None, id="relative-without-date-volgend-jaar"),
    pytest.param("komend cursusjaar", None, id="relative-without-date-cursusjaar"),
    pytest.param("over een half jaar", None, id="relative-without-date-span"),
    pytest.param("studiejaar 2014/16", None, id="study-year-not-consecutive"),
    pytest.param("schooljaar 2014/2016", None, id="study-year-not-consecutive-four-digits"),
    pytest.param("studiejaar 2014/14", None, id="study-year-same-year"),
    pytest.param("2017–2013", None, id="range-backwards-en-dash"),
    pytest.param("2017-2013", None, id="range-backwards-hyphen"),
    pytest.param("2013 tot en met 2012", None, id="range-backwards-t-e-m"),
    pytest.param("van 2017 tot 2017", None, id="range-tot-empty"),
    pytest.param("31 februari 2014", None, id="impossible-day"),
]


@pytest.mark.parametrize(("phrase", "written_on"), ERRORS)
def test_parse_due_errors(phrase: str, written_on: date | None) -> None:
    with pytest.raises(DatePhraseError) as caught:
        parse_due(phrase, written_on)
    assert repr(phrase) in str(caught.value)


def test_date_phrase_error_is_a_value_error() -> None:
    assert issubclass(DatePhraseError, ValueError)


# --------------------------------------------------------------------------------------------
# Properties: year-anchored phrases.
# --------------------------------------------------------------------------------------------


@st.composite
def anchored_phrases(draw: st.DrawFn) -> tuple[str, int]:
    """A phrase that names its own year, built from components, and that year."""
    year = draw(YEARS)
    month = draw(st.sampled_from(MONTH_NAMES))
    form = draw(
        st.sampled_from(
            ["season", "year-part", "month", "day", "month-part", "half", "quarter", "q", "year"]
        )
    )
    if form == "season":
        article = draw(st.sampled_from(["", "het "]))
        van = draw(st.sampled_from(["", " van"]))
        phrase = f"{article}{draw(st.sampled_from(list(SEASON_MONTHS)))}{van} {year}"
    elif form == "year-part":
        phrase = f"{draw(st.sampled_from(['begin', 'medio', 'midden', 'eind', 'einde']))} {year}"
    elif form == "month":
        phrase = f"{month} {year}"
    elif form == "day":
        phrase = f"{draw(st.integers(1, 28))} {month} {year}"
    elif form == "month-part":
        phrase = f"{draw(st.sampled_from(['begin', 'medio', 'eind']))} {month} {year}"
    elif form == "half":
        phrase = f"{draw(st.sampled_from(['eerste', 'tweede']))} helft {year}"
    elif form == "quarter":
        ordinal = draw(st.sampled_from(["eerste", "tweede", "derde", "vierde"]))
        phrase = f"{ordinal} kwartaal {year}"
    elif form == "q":
        phrase = f"q{draw(st.integers(1, 4))} {year}"
    else:
        phrase = f"{year}"
    return phrase, year


@PROPERTY
@given(anchored_phrases(), st.one_of(st.none(), LETTER_DATES))
def test_anchored_phrase_interval_is_in_its_year(
    phrase_and_year: tuple[str, int], written_on: date | None
) -> None:
    phrase, year = phrase_and_year
    result = parse_due(phrase, written_on)
    assert result.phrase == phrase
    assert result.start <= result.end
    assert result.start.year == year
    assert result.end.year in (year, year + 1)  # only winter runs into the next year


@PROPERTY
@given(anchored_phrases(), st.sampled_from(["in ", "per ", "vanaf ", "op ", "rond "]))
def test_start_qualifiers_and_capitals_do_not_move_the_interval(
    phrase_and_year: tuple[str, int], qualifier: str
) -> None:
    phrase, _ = phrase_and_year
    plain = parse_due(phrase)
    for variant in (qualifier + phrase, phrase.capitalize(), f"  {phrase.upper()} "):
        result = parse_due(variant)
        assert (result.start, result.end) == (plain.start, plain.end)
        assert result.phrase == variant


@PROPERTY
@given(YEARS, st.sampled_from(list(SEASON_MONTHS)))
def test_season_spans_its_three_months(year: int, season: str) -> None:
    first, last = SEASON_MONTHS[season]
    result = parse_due(f"{season} {year}")
    assert result.start == date(year, first, 1)
    end_year = year + 1 if last < first else year
    assert result.end == date(end_year, last, _last_day(end_year, last))


@PROPERTY
@given(YEARS, st.integers(1, 12), st.sampled_from(["begin", "medio", "eind"]))
def test_part_of_month_thirds(year: int, month: int, part: str) -> None:
    result = parse_due(f"{part} {MONTH_NAMES[month - 1]} {year}")
    first_day, last_day = {"begin": (1, 10), "medio": (11, 20), "eind": (21, None)}[part]
    assert result.start == date(year, month, first_day)
    assert result.end == date(year, month, last_day or _last_day(year, month))


@PROPERTY
@given(
    YEARS,
    st.sampled_from(["studiejaar", "schooljaar", "collegejaar", "cursusjaar", "academisch jaar"]),
    st.sampled_from(["/", "-", "–"]),
    st.booleans(),
)
@example(year=1999, kind="schooljaar", separator="/", short=True)
@example(year=2009, kind="studiejaar", separator="/", short=True)
def test_study_year_runs_september_to_august(
    year: int, kind: str, separator: str, short: bool
) -> None:
    second = f"{(year + 1) % 100:02d}" if short else str(year + 1)
    phrase = f"{kind} {year}{separator}{second}"
    result = parse_due(phrase)
    assert result.phrase == phrase
    assert result.start == date(year, 9, 1)
    assert result.end == date(year + 1, 8, 31)
    assert (result.end - result.start).days + 1 == (366 if calendar.isleap(year + 1) else 365)


@PROPERTY
@given(YEARS.filter(lambda y: y <= 2094), st.sampled_from([-1, 0, 2, 3, 5]))
def test_study_year_needs_consecutive_years(year: int, offset: int) -> None:
    phrase = f"studiejaar {year}/{year + offset}"
    with pytest.raises(DatePhraseError):
        parse_due(phrase)


@PROPERTY
@given(YEARS, YEARS)
def test_year_ranges(first: int, last: int) -> None:
    inclusive = [
        f"{first}–{last}",
        f"{first}-{last}",
        f"{first} tot en met {last}",
        f"tussen {first} en {last}",
        f"in de jaren {first} en {last}",
    ]
    for phrase in inclusive:
        if last < first:
            with pytest.raises(DatePhraseError):
                parse_due(phrase)
        else:
            result = parse_due(phrase)
            assert (result.start, result.end) == (date(first, 1, 1), date(last, 12, 31))
            assert result.phrase == phrase
    exclusive = f"van {first} tot {last}"
    if last <= first:
        with pytest.raises(DatePhraseError):
            parse_due(exclusive)
    else:
        result = parse_due(exclusive)
        assert (result.start, result.end) == (date(first, 1, 1), date(last - 1, 12, 31))


# --------------------------------------------------------------------------------------------
# Properties: phrases read against the letter's date.
# --------------------------------------------------------------------------------------------


@PROPERTY
@given(LETTER_DATES, st.sampled_from(["voorjaar", "zomer", "najaar"]))
def test_dit_season_is_in_the_letters_year(written_on: date, season: str) -> None:
    first, last = SEASON_MONTHS[season]
    result = parse_due(f"dit {season}", written_on)
    assert result.start == date(written_on.year, first, 1)
    assert result.end == date(written_on.year, last, _last_day(written_on.year, last))


@PROPERTY
@given(LETTER_DATES)
def test_this_and_next_year(written_on: date) -> None:
    year = written_on.year
    assert (parse_due("dit jaar", written_on).start, parse_due("dit jaar", written_on).end) == (
        date(year, 1, 1),
        date(year, 12, 31),
    )
    for phrase in ("volgend jaar", "komend jaar", "Volgend jaar"):
        result = parse_due(phrase, written_on)
        assert (result.start, result.end) == (date(year + 1, 1, 1), date(year + 1, 12, 31))


@PROPERTY
@given(LETTER_DATES, st.integers(1, 12), st.sampled_from(["begin", "medio", "eind", ""]))
def test_month_without_year_is_within_the_coming_year(
    written_on: date, month: int, part: str
) -> None:
    phrase = f"{part} {MONTH_NAMES[month - 1]}".strip()
    result = parse_due(phrase, written_on)
    assert result.start <= result.end
    assert result.start.month == result.end.month == month
    first_of_letter_month = written_on.replace(day=1)
    assert first_of_letter_month <= result.start
    assert result.start <= first_of_letter_month.replace(year=written_on.year + 1)


@PROPERTY
@given(LETTER_DATES, st.integers(1, 12), st.sampled_from(["begin", "medio", "eind"]))
def test_part_of_month_without_year_reads_like_the_dated_form(
    written_on: date, month: int, part: str
) -> None:
    phrase = f"{part} {MONTH_NAMES[month - 1]}"
    relative = parse_due(phrase, written_on)
    dated = parse_due(f"{phrase} {relative.start.year}")
    assert (relative.start, relative.end) == (dated.start, dated.end)


@PROPERTY
@given(LETTER_DATES, st.integers(1, 12), st.integers(1, 28))
def test_day_as_is_the_next_such_day(written_on: date, month: int, day: int) -> None:
    result = parse_due(f"{day} {MONTH_NAMES[month - 1]} a.s.", written_on)
    assert result.start == result.end
    assert (result.start.month, result.start.day) == (month, day)
    assert written_on <= result.start < written_on + timedelta(days=366)


@PROPERTY
@given(LETTER_DATES)
def test_coming_study_year_starts_after_the_letter(written_on: date) -> None:
    result = parse_due("komend cursusjaar", written_on)
    assert (result.start.month, result.start.day) == (9, 1)
    assert result.end == date(result.start.year + 1, 8, 31)
    assert written_on < result.start <= written_on + timedelta(days=366)


@PROPERTY
@given(LETTER_DATES, st.integers(1, 9))
def test_over_n_months_runs_from_the_letter(written_on: date, count: int) -> None:
    result = parse_due(f"over {count} maanden", written_on)
    assert result.start == written_on
    year, month = divmod(written_on.month - 1 + count, 12)
    target_year, target_month = written_on.year + year, month + 1
    expected_day = min(written_on.day, _last_day(target_year, target_month))
    assert result.end == date(target_year, target_month, expected_day)


@PROPERTY
@given(LETTER_DATES, st.sampled_from([("twee", 2), ("drie", 3), ("vier", 4), ("vijf", 5)]))
@example(written_on=date(2013, 8, 31), count=("drie", 3))
def test_coming_years_run_from_the_letter(written_on: date, count: tuple[str, int]) -> None:
    word, number = count
    result = parse_due(f"de komende {word} jaar", written_on)
    assert result.start == written_on
    target_year = written_on.year + number
    expected_day = min(written_on.day, _last_day(target_year, written_on.month))
    assert result.end == date(target_year, written_on.month, expected_day)


@PROPERTY
@given(LETTER_DATES, st.sampled_from(["voor", "uiterlijk", "tot en met"]), YEARS)
def test_deadlines_run_from_the_letter_when_still_ahead(
    written_on: date, qualifier: str, year: int
) -> None:
    result = parse_due(f"{qualifier} {year}", written_on)
    deadline = date(year - 1, 12, 31) if qualifier == "voor" else date(year, 12, 31)
    assert result.end == deadline
    if written_on <= deadline:
        assert result.start == written_on
    assert result.start <= result.end
