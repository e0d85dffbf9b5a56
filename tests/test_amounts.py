"""Tests for the Dutch money phrase parser (``pactgraph.loaders.amounts``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pactgraph.loaders.amounts import Amount, AmountError, parse_amount

PROPERTY = settings(deadline=None, max_examples=200)
MILLION = Decimal(10**6)


# --------------------------------------------------------------------------------------------
# Table
# --------------------------------------------------------------------------------------------

CASES = [
    pytest.param("€ 1,6 miljoen", Decimal(1_600_000), False, id="decimal-comma-miljoen"),
    pytest.param("€ 450 000", Decimal(450_000), False, id="thousands-space"),
    pytest.param("€ 450.000", Decimal(450_000), False, id="thousands-dot"),
    pytest.param("€ 8.1 miljoen", Decimal(8_100_000), False, id="decimal-dot-miljoen"),
    pytest.param("75 mln. euro", Decimal(75_000_000), False, id="mln-euro-after"),
    pytest.param("€ 11 miljoen per jaar", Decimal(11_000_000), True, id="per-jaar"),
    pytest.param("€ 1 miljard", Decimal(10**9), False, id="miljard"),
    pytest.param("€100 miljoen", Decimal(100_000_000), False, id="no-space-after-sign"),
    pytest.param("100 miljoen euro", Decimal(100_000_000), False, id="euro-after"),
    pytest.param("EUR 5 miljoen", Decimal(5_000_000), False, id="eur-upper"),
    pytest.param("€ 2.500,50", Decimal("2500.5"), False, id="dutch-thousands-and-cents"),
    pytest.param("€ 11,7 miljoen", Decimal(11_700_000), False, id="decimal-comma-11-7"),
    pytest.param("€ 1.234.567", Decimal(1_234_567), False, id="two-thousands-dots"),
    pytest.param("€ 1 234 567", Decimal(1_234_567), False, id="two-thousands-spaces"),
    pytest.param("€\u00a01\u00a0234", Decimal(1234), False, id="nbsp-thousands"),
    pytest.param("€ 1\u202f234", Decimal(1234), False, id="narrow-nbsp-thousands"),
    pytest.param("€ 0,05 miljoen", Decimal(50_000), False, id="small-fraction-miljoen"),
    pytest.param("€ 12.34 miljoen", Decimal(12_340_000), False, id="two-digit-dot-fraction"),
    pytest.param("€ 5 duizend", Decimal(5000), False, id="duizend"),
    pytest.param("€ 3 mld", Decimal(3 * 10**9), False, id="mld"),
    pytest.param("€ 2,5 mrd", Decimal(25 * 10**8), False, id="mrd"),
    pytest.param("€ 1.2 mln", Decimal(1_200_000), False, id="mln-no-dot"),
    pytest.param("5 eur", Decimal(5), False, id="eur-after"),
    pytest.param("€ 5 miljoen euro", Decimal(5_000_000), False, id="both-signs"),
    pytest.param("€ 2.500,-", Decimal(2500), False, id="comma-dash-whole-euros"),
    pytest.param("€ 11 miljoen jaarlijks", Decimal(11_000_000), True, id="jaarlijks"),
    pytest.param("€ 11 miljoen, per jaar", Decimal(11_000_000), True, id="comma-per-jaar"),
    pytest.param("€ 11 mln p.j.", Decimal(11_000_000), True, id="p-j"),
    pytest.param(
        "€ 1,6 miljoen structureel per jaar", Decimal(1_600_000), True, id="structureel-per-jaar"
    ),
    pytest.param("€ 450 000 per jaar", Decimal(450_000), True, id="thousands-per-jaar"),
    pytest.param("-€ 5 miljoen", Decimal(-5_000_000), False, id="negative-before-sign"),
    pytest.param("€ -5 miljoen", Decimal(-5_000_000), False, id="negative-after-sign"),
    pytest.param("\u2212€ 5 miljoen", Decimal(-5_000_000), False, id="negative-unicode-minus"),
]


@pytest.mark.parametrize(("phrase", "euros", "per_year"), CASES)
def test_parse_amount_table(phrase: str, euros: Decimal, per_year: bool) -> None:
    result = parse_amount(phrase)
    assert result == Amount(phrase=phrase, euros=euros, per_year=per_year)
    assert result.euros == euros


ERRORS = [
    pytest.param("5 miljoen", id="no-currency"),
    pytest.param("450.000", id="no-currency-thousands"),
    pytest.param("€", id="sign-only"),
    pytest.param("", id="empty"),
    pytest.param("€ abc", id="not-a-number"),
    pytest.param("€ 1.2.3", id="several-decimal-points"),
    pytest.param("€ 1.234.56", id="bad-last-group"),
    pytest.param("€ 12,3,4", id="several-decimal-commas"),
    pytest.param("€ 7e3", id="exponent"),
]


@pytest.mark.parametrize("phrase", ERRORS)
def test_parse_amount_errors(phrase: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(phrase)
    assert repr(phrase) in str(caught.value)


def test_amount_error_is_a_value_error() -> None:
    assert issubclass(AmountError, ValueError)


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------


def _grouped(number: int, separator: str) -> str:
    return f"{number:,}".replace(",", separator)


@PROPERTY
@given(st.integers(min_value=1, max_value=10**9), st.sampled_from([".", " ", "\u00a0"]))
def test_grouped_integers(number: int, separator: str) -> None:
    phrase = f"€ {_grouped(number, separator)}"
    result = parse_amount(phrase)
    assert result.euros == number
    assert result.phrase == phrase
    assert result.per_year is False


@PROPERTY
@given(st.integers(min_value=1, max_value=10**9), st.sampled_from(["€ {}", "€{}", "{} euro"]))
def test_plain_integers(number: int, template: str) -> None:
    assert parse_amount(template.format(number)).euros == number


@PROPERTY
@given(
    st.integers(min_value=0, max_value=9999),
    st.integers(min_value=1, max_value=2),
    st.data(),
    st.sampled_from([",", "."]),
    st.sampled_from(["miljoen", "mln", "mln."]),
)
def test_decimal_millions(
    whole: int, digits: int, data: st.DataObject, separator: str, unit: str
) -> None:
    fraction = data.draw(st.integers(min_value=0, max_value=10**digits - 1))
    text = f"{whole}.{fraction:0{digits}d}"
    phrase = f"€ {text.replace('.', separator)} {unit}"
    assert parse_amount(phrase).euros == Decimal(text) * MILLION


@st.composite
def amount_phrases(draw: st.DrawFn) -> str:
    """A money phrase without a per-year marker."""
    number = draw(st.integers(min_value=1, max_value=10**9))
    if draw(st.booleans()):
        body = _grouped(number, draw(st.sampled_from([".", " "])))
    else:
        body = f"{draw(st.integers(0, 999))},{draw(st.integers(1, 9))}"
    unit = draw(st.sampled_from(["", " miljoen", " mln", " miljard", " duizend"]))
    return draw(st.sampled_from([f"€ {body}{unit}", f"{body}{unit} euro", f"EUR {body}{unit}"]))


@PROPERTY
@given(
    amount_phrases(),
    st.sampled_from([" per jaar", " jaarlijks", ", per jaar", " p.j.", " structureel per jaar"]),
)
def test_per_year_suffix_only_flips_per_year(phrase: str, suffix: str) -> None:
    once = parse_amount(phrase)
    yearly = parse_amount(phrase + suffix)
    assert once.per_year is False
    assert yearly.per_year is True
    assert yearly.euros == once.euros
    assert yearly.phrase == phrase + suffix


@PROPERTY
@given(amount_phrases(), st.sampled_from(["-", "\u2212"]))
def test_minus_negates(phrase: str, minus: str) -> None:
    assert parse_amount(minus + phrase).euros == -parse_amount(phrase).euros
