"""The store facade: query with bound parameters, update, load, dump, atomic replace.

The default is an embedded Oxigraph store on disk. Its directory holds numbered generations
and a ``current`` symbolic link; a build writes a fresh generation and only then swaps the link
(an atomic rename), so a failed or killed build leaves the previous graph exactly as it was.
An in-memory store serves tests. A remote SPARQL server is meant to be a third implementation
of :class:`GraphStore`.
"""

from __future__ import annotations

import io
import os
import shutil
import time
import traceback
from collections.abc import Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pyoxigraph as ox
from pactgraph.graph.querytext import inspect_query, refusal
from pactgraph.ontology.namespace import ID_IRI, PREFIXES
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer
    from pactgraph.graph.remote import RemoteStore

STORE_ENV = "PACTGRAPH_STORE"
Row = dict[str, Node]


class StoreError(RuntimeError):
    """The store cannot be opened or written; the message says which and what to do."""


class QueryError(ValueError):
    """A SPARQL query or update the engine rejected, with the engine's message."""


@dataclass(frozen=True)
class SelectResult:
    """Rows of a SELECT query, with the projected variables in order."""

    variables: list[str]
    rows: list[Row]


@dataclass(frozen=True)
class QueryDataset:
    """The RDF dataset of a SPARQL protocol request (``default-graph-uri``, ``named-graph-uri``).

    Empty means the store's own default: the union of all named graphs.
    """

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


class GraphStore(Protocol):
    """What pactgraph needs from a store; every backend provides exactly this.

    ``bindings`` give values to query variables (SEP-0007 substitution); they are never pasted
    into the query text. Oxigraph requires a bound variable to be in the SELECT projection.
    """

    description: str

    def select(self, query: str, bindings: Mapping[str, Node] | None = None) -> SelectResult: ...

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None) -> bool: ...

    def construct(self, query: str, bindings: Mapping[str, Node] | None = None) -> Graph: ...

    def serialize_query(
        self, query: str, media_type: str, dataset: QueryDataset | None = None
    ) -> bytes:
        """Run any query form and serialise its result in a standard SPARQL/RDF media type.

        This is what ``/sparql`` answers with; each backend uses its engine's own serialiser.
        """
        ...

    def update(self, update: str) -> None: ...

    def replace_all(self, nquads: bytes) -> None: ...

    def dump(self, format_name: str = "nquads") -> bytes: ...

    def is_empty(self) -> bool: ...


# ------------------------------------------------------------------ term conversion


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term, for bound query parameters."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    msg = f"cannot bind {term!r}: only IRIs, blank nodes and literals can be bound"
    raise TypeError(msg)


def from_oxigraph(term: object) -> Identifier:
    """A pyoxigraph term as an rdflib term.

    Answers repeat their terms (labels, kinds, documents) and rdflib checks each one it makes,
    so conversions are remembered: rdflib terms are immutable and can be shared. Long literals
    (quotes, a letter's text) are converted each time, so the memory kept stays small.
    """
    if isinstance(term, ox.Literal) and len(term.value) > _REMEMBERED_LENGTH:
        return _convert(term)
    try:
        return _converted(term)
    except TypeError:  # not hashable: not a term either
        return _convert(term)


_REMEMBERED_LENGTH = 200
"""Characters; with :func:`_converted`'s 65,536 entries at most ~30 MB are kept."""


@lru_cache(maxsize=65_536)
def _converted(term: object) -> Identifier:
    return _convert(term)


def _convert(term: object) -> Identifier:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    msg = f"unsupported term from the store: {term!r}"
    raise TypeError(msg)


# ------------------------------------------------------------------ Oxigraph


MEMORY_QUADS_ENV = "PACTGRAPH_MEMORY_QUADS"
DEFAULT_MEMORY_QUADS = 2_000_000
"""Served from a copy in memory up to this many quads (about 1 GB); larger graphs from disk."""


def open_for_serving(root: Path, environ: Mapping[str, str]) -> OxigraphStore:
    """A built store opened read-only, copied into memory when it is small enough.

    An in-memory copy answers several times faster than RocksDB on disk (the bundled graph's
    commitments export: 4 ms instead of 18 ms). ``$PACTGRAPH_MEMORY_QUADS`` sets the size limit
    in quads (0: always from disk). The copy is made here, not on the first request.
    """
    text = environ.get(MEMORY_QUADS_ENV, str(DEFAULT_MEMORY_QUADS))
    try:
        limit = int(text)
    except ValueError:
        msg = f"{MEMORY_QUADS_ENV} must be a whole number of quads, not {text!r}"
        raise StoreError(msg) from None
    on_disk = OxigraphStore(root, read_only=True)
    if on_disk.quad_count() > limit:
        return on_disk
    on_disk.close()
    in_memory = OxigraphStore(root, read_only=True, in_memory=True)
    in_memory.quad_count()
    return in_memory


class OxigraphStore:
    """Oxigraph through pyoxigraph: in memory, or on disk in a generation directory."""

    def __init__(
        self, root: Path | None = None, *, read_only: bool = False, in_memory: bool = False
    ) -> None:
        """``in_memory`` (with ``read_only``): copy the built graph into memory when first
        opened and answer from the copy, several times faster than from disk; for serving a
        graph that fits in memory and that this process does not change."""
        if in_memory and not read_only:
            msg = "a store is copied into memory only to be read: open it read-only"
            raise ValueError(msg)
        self.root = root
        self.read_only = read_only
        self.in_memory = in_memory
        self._store: ox.Store | None = None
        self.description = f"oxigraph:{root}" if root else "memory:"
        self.revision = 0
        """Counts the changes made through this object, so copies of the graph know they are old."""
        if root is None:
            self._store = ox.Store()

    # -- opening
    @property
    def current(self) -> Path | None:
        """The generation the ``current`` link points to, if the store was ever built."""
        if self.root is None:
            return None
        link = self.root / "current"
        return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None

    def _open(self) -> ox.Store:
        if self._store is not None:
            return self._store
        generation = self.current
        if generation is None:
            self._store = ox.Store()  # nothing built yet: an empty store answers honestly
            return self._store
        try:
            self._store = (
                ox.Store.read_only(str(generation)) if self.read_only else ox.Store(str(generation))
            )
            if self.in_memory:
                copy = ox.Store()
                copy.bulk_extend(self._store)
                self._store = copy
        except OSError as error:
            msg = (
                f"cannot open the store at {generation}: {error}. Another pactgraph process may "
                "hold it for writing; stop it, or open the store read-only."
            )
            raise StoreError(msg) from error
        return self._store

    def close(self) -> None:
        self._store = None

    # -- reading
    def _query(self, query: str, bindings: Mapping[str, Node] | None) -> object:
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): to_oxigraph(v) for k, v in (bindings or {}).items()
        }
        try:
            return self._open().query(
                query, use_default_graph_as_union=True, substitutions=substitutions or None
            )
        except SyntaxError as error:
            raise QueryError(str(error)) from error

    def select(self, query: str, bindings: Mapping[str, Node] | None = None) -> SelectResult:
        solutions = self._query(query, bindings)
        if not isinstance(solutions, ox.QuerySolutions):
            msg = "expected a SELECT query"
            raise QueryError(msg)
        variables = [v.value for v in solutions.variables]
        rows: list[Row] = []
        for solution in solutions:
            row: Row = {}
            for name in variables:
                value = solution[name]
                if value is not None:
                    row[name] = from_oxigraph(value)
            rows.append(row)
        return SelectResult(variables, rows)

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None) -> bool:
        answer = self._query(query, bindings)
        if not isinstance(answer, ox.QueryBoolean):
            msg = "expected an ASK query"
            raise QueryError(msg)
        return bool(answer)

    def construct(self, query: str, bindings: Mapping[str, Node] | None = None) -> Graph:
        triples = self._query(query, bindings)
        if not isinstance(triples, ox.QueryTriples):
            msg = "expected a CONSTRUCT or DESCRIBE query"
            raise QueryError(msg)
        graph = Graph()
        for triple in triples:
            graph.add(
                (
                    from_oxigraph(triple.subject),
                    from_oxigraph(triple.predicate),
                    from_oxigraph(triple.object),
                )
            )
        return graph

    max_result_bytes: int = 32 * 1024 * 1024
    """A ``/sparql`` answer larger than this is refused rather than built up in memory."""

    def serialize_query(
        self, query: str, media_type: str, dataset: QueryDataset | None = None
    ) -> bytes:
        """Run any query form and serialise the answer with pyoxigraph's own writers.

        SELECT and ASK go to SPARQL JSON/XML/CSV/TSV, CONSTRUCT and DESCRIBE to Turtle, N-Triples,
        N-Quads, TriG, JSON-LD or RDF/XML. The protocol's dataset, when given, replaces both the
        union default graph and any ``FROM`` in the query (SPARQL 1.1 Protocol §2.1.4). Relative
        IRIs resolve against the endpoint's persistent address, so ``<id/organisation/vhto>``
        names VHTO. Updates, SERVICE and queries over the parser's limits are refused unparsed.
        """
        shape = inspect_query(query)
        problem = refusal(shape)
        if problem is not None:
            raise QueryError(problem)
        kind = media_type.partition(";")[0].strip().lower()
        if kind not in _RESULT_FORMATS and kind not in _GRAPH_FORMATS:
            known = ", ".join([*_RESULT_FORMATS, *_GRAPH_FORMATS])
            msg = f"cannot serialise query answers as {media_type!r}; use one of {known}"
            raise ValueError(msg)
        arguments = _dataset_arguments(dataset, own_dataset=shape.has_dataset_clause)
        output = _CappedOutput(self.max_result_bytes)
        try:
            answer = self._open().query(query, base_iri=_QUERY_BASE_IRI, **arguments)
        except SyntaxError as error:
            raise QueryError(str(error)) from error
        overflow = False
        try:
            _write_answer(answer, kind, output)
        except _AnswerTooLargeError:
            overflow = True
        except Exception as error:
            # pyoxigraph's answers must be dropped on the thread that made them; a traceback
            # carried to the event loop would keep them alive there
            traceback.clear_frames(error.__traceback__)
            raise
        finally:
            del answer
        if overflow:
            msg = (
                f"The answer is larger than {self.max_result_bytes // (1024 * 1024)} MB; "
                "ask for less (LIMIT, fewer variables, a narrower pattern)."
            )
            raise QueryError(msg)
        return output.getvalue()

    def is_empty(self) -> bool:
        return len(self._open()) == 0

    def quad_count(self) -> int:
        """How many quads the store holds (all graphs)."""
        return len(self._open())

    def dump(self, format_name: str = "nquads") -> bytes:
        formats = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}
        if format_name not in formats:
            msg = f"cannot dump as {format_name!r}; choose one of {', '.join(formats)}"
            raise ValueError(msg)
        data = self._open().dump(format=formats[format_name])
        return data if isinstance(data, bytes) else b""

    # -- writing
    def update(self, update: str) -> None:
        if self.read_only:
            msg = f"the store {self.description} is open read-only"
            raise StoreError(msg)
        try:
            self._open().update(update)
        except SyntaxError as error:
            raise QueryError(str(error)) from error
        finally:
            self.revision += 1

    def replace_all(self, nquads: bytes) -> None:
        """Replace the whole dataset; on disk, atomically by switching generations."""
        try:
            if self.root is None:
                fresh = ox.Store()
                fresh.load(nquads, format=ox.RdfFormat.N_QUADS)
                self._store = fresh
                return
            self._replace_on_disk(nquads)
        finally:
            self.revision += 1

    def _replace_on_disk(self, nquads: bytes) -> None:
        assert self.root is not None
        generations = self.root / "generations"
        try:
            generations.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            msg = f"cannot create the store directory {generations}: {error}"
            raise StoreError(msg) from error
        target = (
            generations / f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
        )
        try:
            fresh = ox.Store(str(target))
            fresh.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
            fresh.flush()
            del fresh
        except (OSError, SyntaxError, ValueError) as error:
            shutil.rmtree(target, ignore_errors=True)
            msg = f"loading into a new store generation failed, the previous graph is kept: {error}"
            raise StoreError(msg) from error
        previous = self.current
        self.close()
        link = self.root / "current"
        temporary = self.root / f".current-{os.getpid()}"
        with suppress(FileNotFoundError):
            temporary.unlink()
        temporary.symlink_to(target.relative_to(self.root))
        temporary.replace(link)  # the atomic switch
        _fsync_directory(self.root)
        self._remove_old_generations(keep={target, *([previous] if previous else [])})

    def _remove_old_generations(self, keep: set[Path]) -> None:
        assert self.root is not None
        for generation in (self.root / "generations").iterdir():
            if generation.resolve() not in {k.resolve() for k in keep}:
                shutil.rmtree(generation, ignore_errors=True)


# -- serialize_query helpers

_QUERY_BASE_IRI = ID_IRI.removesuffix("id/") + "sparql"
"""The endpoint under its persistent name: the base IRI of every ``/sparql`` query."""

_RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
_WRITE_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
}


class _AnswerTooLargeError(Exception):
    """Raised from inside pyoxigraph's writer to stop a runaway answer."""


class _CappedOutput(io.BytesIO):
    """An in-memory output that refuses to grow past a limit (pyoxigraph writes in chunks)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: ReadableBuffer, /) -> int:
        if self.tell() + memoryview(data).nbytes > self.limit:
            raise _AnswerTooLargeError
        return super().write(data)


def _dataset_arguments(dataset: QueryDataset | None, *, own_dataset: bool) -> dict[str, Any]:
    """pyoxigraph's dataset arguments for a protocol dataset, a query's FROM, or neither.

    A protocol dataset is exactly what it names: ``named-graph-uri`` alone leaves the default
    graph empty, ``default-graph-uri`` alone leaves no named graphs. Without one, a query's own
    ``FROM``/``FROM NAMED`` decide (pyoxigraph ignores them under the union flag); otherwise the
    default graph is the union of all named graphs.
    """
    if dataset is not None and (dataset.default_graphs or dataset.named_graphs):
        return {
            "default_graph": [
                _graph_name(iri, "default-graph-uri") for iri in dataset.default_graphs
            ],
            "named_graphs": [_graph_name(iri, "named-graph-uri") for iri in dataset.named_graphs],
        }
    if own_dataset:
        return {}
    return {"use_default_graph_as_union": True}


def _graph_name(iri: str, parameter: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as error:
        msg = f"{parameter} {iri!r} is not an absolute IRI ({error})"
        raise QueryError(msg) from error


def _write_answer(
    answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
    media_type: str,
    output: io.BytesIO,
) -> None:
    """Serialise one query answer with pyoxigraph; a form/format mismatch is the caller's error."""
    if isinstance(answer, ox.QueryTriples):
        graph_format = _GRAPH_FORMATS.get(media_type)
        if graph_format is None:
            msg = f"a CONSTRUCT or DESCRIBE answer is RDF; it cannot be given as {media_type}"
            raise QueryError(msg)
        ox.serialize(answer, output, graph_format, prefixes=_WRITE_PREFIXES)
        return
    results_format = _RESULT_FORMATS.get(media_type)
    if results_format is None:
        msg = f"SELECT and ASK answers are results; they cannot be given as {media_type}"
        raise QueryError(msg)
    answer.serialize(output, results_format)


def _fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# ------------------------------------------------------------------ choosing a store


def default_store_path() -> Path:
    """Where the embedded store lives unless told otherwise (XDG data directory)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "pactgraph" / "store"


def open_store(spec: str | None = None, *, read_only: bool = False) -> OxigraphStore | RemoteStore:
    """Open the store a spec names: ``oxigraph:PATH``, ``memory:``, a plain directory, or a
    SPARQL server, ``sparql+http(s)://host/query?update=/update&gsp=/store&engine=…``.

    With no spec, ``$PACTGRAPH_STORE`` decides, else the default directory. A server's
    credentials come from the environment (``PACTGRAPH_STORE_USER`` and so on), never the spec.
    """
    spec = spec or os.environ.get(STORE_ENV) or f"oxigraph:{default_store_path()}"
    if spec == "memory:":
        return OxigraphStore(None)
    if spec.startswith("oxigraph:"):
        path = spec.removeprefix("oxigraph:")
        if not path:
            msg = "the store spec 'oxigraph:' needs a directory, e.g. 'oxigraph:./pactgraph-store'"
            raise StoreError(msg)
        return OxigraphStore(Path(path).expanduser().absolute(), read_only=read_only)
    if spec.startswith(("sparql+http://", "sparql+https://")):
        from pactgraph.graph.remote import RemoteStore  # noqa: PLC0415 - remote imports this module

        return RemoteStore.from_spec(spec, os.environ, read_only=read_only)
    if "://" in spec or (":" in spec.split("/", 1)[0] and not Path(spec).exists()):
        msg = (
            f"unknown store {spec!r}; use 'oxigraph:DIRECTORY' for the embedded store, "
            "'memory:' for a temporary one, or 'sparql+http://HOST:PORT/PATH?update=…&gsp=…' "
            "for a SPARQL server"
        )
        raise StoreError(msg)
    return OxigraphStore(Path(spec).expanduser().absolute(), read_only=read_only)


def iter_rows(result: SelectResult) -> Iterator[dict[str, str]]:
    """Rows as plain strings (missing values as empty), for tables and CSV."""
    for row in result.rows:
        yield {name: str(row[name]) if name in row else "" for name in result.variables}
