"""Profiles of what misses a goal: ``python -m bench.profile --size 1k --what build,trace``.

Writes pyinstrument's text report per target to ``--out`` as ``profile-<what>-<size>.txt``:

* ``build`` — ``graph.build.build`` on the synthetic pact (records + letters → store);
* ``shacl`` — ``shapes.validate`` on its union graph;
* ``edit`` — ``shapes.incremental.revalidate`` after moving one due date, 25 times;
* ``trace``, ``overdue``, … — one named query (by role) through ``queries.run_named_query``
  on the reference store, repeated for two seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pyinstrument import Profiler

from bench import datasets, querysets
from bench.datasets import BenchData
from bench.generator import parse_size
from bench.worker import TODAY


def _build(data: BenchData) -> Callable[[], object]:
    from pactgraph.graph.build import Sources, build  # noqa: PLC0415 - only this target needs it
    from pactgraph.graph.store import OxigraphStore  # noqa: PLC0415

    sources = (
        Sources.bundled()
        if data.records is None
        else Sources.from_directories(data.records, data.letters)
    )

    def run() -> object:
        with tempfile.TemporaryDirectory() as directory:
            return build(OxigraphStore(Path(directory)), sources)

    return run


def _union(data: BenchData) -> object:
    from pactgraph.graph.build import union_graph  # noqa: PLC0415
    from rdflib import Dataset  # noqa: PLC0415

    dataset = Dataset()
    dataset.parse(str(data.nquads), format="nquads")
    return union_graph(dataset)


def _shacl(data: BenchData) -> Callable[[], object]:
    from pactgraph.shapes import validate  # noqa: PLC0415

    graph = _union(data)
    return lambda: validate(graph)  # type: ignore[arg-type]


def _edit(data: BenchData) -> Callable[[], object]:
    from pactgraph.shapes.incremental import revalidate  # noqa: PLC0415
    from rdflib import XSD, Graph, Literal, Namespace, URIRef  # noqa: PLC0415

    graph = _union(data)
    assert isinstance(graph, Graph)
    end_of = Namespace("http://www.w3.org/2006/time#").inXSDDate

    def run() -> object:
        for commitment in data.info["commitments_with_status"]:
            end = URIRef(f"{commitment}#due-end")
            old = graph.value(end, end_of)
            new = Literal("2031-12-31", datatype=XSD.date)
            graph.set((end, end_of, new))
            revalidate(graph, [(end, end_of, old), (end, end_of, new)])  # type: ignore[list-item]
            graph.set((end, end_of, old))  # type: ignore[arg-type]
        return None

    return run


def _query(data: BenchData, role: str) -> Callable[[], object]:
    from pactgraph.graph.store import OxigraphStore  # noqa: PLC0415
    from pactgraph.queries import run_named_query  # noqa: PLC0415

    question = next(q for q in querysets.plan(data) if q.role.startswith(role))
    store = OxigraphStore(data.store, read_only=True)

    def run() -> object:
        deadline = time.perf_counter() + 2
        while time.perf_counter() < deadline:
            run_named_query(store, question.name, question.params, today=TODAY)
        return None

    return run


def _clean(text: str) -> str:
    """The report without this machine's paths (the program line, install prefixes)."""
    lines = [line for line in text.splitlines() if not line.startswith(("Program:", "Profile at"))]
    return "\n".join(line.replace(sys.prefix + "/", "") for line in lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--size", default="1k")
    parser.add_argument("--what", default="build,shacl,edit,trace")
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "pactgraph-bench"
    )
    parser.add_argument("--seed", type=int, default=20130513)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.size == "bundled":
        data = datasets.bundled(args.cache)
    else:
        data = datasets.synthetic(parse_size(args.size), args.cache, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for what in [w.strip() for w in args.what.split(",") if w.strip()]:
        targets: dict[str, Callable[[BenchData], Callable[[], object]]] = {
            "build": _build,
            "shacl": _shacl,
            "edit": _edit,
        }
        run = targets[what](data) if what in targets else _query(data, what)
        profiler = Profiler(interval=0.001)
        profiler.start()
        run()
        profiler.stop()
        tree = profiler.output_text(unicode=True, color=False, show_all=False)
        flat = profiler.output_text(unicode=True, color=False, flat=True, flat_time="total")
        top = "\n".join(flat.splitlines()[:45])
        text = f"{tree}\n\nFunctions by total time (library frames included):\n{top}\n"
        path = args.out / f"profile-{what}-{args.size}.txt"
        path.write_text(_clean(text), encoding="utf-8")
        sys.stderr.write(f"wrote {path}\n")
    sys.stderr.write(json.dumps({"size": args.size, "quads": data.quads}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
