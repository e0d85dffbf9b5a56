"""Embedded store vs Oxigraph server vs Virtuoso: the named queries and the trace page.

The same data is built into each backend with ``pactgraph build``; then every named query (its
required parameters filled from the data) and the HTML trace page of one commitment are timed
on each backend, interleaved repetition by repetition so that all of them share the machine's
state, and reported as medians with the ratio to the embedded store. ::

    python -m bench.backends                       # servers from PACTGRAPH_TEST_*_URL
    python -m bench.backends --commitments 1k      # a generated pact instead of the bundled one
    python -m bench.backends --oxigraph "sparql+http://127.0.0.1:7878/query?update=/update&gsp=/store"

``.ci/servers.sh`` (``servers_install; servers_start``) starts both servers on loopback and
exports the variables. A server that is not given is left out of the table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from pactgraph.api.app import create_app
from pactgraph.graph.build import Sources, build
from pactgraph.graph.remote import RemoteStore
from pactgraph.graph.store import GraphStore, OxigraphStore, open_for_serving
from pactgraph.queries import NamedQuery, catalogue, run_named_query

TODAY = date(2016, 1, 1)
SERVERS = {"oxigraph-server": "PACTGRAPH_TEST_OXIGRAPH", "virtuoso": "PACTGRAPH_TEST_VIRTUOSO"}


@dataclass
class Backend:
    """A store under test and the app serving it."""

    name: str
    store: GraphStore
    client: TestClient
    build_seconds: float = 0.0
    timings: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)


def server_environ(prefix: str) -> dict[str, str]:
    """The credentials a server's test variables give, as the store reads them."""
    return {
        f"PACTGRAPH_STORE_{part}": os.environ[f"{prefix}_{part}"]
        for part in ("USER", "PASSWORD", "TOKEN", "AUTH")
        if os.environ.get(f"{prefix}_{part}")
    }


def open_backends(args: argparse.Namespace, workdir: Path) -> list[Backend]:
    stores: list[tuple[str, GraphStore]] = [("embedded", OxigraphStore(workdir / "embedded"))]
    for name, prefix in SERVERS.items():
        spec = getattr(args, name.split("-")[0]) or os.environ.get(f"{prefix}_URL")
        if spec:
            stores.append((name, RemoteStore.from_spec(spec, server_environ(prefix))))
        else:
            print(f"({name}: no store spec given, left out)", file=sys.stderr)  # noqa: T201
    sources = sources_for(args.commitments, workdir)
    backends = []
    for name, built in stores:
        started = time.perf_counter()
        build(built, sources)
        seconds = time.perf_counter() - started
        served = built
        if isinstance(built, OxigraphStore):  # served as `pactgraph serve` serves it
            assert built.root is not None
            built.close()
            served = open_for_serving(built.root, os.environ)
        # every backend evaluates each request: no response cache on the embedded one either
        client = TestClient(create_app(served, response_cache=False))
        backends.append(Backend(name, served, client, seconds))
    return backends


def sources_for(commitments: str | None, workdir: Path) -> Sources:
    """The bundled corpus, or a generated pact of ``commitments`` commitments."""
    if not commitments:
        return Sources.bundled()
    from bench.generator import PactSpec, ensure, parse_size  # noqa: PLC0415

    pact = ensure(PactSpec(parse_size(commitments)), workdir / "generated")
    return Sources.from_directories(pact.root / "records", pact.root / "letters")


def required_values(store: GraphStore) -> dict[str, list[str]]:
    """Values for required parameters, taken from the data: the busiest owner, a commitment."""
    owner = store.select(
        "SELECT ?o (COUNT(?c) AS ?n) WHERE { ?c <https://w3id.org/pactgraph/def#owner> ?o } "
        "GROUP BY ?o ORDER BY DESC(?n) ?o LIMIT 1"
    ).rows[0]["o"]
    commitment = store.select(
        "SELECT ?c WHERE { ?c a <https://w3id.org/pactgraph/def#Commitment> } ORDER BY ?c LIMIT 1"
    ).rows[0]["c"]
    return {"organisation": [str(owner)], "commitment": [str(commitment)]}


def operations(reference: GraphStore) -> dict[str, Callable[[Backend], object]]:
    """What is timed: each named query, and the trace page (HTML, as a browser asks)."""
    values = required_values(reference)
    commitment_id = values["commitment"][0].rsplit("/", 1)[-1]

    def named(query: NamedQuery) -> Callable[[Backend], object]:
        params = {p.name: values[p.name] for p in query.params if p.required}
        return lambda backend: run_named_query(backend.store, query.name, params, today=TODAY)

    def trace(backend: Backend) -> object:
        response = backend.client.get(f"/trace/{commitment_id}", headers={"Accept": "text/html"})
        if response.status_code != 200:
            msg = f"/trace/{commitment_id} answered {response.status_code}"
            raise RuntimeError(msg)
        return response

    timed: dict[str, Callable[[Backend], object]] = {
        f"query {name}": named(query) for name, query in sorted(catalogue().items())
    }
    timed[f"page /trace/{commitment_id}"] = trace
    return timed


def measure(
    backends: Sequence[Backend],
    timed: dict[str, Callable[[Backend], object]],
    repeat: int,
    warmup: int,
) -> None:
    """Time every operation on every backend, interleaving backends in each repetition."""
    for label, operation in timed.items():
        for backend in backends:
            backend.timings[label] = []
        for round_ in range(warmup + repeat):
            for backend in backends:
                if label in backend.failures:
                    continue
                started = time.perf_counter()
                try:
                    operation(backend)
                except Exception as error:  # a backend's failure is a result, not the end
                    backend.failures[label] = f"{type(error).__name__}: {error}"[:160]
                    continue
                if round_ >= warmup:
                    backend.timings[label].append(time.perf_counter() - started)


def report(backends: Sequence[Backend], timed: Sequence[str]) -> str:
    """A Markdown table: median milliseconds per backend, and the ratio to the embedded store."""
    reference = backends[0]
    names = [b.name for b in backends]
    header = ["operation", *(f"{n} ms" for n in names), *(f"{n} ×" for n in names[1:])]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    ratios: dict[str, list[float]] = {n: [] for n in names[1:]}
    for label in timed:
        base = _median(reference.timings.get(label))
        cells = [label]
        cells += [_cell(b, label) for b in backends]
        for backend in backends[1:]:
            median = _median(backend.timings.get(label))
            if base and median:
                ratios[backend.name].append(median / base)
                cells.append(f"{median / base:.1f}")
            else:
                cells.append("–")
        lines.append("| " + " | ".join(cells) + " |")
    build_cells = ["build (s)", *(f"{b.build_seconds:.2f}" for b in backends)]
    build_cells += [f"{b.build_seconds / reference.build_seconds:.1f}" for b in backends[1:]]
    lines.append("| " + " | ".join(build_cells) + " |")
    summary = [
        f"{name}: geometric mean {statistics.geometric_mean(values):.1f}× the embedded store "
        f"over {len(values)} operations"
        for name, values in ratios.items()
        if values
    ]
    failures = [f"{b.name} — {label}: {why}" for b in backends for label, why in b.failures.items()]
    return "\n".join([*lines, "", *summary, *(["", "Failed:", *failures] if failures else [])])


def _median(values: list[float] | None) -> float | None:
    return statistics.median(values) if values else None


def _cell(backend: Backend, label: str) -> str:
    if label in backend.failures:
        return "fails"
    median = _median(backend.timings.get(label))
    return f"{median * 1000:.1f}" if median is not None else "–"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.backends", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--oxigraph", help="store spec of an Oxigraph server")
    parser.add_argument("--virtuoso", help="store spec of a Virtuoso server")
    parser.add_argument("--commitments", help="a generated pact of this size (e.g. 1k)")
    parser.add_argument("--repeat", type=int, default=15, help="timed repetitions (default 15)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed repetitions first")
    parser.add_argument("--json", type=Path, help="also write the raw timings here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pactgraph-bench-") as directory:
        backends = open_backends(args, Path(directory))
        timed = operations(backends[0].store)
        measure(backends, timed, args.repeat, args.warmup)
        print(report(backends, list(timed)))  # noqa: T201 - the report is the output
        if args.json:
            raw = {
                b.name: {
                    "build_seconds": b.build_seconds,
                    "timings": b.timings,
                    "failures": b.failures,
                }
                for b in backends
            }
            args.json.write_text(json.dumps(raw, indent=2), encoding="utf-8")
        for backend in backends:
            backend.client.close()
            if isinstance(backend.store, RemoteStore):
                backend.store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
