"""Content negotiation: pick the best of the media types we offer for an ``Accept`` header.

Follows RFC 9110 §12.5.1: weighted ranges (``q=``), wildcards (``*/*``, ``type/*``), the most
specific range deciding a type's weight, ``q=0`` meaning "not acceptable". Among equally weighted
types the server's order of preference decides, so the default is simply the first offer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    """One entry of an ``Accept`` header."""

    type: str
    subtype: str
    quality: float

    @property
    def specificity(self) -> int:
        """How specific the range is: ``*/*`` < ``type/*`` < ``type/subtype``."""
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        kind, _, sub = media_type.partition("/")
        return self.type in ("*", kind) and self.subtype in ("*", sub)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed entries are skipped, not fatal."""
    ranges = []
    for part in (header or "").split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if "/" not in media:
            continue
        kind, _, sub = media.partition("/")
        quality = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append(MediaRange(kind.strip(), sub.strip(), quality))
    return ranges


def quality_of(media_type: str, ranges: Sequence[MediaRange]) -> float:
    """The weight an ``Accept`` header gives one media type (its most specific matching range)."""
    matching = [r for r in ranges if r.matches(media_type)]
    if not matching:
        return 0.0
    best = max(matching, key=lambda r: r.specificity)
    return max(r.quality for r in matching if r.specificity == best.specificity)


def negotiate(header: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers most, ties going to our order; ``None`` if none is acceptable.

    A missing or empty header accepts anything, so the first offer (the default) wins.
    """
    if not offers:
        return None
    ranges = parse_accept(header)
    if not ranges:
        return offers[0]
    weighted = [(quality_of(offer, ranges), -index, offer) for index, offer in enumerate(offers)]
    quality, _, offer = max(weighted)
    return offer if quality > 0 else None


def prefers_html(header: str | None) -> bool:
    """Whether a client asks for HTML explicitly and weighs it above JSON (a browser does)."""
    ranges = parse_accept(header)
    html = [r for r in ranges if r.type == "text" and r.subtype == "html" and r.quality > 0]
    return bool(html) and quality_of("text/html", ranges) >= quality_of("application/json", ranges)
