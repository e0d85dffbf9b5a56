"""Find a reader's quote in a letter's PDF-extracted text and record exactly where it is.

Curators write quotes as a reader sees them; the letters are PDF extractions with hyphenated
line breaks, page headers, footnotes inside sentences and typographic quotes. Anchoring compares
both on a *key*: the text without whitespace and hyphens, with typographic quotes and dashes
made plain and superscript footnote markers dropped, while remembering for every key character
where it came from in the original. A quote that still does not match may skip page furniture
(footers, running headers, footnote lines) that falls between two of its pieces — never ordinary
text, so a quote cannot silently elide words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

_PLAIN = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
    }
)
_DROPPED = frozenset(" \t\n\r\f\v-\u00ad\u2010\u2011⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUPERSCRIPTS = frozenset("⁰¹²³⁴⁵⁶⁷⁸⁹")

CONTEXT_CHARS = 32
"""Code points of prefix and suffix kept in a TextQuoteSelector."""

_MIN_PIECE = 12
_PROBE = 16
_MAX_GAPS = 3
_MAX_GAP_CHARS = 1500
_FOOTNOTE_LINE = re.compile(r"^\s*(?:[0-9]{1,2}|[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})\s+\S")
_RUNNING_LINE_MAX = 40


class AnchorError(ValueError):
    """A quote could not be placed in its letter; the message says what to change."""


@dataclass(frozen=True)
class Anchor:
    """Where a quote sits in the original text: ``text[start:end]`` is the passage."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    gaps: tuple[tuple[int, int], ...] = field(default=())
    """Page furniture inside the passage that the quote skips, as ``(start, end)`` offsets."""


@dataclass(frozen=True)
class KeyedText:
    """A text's comparison key and, for each key character, its offset in the original."""

    original: str
    key: str
    origin: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> KeyedText:
        key_chars: list[str] = []
        origin: list[int] = []
        for offset, char in enumerate(text):
            if char in _DROPPED:
                continue
            plain = char.translate(_PLAIN)
            if plain.isspace() or plain == "-":
                continue
            key_chars.append(plain)
            origin.append(offset)
        return cls(text, "".join(key_chars), tuple(origin))


def comparison_key(text: str) -> str:
    """The key two texts are compared on: whitespace, hyphens and quote styles aside."""
    return KeyedText.of(text).key


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a code-point offset, for messages a person can follow."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def is_page_furniture(gap: str) -> bool:
    """True when ``gap`` (text between two pieces of a quote) is only page furniture.

    The gap's partial first and last lines must be blank (the quote's pieces end and start a
    line's real text); every full line between must be blank, a footnote (starts with a footnote
    number), a page footer naming the parliamentary paper, or a short running header.
    """
    if "\n" not in gap or len(gap) > _MAX_GAP_CHARS:
        return False
    lines = gap.split("\n")
    edges = (lines[0], lines[-1])
    if any(edge.strip() and not set(edge.strip()) <= _SUPERSCRIPTS for edge in edges):
        return False
    for line in lines[1:-1]:
        stripped = line.strip()
        if not stripped:
            continue
        if _FOOTNOTE_LINE.match(line) or "vergaderjaar" in stripped:
            continue
        if len(stripped) <= _RUNNING_LINE_MAX:
            continue
        return False
    return True


def find_quote(text: KeyedText, quote: str) -> Anchor:
    """Anchor ``quote`` in ``text``; raise :class:`AnchorError` saying why when it cannot."""
    wanted = comparison_key(quote)
    if len(wanted) < _MIN_PIECE:
        msg = (
            f"quote is too short to anchor reliably ({len(wanted)} letters); quote a longer passage"
        )
        raise AnchorError(msg)
    exact_hits = _occurrences(text.key, wanted)
    if len(exact_hits) == 1:
        pos = exact_hits[0]
        return _anchor(text, [(pos, pos + len(wanted))])
    if len(exact_hits) > 1:
        places = ", ".join(_where(text, text.origin[p]) for p in exact_hits[:5])
        msg = f"quote occurs {len(exact_hits)} times (at {places}); make it longer so it is unique"
        raise AnchorError(msg)
    solutions = _match_with_gaps(text, wanted)
    if len(solutions) == 1:
        return _anchor(text, solutions[0])
    if len(solutions) > 1:
        places = ", ".join(_where(text, text.origin[s[0][0]]) for s in solutions[:5])
        msg = f"quote matches {len(solutions)} places (at {places}); make it longer so it is unique"
        raise AnchorError(msg)
    raise AnchorError(_not_found_message(text, wanted))


def _occurrences(haystack: str, needle: str, start: int = 0, stop: int | None = None) -> list[int]:
    hits: list[int] = []
    end = len(haystack) if stop is None else stop
    pos = haystack.find(needle, start, end)
    while pos != -1:
        hits.append(pos)
        pos = haystack.find(needle, pos + 1, end)
    return hits


def _common_prefix(key: str, at: int, wanted: str, from_: int) -> int:
    length = 0
    limit = min(len(key) - at, len(wanted) - from_)
    while length < limit and key[at + length] == wanted[from_ + length]:
        length += 1
    return length


Pieces = list[tuple[int, int]]


def _match_with_gaps(text: KeyedText, wanted: str) -> list[Pieces]:
    """All ways to match ``wanted`` as up to four pieces separated by page furniture."""
    solutions: list[Pieces] = []
    for start in _occurrences(text.key, wanted[:_PROBE]):
        pieces = _extend(text, wanted, start, 0, 0)
        if pieces is not None:
            solutions.append(pieces)
    return solutions


def _extend(text: KeyedText, wanted: str, at: int, done: int, gaps: int) -> Pieces | None:
    matched = _common_prefix(text.key, at, wanted, done)
    if done + matched == len(wanted):
        return [(at, at + matched)]
    if gaps == _MAX_GAPS:
        return None
    # The piece may have run a few characters into the furniture by coincidence: try shorter cuts.
    for cut in range(matched, max(_MIN_PIECE, matched - 8) - 1, -1):
        piece_end = at + cut
        rest = wanted[done + cut : done + cut + _PROBE]
        if len(rest) < min(_PROBE, len(wanted) - done - cut) or not rest:
            continue
        last_original = text.origin[piece_end - 1]
        window_end = _key_index_after(text, last_original + _MAX_GAP_CHARS)
        for resume in _occurrences(text.key, rest, piece_end + 1, window_end):
            gap = text.original[last_original + 1 : text.origin[resume]]
            if not is_page_furniture(gap):
                continue
            tail = _extend(text, wanted, resume, done + cut, gaps + 1)
            if tail is not None:
                return [(at, piece_end), *tail]
    return None


def _key_index_after(text: KeyedText, original_offset: int) -> int:
    lo, hi = 0, len(text.origin)
    while lo < hi:
        mid = (lo + hi) // 2
        if text.origin[mid] < original_offset:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _anchor(text: KeyedText, pieces: Pieces) -> Anchor:
    start = text.origin[pieces[0][0]]
    end = text.origin[pieces[-1][1] - 1] + 1
    gaps = tuple(
        (text.origin[left[1] - 1] + 1, text.origin[right[0]]) for left, right in pairwise(pieces)
    )
    original = text.original
    return Anchor(
        start=start,
        end=end,
        exact=original[start:end],
        prefix=original[max(0, start - CONTEXT_CHARS) : start],
        suffix=original[end : end + CONTEXT_CHARS],
        gaps=gaps,
    )


def _where(text: KeyedText, offset: int) -> str:
    line, column = line_and_column(text.original, offset)
    return f"line {line}, column {column}"


def _not_found_message(text: KeyedText, wanted: str) -> str:
    lo, hi = 0, len(wanted)
    while lo < hi:  # longest prefix of the quote that occurs somewhere
        mid = (lo + hi + 1) // 2
        if wanted[:mid] in text.key:
            lo = mid
        else:
            hi = mid - 1
    if lo < _MIN_PIECE:
        return "quote not found in the letter: not even its first words occur; check the document"
    pos = text.key.find(wanted[:lo])
    diverge = text.origin[pos + lo - 1] + 1
    letter_has = text.original[diverge : diverge + 40].replace("\n", "⏎")
    return (
        f"quote not found in the letter: its start matches at {_where(text, text.origin[pos])} "
        f"but from {_where(text, diverge)} the letter reads {letter_has!r} where the quote "
        f"continues {wanted[lo : lo + 30]!r} (compared without spaces and hyphens)"
    )
