"""Which named queries a run asks, with which values, and the same questions as plain SPARQL.

The issue names four kinds of question: owners per action, trace, overdue and co-commitment.
They are taken from the packaged catalogue (``pactgraph.queries``); a peer without named
queries gets the same query text with the values written in as a ``VALUES`` block at the start
of the outer ``WHERE`` (what a user of a plain SPARQL server would send).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pactgraph.queries import catalogue, load_query, resolve_bindings

from bench.datasets import ID, BenchData

AS_OF = "2017-01-01"
WANTED = (
    ("owners per action", "owners-and-partners", "action_line"),
    ("trace", "trace", "commitment"),
    ("overdue", "overdue-commitments", "as_of"),
    ("co-commitment", "co-partners", "organisation"),
)


@dataclass(frozen=True)
class Question:
    """A named query with its raw parameter values (as a query string would give them)."""

    role: str
    name: str
    params: dict[str, list[str]]

    def as_dict(self) -> dict[str, object]:
        return {"role": self.role, "name": self.name, "params": self.params}

    def describe(self) -> str:
        values = ", ".join(f"{k}={v[0].removeprefix(ID)}" for k, v in sorted(self.params.items()))
        return f"`{self.name}`" + (f" ({values})" if values else "")


def plan(data: BenchData) -> list[Question]:
    """The questions for ``data``; ``commitments`` alone if the named queries are not there."""
    known = catalogue()
    values = {
        "action_line": f"{ID}concept/kiezen",
        "commitment": str(data.info["commitment"]),
        "as_of": AS_OF,
        "organisation": str(data.info["organisation"]),
    }
    questions = [
        Question(role, name, {param: [values[param]]})
        for role, name, param in WANTED
        if name in known
    ]
    return questions or [Question("all commitments", "commitments", {})]


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def inline(question: Question, today: date) -> str:
    """The query text with its values written in (first combination of multi values)."""
    query = load_query(question.name)
    runs = resolve_bindings(query, question.params, today)
    bindings = runs[0] if runs else {}
    if not bindings:
        return query.text
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(term.n3() for term in bindings.values())
    block = f"VALUES ({names}) {{ ({terms}) }}"
    match = _WHERE.search(_strip_header(query.text))
    if match is None:
        msg = f"{question.name}: no WHERE clause to put the values in"
        raise ValueError(msg)
    text = _strip_header(query.text)
    return f"{text[: match.end()]}\n  {block}\n{text[match.end() :]}"


def _strip_header(text: str) -> str:
    """The query without its ``#+`` metadata lines (comments, but long ones in a URL)."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("#"))
