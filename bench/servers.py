# ruff: noqa: PLC0415 - a server process imports only the libraries of the server it runs
"""SPARQL servers on loopback for the HTTP scenario, and a bounded load generator.

Each server is a child process on a free port of 127.0.0.1, started and stopped by the
benchmark: the pactgraph app (``create_app`` on the built store, served by uvicorn),
rdflib-endpoint on an rdflib ``Dataset`` of the same N-Quads, and ``oxigraph serve-read-only``
on a store the ``oxigraph`` command loaded from them. ``python -m bench.servers KIND DATA PORT``
runs one of the two Python servers in the foreground.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.measure import REPO, percentile, process_peak_mb

HOST = "127.0.0.1"


def free_port() -> int:
    """A port nobody listens on right now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """A server child process; ``sparql`` is the path of its SPARQL query endpoint."""

    name: str
    command: list[str]
    sparql: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    peak_mb: float | None = None

    def start(self, ready_within: float) -> None:
        """Start and wait until it answers HTTP (any status) or ``ready_within`` seconds pass."""
        command = [part.replace("{port}", str(self.port)) for part in self.command]
        environment = dict(os.environ, PYTHONPATH=str(REPO))
        self.process = subprocess.Popen(  # noqa: S603 - our own servers, fixed arguments
            command, cwd=REPO, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + ready_within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode() if self.process.stderr else ""
                msg = (
                    f"{self.name} exited at start (code {self.process.returncode}): {error[-800:]}"
                )
                raise RuntimeError(msg)
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
                connection.request("GET", "/")
                connection.getresponse().read()
                connection.close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        msg = f"{self.name} did not answer within {ready_within:.0f} s"
        raise RuntimeError(msg)

    def stop(self) -> None:
        """Note the peak memory, then stop the process (and only it)."""
        if self.process is None:
            return
        peak = process_peak_mb(self.process.pid)
        self.peak_mb = max(peak, self.peak_mb or 0.0) if peak is not None else self.peak_mb
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        if self.process.stderr:
            self.process.stderr.close()
        self.process = None


# ------------------------------------------------------------------ the load generator


@dataclass(frozen=True)
class Request:
    """One HTTP GET the clients repeat."""

    path: str
    accept: str = "application/sparql-results+json"


def sparql_request(server: Server, query: str) -> Request:
    return Request(f"{server.sparql}?{urlencode({'query': query})}")


@dataclass
class Load:
    """What a bounded run of concurrent clients saw."""

    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    first_error: str = ""

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        ms = [1000 * t for t in self.latencies] or [0.0]
        return {
            "requests_per_s": self.per_second,
            "seconds": self.seconds,
            "ok": self.ok,
            "errors": self.errors,
            "p50_ms": percentile(ms, 0.5),
            "p95_ms": percentile(ms, 0.95),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "first_error": self.first_error,
        }


def fetch(port: int, request: Request, timeout: float) -> tuple[int, bytes]:
    """One request on a fresh connection (for checking answers before a run)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", request.path, headers={"Accept": request.accept})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def hammer(port: int, request: Request, *, clients: int, seconds: float, timeout: float) -> Load:
    """``clients`` threads repeat ``request`` on kept-alive connections for ``seconds``.

    Bounded twice: no request starts after the deadline, and none waits longer than
    ``timeout``. Only loopback is ever addressed.
    """
    load = Load()
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", request.path, headers={"Accept": request.accept})
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
                with lock:
                    load.errors += 1
                    load.first_error = load.first_error or repr(error)
                continue
            elapsed = time.perf_counter() - started
            with lock:
                load.statuses[status] = load.statuses.get(status, 0) + 1
                if status == 200:
                    load.ok += 1
                    load.latencies.append(elapsed)
                else:
                    load.errors += 1
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + timeout + 5)
    load.seconds = time.perf_counter() - started
    return load


def count_rows(body: bytes) -> int | None:
    """Rows of a SPARQL JSON result (or of a JSON list / ``rows`` list), if it is one."""
    try:
        document = json.loads(body)
    except ValueError:
        return None
    if isinstance(document, dict):
        if isinstance(document.get("results"), dict):
            return len(document["results"].get("bindings", []))
        for key in ("rows", "results", "items"):
            if isinstance(document.get(key), list):
                return len(document[key])
    if isinstance(document, list):
        return len(document)
    return None


# ------------------------------------------------------------------ the Python servers


def _serve(kind: str, data: str, port: int) -> None:
    import uvicorn

    if kind == "pactgraph":
        import os

        from pactgraph.api.app import create_app
        from pactgraph.graph.store import open_for_serving

        # opened as `pactgraph serve` opens it; no response cache: the peers evaluate every
        # request, so pactgraph must too
        store = open_for_serving(Path(data), os.environ)
        app: Any = create_app(store, response_cache=False)
    else:
        from rdflib import Dataset
        from rdflib_endpoint import SparqlEndpoint

        dataset = Dataset(default_union=True)
        dataset.parse(data, format="nquads")
        app = SparqlEndpoint(graph=dataset, path="/sparql", cors_enabled=False)
    uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False)


def python_server(kind: str, data: Path) -> list[str]:
    """The command that serves ``data`` with ``kind`` (``pactgraph`` or ``rdflib-endpoint``)."""
    return [sys.executable, "-m", "bench.servers", kind, str(data), "{port}"]


def main(argv: Sequence[str]) -> int:
    kind, data, port = argv[1], argv[2], int(argv[3])
    _serve(kind, data, port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
