"""Measuring: each repetition in a fresh process, statistics over repetitions, result rows.

A repetition runs as ``python -m bench.worker TASK ARGS`` so that its peak memory (the
process's maximum resident set) belongs to it alone, Rust allocations (pyoxigraph) included,
and so that one slow peer can be stopped at a time limit without stopping the run.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


class WorkerError(RuntimeError):
    """A worker process failed; the message carries the end of its error output."""


def peak_rss_mb() -> float:
    """This process's peak resident set so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_peak_mb(pid: int) -> float | None:
    """Another process's peak resident set (VmHWM), in MB, where the system tells it."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def run_worker(task: str, args: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Run one repetition of ``task`` in a fresh interpreter; ``{"timeout": True}`` if too slow."""
    command = [sys.executable, "-m", "bench.worker", task, json.dumps(args)]
    environment = dict(os.environ, PYTHONPATH=str(REPO), PYTHONHASHSEED="0")
    try:
        finished = subprocess.run(  # noqa: S603 - our own interpreter and module
            command,
            cwd=REPO,
            env=environment,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"timeout": True, "seconds": timeout}
    if finished.returncode != 0:
        tail = "\n".join(finished.stderr.strip().splitlines()[-15:])
        msg = f"worker {task} failed (exit {finished.returncode}):\n{tail}"
        raise WorkerError(msg)
    lines = [line for line in finished.stdout.splitlines() if line.startswith("{")]
    if not lines:
        msg = f"worker {task} printed no result; stderr:\n{finished.stderr[-2000:]}"
        raise WorkerError(msg)
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def repeat(
    task: str, args: dict[str, Any], *, repeats: int, budget: float, timeout: float
) -> list[dict[str, Any]]:
    """Up to ``repeats`` runs, fewer when ``budget`` seconds are spent (always at least one)."""
    results: list[dict[str, Any]] = []
    started = time.monotonic()
    for _ in range(repeats):
        result = run_worker(task, args, timeout)
        results.append(result)
        if result.get("timeout") or time.monotonic() - started > budget:
            break
    return results


# ------------------------------------------------------------------ statistics


@dataclass(frozen=True)
class Stats:
    """Median and spread of repeated measurements."""

    median: float
    low: float
    high: float
    runs: int

    @property
    def spread(self) -> float:
        """(max − min) / median: how much repetitions disagreed."""
        return (self.high - self.low) / self.median if self.median else 0.0

    @classmethod
    def of(cls, values: Sequence[float]) -> Stats:
        if not values:
            msg = "no measurements"
            raise ValueError(msg)
        return cls(statistics.median(values), min(values), max(values), len(values))


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile by nearest rank (values need not be sorted)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


# ------------------------------------------------------------------ results


@dataclass
class Row:
    """One measured thing of a scenario, with its ratio to the scenario's reference row."""

    name: str
    unit: str
    median: float | None
    low: float | None = None
    high: float | None = None
    runs: int = 0
    peak_mb: float | None = None
    ratio: float | None = None
    ratio_to: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def timed(
        cls,
        name: str,
        results: list[dict[str, Any]],
        *,
        key: str = "seconds",
        unit: str = "s",
        note: str = "",
    ) -> Row:
        """A row from worker results; a timed-out peer is reported as "more than the limit"."""
        done = [r for r in results if not r.get("timeout")]
        if not done:
            limit = results[0]["seconds"] if results else 0
            return cls(name, unit, None, runs=0, note=f"stopped at the {limit:.0f} s limit")
        stats = Stats.of([float(r[key]) for r in done])
        peaks = [r["peak_mb"] for r in done if r.get("peak_mb") is not None]
        return cls(
            name,
            unit,
            stats.median,
            stats.low,
            stats.high,
            stats.runs,
            peak_mb=max(peaks) if peaks else None,
            note=note,
        )

    def compare(self, reference: Row, label: str, *, higher_is_better: bool = False) -> None:
        """Set ``ratio`` so that above 1 means this row is *better* than ``reference``."""
        if self.median is None or reference.median is None or not self.median:
            return
        if higher_is_better:
            self.ratio = self.median / reference.median if reference.median else None
        else:
            self.ratio = reference.median / self.median
        self.ratio_to = label


@dataclass
class Goal:
    """A goal from the issue, next to what was measured for it."""

    text: str
    measured: str
    met: bool | None
    """``None``: not measured at this size (the goal is stated for another)."""


@dataclass
class Table:
    """One scenario's results."""

    scenario: str
    title: str
    rows: list[Row] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    columns: tuple[str, ...] = ("median", "range", "runs", "peak MB", "ratio")
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
