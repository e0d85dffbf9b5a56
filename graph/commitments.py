"""The commitments export: a contract other tools rely on (fields and order are fixed)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from pactgraph.graph.store import GraphStore, iter_rows
from pactgraph.queries import load_query

FIELDS: tuple[str, ...] = (
    "id",
    "label",
    "owner",
    "owner_id",
    "partners",
    "due_phrase",
    "due_start",
    "due_end",
    "amount_eur",
    "target",
    "status",
    "action_line",
    "document",
    "document_date",
    "quote",
    "quote_start",
    "quote_end",
)


def commitment_rows(store: GraphStore) -> list[dict[str, str]]:
    """One row per commitment, every field present (empty when the letter gives none)."""
    result = store.select(load_query("commitments").text)
    rows = []
    for row in iter_rows(result):
        rows.append({name: row.get(name, "") for name in FIELDS})
    return rows


def render(rows: Sequence[dict[str, str]], format_name: str) -> str:
    """Rows as ``table`` (for people), ``csv`` or ``json``."""
    if format_name == "json":
        return json.dumps(list(rows), ensure_ascii=False, indent=2) + "\n"
    if format_name == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    if format_name == "table":
        return render_table(
            rows, ("id", "owner", "due_phrase", "due_end", "amount_eur", "status", "label")
        )
    msg = f"unknown format {format_name!r}; choose table, csv or json"
    raise ValueError(msg)


def render_table(rows: Sequence[dict[str, str]], columns: Sequence[str], width: int = 48) -> str:
    """A plain-text table, long cells cut to ``width`` characters."""

    def cell(value: str) -> str:
        value = " ".join(value.split())
        return value if len(value) <= width else value[: width - 1] + "…"

    cells = [[cell(row.get(c, "")) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines) + "\n"
