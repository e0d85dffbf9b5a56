"""Quote anchoring through PDF noise: hyphenation, page furniture, typographic quotes."""

from __future__ import annotations

import pytest
from pactgraph.loaders.anchor import (
    CONTEXT_CHARS,
    AnchorError,
    KeyedText,
    comparison_key,
    find_quote,
    is_page_furniture,
)

LETTER = (
    "Het programmateam voert het secretariaat en wordt daarbij inhoudelijk \n"
    "\n"
    "1 Ter inzage gelegd bij het Centraal Informatiepunt Tweede Kamer\n"
    "\n"
    "Tweede Kamer, vergaderjaar 2012–2013, 32 637, nr. 75 2\n"
    "\n"
    "\n"
    "ondersteund door het Platform Bèta Techniek (PBT). De bedrijven stellen beschik-\n"
    "baar: 1000 beurzen voor de regio’s in «studiejaar 2014». Het doel is om in 2014 16 goed\n"
    "werkende servicepunten te hebben. Het doel is om in 2014 16 goed werkende servicepunten te\n"
    "hebben.\n"
)


def anchor(quote: str) -> tuple[str, object]:
    text = KeyedText.of(LETTER)
    found = find_quote(text, quote)
    return LETTER[found.start : found.end], found


def test_a_hyphenated_line_break_is_read_as_one_word() -> None:
    passage, _ = anchor("De bedrijven stellen beschikbaar: 1000 beurzen")
    assert passage == "De bedrijven stellen beschik-\nbaar: 1000 beurzen"


def test_typographic_quotes_and_guillemets_match_plain_ones() -> None:
    passage, _ = anchor('1000 beurzen voor de regio\'s in "studiejaar 2014".')
    assert passage == "1000 beurzen voor de regio’s in «studiejaar 2014»."


def test_a_quote_skips_a_page_footer_and_footnote_inside_its_sentence() -> None:
    quote = "wordt daarbij inhoudelijk ondersteund door het Platform Bèta Techniek (PBT)."
    passage, found = anchor(quote)
    assert passage.startswith("wordt daarbij inhoudelijk")
    assert passage.endswith("(PBT).")
    assert len(found.gaps) == 1  # type: ignore[attr-defined]
    start, end = found.gaps[0]  # type: ignore[attr-defined]
    assert "vergaderjaar" in LETTER[start:end]
    without_gaps = passage.replace(LETTER[start:end], " ")
    assert comparison_key(without_gaps) == comparison_key(quote)


def test_offsets_and_context_are_code_points_of_the_original() -> None:
    passage, found = anchor("ondersteund door het Platform Bèta Techniek (PBT).")
    assert found.exact == passage  # type: ignore[attr-defined]
    assert LETTER[found.start - len(found.prefix) : found.start] == found.prefix  # type: ignore[attr-defined]
    assert found.suffix == LETTER[found.end : found.end + CONTEXT_CHARS]  # type: ignore[attr-defined]


def test_a_quote_that_occurs_twice_is_refused_as_ambiguous() -> None:
    with pytest.raises(AnchorError, match="occurs 2 times"):
        anchor("Het doel is om in 2014 16 goed werkende servicepunten te hebben.")


def test_a_changed_word_is_reported_with_where_the_letter_differs() -> None:
    with pytest.raises(AnchorError, match=r"line 8.*letter reads") as error:
        anchor("ondersteund door het Platform Techniek Bèta (PBT).")
    assert "Platform" not in str(error.value).split("continues")[1][:5]


def test_words_elided_from_ordinary_text_are_not_skipped_as_noise() -> None:
    with pytest.raises(AnchorError):
        anchor("De bedrijven stellen 1000 beurzen voor de regio’s")


def test_a_very_short_quote_is_refused() -> None:
    with pytest.raises(AnchorError, match="too short"):
        anchor("PBT")


@pytest.mark.parametrize(
    ("gap", "furniture"),
    [
        (
            (
                " \n\n1 Ter inzage gelegd\n\nTweede Kamer, vergaderjaar 2012–2013, 32 637, nr. 75 2"
                "\n\n"
            ),
            True,
        ),
        (" \n\nOns kenmerk\nDGBI / 20234832\n\n", True),
        (" \n⁷ Is nu 29%, bron: www.techniekpactmonitor.nl/mbo\n\n", True),
        (" en dit is gewoon tekst die de curator heeft weggelaten \n", False),
        (
            (
                "weggelaten tekst\nmet een regel die lang genoeg is om geen paginakop te zijn, "
                "echt waar\n"
            ),
            False,
        ),
        ("1", False),
    ],
)
def test_only_page_furniture_counts_as_noise(gap: str, furniture: bool) -> None:
    assert is_page_furniture(gap) is furniture
