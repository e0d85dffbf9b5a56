"""Load test: many clients on a real ``pactgraph serve``, with and without a runaway query.

Run from the repository root (it takes about ``2 × --seconds`` plus a few seconds to start)::

    python bench/load.py                       # 32 clients, 30 s per phase, bundled graph
    python bench/load.py --clients 8 --seconds 5 --json load.json

The script builds the bundled graph into a temporary directory, starts ``pactgraph serve`` on a
free port of 127.0.0.1 (it never addresses anything else), and runs two phases of ``--seconds``
each: ``--clients`` concurrent clients on a mix of named queries, entity pages, trace pages,
``/sparql`` and network JSON; then the same clients again beside one more client that sends a
runaway query (hours of work) to ``/sparql`` over and over. The server must end each runaway
query at its time limit (503) without starving the others. For each phase it reports
requests/s, p50/p99 latency and errors (any answer but 200, or no answer), overall and per kind
of request, and whether the goals (0 errors, p99 < 250 ms) are met. Standalone: it needs only
the installed package and httpx.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

HOST = "127.0.0.1"
GOAL_P99_MS = 250.0
ID = "https://w3id.org/pactgraph/id/"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
"""(5,600 quads)⁴ rows: hours of work for the engine, ended by the server's time limit."""

SPARQL_QUERIES = (
    # the trace of one commitment, as a client without the named route would ask it
    """PREFIX pact: <https://w3id.org/pactgraph/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?label ?document ?exact ?start ?end WHERE {
  VALUES ?commitment { <%(commitment)s> }
  ?commitment skos:prefLabel ?label ; prov:wasDerivedFrom ?passage .
  ?passage oa:hasSource ?document ; oa:hasSelector ?quote, ?position .
  ?quote oa:exact ?exact . ?position oa:start ?start ; oa:end ?end .
}""",
    """PREFIX pact: <https://w3id.org/pactgraph/def#>
SELECT ?commitment ?label WHERE {
  ?commitment pact:owner <%(organisation)s> ;
              <http://www.w3.org/2004/02/skos/core#prefLabel> ?label .
} ORDER BY ?label""",
    """SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } }
GROUP BY ?graph ORDER BY ?graph""",
)
KIND_WEIGHTS = {"named": 25, "entity": 25, "trace": 20, "sparql": 15, "network": 15}
"""Share of each kind of request in the mix (per cent)."""


# ------------------------------------------------------------------ the server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def pactgraph_command(*arguments: str) -> list[str]:
    """The ``pactgraph`` command of this interpreter's installation."""
    code = "from pactgraph.graph.cli import main; raise SystemExit(main())"
    return [sys.executable, "-c", code, *arguments]


@contextmanager
def served(store: Path, log: Path, environment: dict[str, str]) -> Iterator[str]:
    """``pactgraph serve`` on ``store`` at a free loopback port; yields the base URL."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and package
            pactgraph_command(
                "--store", f"oxigraph:{store}", "serve", "--host", HOST, "--port", str(port)
            ),
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **environment},
        )
        base = f"http://{HOST}:{port}"
        try:
            wait_until_up(base, process, deadline=time.monotonic() + 120)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_up(base: str, process: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            msg = f"pactgraph serve exited with status {process.returncode}"
            raise RuntimeError(msg)
        try:
            if httpx.get(f"{base}/queries", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    msg = "pactgraph serve did not answer within 120 s"
    raise RuntimeError(msg)


# ------------------------------------------------------------------ what the clients ask


@dataclass(frozen=True)
class Call:
    kind: str
    method: str
    path: str
    accept: str = "application/json"
    data: dict[str, str] | None = None


def sample_ids(base: str) -> dict[str, list[str]]:
    """Commitments, their owners and every other entity page of the served graph, for the mix.

    Owners are the organisations that have an ego network and a commitments list; IRIs with a
    fragment (``…#source``) are parts of a page, not pages, and are left out.
    """
    query = (
        "SELECT ?s ?owner WHERE { ?s a ?type . OPTIONAL { ?s <https://w3id.org/pactgraph/def#owner>"
        ' ?owner } FILTER(STRSTARTS(STR(?s), "' + ID + '") && !CONTAINS(STR(?s), "#")) }'
    )
    answer = httpx.get(f"{base}/sparql", params={"query": query, "format": "json"}, timeout=30)
    answer.raise_for_status()
    ids: dict[str, set[str]] = {"commitment": set(), "organisation": set(), "entity": set()}
    for row in answer.json()["results"]["bindings"]:
        iri = row["s"]["value"]
        ids["entity"].add(iri)
        if iri.startswith(ID + "commitment/"):
            ids["commitment"].add(iri)
        if "owner" in row:
            ids["organisation"].add(row["owner"]["value"])
    return {kind: sorted(values) for kind, values in ids.items()}


def build_mix(ids: dict[str, list[str]], rng: random.Random) -> list[Call]:
    """A shuffled list of calls in the proportions of :data:`KIND_WEIGHTS`."""
    commitments, organisations = ids["commitment"], ids["organisation"]
    named_paths = [
        "/queries/commitments",
        "/queries/signatories",
        "/queries/programmes",
        "/queries/funds",
        "/queries/document-timeline",
        "/queries/overdue-commitments?as_of=2020-01-01",
        "/queries/commitments-due?from=2014-01-01&to=2014-12-31",
    ]
    candidates: dict[str, Callable[[], Call]] = {
        "named": lambda: Call(
            "named",
            "GET",
            rng.choice(
                [
                    *named_paths,
                    f"/queries/trace?commitment={quote(rng.choice(commitments))}",
                    f"/queries/organisation-commitments?organisation={quote(rng.choice(organisations))}",
                    f"/queries/co-partners?organisation={quote(rng.choice(organisations))}",
                ]
            ),
        ),
        "entity": lambda: Call(
            "entity",
            "GET",
            "/" + rng.choice(ids["entity"]).removeprefix(ID.removesuffix("id/")),
            "text/html",
        ),
        "trace": lambda: Call(
            "trace", "GET", "/trace/" + rng.choice(commitments).rsplit("/", 1)[1], "text/html"
        ),
        "sparql": lambda: Call(
            "sparql",
            "POST",
            "/sparql",
            "application/sparql-results+json",
            {
                "query": rng.choice(SPARQL_QUERIES)
                % {"commitment": rng.choice(commitments), "organisation": rng.choice(organisations)}
            },
        ),
        "network": lambda: Call(
            "network",
            "GET",
            rng.choice(
                [
                    "/network/co-commitment?format=json",
                    "/network/organisation-programme?format=json",
                    "/network/organisation-landsdeel?format=json",
                    f"/network/ego?entity={quote(rng.choice(organisations))}&format=json",
                ]
            ),
        ),
    }
    calls = [candidates[kind]() for kind, weight in KIND_WEIGHTS.items() for _ in range(weight * 4)]
    rng.shuffle(calls)
    return calls


# ------------------------------------------------------------------ the clients


@dataclass
class Sample:
    kind: str
    status: str
    seconds: float


@dataclass
class Phase:
    name: str
    seconds: float
    samples: list[Sample] = field(default_factory=list)
    runaway: list[Sample] = field(default_factory=list)


async def run_client(
    http: httpx.AsyncClient, calls: Sequence[Call], offset: int, deadline: float, out: list[Sample]
) -> None:
    index = offset
    while time.monotonic() < deadline:
        call = calls[index % len(calls)]
        index += 1
        started = time.perf_counter()
        try:
            response = await http.request(
                call.method, call.path, headers={"Accept": call.accept}, data=call.data
            )
            status = str(response.status_code)
        except httpx.HTTPError as error:
            status = type(error).__name__
        out.append(Sample(call.kind, status, time.perf_counter() - started))


async def run_runaway(http: httpx.AsyncClient, deadline: float, out: list[Sample]) -> None:
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            response = await http.post(
                "/sparql",
                data={"query": RUNAWAY},
                headers={"Accept": "application/sparql-results+json"},
            )
            status = str(response.status_code)
        except httpx.HTTPError as error:
            status = type(error).__name__
        out.append(Sample("runaway", status, time.perf_counter() - started))


async def run_phase(
    base: str, name: str, calls: Sequence[Call], clients: int, seconds: float, runaway: bool
) -> Phase:
    phase = Phase(name, seconds)
    # idle connections are dropped well before uvicorn's 5 s keep-alive ends them: reusing one
    # the server is closing at that moment is a client race (ReadError), not a server error
    limits = httpx.Limits(
        max_connections=clients + 1, max_keepalive_connections=clients + 1, keepalive_expiry=2.0
    )
    timeout = httpx.Timeout(60.0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as http:
        # one warm-up round, not counted
        await asyncio.gather(*(http.get(c.path) for c in calls[:clients] if c.method == "GET"))
        deadline = time.monotonic() + seconds
        tasks = [
            run_client(http, calls, offset * len(calls) // clients, deadline, phase.samples)
            for offset in range(clients)
        ]
        if runaway:
            tasks.append(run_runaway(http, deadline, phase.runaway))
        await asyncio.gather(*tasks)
    return phase


# ------------------------------------------------------------------ the report


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(samples: Sequence[Sample], seconds: float) -> dict[str, Any]:
    latencies = [s.seconds * 1000 for s in samples]
    errors = [s for s in samples if s.status != "200"]
    return {
        "requests": len(samples),
        "requests_per_s": round(len(samples) / seconds, 1),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies, default=float("nan")), 1),
        "errors": len(errors),
        "error_statuses": {
            status: sum(1 for s in errors if s.status == status)
            for status in sorted({s.status for s in errors})
        },
    }


def report(phases: Sequence[Phase], clients: int) -> dict[str, Any]:
    result: dict[str, Any] = {"clients": clients, "phases": {}}
    for phase in phases:
        kinds = sorted({s.kind for s in phase.samples})
        entry = {
            "seconds": phase.seconds,
            "all": summary(phase.samples, phase.seconds),
            "by_kind": {
                k: summary([s for s in phase.samples if s.kind == k], phase.seconds) for k in kinds
            },
        }
        if phase.runaway:
            entry["runaway"] = {
                "requests": len(phase.runaway),
                "statuses": {
                    status: sum(1 for s in phase.runaway if s.status == status)
                    for status in sorted({s.status for s in phase.runaway})
                },
                "median_s": round(statistics.median(s.seconds for s in phase.runaway), 2),
            }
        result["phases"][phase.name] = entry
    return result


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def print_report(result: dict[str, Any]) -> None:
    header = f"{'phase / kind':<28}{'req':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
    header += f"{'max ms':>9}{'errors':>8}"
    say(header)
    say("-" * len(header))
    for name, phase in result["phases"].items():
        rows = [(name, phase["all"])] + [(f"  {k}", v) for k, v in phase["by_kind"].items()]
        for label, s in rows:
            say(
                f"{label:<28}{s['requests']:>8}{s['requests_per_s']:>9}{s['p50_ms']:>9}"
                f"{s['p99_ms']:>9}{s['max_ms']:>9}{s['errors']:>8}"
            )
        if "runaway" in phase:
            r = phase["runaway"]
            say(
                f"  runaway client: {r['requests']} requests, statuses {r['statuses']}, "
                f"median {r['median_s']} s"
            )
    say()
    for name, phase in result["phases"].items():
        s = phase["all"]
        ok = s["errors"] == 0 and s["p99_ms"] < GOAL_P99_MS
        say(
            f"{name}: {'meets' if ok else 'MISSES'} the goals "
            f"(0 errors, p99 < {GOAL_P99_MS:.0f} ms)"
        )


# ------------------------------------------------------------------ main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument(
        "--seconds", type=float, default=30.0, help="length of each phase (default 30)"
    )
    parser.add_argument(
        "--store", type=Path, help="a built store to serve (default: build the bundled graph)"
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="the server's query time limit (default 10 s)"
    )
    parser.add_argument("--seed", type=int, default=2013, help="seed of the request mix")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="serve without the response cache (PACTGRAPH_RESPONSE_CACHE=0): every request "
        "is evaluated, as when each one is new",
    )
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="pactgraph-load-"))
    try:
        store = args.store
        if store is None:
            store = scratch / "store"
            subprocess.run(  # noqa: S603 - our own interpreter and package
                pactgraph_command("--store", f"oxigraph:{store}", "build"),
                check=True,
                capture_output=True,
            )
        environment = {
            "PACTGRAPH_QUERY_TIMEOUT": str(args.timeout),
            "PACTGRAPH_RESPONSE_CACHE": "0" if args.no_cache else "1",
        }
        with served(store, scratch / "server.log", environment) as base:
            calls = build_mix(sample_ids(base), random.Random(args.seed))  # noqa: S311 - a mix, not a secret
            phases = [
                asyncio.run(
                    run_phase(base, "without runaway", calls, args.clients, args.seconds, False)
                ),
                asyncio.run(
                    run_phase(base, "with runaway", calls, args.clients, args.seconds, True)
                ),
            ]
        result = report(phases, args.clients)
        result["response_cache"] = not args.no_cache
        result["distinct_requests"] = len({(c.method, c.path, repr(c.data)) for c in calls})
        say(
            f"response cache {'on' if result['response_cache'] else 'off'}; "
            f"{result['distinct_requests']} distinct requests in the mix, repeated by the clients"
        )
        print_report(result)
        if args.json:
            args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        failed = any(
            p["all"]["errors"] or p["all"]["p99_ms"] >= GOAL_P99_MS
            for p in result["phases"].values()
        )
        return 1 if failed else 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
