"""Dutch money phrases → decimal euros.

"€ 1,6 miljoen", "€ 450 000", "€ 450.000", "€ 8.1 miljoen", "75 mln. euro", "€ 11 miljoen per
jaar". Dutch writes a decimal comma and a thousands dot, but letters are not consistent, so a
dot counts as a thousands separator only when every group after it has exactly three digits;
a comma is always the decimal separator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_MULTIPLIERS = {
    "miljard": Decimal(10**9),
    "mld": Decimal(10**9),
    "mrd": Decimal(10**9),
    "miljoen": Decimal(10**6),
    "mln": Decimal(10**6),
    "mio": Decimal(10**6),
    "duizend": Decimal(10**3),
    "dzd": Decimal(10**3),
}
_PER_YEAR = re.compile(
    r"\s*(?:,\s*)?(?:per jaar|jaarlijks|structureel per jaar|per jaar structureel|p\.?j\.?)\s*$"
)
_AMOUNT = re.compile(
    r"""^(?P<sign>[-−])?\s*(?:€|eur|euro)?\s*(?P<sign2>[-−])?\s*
        (?P<number>\d[\d\s.,\u00a0\u202f]*)\s*
        (?P<multiplier>miljard|mld|mrd|miljoen|mln|mio|duizend|dzd)?\.?\s*
        (?:€|eur|euro)?$""",
    re.VERBOSE,
)


class AmountError(ValueError):
    """A money phrase the parser cannot read."""


@dataclass(frozen=True)
class Amount:
    """An amount in euros, with the phrase as written and whether it is per year."""

    phrase: str
    euros: Decimal
    per_year: bool


def parse_amount(phrase: str) -> Amount:
    """Read a Dutch money phrase; negative amounts parse (callers decide whether they may)."""
    text = phrase.strip().lower().replace("\u2212", "-")
    per_year = bool(_PER_YEAR.search(text))
    text = _PER_YEAR.sub("", text)
    text = re.sub(r",-(?=\s|$)", "", text)  # "€ 2.500,-": whole euros
    match = _AMOUNT.match(text)
    if match is None or not ("€" in text or "eur" in text):
        msg = (
            f"cannot read {phrase!r} as an amount in euros; expected e.g. '€ 1,6 miljoen', "
            "'€ 450.000', '75 mln. euro' or '€ 11 miljoen per jaar'"
        )
        raise AmountError(msg)
    value = _number(match["number"], phrase)
    if match["multiplier"]:
        value *= _MULTIPLIERS[match["multiplier"]]
    if match["sign"] or match["sign2"]:
        value = -value
    return Amount(
        phrase=phrase,
        euros=value.quantize(Decimal(1))
        if value == value.to_integral_value()
        else value.normalize(),
        per_year=per_year,
    )


def _number(raw: str, phrase: str) -> Decimal:
    spaced = re.split(r"[\s\u00a0\u202f]+", raw.strip().rstrip(".,"))
    if any(len(group.split(",")[0].split(".")[0]) != 3 for group in spaced[1:]):
        msg = f"the number in {phrase!r} has spaces that are not thousands separators"
        raise AmountError(msg)
    digits = "".join(spaced)
    if "," in digits:
        whole, _, fraction = digits.rpartition(",")
        digits = whole.replace(".", "") + "." + fraction
    elif "." in digits:
        groups = digits.split(".")
        if all(len(group) == 3 for group in groups[1:]):
            digits = "".join(groups)
        elif len(groups) > 2:
            msg = f"the number in {phrase!r} has more than one decimal point"
            raise AmountError(msg)
    try:
        return Decimal(digits)
    except InvalidOperation as error:
        msg = f"the number in {phrase!r} is not a number"
        raise AmountError(msg) from error
