"""Bad input: a clear error naming file, record or line and what was expected; nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from pactgraph.graph.cli import main
from pactgraph.graph.store import OxigraphStore

COMMITMENTS_2013 = "commitments-tk-32637-75.yaml"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, bytes]:
    """A store with the bundled graph built by the CLI, and its dump before any bad build."""
    root = tmp_path_factory.mktemp("store")
    assert main(["--store", f"oxigraph:{root}", "build"]) == 0
    return f"oxigraph:{root}", OxigraphStore(root, read_only=True).dump()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def build_fails(
    built: tuple[str, bytes], records: Path, letters: Path, capsys: pytest.CaptureFixture[str]
) -> str:
    spec, before = built
    code = main(["--store", spec, "build", "--records", str(records), "--letters", str(letters)])
    err = capsys.readouterr().err
    assert code != 0
    after = OxigraphStore(Path(spec.removeprefix("oxigraph:")), read_only=True).dump()
    assert after == before, "a failed build changed the store"
    return err


def test_a_quote_not_in_its_letter_stops_the_build(built, dataset_copy, capsys) -> None:
    records, letters = dataset_copy
    edit(
        records / COMMITMENTS_2013,
        "Het doel is om in 2014 16 goed",
        "Het doel is om in 2014 17 goed",
    )
    err = build_fails(built, records, letters, capsys)
    assert COMMITMENTS_2013 in err
    assert "c75-servicepunten-techniek-16-in-2014" in err
    assert "quote not found" in err
    assert "tk-32637-75.txt" in err


def test_an_unknown_owner_is_named_with_its_line(built, dataset_copy, capsys) -> None:
    records, letters = dataset_copy
    edit(records / COMMITMENTS_2013, "owner: uwv", "owner: uwv-bestaat-niet")
    err = build_fails(built, records, letters, capsys)
    line = next(
        n
        for n, text in enumerate((records / COMMITMENTS_2013).read_text().splitlines(), 1)
        if "uwv-bestaat-niet" in text
    )
    assert f"{COMMITMENTS_2013}:{line}:" in err
    assert "owner 'uwv-bestaat-niet' is not a known organisation or person" in err


def test_an_unparseable_due_phrase_says_which_forms_are_expected(
    built, dataset_copy, capsys
) -> None:
    records, letters = dataset_copy
    edit(records / COMMITMENTS_2013, 'due: "in 2014"', 'due: "binnenkort"')
    err = build_fails(built, records, letters, capsys)
    assert "cannot read 'binnenkort' as a due date" in err
    assert "najaar 2013" in err  # an example of what is expected


def test_a_negative_amount_is_refused(built, dataset_copy, capsys) -> None:
    records, letters = dataset_copy
    edit(records / COMMITMENTS_2013, 'amount: "€ 8 miljoen"', 'amount: "-€ 8 miljoen"')
    err = build_fails(built, records, letters, capsys)
    assert "must be a positive sum of euros" in err
    assert COMMITMENTS_2013 in err


def test_malformed_yaml_names_file_line_and_column(built, dataset_copy, capsys) -> None:
    records, letters = dataset_copy
    (records / "broken.yaml").write_text(
        "commitments:\n  - id: x\n    label: [unclosed\n", encoding="utf-8"
    )
    err = build_fails(built, records, letters, capsys)
    assert "broken.yaml:" in err
    assert "malformed YAML" in err


def test_a_misspelt_field_is_named_with_the_fields_that_exist(built, dataset_copy, capsys) -> None:
    records, letters = dataset_copy
    edit(records / COMMITMENTS_2013, "owner: uwv", "ownr: uwv")
    err = build_fails(built, records, letters, capsys)
    assert "unknown field 'ownr'" in err
    assert "missing required field 'owner'" in err


def test_a_missing_letter_file_is_named(built, dataset_copy, capsys) -> None:
    records, letters = dataset_copy
    (letters / "tk-32637-75.txt").unlink()
    err = build_fails(built, records, letters, capsys)
    assert "letter file 'tk-32637-75.txt' not found" in err
    assert "documents.yaml" in err


def test_a_duplicate_id_points_at_the_first_use(built, dataset_copy, capsys) -> None:
    records, letters = dataset_copy
    (records / "zz-extra.yaml").write_text(
        "organisations:\n  - id: vhto\n    label: VHTO\n    kind: expertise-centre\n",
        encoding="utf-8",
    )
    err = build_fails(built, records, letters, capsys)
    assert "zz-extra.yaml:2" in err
    assert "id already used at organisations.yaml" in err


def test_malformed_turtle_given_to_validate_is_named(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        '@prefix ex: <http://example.org/> .\nex:a ex:b "unterminated .\n', encoding="utf-8"
    )
    code = main(["validate", str(bad)])
    err = capsys.readouterr().err
    assert code == 2
    assert "bad.ttl: not valid turtle" in err


def test_validate_reports_violations_with_labels_and_exits_1(tmp_path, capsys) -> None:
    data = tmp_path / "commitment.ttl"
    data.write_text(
        "@prefix pact: <https://w3id.org/pactgraph/def#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<http://example.org/c1> a pact:Commitment ;"
        ' skos:prefLabel "Een toezegging zonder eigenaar"@nl .\n',
        encoding="utf-8",
    )
    code = main(["validate", "--lang", "nl", str(data)])
    out = capsys.readouterr().out
    assert code == 1
    assert "Een toezegging zonder eigenaar" in out
    assert "pact:owner" in out
    assert "precies één eigenaar" in out


@pytest.mark.parametrize("command", [["commitments"], ["export"], ["validate"]])
def test_reading_an_unbuilt_store_says_to_build_first(tmp_path, capsys, command) -> None:
    code = main(["--store", f"oxigraph:{tmp_path / 'never-built'}", *command])
    assert code == 2
    assert "is empty; run 'pactgraph build' first" in capsys.readouterr().err
    assert not (tmp_path / "never-built").exists()  # reading creates nothing
