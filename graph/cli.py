"""The ``pactgraph`` command: build, serve, validate, query, commitments, export, history,
backup, restore.

Every command says where the graph lives with ``--store`` (or ``$PACTGRAPH_STORE``); errors are
one readable message on stderr and a non-zero exit, never a traceback for bad input.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pactgraph.graph.backup import BackupError, restore_backup, write_backup
from pactgraph.graph.build import BuildError, Sources, build, union_graph
from pactgraph.graph.commitments import commitment_rows, render, render_table
from pactgraph.graph.edits import history
from pactgraph.graph.store import (
    MEMORY_QUADS_ENV,
    GraphStore,
    OxigraphStore,
    QueryError,
    StoreError,
    iter_rows,
    open_for_serving,
    open_store,
)
from pactgraph.ontology.namespace import GRAPH_IRI, bind_prefixes
from pactgraph.shapes import validate
from rdflib import Dataset, Graph

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pactgraph`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except (BuildError, StoreError, QueryError, OSError, ValueError) as error:
        print(f"pactgraph {args.command}: {error}", file=sys.stderr)
        return EXIT_VIOLATIONS if isinstance(error, BuildError | BackupError) else EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pactgraph", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--store",
        help="where the graph lives: 'oxigraph:DIR' (default "
        "$PACTGRAPH_STORE or the user data directory), 'memory:', or a SPARQL server "
        "'sparql+http://HOST:PORT/PATH?update=PATH&gsp=PATH'",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("build", help="build the graph from records and letters (atomic)")
    p.add_argument(
        "--records", type=Path, help="records folder (default: the bundled Techniekpact)"
    )
    p.add_argument(
        "--letters", type=Path, help="letters folder (default: the bundled Techniekpact)"
    )
    p.set_defaults(run=_build)

    p = commands.add_parser(
        "serve", help="serve the web UI, /sparql and the API (builds the bundled graph if empty)"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    p.set_defaults(run=_serve)

    p = commands.add_parser(
        "validate", help="check RDF files (or the built graph) against the shapes"
    )
    p.add_argument("files", nargs="*", type=Path, help="Turtle, TriG, N-Triples or N-Quads files")
    p.add_argument("--lang", default="en", choices=("en", "nl"), help="language of the messages")
    p.set_defaults(run=_validate)

    p = commands.add_parser("query", help="run a SPARQL query file against the graph")
    p.add_argument("file", type=Path)
    p.add_argument("--format", default="table", choices=("table", "csv", "json"))
    p.set_defaults(run=_query)

    p = commands.add_parser("commitments", help="list every commitment (the export contract)")
    p.add_argument("--format", default="table", choices=("table", "csv", "json"))
    p.set_defaults(run=_commitments)

    p = commands.add_parser("export", help="write the whole graph as RDF to stdout")
    p.add_argument("--format", default="nquads", choices=("turtle", "nquads", "trig", "jsonld"))
    p.set_defaults(run=_export)

    p = commands.add_parser("history", help="list the edits in the change log, newest first")
    p.add_argument("--format", default="table", choices=("table", "json"))
    p.add_argument("--limit", type=int, default=None, help="show only the newest N edits")
    p.set_defaults(run=_history)

    p = commands.add_parser(
        "backup", help="write the whole dataset to a new directory (N-Quads + manifest)"
    )
    p.add_argument("directory", type=Path, help="a new or empty directory")
    p.set_defaults(run=_backup)

    p = commands.add_parser(
        "restore", help="replace the whole dataset with a backup, after checking its checksum"
    )
    p.add_argument("directory", type=Path, help="a directory written by 'pactgraph backup'")
    p.set_defaults(run=_restore)
    return parser


def _build(args: argparse.Namespace) -> int:
    store = open_store(args.store)
    sources = Sources.from_directories(args.records, args.letters)
    report = build(store, sources)
    per_document = ", ".join(
        f"{doc} {n}" for doc, n in sorted(report.commitments_per_document.items())
    )
    things = ", ".join(f"{n} {kind}" for kind, n in report.things.items())
    print(f"built {report.triples} triples in {report.seconds:.1f} s into {store.description}")
    print(f"  {things}")
    print(f"  commitments per letter: {per_document}")
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415 - only the serve command needs the web stack
    from pactgraph.api.app import create_app  # noqa: PLC0415
    from pactgraph.api.edits import EditTokens  # noqa: PLC0415

    edit_tokens = EditTokens.from_environment()  # read first: a bad token file stops here
    store = open_store(args.store)
    if store.is_empty():
        print(f"the store {store.description} is empty: building the bundled Techniekpact graph")
        report = build(store, Sources.bundled())
        print(f"built {report.triples} triples in {report.seconds:.1f} s")
    if edit_tokens is not None:
        # Edits need the store open for writing, and only one process can hold it so.
        print(
            f"edits enabled for {', '.join(edit_tokens.names)}; this process holds the store "
            "for writing (no other server or build can write it meanwhile)"
        )
    elif isinstance(store, OxigraphStore) and store.root is not None:
        store.close()  # serve read-only: several servers may share one built directory
        store = open_for_serving(store.root, os.environ)
        where = "a copy in memory" if store.in_memory else f"disk ({MEMORY_QUADS_ENV})"
        print(f"{store.quad_count():,} quads, answered from {where}")
    print(f"serving {store.description} at http://{args.host}:{args.port}/")
    app = create_app(store, edit_tokens=edit_tokens)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return EXIT_OK


def _built_store(args: argparse.Namespace) -> GraphStore:
    """The store, read-only; an empty one is an error that says how to fill it."""
    store = open_store(args.store, read_only=True)
    if store.is_empty():
        msg = f"the store {store.description} is empty; run 'pactgraph build' first"
        raise StoreError(msg)
    return store


def _stored_dataset(store: GraphStore) -> Dataset:
    dataset = Dataset()
    dataset.parse(data=store.dump("nquads"), format="nquads")
    return dataset


def _validate(args: argparse.Namespace) -> int:
    if args.files:
        data = Graph()
        for file in args.files:
            data += _parse_file(file)
    else:
        data = union_graph(_stored_dataset(_built_store(args)))
    violations = validate(data, language=args.lang)
    if not violations:
        print("conforms: no violations")
        return EXIT_OK
    for violation in violations:
        print(violation)
    print(f"{len(violations)} violation(s)")
    return EXIT_VIOLATIONS


def _parse_file(file: Path) -> Graph:
    suffixes = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".trig": "trig"}
    format_name = suffixes.get(file.suffix.lower())
    if format_name is None:
        msg = (
            f"{file}: unknown RDF file type {file.suffix!r}; expected one of {', '.join(suffixes)}"
        )
        raise ValueError(msg)
    text = file.read_text(encoding="utf-8")  # read here: rdflib never opens user paths or URLs
    try:
        if format_name in ("nquads", "trig"):
            dataset = Dataset()
            dataset.parse(data=text, format=format_name)
            return union_graph(dataset, include_ontology=True)
        return Graph().parse(data=text, format=format_name)
    except Exception as error:
        msg = f"{file}: not valid {format_name}: {error}"
        raise ValueError(msg) from error


def _query(args: argparse.Namespace) -> int:
    text = args.file.read_text(encoding="utf-8")
    result = _built_store(args).select(text)
    rows = list(iter_rows(result))
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=result.variables, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        print(buffer.getvalue(), end="")
    else:
        print(render_table(rows, result.variables), end="")
    return EXIT_OK


def _commitments(args: argparse.Namespace) -> int:
    print(render(commitment_rows(_built_store(args)), args.format), end="")
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    store = _built_store(args)
    if args.format == "nquads":
        sys.stdout.buffer.write(store.dump("nquads"))
        return EXIT_OK
    dataset = bind_prefixes(_stored_dataset(store))
    if args.format == "turtle":  # Turtle has no graphs: the union of all named graphs
        union = union_graph(dataset, include_ontology=True)
        sys.stdout.write(union.serialize(format="turtle"))
    else:
        sys.stdout.write(dataset.serialize(format="json-ld" if args.format == "jsonld" else "trig"))
    return EXIT_OK


def _history(args: argparse.Namespace) -> int:
    store = _built_store(args)
    edits = history(store, args.limit)
    if args.format == "json":
        print(json.dumps([e.as_json() for e in edits], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not edits:
        print(f"no edits recorded in {store.description}")
        return EXIT_OK
    rows = [
        {
            "ended": e.ended,
            "agent": e.agent,
            "change": f"+{e.added} −{e.removed}",
            "format": e.source_format,
            "graphs": " ".join(g.removeprefix(GRAPH_IRI) for g in e.graphs),
            "activity": e.activity.rsplit("/", 1)[-1],
        }
        for e in edits
    ]
    columns = ["ended", "agent", "change", "format", "graphs", "activity"]
    print(render_table(rows, columns, width=60), end="")
    return EXIT_OK


def _backup(args: argparse.Namespace) -> int:
    store = _built_store(args)
    manifest = write_backup(store, args.directory)
    print(
        f"backed up {manifest.quads} quads in {len(manifest.graphs)} graphs from "
        f"{store.description} to {args.directory} (sha256 {manifest.sha256[:16]}…)"
    )
    return EXIT_OK


def _restore(args: argparse.Namespace) -> int:
    store = open_store(args.store)
    manifest = restore_backup(store, args.directory)
    print(
        f"restored {manifest.quads} quads (backup of {manifest.created}) into "
        f"{store.description}; restart any server serving it"
    )
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
