"""The data a benchmark run measures on: a synthetic pact (or the bundled one), its built graph
as N-Quads, a reference store, and ids worth asking queries about. Cached between runs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.generator import GeneratedPact, PactSpec, ensure
from bench.measure import run_worker

ID = "https://w3id.org/pactgraph/id/"


@dataclass
class BenchData:
    """One dataset ready to measure on."""

    name: str
    commitments: int
    root: Path
    records: Path | None
    letters: Path | None
    info: dict[str, Any]
    pact: GeneratedPact | None = None

    @property
    def nquads(self) -> Path:
        return self.root / "graph.nq"

    @property
    def store(self) -> Path:
        return self.root / "store"

    @property
    def quads(self) -> int:
        return int(self.info["quads"])

    def oxigraph_store(self) -> Path:
        """The N-Quads loaded by the ``oxigraph`` command line (what ``oxigraph serve`` reads)."""
        location = self.root / "oxigraph-cli"
        if not (location / ".loaded").is_file():
            shutil.rmtree(location, ignore_errors=True)
            subprocess.run(  # noqa: S603 - the oxigraph binary the bench extra installs
                [
                    oxigraph_binary(),
                    "load",
                    "--location",
                    str(location),
                    "--file",
                    str(self.nquads),
                ],
                check=True,
                capture_output=True,
            )
            (location / ".loaded").write_text("ok\n", encoding="utf-8")
        return location


def oxigraph_binary() -> str:
    """The ``oxigraph`` server binary (PyPI package ``oxigraph``), next to this interpreter."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = shutil.which("oxigraph")
    if beside.is_file():
        return str(beside)
    if found:
        return found
    msg = "the 'oxigraph' command is not installed; pip install -e '.[bench]'"
    raise FileNotFoundError(msg)


def _prepare(name: str, root: Path, records: Path | None, letters: Path | None) -> dict[str, Any]:
    info_file = root / "prepared.json"
    if info_file.is_file() and (root / "graph.nq").is_file():
        info: dict[str, Any] = json.loads(info_file.read_text(encoding="utf-8"))
        return info
    root.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(root / "store", ignore_errors=True)
    info = run_worker(
        "prepare",
        {
            "records": None if records is None else str(records),
            "letters": None if letters is None else str(letters),
            "nquads": str(root / "graph.nq"),
            "store": str(root / "store"),
        },
        timeout=7200,
    )
    info["name"] = name
    info_file.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


def synthetic(commitments: int, cache: Path, seed: int) -> BenchData:
    """A synthetic pact of ``commitments`` commitments, generated and built once per cache."""
    pact = ensure(PactSpec(commitments, seed=seed), cache)
    root = pact.root.parent / f"{pact.root.name}-built"
    info = _prepare(pact.root.name, root, pact.records, pact.letters)
    return BenchData(
        f"synthetic {commitments:,}", commitments, root, pact.records, pact.letters, info, pact
    )


def bundled(cache: Path) -> BenchData:
    """The bundled Techniekpact graph (84 commitments): the size the p50 goal is stated for."""
    root = cache / "bundled-built"
    info = _prepare("bundled", root, None, None)
    return BenchData("bundled Techniekpact", 84, root, None, None, info)


def invalid_variant(commitments: int, cache: Path, seed: int, defect: str) -> GeneratedPact:
    """The synthetic pact with 1% of its commitments given ``defect``."""
    fraction = max(0.01, 1 / commitments)
    return ensure(PactSpec(commitments, seed=seed, invalid_fraction=fraction, defect=defect), cache)
