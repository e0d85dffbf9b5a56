"""Backups a person can check: an N-Quads dump and a manifest with its count and checksum.

A backup directory holds ``dataset.nq`` (the whole dataset, every named graph, the change log
included) and ``manifest.json`` (the number of quads, per graph too, the SHA-256 of the dump,
and when it was taken). The manifest is written last, so a backup interrupted halfway has none
and cannot be restored by mistake.

Restoring verifies before it touches anything: the manifest must be there, the dump's checksum
and quad count must match it. Only then is the dataset replaced, with the store's own atomic
``replace_all`` (a new generation and one atomic switch on disk), so a restore killed midway
leaves the store as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from pactgraph.graph.store import GraphStore, OxigraphStore

DATA_FILE = "dataset.nq"
MANIFEST_FILE = "manifest.json"
MEDIA_TYPE = "application/n-quads"


class BackupError(ValueError):
    """A backup that cannot be written or restored; the store was not changed."""


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, to check it against before it is restored."""

    format: str
    file: str
    quads: int
    sha256: str
    created: str
    graphs: dict[str, int]

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST_FILE
        try:
            data: Any = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            msg = (
                f"{directory} holds no {MANIFEST_FILE}: not a pactgraph backup, or one that was "
                "interrupted; the store was not changed"
            )
            raise BackupError(msg) from error
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            msg = f"cannot read {path}: {error}; the store was not changed"
            raise BackupError(msg) from error
        try:
            manifest = cls(
                format=str(data["format"]),
                file=str(data["file"]),
                quads=int(data["quads"]),
                sha256=str(data["sha256"]).lower(),
                created=str(data["created"]),
                graphs={str(k): int(v) for k, v in dict(data.get("graphs", {})).items()},
            )
        except (KeyError, TypeError, ValueError) as error:
            msg = f"{path} is not a backup manifest ({error}); the store was not changed"
            raise BackupError(msg) from error
        if manifest.format != MEDIA_TYPE or Path(manifest.file).name != manifest.file:
            msg = (
                f"{path} names {manifest.file!r} as {manifest.format}; a backup is one "
                f"{MEDIA_TYPE} file in the backup directory. The store was not changed"
            )
            raise BackupError(msg)
        return manifest


def write_backup(store: GraphStore, directory: Path) -> Manifest:
    """Dump ``store`` into the new or empty ``directory``; the manifest is written last."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        msg = f"{directory} exists and is not an empty directory; back up into a new one"
        raise BackupError(msg)
    data = store.dump("nquads")
    graphs = _graph_counts(data)
    manifest = Manifest(
        format=MEDIA_TYPE,
        file=DATA_FILE,
        quads=sum(graphs.values()),
        sha256=hashlib.sha256(data).hexdigest(),
        created=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        graphs=dict(sorted(graphs.items())),
    )
    directory.mkdir(parents=True, exist_ok=True)
    _write_durably(directory / DATA_FILE, data)
    text = json.dumps(asdict(manifest), indent=2, ensure_ascii=False) + "\n"
    _write_durably(directory / MANIFEST_FILE, text.encode("utf-8"))
    return manifest


def read_verified(directory: Path) -> tuple[Manifest, bytes]:
    """The manifest and the dump, after checking the dump's checksum and count against it."""
    manifest = Manifest.read(directory)
    try:
        data = (directory / manifest.file).read_bytes()
    except OSError as error:
        msg = f"cannot read the backup's {manifest.file}: {error}; the store was not changed"
        raise BackupError(msg) from error
    digest = hashlib.sha256(data).hexdigest()
    if digest != manifest.sha256:
        msg = (
            f"{directory / manifest.file} is corrupted: its SHA-256 is {digest}, the manifest "
            f"says {manifest.sha256}. The store was not changed"
        )
        raise BackupError(msg)
    try:
        quads = sum(_graph_counts(data).values())
    except SyntaxError as error:
        msg = f"{directory / manifest.file} is not N-Quads ({error}); the store was not changed"
        raise BackupError(msg) from error
    if quads != manifest.quads:
        msg = (
            f"{directory / manifest.file} holds {quads} quads, the manifest says "
            f"{manifest.quads}. The store was not changed"
        )
        raise BackupError(msg)
    return manifest, data


def restore_backup(store: GraphStore, directory: Path) -> Manifest:
    """Replace the whole dataset of ``store`` with a verified backup, atomically."""
    manifest, data = read_verified(directory)
    if isinstance(store, OxigraphStore):
        store.is_empty()  # opens it for writing: refused here while another process writes it
    store.replace_all(data)
    return manifest


def _graph_counts(nquads: bytes) -> Counter[str]:
    """Quads per graph IRI (``""`` for the default graph)."""
    return Counter(
        quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        for quad in ox.parse(nquads, ox.RdfFormat.N_QUADS)
    )


def _write_durably(path: Path, data: bytes) -> None:
    """Write to a temporary name, flush to disk, then rename over ``path``."""
    temporary = path.with_name(f".{path.name}.partial")
    with temporary.open("wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    temporary.replace(path)
