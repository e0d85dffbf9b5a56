"""The scenarios: each measures pactgraph and its peers in the same run and returns a table.

Goals from the issue are checked where the size they are stated for was measured; at other
sizes the ratio is still shown, marked as measured at that size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import datasets, querysets, servers
from bench.datasets import BenchData
from bench.generator import DEFECTS
from bench.measure import Goal, Row, Stats, Table, percentile, repeat, run_worker
from bench.worker import TODAY


@dataclass
class Context:
    """What every scenario needs: the data, where to work, how hard to try."""

    commitments: int
    data: BenchData
    cache: Path
    scratch: Path
    seed: int
    repeats: int = 3
    budget: float = 120.0
    timeout: float = 3600.0
    http_seconds: float = 5.0
    clients: int = 8
    query_budget: float = 2.0
    network_budgets: tuple[int, ...] = (100, 1000, 10000)
    slow_peers: bool = True
    peer_timeout: float = 90.0
    """Seconds a peer's process may take for one named query (its data load included)."""
    """Run peers that take minutes per query at large sizes (rdflib's SPARQL engine)."""
    _bundled: BenchData | None = field(default=None, repr=False)

    @property
    def size(self) -> str:
        return f"{self.commitments:,}"

    def bundled(self) -> BenchData:
        if self._bundled is None:
            self._bundled = datasets.bundled(self.cache)
        return self._bundled

    def runs(self, task: str, args: dict[str, Any]) -> list[dict[str, Any]]:
        return repeat(task, args, repeats=self.repeats, budget=self.budget, timeout=self.timeout)


# ------------------------------------------------------------------ build


def build(ctx: Context) -> Table:
    """Records + letters → validated store, against loading the same quads without pactgraph."""
    table = Table("build", f"Build: records + letters → store ({ctx.size} commitments)")
    data = ctx.data
    if data.records is None or data.letters is None:
        msg = "the build scenario needs a synthetic dataset"
        raise ValueError(msg)
    common = {"scratch": str(ctx.scratch)}
    built = ctx.runs(
        "build", {**common, "records": str(data.records), "letters": str(data.letters)}
    )
    nquads = {**common, "nquads": str(data.nquads)}
    rdflib_runs = ctx.runs("rdflib-load", nquads)
    bulk_runs = ctx.runs("bulk-load", nquads)
    ours = Row.timed("pactgraph build (anchoring, RDF, SHACL, bulk_load on disk)", built)
    rdflib = Row.timed("rdflib Dataset.parse of the built N-Quads (in memory)", rdflib_runs)
    floor = Row.timed("pyoxigraph bulk_load of the built N-Quads (on disk)", bulk_runs)
    for row in (ours, rdflib):
        row.compare(floor, "bulk_load")
    floor.compare(floor, "bulk_load")
    table.rows = [ours, rdflib, floor]
    done = [r for r in built if not r.get("timeout")]
    if done:
        phases: dict[str, list[float]] = {}
        for result in done:
            for name, seconds in result["phases"].items():
                phases.setdefault(name, []).append(seconds)
        total = Stats.of([r["seconds"] for r in done]).median
        parts = ", ".join(
            f"{name} {Stats.of(v).median:.2f} s ({100 * Stats.of(v).median / total:.0f}%)"
            for name, v in phases.items()
        )
        table.notes.append(f"Where the build's time goes (median per step): {parts}.")
        table.notes.append(
            f"{done[0]['triples']:,} triples for {done[0]['commitments']:,} commitments "
            f"({data.quads:,} quads with the ontology)."
        )
    slower = 1 / ours.ratio if ours.ratio else None
    table.goals.append(
        Goal(
            "build of 100k commitments within 1.5× of pyoxigraph's bare bulk_load",
            f"{slower:.1f}× bulk_load's time at {ctx.size}" if slower else "not measured",
            (slower <= 1.5) if slower and ctx.commitments >= 100_000 else None,
        )
    )
    return table


def reject(ctx: Context) -> Table:
    """Invalid records: the build must stop, name every bad record and leave the store as it was."""
    table = Table(
        "reject",
        f"Invalid records are rejected ({ctx.size} commitments, 1% invalid)",
        columns=("median", "range", "runs", "peak MB", "verdict"),
    )
    for defect in DEFECTS:
        pact = datasets.invalid_variant(ctx.commitments, ctx.cache, ctx.seed, defect)
        args = {
            "records": str(pact.records),
            "letters": str(pact.letters),
            "invalid": pact.invalid,
        }
        results = [run_worker("reject", args, ctx.timeout)]
        row = Row.timed(f"{defect}", results)
        result = results[0]
        good = bool(
            result.get("rejected")
            and result.get("named") == result.get("invalid")
            and result.get("problems") == result.get("invalid")
            and result.get("store_kept")
        )
        row.note = (
            f"{'rejected' if result.get('rejected') else 'NOT rejected'}; "
            f"{result.get('problems')} problems for {result.get('invalid')} bad records, "
            f"{result.get('named')} named; "
            f"store {'kept' if result.get('store_kept') else 'CHANGED'}"
        )
        row.extra = {"ok": good, "example": result.get("example", "")}
        table.rows.append(row)
    examples = [f"`{r.name}`: {r.extra['example']}" for r in table.rows if r.extra.get("example")]
    table.notes.append("First problem reported, per defect: " + "; ".join(examples[:5]))
    every = all(r.extra.get("ok") for r in table.rows)
    table.goals.append(
        Goal(
            "every invalid record is named, nothing else, and the store is left as it was",
            "all defects" if every else "see rows",
            every,
        )
    )
    return table


# ------------------------------------------------------------------ SHACL


def shacl(ctx: Context) -> Table:
    """Whole-graph SHACL, pactgraph's way and plain pySHACL, plus revalidation after one edit."""
    table = Table("shacl", f"SHACL validation ({ctx.size} commitments)")
    args = {"nquads": str(ctx.data.nquads)}
    ours = Row.timed(
        "pactgraph.shapes.validate, whole graph", ctx.runs("shacl", {**args, "mode": "pactgraph"})
    )
    plain = Row.timed(
        "plain pySHACL validate (default options), whole graph",
        ctx.runs("shacl", {**args, "mode": "plain"}),
    )
    ours.compare(plain, "plain pySHACL")
    plain.compare(plain, "plain pySHACL")
    table.rows = [ours, plain]
    speedup = ours.ratio
    table.goals.append(
        Goal(
            "whole-graph SHACL at 100k ≥ 3× faster than plain pySHACL",
            f"{speedup:.2f}× at {ctx.size}" if speedup else "not measured",
            (speedup >= 3) if speedup and ctx.commitments >= 100_000 else None,
        )
    )
    return table


def shacl_edit(ctx: Context) -> Table:
    """Revalidation after a single edit of one commitment, against validating everything."""
    table = Table("shacl-edit", f"SHACL after one edit ({ctx.size} commitments)")
    args = {"nquads": str(ctx.data.nquads)}
    edits = ctx.data.info["commitments_with_status"]
    edit = run_worker("shacl-edit", {**args, "commitments": edits}, ctx.timeout)
    valid_ms = [1000 * t for t in edit["valid"]]
    broken_ms = [1000 * t for t in edit["broken"]]
    for name, values in (
        ("pactgraph.shapes.incremental.revalidate, one valid edit", valid_ms),
        ("… one edit that breaks the due interval", broken_ms),
    ):
        stats = Stats.of(values)
        row = Row(name, "ms", stats.median, stats.low, stats.high, stats.runs, edit["peak_mb"])
        row.note = f"p95 {percentile(values, 0.95):.0f} ms over {len(values)} edits"
        table.rows.append(row)
    table.notes.append(
        f"Edits: the due end date of {edit['edits']} commitments, moved later (valid) and before "
        f"the start (caught as a violation in {edit['caught']} of {edit['edits']}). Each edit "
        "revalidates the nodes within three steps of the changed triple, on their neighbourhood "
        "(the whole-graph verdict for those nodes); the shacl scenario times the whole graph."
    )
    p50 = Stats.of(valid_ms).median
    table.goals.append(
        Goal(
            "incremental revalidation after one edit < 100 ms (the alternative SHACL goal)",
            f"p50 {p50:.0f} ms at {ctx.size}; {edit['caught']}/{edit['edits']} breaks caught",
            (p50 < 100 and edit["caught"] == edit["edits"]) if ctx.commitments >= 100_000 else None,
        )
    )
    return table


# ------------------------------------------------------------------ named queries


def _query_rows(data: BenchData, ctx: Context) -> tuple[list[Row], dict[str, float]]:
    plan = querysets.plan(data)
    common = {
        "plan": [q.as_dict() for q in plan],
        "budget": ctx.query_budget,
        "limit": 2000,
    }
    store = run_worker("queries-store", {**common, "store": str(data.store)}, ctx.timeout)
    peer: dict[str, Any] = {}
    if ctx.slow_peers or data.commitments <= 10_000:
        peer = {"queries": {}, "peak_mb": None}
        for question in plan:  # one process each, so one runaway query stops only itself
            one = {**common, "plan": [question.as_dict()], "nquads": str(data.nquads)}
            result = run_worker("queries-rdflib", one, ctx.peer_timeout)
            peer["queries"][question.role] = result.get("queries", {}).get(question.role)
            peer["peak_mb"] = max(peer["peak_mb"] or 0, result.get("peak_mb") or 0) or None
    rows: list[Row] = []
    p50s: dict[str, float] = {}
    for question in plan:
        ours_ms = [1000 * t for t in store["queries"][question.role]["times"]]
        ours_rows = store["queries"][question.role]["rows"]
        if not peer:
            rows.append(
                Row(
                    f"{question.role}: {question.describe()} — embedded store",
                    "ms p50",
                    percentile(ours_ms, 0.5),
                    min(ours_ms),
                    max(ours_ms),
                    len(ours_ms),
                    store["peak_mb"],
                    note=f"p95 {percentile(ours_ms, 0.95):.1f} ms; {ours_rows} rows; "
                    "rdflib peer not run at this size (--skip-slow-peers)",
                )
            )
            p50s[question.role] = percentile(ours_ms, 0.5)
            continue
        answer = peer["queries"][question.role]
        peer_ms = [1000 * t for t in answer["times"]] if answer else []
        peer_rows = answer["rows"] if answer else None
        same = "same rows" if ours_rows == peer_rows or not answer else f"rdflib: {peer_rows} rows"
        ours = Row(
            f"{question.role}: {question.describe()} — embedded store",
            "ms p50",
            percentile(ours_ms, 0.5),
            min(ours_ms),
            max(ours_ms),
            len(ours_ms),
            store["peak_mb"],
            note=f"p95 {percentile(ours_ms, 0.95):.1f} ms; {ours_rows} rows ({same})",
        )
        theirs = (
            Row(
                f"{question.role} — rdflib in-memory SPARQL",
                "ms p50",
                percentile(peer_ms, 0.5),
                min(peer_ms),
                max(peer_ms),
                len(peer_ms),
                peer["peak_mb"],
                note=f"p95 {percentile(peer_ms, 0.95):.1f} ms",
            )
            if peer_ms
            else Row(
                f"{question.role} — rdflib in-memory SPARQL",
                "ms p50",
                None,
                note=f"stopped at the {ctx.peer_timeout:.0f} s limit (parse included)",
            )
        )
        ours.compare(theirs, "rdflib")
        theirs.compare(theirs, "rdflib")
        rows += [ours, theirs]
        p50s[question.role] = percentile(ours_ms, 0.5)
    return rows, p50s


def queries(ctx: Context) -> Table:
    """Named queries on the embedded store against rdflib's SPARQL engine, on the same data."""
    table = Table(
        "queries",
        f"Named queries, one client ({ctx.size} commitments and the bundled graph)",
        columns=("median", "range", "runs", "peak MB", "ratio"),
    )
    bundled_rows, bundled_p50 = _query_rows(ctx.bundled(), ctx)
    rows, p50 = _query_rows(ctx.data, ctx)
    for row in bundled_rows:
        row.name = f"[bundled] {row.name}"
    for row in rows:
        row.name = f"[{ctx.size}] {row.name}"
    table.rows = bundled_rows + rows
    worst = max(bundled_p50.values())
    table.goals.append(
        Goal(
            "named queries p50 < 10 ms on the bundled graph",
            f"slowest p50 {worst:.1f} ms ({max(bundled_p50, key=lambda k: bundled_p50[k])})",
            worst < 10,
        )
    )
    worst_here = max(p50.values())
    table.goals.append(
        Goal(
            "named queries p50 < 50 ms at 10k commitments",
            f"slowest p50 {worst_here:.1f} ms ({max(p50, key=lambda k: p50[k])}) at {ctx.size}",
            (worst_here < 50) if ctx.commitments == 10_000 else None,
        )
    )
    table.notes.append(
        "Latency of one query at a time, after one warm-up run, including pactgraph's parameter "
        f"checks and result conversion; `today` is fixed at {TODAY.isoformat()}."
    )
    return table


# ------------------------------------------------------------------ HTTP


def http(ctx: Context) -> Table:  # noqa: PLR0912 - three servers, each request kind
    """8 clients on loopback: pactgraph's app, rdflib-endpoint and ``oxigraph serve``."""
    table = Table(
        "http",
        f"HTTP, {ctx.clients} concurrent clients on loopback, {ctx.http_seconds:.0f} s per "
        f"request kind ({ctx.size} commitments)",
        columns=("req/s", "p50 ms", "p95 ms", "errors", "server peak MB", "ratio"),
    )
    data = ctx.data
    plan = querysets.plan(data)
    texts = {q.role: querysets.inline(q, TODAY) for q in plan}
    launched = [
        servers.Server("pactgraph", servers.python_server("pactgraph", data.store), "/sparql"),
        servers.Server(
            "rdflib-endpoint", servers.python_server("rdflib-endpoint", data.nquads), "/sparql"
        ),
        servers.Server(
            "oxigraph serve",
            [
                datasets.oxigraph_binary(),
                "serve-read-only",
                "--location",
                str(data.oxigraph_store()),
                "--bind",
                f"{servers.HOST}:{{port}}",
                "--union-default-graph",
            ],
            "/query",
        ),
    ]
    results: dict[tuple[str, str], Row] = {}
    for server in launched:
        server.start(ready_within=600)
        try:
            for question in plan:
                kinds: list[tuple[str, servers.Request]] = [
                    ("/sparql", servers.sparql_request(server, texts[question.role]))
                ]
                if server.name == "pactgraph":
                    query = "&".join(f"{k}={v[0]}" for k, v in question.params.items())
                    kinds.append(
                        (
                            f"/queries/{question.name}",
                            servers.Request(
                                f"/queries/{question.name}?{query}", accept="application/json"
                            ),
                        )
                    )
                for kind, request in kinds:
                    row = _hammer(ctx, server, question.role, kind, request)
                    results[server.name, f"{question.role} {kind}"] = row
                    if row.extra.get("stuck"):  # still busy with an abandoned request
                        server.stop()
                        server.start(ready_within=600)
        finally:
            server.stop()
        for key, row in results.items():
            if key[0] == server.name:
                row.extra["server_peak_mb"] = server.peak_mb
                row.peak_mb = server.peak_mb
    for question in plan:
        for kind in ("/sparql", f"/queries/{question.name}"):
            ours = results.get(("pactgraph", f"{question.role} {kind}"))
            if ours is None:
                continue
            for peer in ("rdflib-endpoint", "oxigraph serve"):
                theirs = results.get((peer, f"{question.role} /sparql"))
                if theirs is not None and ours.median and theirs.median:
                    ours.extra[f"vs {peer}"] = ours.median / theirs.median
                elif theirs is not None and ours.median and theirs.extra.get("seconds"):
                    # the peer finished no request in its whole window: it did less than one
                    ours.extra[f"vs {peer}"] = ours.median * theirs.extra["seconds"]
                    ours.extra[f"vs {peer} is a lower bound"] = True
            ours.ratio = ours.extra.get("vs rdflib-endpoint")
            ours.ratio_to = "rdflib-endpoint"
            oxi = ours.extra.get("vs oxigraph serve")
            ours.note += f"; {oxi:.2f}× oxigraph serve" if oxi else ""
    table.rows = list(results.values())
    trace_named = results.get(("pactgraph", "trace /queries/trace"))
    trace_sparql = results.get(("pactgraph", "trace /sparql"))
    trace = trace_named if trace_named and trace_named.median else trace_sparql
    if trace is not None and trace.median:
        vs_rdflib = trace.extra.get("vs rdflib-endpoint")
        vs_oxi = trace.extra.get("vs oxigraph serve")
        table.goals.append(
            Goal(
                "trace over HTTP ≥ 6× rdflib-endpoint requests/s",
                (
                    ("≥ " if trace.extra.get("vs rdflib-endpoint is a lower bound") else "")
                    + f"{vs_rdflib:.1f}× ({trace.name})"
                )
                if vs_rdflib
                else "not measured",
                vs_rdflib >= 6 if vs_rdflib else None,
            )
        )
        table.goals.append(
            Goal(
                "trace over HTTP ≥ 0.9× oxigraph serve requests/s",
                f"{vs_oxi:.2f}× ({trace.name})" if vs_oxi else "not measured",
                vs_oxi >= 0.9 if vs_oxi else None,
            )
        )
    table.notes.append(
        "Peers get the named query's text with its values written in as a VALUES block; "
        "pactgraph is asked both that way (/sparql) and through its named-query route. The "
        "clients (Python threads, kept-alive connections) share the machine's two cores with the "
        "server, the same for every server."
    )
    return table


def _hammer(
    ctx: Context, server: servers.Server, role: str, kind: str, request: servers.Request
) -> Row:
    name = f"{server.name} {role} {kind}"
    try:
        status, body = servers.fetch(server.port, request, timeout=ctx.peer_timeout)
    except (OSError, TimeoutError):
        note = f"no answer to a single request within {ctx.peer_timeout:.0f} s"
        return Row(
            name, "req/s", None, note=note, extra={"stuck": True, "seconds": ctx.peer_timeout}
        )
    if status != 200:
        text = body[:200].decode(errors="replace")
        return Row(name, "req/s", None, note=f"answers {status}: {text}")
    load = servers.hammer(
        server.port,
        request,
        clients=ctx.clients,
        seconds=ctx.http_seconds,
        timeout=min(30.0, ctx.peer_timeout),
    )
    summary = load.summary()
    rows = servers.count_rows(body)
    row = Row(
        name,
        "req/s",
        summary["requests_per_s"],
        runs=load.ok,
        note=f"{rows} rows" if rows is not None else f"{len(body)} bytes",
        extra=summary,
    )
    if load.errors:
        row.note += f"; {load.errors} errors ({summary['first_error'] or summary['statuses']})"
        row.extra["stuck"] = "timed out" in summary["first_error"]
    return row


# ------------------------------------------------------------------ network views


def network(ctx: Context) -> Table:
    """Projection + metrics + JSON/HTML rendering at 100, 1k and 10k nodes."""
    table = Table(
        "network",
        f"Network views: organisation–commitment projection ({ctx.size} commitments)",
        columns=("median", "range", "runs", "peak MB", "ratio"),
    )
    projection = "organisation-commitment"
    args = {
        "store": str(ctx.data.store),
        "budgets": list(ctx.network_budgets),
        "projection": projection,
    }
    results = ctx.runs("network", args)
    done = [r for r in results if not r.get("timeout")]
    read = Row.timed("pactgraph.graph.network: NetworkData.read from the store", results)
    table.rows.append(read)
    naive_stopped = False
    for budget in ctx.network_budgets:
        views = [r["views"][str(budget)] for r in done]
        nodes = views[0]["nodes"]
        if nodes < budget and budget > min(ctx.network_budgets):
            table.notes.append(
                f"{budget:,} nodes: the projection has only {nodes:,} at this size; "
                "the next size up measures it."
            )
            continue
        stats = Stats.of([v["seconds"] for v in views])
        steps = {k: Stats.of([v["steps"][k] for v in views]).median for k in views[0]["steps"]}
        row = Row(
            f"{nodes:,} nodes, {views[0]['edges']:,} edges: project + metrics + JSON + HTML",
            "s",
            stats.median,
            stats.low,
            stats.high,
            stats.runs,
            max(r["peak_mb"] for r in done),
            note=", ".join(f"{k} {v:.3f} s" for k, v in steps.items())
            + f"; betweenness {views[0]['betweenness']}",
        )
        table.rows.append(row)
        if naive_stopped:
            peer = Row(f"… pyvis from_nx, {nodes:,} nodes", "s", None, note="skipped")
        else:
            peer = Row.timed(
                f"… pyvis from_nx + generate_html, {nodes:,} nodes (the tutorial way)",
                [
                    run_worker(
                        "network-naive",
                        {"store": args["store"], "budget": budget, "projection": projection},
                        timeout=90,
                    )
                ],
            )
            naive_stopped = peer.median is None
        if peer.median and steps.get("html"):
            peer.ratio = steps["html"] / peer.median
            peer.ratio_to = "pactgraph's HTML step"
        table.rows.append(peer)
    table.notes.append(
        "Ratio on the pyvis rows: the tutorial way against pactgraph's HTML step (nodes and "
        "edges set directly) on the same graph."
    )
    return table


SCENARIOS: dict[str, Callable[[Context], Table]] = {
    "build": build,
    "reject": reject,
    "shacl": shacl,
    "shacl-edit": shacl_edit,
    "queries": queries,
    "http": http,
    "network": network,
}
