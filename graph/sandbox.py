"""User SPARQL in worker processes that can be ended: a time limit, a row cap, crash isolation.

pyoxigraph's ``Store.query`` has no timeout and cannot be interrupted from another thread, and a
query past the parser's safe limits can crash the process that runs it (SIGSEGV). So the server
does not evaluate user-supplied queries itself. A :class:`QuerySandbox` keeps a small pool of
worker processes (``python -m pactgraph.graph.sandbox``); each holds the graph — the built
on-disk store opened read-only, or, for an in-memory or writable store, a copy loaded from an
N-Quads dump — and answers one query at a time over a pipe. A query still running at the time
limit has its worker killed (SIGKILL) and replaced; the caller gets :class:`QueryTimeoutError`.
A crash costs the same: one worker, never the server.

Workers run at a lower CPU priority (``nice`` 10), so a runaway query takes what the server's own
pages leave; each caps its address space, and each arms ``alarm()`` for every query, so a worker
whose server died cannot run on. Results are cut at ``max_rows`` solutions or triples (the
answer says so); the worker imports nothing but pyoxigraph, so a replacement starts in ~0.1 s.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import math
import os
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Final, TypeVar

import pyoxigraph as ox

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

TIMEOUT_ENV: Final = "PACTGRAPH_QUERY_TIMEOUT"
MAX_ROWS_ENV: Final = "PACTGRAPH_MAX_ROWS"
WORKERS_ENV: Final = "PACTGRAPH_QUERY_WORKERS"
MEMORY_ENV: Final = "PACTGRAPH_QUERY_MEMORY_MB"

STARTUP_SECONDS: Final = 120.0
"""How long a new worker may take to open or load the graph (a dump of millions of quads)."""
ALARM_GRACE_SECONDS: Final = 5
"""A worker kills itself this long after a query's time limit, should nobody else have."""
_FRAME: Final = struct.Struct(">Q")


# ------------------------------------------------------------------ configuration


@dataclass(frozen=True)
class Limits:
    """How much a user query may take: time, rows, worker processes, memory per worker."""

    timeout: float = 10.0
    """Seconds a query may run (and, separately, wait for a free worker) before a 503."""
    max_rows: int = 10_000
    """Solutions (SELECT) or triples (CONSTRUCT/DESCRIBE) in one answer; more are cut off."""
    workers: int = 2
    """Worker processes, i.e. user queries evaluated at the same time."""
    memory_mb: int = 4096
    """Address-space limit of each worker (0: none); a query past it ends its worker."""

    def __post_init__(self) -> None:
        if not (self.timeout > 0 and math.isfinite(self.timeout)):
            msg = f"the query timeout must be a positive number of seconds, not {self.timeout!r}"
            raise ValueError(msg)
        if self.max_rows < 1:
            msg = f"the row cap must be at least 1, not {self.max_rows!r}"
            raise ValueError(msg)
        if self.workers < 1:
            msg = f"at least one query worker is needed, not {self.workers!r}"
            raise ValueError(msg)
        if self.memory_mb < 0:
            msg = f"the worker memory limit must be 0 (none) or more MB, not {self.memory_mb!r}"
            raise ValueError(msg)

    @classmethod
    def configure(
        cls,
        environ: Mapping[str, str],
        *,
        timeout: float | None = None,
        max_rows: int | None = None,
        workers: int | None = None,
        memory_mb: int | None = None,
    ) -> Limits:
        """Limits from keyword arguments, else the environment, else the defaults.

        A malformed environment value is an error naming the variable, not a silent default.
        """
        default = cls()
        return cls(
            timeout=_pick(timeout, environ, TIMEOUT_ENV, float, default.timeout),
            max_rows=_pick(max_rows, environ, MAX_ROWS_ENV, int, default.max_rows),
            workers=_pick(workers, environ, WORKERS_ENV, int, default.workers),
            memory_mb=_pick(memory_mb, environ, MEMORY_ENV, int, default.memory_mb),
        )


_Number = TypeVar("_Number", int, float)


def _pick(
    given: _Number | None,
    environ: Mapping[str, str],
    name: str,
    kind: type[_Number],
    default: _Number,
) -> _Number:
    if given is not None:
        return given
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        return kind(text)
    except ValueError:
        what = "a number of seconds" if kind is float else "a whole number"
        msg = f"${name} is {text!r}; expected {what}"
        raise ValueError(msg) from None


# ------------------------------------------------------------------ what a worker is asked


@dataclass(frozen=True)
class Snapshot:
    """The graph a worker holds: a built directory opened read-only, or N-Quads it loads.

    ``revision`` tells snapshots of the same store apart: a worker of an older revision is
    replaced before it answers.
    """

    path: str | None = None
    nquads: bytes | None = None
    revision: int = 0
    prefixes: Mapping[str, str] = field(default_factory=dict)
    """Prefixes for Turtle/TriG answers (as the in-process writer uses)."""


@dataclass(frozen=True)
class Job:
    """One query as the worker runs it: the text, the answer's format and the dataset.

    ``union`` makes the default graph the union of all named graphs; ``default_graphs`` and
    ``named_graphs`` (IRIs), when either is given, are the dataset instead; with neither and
    no ``union``, the query's own ``FROM``/``FROM NAMED`` decide. Graph IRIs only ever name
    graphs of the store: the engine does not fetch them.
    """

    query: str
    media_type: str
    base_iri: str | None = None
    union: bool = True
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_bytes: int = 32 * 1024 * 1024


@dataclass(frozen=True)
class Answer:
    """A serialised answer, and whether it was cut at the row cap."""

    body: bytes
    truncated: bool
    rows: int | None
    """Solutions or triples written; ``None`` for ASK."""


class SandboxError(RuntimeError):
    """A user query could not be answered; the message says why in words for its author."""


class QueryTimeoutError(SandboxError):
    """The query ran past the time limit; its worker was ended."""


class SandboxBusyError(SandboxError):
    """No worker became free within the time limit."""


class WorkerCrashError(SandboxError):
    """The worker died while evaluating the query (a crash in the engine, or its memory cap)."""


class SandboxUnavailableError(SandboxError):
    """A worker could not be started or could not open the graph."""


class EngineError(SandboxError):
    """The engine refused the query (syntax, or an evaluation error); ``kind`` says which."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


# ------------------------------------------------------------------ the pool (server side)


class _Worker:
    """One worker process and its pipes."""

    def __init__(self, process: subprocess.Popen[bytes], revision: int, epoch: int) -> None:
        self.process = process
        self.revision = revision
        self.epoch = epoch

    @property
    def stdin(self) -> IO[bytes]:
        assert self.process.stdin is not None
        return self.process.stdin

    @property
    def stdout(self) -> IO[bytes]:
        assert self.process.stdout is not None
        return self.process.stdout

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def died_of(self) -> str:
        """How the process ended, for a message (``SIGSEGV``, ``exit status 1``)."""
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "an unknown cause"
        if code < 0:
            with contextlib.suppress(ValueError):
                return signal.Signals(-code).name
            return f"signal {-code}"
        return f"exit status {code}"


class QuerySandbox:
    """A pool of query workers over one store's graph; thread-safe, started on first use.

    ``snapshot`` describes the graph as it is now; ``revision`` is a cheap counter that changes
    whenever the graph does (an edit), so workers holding an older copy are replaced.
    """

    def __init__(
        self,
        snapshot: Callable[[], Snapshot],
        revision: Callable[[], int],
        limits: Limits | None = None,
    ) -> None:
        self.limits = limits or Limits()
        self._snapshot_of = snapshot
        self._revision_of = revision
        self._snapshot: Snapshot | None = None
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._alive = 0
        self._epoch = 0
        """Bumped by :meth:`close`; a worker of an earlier epoch is ended, not reused."""
        self._workers: set[_Worker] = set()
        self.started = 0
        """Workers started so far (a replaced worker counts again), for tests and reports."""

    # -- the one public operation

    def run(self, job: Job, max_rows: int | None = None) -> Answer:
        """Evaluate ``job`` in a worker within the time limit; raise a :class:`SandboxError`.

        Waiting for a free worker and evaluating each get the full time limit.
        """
        worker = self._acquire(time.monotonic() + self.limits.timeout)
        request = {
            "query": job.query,
            "media_type": job.media_type,
            "base_iri": job.base_iri,
            "union": job.union,
            "default_graphs": list(job.default_graphs),
            "named_graphs": list(job.named_graphs),
            "max_rows": max_rows or self.limits.max_rows,
            "max_bytes": job.max_bytes,
            "alarm": math.ceil(self.limits.timeout) + ALARM_GRACE_SECONDS,
        }
        try:
            _write_frame(worker.stdin, json.dumps(request).encode("utf-8"))
            deadline = time.monotonic() + self.limits.timeout
            header = json.loads(_read_frame(worker.stdout, deadline))
            body = _read_frame(worker.stdout, deadline) if header.get("status") == "ok" else b""
        except TimeoutError:
            self._discard(worker)
            if self._ended(worker):
                raise self._shutting_down() from None
            msg = (
                f"The query did not finish within {self.limits.timeout:g} s and was stopped. "
                "Narrow it (a more specific pattern, LIMIT, fewer OPTIONALs) and try again."
            )
            raise QueryTimeoutError(msg) from None
        except (EOFError, OSError, ValueError):
            cause = worker.died_of()
            self._discard(worker)
            if self._ended(worker):
                raise self._shutting_down() from None
            msg = (
                f"The query engine stopped on this query ({cause}): it needs more memory or "
                "deeper recursion than a query may use here. Simplify the query."
            )
            raise WorkerCrashError(msg) from None
        self._release(worker)
        if header.get("status") != "ok":
            raise EngineError(str(header.get("message", "")), str(header.get("kind", "engine")))
        return Answer(body, bool(header.get("truncated")), header.get("rows"))

    def warm(self) -> None:
        """Start every worker now, in the background, so the first queries do not wait."""
        for _ in range(self.limits.workers):
            self._refill()

    def close(self) -> None:
        """End every worker (the server is stopping); a later query starts new ones.

        Not final, because an app may be started and stopped more than once (test clients);
        a server process that exits takes its workers with it anyway (their pipes close).
        """
        with self._lock:
            self._epoch += 1
            workers = list(self._workers)
            self._workers.clear()
            self._alive = 0
        with contextlib.suppress(queue.Empty):
            while True:
                self._idle.get_nowait()
        for worker in workers:
            worker.kill()

    def _ended(self, worker: _Worker) -> bool:
        with self._lock:
            return worker.epoch != self._epoch

    @staticmethod
    def _shutting_down() -> SandboxUnavailableError:
        return SandboxUnavailableError("The query service is restarting; try again.")

    @property
    def idle_workers(self) -> int:
        return self._idle.qsize()

    # -- the pool

    def _acquire(self, deadline: float) -> _Worker:
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                worker = self._start_or_wait(deadline)
            if (
                worker.process.poll() is None
                and worker.revision == self._revision_of()
                and not self._ended(worker)
            ):
                return worker
            self._discard(worker, refill=False)  # stale copy of the graph, dead, or ended

    def _start_or_wait(self, deadline: float) -> _Worker:
        with self._lock:
            start = self._alive < self.limits.workers
            if start:
                self._alive += 1
            epoch = self._epoch
        if start:
            try:
                return self._spawn(epoch)
            except BaseException:
                with self._lock:
                    self._alive -= epoch == self._epoch
                raise
        try:
            return self._idle.get(timeout=max(deadline - time.monotonic(), 0.001))
        except queue.Empty:
            msg = (
                f"All {self.limits.workers} query workers stayed busy for "
                f"{self.limits.timeout:g} s; try again shortly."
            )
            raise SandboxBusyError(msg) from None

    def _release(self, worker: _Worker) -> None:
        if self._ended(worker):
            worker.kill()
        else:
            self._idle.put(worker)

    def _discard(self, worker: _Worker, *, refill: bool = True) -> None:
        worker.kill()
        with self._lock:
            if worker.epoch != self._epoch:
                return  # close() has already let it go
            self._workers.discard(worker)
            self._alive -= 1
        if refill:
            self._refill()

    def _refill(self) -> None:
        """Start a worker in the background, if the pool is short of one."""
        with self._lock:
            if self._alive >= self.limits.workers:
                return
            self._alive += 1
            epoch = self._epoch

        def start() -> None:
            try:
                worker = self._spawn(epoch)
            except SandboxError:
                with self._lock:
                    self._alive -= epoch == self._epoch
                return
            self._release(worker)

        threading.Thread(target=start, name="query-worker-start", daemon=True).start()

    def _current_snapshot(self) -> Snapshot:
        revision = self._revision_of()
        with self._lock:
            snapshot = self._snapshot
        if snapshot is None or snapshot.revision != revision:
            snapshot = self._snapshot_of()
            with self._lock:
                self._snapshot = snapshot
        return snapshot

    def _spawn(self, epoch: int) -> _Worker:
        """A started worker holding the graph, counted in ``epoch`` (reserved by the caller)."""
        snapshot = self._current_snapshot()
        command = [sys.executable, "-m", "pactgraph.graph.sandbox", str(self.limits.memory_mb)]
        try:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True
            )
        except OSError as error:
            msg = f"A query worker could not be started: {error}"
            raise SandboxUnavailableError(msg) from error
        with self._lock:
            worker = _Worker(process, snapshot.revision, epoch)
            self._workers.add(worker)
        setup = {"path": snapshot.path, "prefixes": dict(snapshot.prefixes)}
        try:
            _write_frame(worker.stdin, json.dumps(setup).encode("utf-8"))
            if snapshot.path is None:
                _write_frame(worker.stdin, snapshot.nquads or b"")
            ready = json.loads(_read_frame(worker.stdout, time.monotonic() + STARTUP_SECONDS))
        except (TimeoutError, EOFError, OSError, ValueError) as error:
            worker.kill()
            with self._lock:
                self._workers.discard(worker)
            msg = f"A query worker could not open the graph ({error or type(error).__name__})."
            raise SandboxUnavailableError(msg) from None
        if ready.get("status") != "ready":
            worker.kill()
            with self._lock:
                self._workers.discard(worker)
            msg = f"A query worker could not open the graph: {ready.get('message', '')}"
            raise SandboxUnavailableError(msg)
        self.started += 1
        return worker


def for_store(store: object, limits: Limits) -> QuerySandbox | None:
    """A sandbox over an embedded Oxigraph store's graph; ``None`` for any other store.

    A built directory served read-only is opened read-only by every worker (no copy). An
    in-memory store, or one open for writing (edits), is copied to the workers as N-Quads:
    Oxigraph forbids readers beside a writer, and the copy follows each edit through
    :attr:`OxigraphStore.revision`. A SPARQL server evaluates queries itself, under its own
    timeouts.
    """
    from pactgraph.graph.store import (  # noqa: PLC0415 - workers import this module without rdflib
        _WRITE_PREFIXES,
        OxigraphStore,
    )

    if not isinstance(store, OxigraphStore):
        return None

    def snapshot() -> Snapshot:
        revision = store.revision
        generation = store.current if store.root is not None and store.read_only else None
        if generation is not None:
            return Snapshot(path=str(generation), revision=revision, prefixes=_WRITE_PREFIXES)
        return Snapshot(nquads=store.dump("nquads"), revision=revision, prefixes=_WRITE_PREFIXES)

    return QuerySandbox(snapshot, lambda: store.revision, limits)


def _write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_FRAME.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def _read_frame(stream: IO[bytes], deadline: float) -> bytes:
    """One length-prefixed frame, or :class:`TimeoutError` at ``deadline``, EOF if it died."""
    header = _read_exactly(stream, _FRAME.size, deadline)
    (length,) = _FRAME.unpack(header)
    return _read_exactly(stream, length, deadline)


def _read_exactly(stream: IO[bytes], size: int, deadline: float) -> bytes:
    descriptor = stream.fileno()
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        if math.isfinite(deadline):
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise TimeoutError
            readable, _, _ = select.select([descriptor], [], [], wait)
            if not readable:
                raise TimeoutError
        chunk = os.read(descriptor, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


# ------------------------------------------------------------------ the worker (its own process)

_RESULT_FORMATS: Final[dict[str, ox.QueryResultsFormat]] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS: Final[dict[str, ox.RdfFormat]] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
_XSD_STRING: Final = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class _TooLargeError(Exception):
    """Raised from inside pyoxigraph's writer to stop an answer past the byte cap."""


class _CappedOutput(io.BytesIO):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: ReadableBuffer, /) -> int:
        if self.tell() + memoryview(data).nbytes > self.limit:
            raise _TooLargeError
        return super().write(data)


def evaluate(
    store: ox.Store, request: Mapping[str, Any], prefixes: Mapping[str, str]
) -> tuple[dict[str, Any], bytes]:
    """Run one request on ``store``: the reply header and the answer's bytes.

    Never raises for a bad query: syntax and evaluation errors become an error header.
    """
    media_type = str(request["media_type"])
    max_rows = int(request["max_rows"])
    output = _CappedOutput(int(request["max_bytes"]))
    try:
        answer = store.query(str(request["query"]), **_query_arguments(request))
        if isinstance(answer, ox.QueryBoolean):
            rows, truncated = None, False
            answer.serialize(output, _results_format(media_type))
        elif isinstance(answer, ox.QuerySolutions):
            rows, truncated = _write_solutions(answer, media_type, max_rows, output)
        else:
            graph_format = _GRAPH_FORMATS.get(media_type)
            if graph_format is None:
                msg = f"a CONSTRUCT or DESCRIBE answer is RDF; it cannot be given as {media_type}"
                return {"status": "error", "kind": "format", "message": msg}, b""
            triples = list(itertools.islice(answer, max_rows + 1))
            rows, truncated = min(len(triples), max_rows), len(triples) > max_rows
            ox.serialize(triples[:max_rows], output, graph_format, prefixes=dict(prefixes))
    except SyntaxError as error:
        return {"status": "error", "kind": "syntax", "message": str(error)}, b""
    except _TooLargeError:
        megabytes = int(request["max_bytes"]) // (1024 * 1024)
        message = (
            f"The answer is larger than {megabytes} MB; ask for less (LIMIT, fewer variables, "
            "a narrower pattern)."
        )
        return {"status": "error", "kind": "too-large", "message": message}, b""
    except _FormatError as error:
        return {"status": "error", "kind": "format", "message": str(error)}, b""
    except (RuntimeError, ValueError, OSError) as error:
        return {"status": "error", "kind": "engine", "message": str(error)[:500]}, b""
    header = {"status": "ok", "truncated": truncated, "rows": rows}
    return header, output.getvalue()


def _query_arguments(request: Mapping[str, Any]) -> dict[str, Any]:
    arguments: dict[str, Any] = {"base_iri": request.get("base_iri")}
    default_graphs, named_graphs = request["default_graphs"], request["named_graphs"]
    if default_graphs or named_graphs:
        arguments["default_graph"] = [ox.NamedNode(iri) for iri in default_graphs]
        arguments["named_graphs"] = [ox.NamedNode(iri) for iri in named_graphs]
    elif request["union"]:
        arguments["use_default_graph_as_union"] = True
    return arguments


class _FormatError(ValueError):
    """The answer's form cannot be written in the format asked for."""


def _results_format(media_type: str) -> ox.QueryResultsFormat:
    results_format = _RESULT_FORMATS.get(media_type)
    if results_format is None:
        msg = f"SELECT and ASK answers are results; they cannot be given as {media_type}"
        raise _FormatError(msg)
    return results_format


def _write_solutions(
    solutions: ox.QuerySolutions, media_type: str, max_rows: int, output: io.BytesIO
) -> tuple[int, bool]:
    """At most ``max_rows`` solutions, written by pyoxigraph's own writer for ``media_type``.

    pyoxigraph can only write a whole ``QuerySolutions``; the first rows are therefore taken
    and written as SPARQL JSON, which pyoxigraph reads back as a ``QuerySolutions`` and writes
    in the format asked for.
    """
    results_format = _results_format(media_type)
    variables = [variable.value for variable in solutions.variables]
    taken = list(itertools.islice(solutions, max_rows + 1))
    truncated = len(taken) > max_rows
    bindings = [
        {name: _json_term(value) for name in variables if (value := row[name]) is not None}
        for row in taken[:max_rows]
    ]
    document = json.dumps(
        {"head": {"vars": variables}, "results": {"bindings": bindings}}, ensure_ascii=False
    ).encode("utf-8")
    rewritten = ox.parse_query_results(document, ox.QueryResultsFormat.JSON)
    assert isinstance(rewritten, ox.QuerySolutions)
    rewritten.serialize(output, results_format)
    return len(bindings), truncated


def _json_term(term: object) -> dict[str, Any]:
    """A term as SPARQL 1.1 Query Results JSON (with RDF-star ``triple`` terms)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        encoded: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            encoded["xml:lang"] = term.language
        elif term.datatype.value not in {_XSD_STRING, _RDF_LANG_STRING}:
            encoded["datatype"] = term.datatype.value
        return encoded
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    msg = f"unexpected term {term!r}"
    raise _FormatError(msg)


def _open_graph(setup: Mapping[str, Any], stdin: IO[bytes]) -> ox.Store:
    if setup.get("path"):
        return ox.Store.read_only(str(setup["path"]))
    nquads = _read_frame(stdin, math.inf)
    store = ox.Store()
    if nquads:
        store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    return store


def _limit_memory(megabytes: int) -> None:
    if megabytes <= 0:
        return
    import resource  # noqa: PLC0415 - POSIX only, and only here

    limit = megabytes * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _follow_parent(parent: int, interval: float = 1.0) -> None:
    """End this worker as soon as the server that started it is gone.

    Its pipe usually says so (EOF), but a process the server forked may still hold the pipe's
    other end; the parent's pid is the sure sign. Runs in a thread: the engine releases the
    GIL while it evaluates, so this also ends a worker in the middle of a query.
    """
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(0)


def serve(arguments: Iterable[str], stdin: IO[bytes], stdout: IO[bytes]) -> int:
    """The worker's loop: open the graph, then answer one request per frame until EOF."""
    memory_mb = int(next(iter(arguments), "0"))
    threading.Thread(target=_follow_parent, args=(os.getppid(),), daemon=True).start()
    with contextlib.suppress(OSError):
        os.nice(10)  # the server's own pages come first
    try:
        setup = json.loads(_read_frame(stdin, math.inf))
        store = _open_graph(setup, stdin)
    except EOFError:
        return 0
    except (OSError, ValueError, SyntaxError) as error:
        _write_frame(stdout, json.dumps({"status": "failed", "message": str(error)}).encode())
        return 1
    prefixes: Mapping[str, str] = setup.get("prefixes") or {}
    _limit_memory(memory_mb)
    _write_frame(stdout, json.dumps({"status": "ready", "quads": len(store)}).encode())
    while True:
        try:
            request = json.loads(_read_frame(stdin, math.inf))
        except EOFError:
            return 0  # the server closed the pipe: it stopped, or it let this worker go
        signal.alarm(int(request.get("alarm", 0)))  # killed by the kernel if it runs on
        header, body = evaluate(store, request, prefixes)
        signal.alarm(0)
        _write_frame(stdout, json.dumps(header).encode("utf-8"))
        if header["status"] == "ok":
            _write_frame(stdout, body)


def main() -> int:
    """Entry point of ``python -m pactgraph.graph.sandbox MEMORY_MB``.

    The protocol uses the original standard output; anything else that writes to it (a
    library's stray print) goes to standard error instead.
    """
    stdin = os.fdopen(os.dup(sys.stdin.fileno()), "rb")
    stdout = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return serve(sys.argv[1:], stdin, stdout)


if __name__ == "__main__":
    raise SystemExit(main())
