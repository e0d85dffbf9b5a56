"""The run's report: Markdown for people (one table per scenario, goals next to the ratios) and
JSON for machines, with the machine and the versions measured on."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from bench.measure import Row, Table

PACKAGES = (
    "pactgraph",
    "rdflib",
    "pyoxigraph",
    "oxigraph",
    "pyshacl",
    "rdflib-endpoint",
    "fastapi",
    "uvicorn",
    "networkx",
    "pyvis",
)


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = None
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        first = meminfo.read_text(encoding="ascii", errors="replace").splitlines()[0]
        memory = round(int(first.split()[1]) / 1024 / 1024, 1)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory,
        "system": f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def versions() -> dict[str, str]:
    found: dict[str, str] = {}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def uncommitted() -> list[str]:
    """Tracked files changed but not committed when the run started (they were measured too)."""
    try:
        out = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607 - git from PATH
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        )
    except (OSError, subprocess.CalledProcessError):
        return []
    return sorted(line[3:] for line in out.stdout.splitlines() if line[3:])


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit.startswith("ms") or unit == "req/s":
        return f"{value:,.1f}"
    return f"{value:,.3f}" if value < 10 else f"{value:,.1f}"


def _ratio(row: Row) -> str:
    if row.ratio is None:
        return ""
    if abs(row.ratio - 1) < 1e-9 and row.ratio_to:
        return "reference"
    if row.ratio >= 1:
        return f"{row.ratio:.2f}× faster than {row.ratio_to}"
    return f"{1 / row.ratio:.1f}× slower than {row.ratio_to}"


def _verdict(met: bool | None) -> str:
    return {True: "**met**", False: "**not met**", None: "not judged at this size"}[met]


def table_markdown(table: Table) -> str:
    lines = [f"## {table.title}", ""]
    if table.scenario == "http":
        lines += [
            (
                "| server and request | req/s | p50 ms | p95 ms | errors | server peak MB "
                "| ratio | notes |"
            ),
            "|---|---:|---:|---:|---:|---:|---|---|",
        ]
        for row in table.rows:
            extra = row.extra
            lines.append(
                f"| {row.name} | {_number(row.median, 'req/s')} | "
                f"{extra.get('p50_ms', 0):.1f} | {extra.get('p95_ms', 0):.1f} | "
                f"{extra.get('errors', '—')} | {_number(row.peak_mb, 'ms')} | {_ratio(row)} | "
                f"{row.note} |"
            )
    else:
        lines += [
            "| what | median | range (min–max) | runs | peak MB | ratio | notes |",
            "|---|---:|---:|---:|---:|---|---|",
        ]
        for row in table.rows:
            spread = (
                f"{_number(row.low, row.unit)}–{_number(row.high, row.unit)}"
                if row.low is not None
                else ""
            )
            median = (
                f"{_number(row.median, row.unit)} {row.unit}" if row.median is not None else "—"
            )
            lines.append(
                f"| {row.name} | {median} | {spread} | {row.runs} | "
                f"{_number(row.peak_mb, 'ms')} | {_ratio(row)} | {row.note} |"
            )
    if table.goals:
        lines += ["", "| goal (from the issue) | measured | verdict |", "|---|---|---|"]
        lines += [f"| {g.text} | {g.measured} | {_verdict(g.met)} |" for g in table.goals]
    if table.notes:
        lines.append("")
        lines += [f"- {note}" for note in table.notes]
    lines += ["", f"_Scenario took {table.seconds:.0f} s._", ""]
    return "\n".join(lines)


def snapshot() -> dict[str, Any]:
    """The state the run starts from: time, commit, uncommitted files, machine, versions."""
    return {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
        "uncommitted": uncommitted(),
        "machine": machine(),
        "versions": versions(),
    }


def write(
    tables: list[Table],
    out: Path,
    *,
    size: str,
    settings: dict[str, Any],
    data: dict[str, Any],
    start: dict[str, Any] | None = None,
) -> tuple[Path, Path]:
    """Write ``bench-<size>.md`` and ``bench-<size>.json`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    about: dict[str, Any] = {**(start or snapshot()), "settings": settings, "data": data}
    about["load_at_end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    host = about["machine"]
    header = [
        f"# pactgraph benchmark — {size} commitments",
        "",
        (
            f"Machine: {host['cpu']}, {host['cores']} cores, {host['memory_gib']} GiB, "
            f"{host['system']}, Python {host['python']}. Run {about['when']} at commit "
            f"{about['commit']}"
            + (
                f" with uncommitted changes to {', '.join(about['uncommitted'])}"
                if about["uncommitted"]
                else ""
            )
            + f"; load average {host['load']} at the start, {about['load_at_end']} at the end "
            "(the machine is shared with other work)."
        ),
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in about["versions"].items()) + ".",
        "",
        "Data: " + ", ".join(f"{k} {v}" for k, v in data.items()) + ".",
        "",
        "Settings: " + ", ".join(f"{k} {v}" for k, v in settings.items()) + ". Each repetition "
        "runs in a fresh process; *peak MB* is that process's peak resident memory (the server's "
        "for HTTP); *ratio* compares with the peer named, measured in this same run.",
        "",
    ]
    goals = [f"- {g.text}: {g.measured} — {_verdict(g.met)}" for t in tables for g in t.goals]
    summary = ["## Goals", "", *goals, ""] if goals else []
    markdown = "\n".join(header + summary + [table_markdown(t) for t in tables])
    md_path = out / f"bench-{size}.md"
    json_path = out / f"bench-{size}.json"
    md_path.write_text(markdown, encoding="utf-8")
    document = {**about, "size": size, "scenarios": [t.as_dict() for t in tables]}
    json_path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    return md_path, json_path
