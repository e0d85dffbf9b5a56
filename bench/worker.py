# ruff: noqa: PLC0415 - each task imports only the libraries it measures, inside the task
"""One repetition of one measurement, in its own process: ``python -m bench.worker TASK ARGS``.

Prints one JSON object: ``seconds`` (the measured step only, not imports or setup),
``peak_mb`` (the process's peak resident set) and ``before_mb`` (its peak before the measured
step), plus whatever the task reports.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from bench.measure import peak_rss_mb

Task = Callable[[dict[str, Any]], dict[str, Any]]
TASKS: dict[str, Task] = {}
TODAY = date(2017, 1, 1)
"""The day ``today`` stands for in named queries, so every run asks the same question."""


def task(function: Task) -> Task:
    TASKS[function.__name__.replace("_", "-")] = function
    return function


# ------------------------------------------------------------------ preparing a dataset

SAMPLES = """PREFIX pact: <https://w3id.org/pactgraph/def#>
SELECT ?commitment WHERE { ?commitment a pact:Commitment ; pact:status ?status }
ORDER BY ?commitment
"""
BUSIEST = """PREFIX pact: <https://w3id.org/pactgraph/def#>
SELECT ?organisation (COUNT(DISTINCT ?c) AS ?n)
WHERE { ?c a pact:Commitment ; pact:owner|pact:partner ?organisation }
GROUP BY ?organisation ORDER BY DESC(?n) ?organisation LIMIT 1
"""


@task
def prepare(args: dict[str, Any]) -> dict[str, Any]:
    """Records + letters → the built graph as N-Quads and a reference store (without SHACL:
    the build scenario is what shows the same data validates), plus ids to ask queries about."""
    from pactgraph.graph.build import Sources, load_dataset
    from pactgraph.graph.store import OxigraphStore

    sources = (
        Sources.bundled()
        if args["records"] is None
        else Sources.from_directories(Path(args["records"]), Path(args["letters"]))
    )
    started = time.perf_counter()
    dataset = load_dataset(sources)
    nquads = dataset.serialize(format="nquads", encoding="utf-8")
    Path(args["nquads"]).write_bytes(nquads)
    store = OxigraphStore(Path(args["store"]))
    store.replace_all(nquads)
    commitments = [str(r["commitment"]) for r in store.select(SAMPLES).rows]
    busiest = store.select(BUSIEST).rows[0]
    return {
        "seconds": time.perf_counter() - started,
        "quads": nquads.count(b"\n"),
        "commitments_with_status": commitments[:: max(1, len(commitments) // 25)][:25],
        "commitment": commitments[len(commitments) // 2],
        "organisation": str(busiest["organisation"]),
    }


# ------------------------------------------------------------------ build


@task
def build(args: dict[str, Any]) -> dict[str, Any]:
    """``pactgraph.graph.build.build`` on records + letters into a fresh on-disk store.

    The build's own steps are timed by wrapping the module functions it calls (the build itself
    runs unchanged): records + letters → RDF, union, SHACL, store load; the rest is N-Quads
    serialisation and the summary.
    """
    from pactgraph.graph import build as build_module
    from pactgraph.graph.store import OxigraphStore

    phases: dict[str, float] = {}

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*a: Any, **k: Any) -> Any:  # noqa: ANN401
            started = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - started

        return wrapper

    steps = {
        "load_dataset": "records+letters→RDF",
        "union_graph": "union graph",
        "validate": "SHACL",
    }
    namespace = vars(build_module)
    for function, step in steps.items():
        namespace[function] = timed(step, namespace[function])
    with tempfile.TemporaryDirectory(dir=args["scratch"]) as directory:
        store = OxigraphStore(Path(directory) / "store")
        store.replace_all = timed("store load", store.replace_all)  # type: ignore[method-assign]
        sources = build_module.Sources.from_directories(
            Path(args["records"]), Path(args["letters"])
        )
        before = peak_rss_mb()
        started = time.perf_counter()
        report = build_module.build(store, sources)
        seconds = time.perf_counter() - started
    phases["serialise+summary"] = seconds - sum(phases.values())
    return {
        "seconds": seconds,
        "before_mb": before,
        "phases": phases,
        "triples": report.triples,
        "commitments": report.things["commitments"],
    }


@task
def reject(args: dict[str, Any]) -> dict[str, Any]:
    """A build of invalid records: it must fail, name every bad record and leave the store."""
    from pactgraph.graph.build import BuildError, Sources
    from pactgraph.graph.build import build as run_build
    from pactgraph.graph.store import OxigraphStore

    store = OxigraphStore(None)
    store.replace_all(b'<urn:x:a> <urn:x:b> "kept" <urn:x:g> .\n')
    sources = Sources.from_directories(Path(args["records"]), Path(args["letters"]))
    before = peak_rss_mb()
    started = time.perf_counter()
    details: list[str] = []
    rejected = False
    try:
        run_build(store, sources)
    except BuildError as error:
        rejected = True
        details = error.details
    seconds = time.perf_counter() - started
    expected: dict[str, str] = args["invalid"]
    named = {record for record in expected if any(f"'{record}'" in d for d in details)}
    return {
        "seconds": seconds,
        "before_mb": before,
        "rejected": rejected,
        "problems": len(details),
        "invalid": len(expected),
        "named": len(named),
        "store_kept": store.dump().count(b"kept") == 1,
        "example": details[0] if details else "",
    }


@task
def rdflib_load(args: dict[str, Any]) -> dict[str, Any]:
    """Plain rdflib: parse the built graph's N-Quads into an in-memory ``Dataset``."""
    from rdflib import Dataset

    before = peak_rss_mb()
    started = time.perf_counter()
    dataset = Dataset()
    dataset.parse(args["nquads"], format="nquads")
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "before_mb": before, "quads": len(dataset)}


@task
def bulk_load(args: dict[str, Any]) -> dict[str, Any]:
    """pyoxigraph's ``bulk_load`` of the same N-Quads into a fresh on-disk store (the floor)."""
    import pyoxigraph as ox

    with tempfile.TemporaryDirectory(dir=args["scratch"]) as directory:
        before = peak_rss_mb()
        started = time.perf_counter()
        store = ox.Store(directory)
        store.bulk_load(path=args["nquads"], format=ox.RdfFormat.N_QUADS)
        store.flush()
        seconds = time.perf_counter() - started
        quads = len(store)
        del store
    return {"seconds": seconds, "before_mb": before, "quads": quads}


# ------------------------------------------------------------------ SHACL


def _union(nquads: str) -> Any:  # noqa: ANN401 - an rdflib Graph
    """The graph the build validates: all named graphs but the ontology, in one rdflib graph."""
    from pactgraph.graph.build import union_graph
    from rdflib import Dataset

    dataset = Dataset()
    dataset.parse(nquads, format="nquads")
    return union_graph(dataset)


@task
def shacl(args: dict[str, Any]) -> dict[str, Any]:
    """Whole-graph SHACL: ``pactgraph.shapes.validate`` or plain pySHACL with default options."""
    from pactgraph.shapes import shapes_graph, validate
    from pyshacl import validate as plain

    data = _union(args["nquads"])
    shapes = shapes_graph()
    before = peak_rss_mb()
    started = time.perf_counter()
    if args["mode"] == "pactgraph":
        conforms = not validate(data)
    else:
        conforms = bool(plain(data, shacl_graph=shapes)[0])
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "before_mb": before, "conforms": conforms, "triples": len(data)}


@task
def shacl_edit(args: dict[str, Any]) -> dict[str, Any]:
    """Revalidation after one edit of one commitment: move its due date, then break it.

    Each edit is applied to the graph, revalidated with ``pactgraph.shapes.incremental`` and
    undone. A valid edit must give no violation; an edit that makes the interval end before it
    starts must give exactly that violation.
    """
    from pactgraph.shapes.incremental import revalidate
    from rdflib import XSD, Literal, Namespace, URIRef

    time_ns = Namespace("http://www.w3.org/2006/time#")
    data = _union(args["nquads"])
    before = peak_rss_mb()
    valid: list[float] = []
    broken: list[float] = []
    caught = 0
    for commitment in args["commitments"]:
        end = URIRef(f"{commitment}#due-end")
        old = data.value(end, time_ns.inXSDDate)
        if old is None:
            continue
        for value, into in (("2031-12-31", valid), ("1990-01-01", broken)):
            new = Literal(value, datatype=XSD.date)
            data.remove((end, time_ns.inXSDDate, old))
            data.add((end, time_ns.inXSDDate, new))
            started = time.perf_counter()
            found = revalidate(data, [(end, time_ns.inXSDDate, old), (end, time_ns.inXSDDate, new)])
            into.append(time.perf_counter() - started)
            if into is valid and found:
                msg = f"a valid edit of {commitment} was reported: {found[0]}"
                raise AssertionError(msg)
            caught += into is broken and any("1990-01-01" in v.message for v in found)
            data.remove((end, time_ns.inXSDDate, new))
            data.add((end, time_ns.inXSDDate, old))
    return {
        "seconds": sorted(valid)[len(valid) // 2],
        "before_mb": before,
        "valid": valid,
        "broken": broken,
        "caught": caught,
        "edits": len(broken),
    }


# ------------------------------------------------------------------ queries


def _latencies(run: Callable[[], int], budget: float, limit: int) -> tuple[list[float], int]:
    """Run ``run`` once to warm up, then until ``budget`` seconds or ``limit`` runs (at least
    three); a warm-up slower than the budget is the only measurement."""
    started = time.perf_counter()
    rows = run()
    first = time.perf_counter() - started
    if first > budget:
        return [first], rows
    times: list[float] = []
    deadline = time.perf_counter() + budget
    while len(times) < limit and (len(times) < 3 or time.perf_counter() < deadline):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times, rows


@task
def queries_store(args: dict[str, Any]) -> dict[str, Any]:
    """Named queries on the embedded store, through ``pactgraph.queries.run_named_query``."""
    from pactgraph.graph.store import open_for_serving
    from pactgraph.queries import run_named_query

    store = open_for_serving(Path(args["store"]), os.environ)  # as `pactgraph serve` has it
    before = peak_rss_mb()
    out: dict[str, Any] = {}
    for item in args["plan"]:
        name, params = item["name"], item["params"]

        def run(name: str = name, params: dict[str, list[str]] = params) -> int:
            return len(run_named_query(store, name, params, today=TODAY).rows)

        times, rows = _latencies(run, args["budget"], args["limit"])
        out[item["role"]] = {"times": times, "rows": rows}
    return {"seconds": 0.0, "before_mb": before, "queries": out}


@task
def queries_rdflib(args: dict[str, Any]) -> dict[str, Any]:
    """The same queries with the same bound values, in rdflib's in-memory SPARQL engine."""
    from pactgraph.queries import load_query, resolve_bindings
    from rdflib import Dataset

    dataset = Dataset(default_union=True)
    dataset.parse(args["nquads"], format="nquads")
    before = peak_rss_mb()
    out: dict[str, Any] = {}
    for item in args["plan"]:
        query = load_query(item["name"])
        runs = resolve_bindings(query, item["params"], TODAY)

        def run(text: str = query.text, runs: list[Any] = runs) -> int:
            return sum(len(list(dataset.query(text, initBindings=b))) for b in runs)

        times, rows = _latencies(run, args["budget"], args["limit"])
        out[item["role"]] = {"times": times, "rows": rows}
    return {"seconds": 0.0, "before_mb": before, "queries": out}


# ------------------------------------------------------------------ network


@task
def network(args: dict[str, Any]) -> dict[str, Any]:
    """``pactgraph.graph.network``: read once, then project, measure and render per node budget."""
    from pactgraph.graph.network import NetworkData, data_view, pyvis_payload, to_json, to_pyvis
    from pactgraph.graph.store import open_for_serving

    store = open_for_serving(Path(args["store"]), os.environ)  # as `pactgraph serve` has it
    before = peak_rss_mb()
    started = time.perf_counter()
    data = NetworkData.read(store)
    read = time.perf_counter() - started
    views: dict[str, Any] = {}
    for budget in args["budgets"]:
        steps: dict[str, float] = {}
        mark = time.perf_counter()
        view = data_view(data, args["projection"], limit=budget)
        steps["project+metrics"] = time.perf_counter() - mark
        mark = time.perf_counter()
        body = json.dumps(to_json(view))
        steps["json"] = time.perf_counter() - mark
        mark = time.perf_counter()
        net = to_pyvis(view)
        html = net.generate_html()
        payload = json.dumps(pyvis_payload(net))
        steps["html"] = time.perf_counter() - mark
        views[str(budget)] = {
            "steps": steps,
            "seconds": sum(steps.values()),
            "nodes": view.graph.number_of_nodes(),
            "edges": view.graph.number_of_edges(),
            "betweenness": view.metrics.betweenness,
            "bytes": len(body) + len(html) + len(payload),
        }
    return {"seconds": read, "before_mb": before, "views": views}


@task
def network_naive(args: dict[str, Any]) -> dict[str, Any]:
    """The peer: the same projected graph drawn the way pyvis's tutorial does (``from_nx``)."""
    from pactgraph.graph.network import NetworkData, limit_graph, project, projection_named
    from pactgraph.graph.store import OxigraphStore
    from pyvis.network import Network

    store = OxigraphStore(Path(args["store"]), read_only=True)
    data = NetworkData.read(store)
    graph, _ = limit_graph(project(data, projection_named(args["projection"])), args["budget"])
    plain = type(graph)()
    plain.add_nodes_from((n, {"label": str(a.get("label", n))}) for n, a in graph.nodes(data=True))
    plain.add_edges_from(graph.edges())
    before = peak_rss_mb()
    started = time.perf_counter()
    net = Network(cdn_resources="in_line")
    net.from_nx(plain)
    html = net.generate_html()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "before_mb": before, "nodes": len(net.nodes), "bytes": len(html)}


def main(argv: list[str]) -> int:
    """Run ``argv[1]`` with the JSON arguments ``argv[2]``; print the result as one JSON line."""
    name, raw = argv[1], argv[2]
    if name not in TASKS:
        sys.stderr.write(f"unknown task {name!r}; tasks: {', '.join(TASKS)}\n")
        return 2
    result = TASKS[name](json.loads(raw))
    result["peak_mb"] = peak_rss_mb()
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
