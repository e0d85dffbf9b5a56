"""``python -m bench --size 1k --scenarios build,shacl,queries,http,network --out bench/results/``

Generates (or reuses) the synthetic pact of that size, runs the chosen scenarios and writes
``bench-<size>.md`` and ``bench-<size>.json`` into ``--out``. ``--size 100 --quick`` runs in
about a minute; 10k takes over half an hour (whole-graph SHACL and the slow peers dominate).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench import datasets, report
from bench.generator import parse_size
from bench.measure import Table
from bench.scenarios import SCENARIOS, Context

DEFAULT_SCENARIOS = ",".join(SCENARIOS)


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="1k", help="commitments: 100, 1k, 10k, 100k, or a number")
    parser.add_argument(
        "--scenarios",
        default=DEFAULT_SCENARIOS,
        help=f"comma-separated, from: {DEFAULT_SCENARIOS}",
    )
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "pactgraph-bench",
        help="where generated and built datasets are kept between runs",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement, at most")
    parser.add_argument(
        "--budget", type=float, default=120.0, help="seconds after which no further repeat starts"
    )
    parser.add_argument("--seed", type=int, default=20130513)
    parser.add_argument("--http-seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--query-budget", type=float, default=2.0, help="seconds per query")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one repetition, 1 s per HTTP request kind, peers stopped after 10 s: a smoke run",
    )
    parser.add_argument(
        "--skip-slow-peers",
        action="store_true",
        help="above 10k commitments, do not run rdflib's SPARQL engine on the named queries",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.quick:
        args.repeats, args.http_seconds, args.query_budget = 1, 1.0, 0.5
    try:
        commitments = parse_size(args.size)
    except ValueError as error:
        _say(str(error))
        return 2
    chosen = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SCENARIOS]
    if unknown:
        _say(f"unknown scenario(s) {', '.join(unknown)}; choose from {DEFAULT_SCENARIOS}")
        return 2
    args.cache.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    start = report.snapshot()
    _say(f"preparing {commitments:,} commitments in {args.cache} …")
    data = datasets.synthetic(commitments, args.cache, args.seed)
    _say(f"  {data.quads:,} quads, prepared in {time.monotonic() - started:.0f} s")
    tables: list[Table] = []
    counts = dict(data.pact.counts) if data.pact else {}
    counts.pop("invalid", None)
    settings = {
        "repeats": args.repeats,
        "budget_s": args.budget,
        "clients": args.clients,
        "http_s": args.http_seconds,
        "seed": args.seed,
        "quick": args.quick,
    }
    summary = {**counts, "quads": data.quads}

    def write(done: list[Table]) -> Path:
        md, _ = report.write(
            done, args.out, size=args.size, settings=settings, data=summary, start=start
        )
        return md

    with tempfile.TemporaryDirectory(dir=args.cache) as scratch:
        context = Context(
            commitments=commitments,
            data=data,
            cache=args.cache,
            scratch=Path(scratch),
            seed=args.seed,
            repeats=args.repeats,
            budget=args.budget,
            http_seconds=args.http_seconds,
            clients=args.clients,
            query_budget=args.query_budget,
            slow_peers=not args.skip_slow_peers,
            peer_timeout=10.0 if args.quick else 90.0,
        )
        for name in chosen:
            _say(f"scenario {name} …")
            began = time.monotonic()
            try:
                table = SCENARIOS[name](context)
            except Exception as error:  # one failing scenario must not lose the others
                table = Table(name, f"{name}: failed")
                table.notes.append(f"The scenario failed: {type(error).__name__}: {error}")
                _say(f"  failed: {error!r}")
            table.seconds = time.monotonic() - began
            tables.append(table)
            _say(f"  done in {table.seconds:.0f} s")
            write(tables)  # after every scenario, so a stopped run keeps what it measured
    md = write(tables)
    _say(f"wrote {md} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
