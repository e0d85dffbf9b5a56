"""The SHACL shapes against small fixtures: one graph that conforms and graphs that break a rule.

Fixtures live in ``tests/shapes/<rule>/``: ``conforming*.ttl`` must validate cleanly, and each
``violating-<what>.ttl`` names, in a ``# expect: <path>`` comment, the property path (as
:func:`validate` prints it) on which a violation must be reported. Every reported message must be
one of the shapes' own messages, in English by default and in Dutch when asked for.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from pactgraph.shapes import Violation, validate
from rdflib import SH, Graph, Literal

FIXTURES = Path(__file__).parent / "shapes"
SHAPES_FILE = Path(__file__).parents[1] / "shapes" / "pactgraph-shapes.ttl"
RULES = {
    "commitment-owner",
    "commitment-due",
    "commitment-source",
    "interval-order",
    "passage-positions",
    "amount",
    "document",
    "organisation-label",
}
EXPECT = re.compile(r"^# expect: (?P<path>\S.*?)\s*$", re.MULTILINE)
TEMPLATE_VARIABLE = re.compile(r"\{[?$]\w+\}")

ALL_FIXTURES = sorted(FIXTURES.glob("*/*.ttl"))
CONFORMING = [p for p in ALL_FIXTURES if p.name.startswith("conforming")]
VIOLATING = [p for p in ALL_FIXTURES if p.name.startswith("violating-")]


def _fixture_id(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


def _parse(path: Path) -> Graph:
    return Graph().parse(data=path.read_text(encoding="utf-8"), format="turtle")


@cache
def _shapes() -> Graph:
    return Graph().parse(data=SHAPES_FILE.read_text(encoding="utf-8"), format="turtle")


@cache
def _message_patterns(language: str) -> tuple[re.Pattern[str], ...]:
    """The shapes' messages in one language, with ``{?var}`` slots matching any text."""
    patterns = []
    for message in _shapes().objects(None, SH.message):
        if isinstance(message, Literal) and message.language == language:
            parts = TEMPLATE_VARIABLE.split(str(message))
            patterns.append(re.compile(".+?".join(re.escape(part) for part in parts), re.DOTALL))
    return tuple(patterns)


def _is_shape_message(message: str, language: str) -> bool:
    return any(pattern.fullmatch(message) for pattern in _message_patterns(language))


def _same_result(a: Violation, b: Violation) -> bool:
    return (a.focus, a.path, a.value, a.severity) == (b.focus, b.path, b.value, b.severity)


def test_fixture_layout() -> None:
    rules = {path.name for path in FIXTURES.iterdir() if path.is_dir()}
    assert rules == RULES
    for rule in sorted(rules):
        names = [path.name for path in (FIXTURES / rule).glob("*.ttl")]
        assert "conforming.ttl" in names, rule
        assert any(name.startswith("violating-") for name in names), rule
    stray = set(ALL_FIXTURES) - set(CONFORMING) - set(VIOLATING)
    assert not stray, f"neither conforming nor violating: {sorted(stray)}"


@pytest.mark.parametrize("fixture", CONFORMING, ids=_fixture_id)
def test_conforming_fixture_conforms(fixture: Path) -> None:
    violations = validate(_parse(fixture))
    assert violations == [], "\n".join(str(v) for v in violations)


@pytest.mark.parametrize("fixture", VIOLATING, ids=_fixture_id)
def test_violating_fixture_is_reported_in_both_languages(fixture: Path) -> None:
    expected_paths = EXPECT.findall(fixture.read_text(encoding="utf-8"))
    assert expected_paths, f"{_fixture_id(fixture)} lacks a '# expect: <path>' line"
    graph = _parse(fixture)
    english = validate(graph)
    dutch = validate(graph, language="nl")
    assert english, "the fixture conforms but should not"
    report = "\n".join(str(v) for v in english)
    for path in expected_paths:
        hits = [v for v in english if v.path == path]
        assert hits, f"no violation on {path}; got:\n{report}"
        for hit in hits:
            assert hit.message.strip(), f"empty message on {path}"
            assert _is_shape_message(hit.message, "en"), f"not an English message: {hit.message!r}"
            in_dutch = [v.message for v in dutch if _same_result(v, hit)]
            assert in_dutch, f"violation on {path} missing when validating in Dutch"
            for message in in_dutch:
                assert message != hit.message, f"Dutch message equals English: {message!r}"
                assert _is_shape_message(message, "nl"), f"not a Dutch message: {message!r}"


def test_every_shape_message_is_in_dutch_and_english() -> None:
    shapes = _shapes()
    constraints = {*shapes.objects(None, SH.property), *shapes.objects(None, SH.sparql)}
    checked = 0
    for constraint in constraints:
        messages = list(shapes.objects(constraint, SH.message))
        if not messages:
            continue
        checked += 1
        languages = Counter(m.language if isinstance(m, Literal) else None for m in messages)
        assert languages == Counter({"nl": 1, "en": 1}), (constraint, messages)
    assert checked >= 10
