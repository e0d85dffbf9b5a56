"""Backup and restore: a round trip gives the same dataset back, byte for byte; a damaged
backup is refused before the store is touched."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from pactgraph.graph import edits
from pactgraph.graph.backup import DATA_FILE, MANIFEST_FILE
from pactgraph.graph.cli import main
from pactgraph.graph.store import OxigraphStore

VHTO = "https://w3id.org/pactgraph/id/organisation/vhto"
RECORDS = "https://w3id.org/pactgraph/graph/records"


def alt_label(text: str) -> str:
    return (
        f"INSERT DATA {{ GRAPH <{RECORDS}> {{ <{VHTO}> "
        f'<http://www.w3.org/2004/02/skos/core#altLabel> "{text}"@nl }} }}'
    )


@pytest.fixture(scope="module")
def edited_template(
    tmp_path_factory: pytest.TempPathFactory, built_store: OxigraphStore
) -> tuple[Path, bytes]:
    """An on-disk copy of the bundled graph with one edit (so a change log to keep), made
    once; tests work on copies of its directory."""
    root = tmp_path_factory.mktemp("edited") / "store"
    store = OxigraphStore(root)
    store.replace_all(built_store.dump())
    assert edits.apply_update(store, alt_label("before the backup"), "secretariat") is not None
    dump = store.dump()
    store.close()
    return root, dump


@pytest.fixture
def edited(tmp_path: Path, edited_template: tuple[Path, bytes]) -> tuple[str, bytes]:
    """A fresh copy of the edited store: its spec and its dump."""
    template, dump = edited_template
    shutil.copytree(template, tmp_path / "store", symlinks=True)
    return f"oxigraph:{tmp_path / 'store'}", dump


def dump_of(spec: str) -> bytes:
    return OxigraphStore(Path(spec.removeprefix("oxigraph:")), read_only=True).dump()


def test_backup_writes_the_dump_and_a_manifest_that_describes_it(
    tmp_path: Path, edited: tuple[str, bytes]
) -> None:
    spec, dump = edited
    assert main(["--store", spec, "backup", str(tmp_path / "backup")]) == 0
    data = (tmp_path / "backup" / DATA_FILE).read_bytes()
    manifest = json.loads((tmp_path / "backup" / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert data == dump
    assert manifest["sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["quads"] == len(data.splitlines())
    assert manifest["graphs"][edits.CHANGELOG_GRAPH] > 0
    assert sum(manifest["graphs"].values()) == manifest["quads"]
    assert manifest["created"].endswith("Z")


def test_a_round_trip_restores_the_dataset_exactly(
    tmp_path: Path, edited: tuple[str, bytes]
) -> None:
    spec, dump = edited
    backup = tmp_path / "backup"
    assert main(["--store", spec, "backup", str(backup)]) == 0
    elsewhere = f"oxigraph:{tmp_path / 'elsewhere'}"
    assert main(["--store", elsewhere, "restore", str(backup)]) == 0
    assert dump_of(elsewhere) == dump
    # and into the store itself, after later edits: back to the moment of the backup
    store = OxigraphStore(Path(spec.removeprefix("oxigraph:")))
    assert edits.apply_update(store, alt_label("after the backup"), "evaluator") is not None
    assert store.dump() != dump
    store.close()
    assert main(["--store", spec, "restore", str(backup)]) == 0
    assert dump_of(spec) == dump
    restored = OxigraphStore(Path(spec.removeprefix("oxigraph:")), read_only=True)
    assert [e.agent for e in edits.history(restored)] == ["secretariat"]


def corrupt_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: corrupt_one_byte(d / DATA_FILE), "corrupted"),
        (lambda d: truncate(d / DATA_FILE), "corrupted"),
        (lambda d: (d / MANIFEST_FILE).unlink(), "no manifest.json"),
        (lambda d: (d / DATA_FILE).unlink(), "cannot read"),
        (
            lambda d: (d / MANIFEST_FILE).write_text(
                (d / MANIFEST_FILE).read_text().replace('"dataset.nq"', '"../store/x.nq"')
            ),
            "one application/n-quads file",
        ),
        (lambda d: (d / MANIFEST_FILE).write_text("{"), "cannot read"),
    ],
    ids=["a flipped bit", "truncated", "no manifest", "no dump", "a path outside", "bad JSON"],
)
def test_a_damaged_backup_is_refused_and_the_store_is_untouched(
    tmp_path: Path,
    edited: tuple[str, bytes],
    capsys: pytest.CaptureFixture[str],
    damage: Callable[[Path], object],
    message: str,
) -> None:
    spec, _ = edited
    backup = tmp_path / "backup"
    assert main(["--store", spec, "backup", str(backup)]) == 0
    store = OxigraphStore(Path(spec.removeprefix("oxigraph:")))
    assert edits.apply_update(store, alt_label("after the backup"), "evaluator") is not None
    current = store.dump()
    generation = store.current
    store.close()
    damage(backup)
    capsys.readouterr()
    assert main(["--store", spec, "restore", str(backup)]) == 1
    error = capsys.readouterr().err
    assert message in error
    assert "not changed" in error
    assert dump_of(spec) == current
    assert OxigraphStore(Path(spec.removeprefix("oxigraph:"))).current == generation


def test_a_backup_whose_count_disagrees_with_its_manifest_is_refused(
    tmp_path: Path, edited: tuple[str, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    """A manifest edited by hand (checksum right, count wrong) is not trusted either."""
    spec, _ = edited
    backup = tmp_path / "backup"
    assert main(["--store", spec, "backup", str(backup)]) == 0
    manifest = json.loads((backup / MANIFEST_FILE).read_text())
    manifest["quads"] += 1
    (backup / MANIFEST_FILE).write_text(json.dumps(manifest))
    assert main(["--store", f"oxigraph:{tmp_path / 'other'}", "restore", str(backup)]) == 1
    assert "the manifest says" in capsys.readouterr().err
    assert not (tmp_path / "other" / "current").exists()


def test_backup_refuses_a_directory_that_is_not_empty(
    tmp_path: Path, edited: tuple[str, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    spec, _ = edited
    target = tmp_path / "occupied"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    assert main(["--store", spec, "backup", str(target)]) == 1
    assert "not an empty directory" in capsys.readouterr().err
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_restore_is_refused_while_another_writer_holds_the_store(
    tmp_path: Path, edited: tuple[str, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    """A serving process with edits enabled holds the store; a restore under it would be lost
    with the server's next edit, so it is refused. A backup (read-only) still works."""
    spec, dump = edited
    backup = tmp_path / "backup"
    writer = OxigraphStore(Path(spec.removeprefix("oxigraph:")))
    assert not writer.is_empty()  # now open for writing
    assert main(["--store", spec, "backup", str(backup)]) == 0
    assert (backup / DATA_FILE).read_bytes() == dump
    assert main(["--store", spec, "restore", str(backup)]) == 2
    assert "for writing" in capsys.readouterr().err
    assert writer.dump() == dump
