"""``launch-sim store``: export prints a seed that import turns back into the same store,
import fills only a new or empty store, add merges, and the default store always starts
from the shipped seed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator import Simulator
from simulator.cli import main
from simulator.resources import default_seed_path
from simulator.store import MappingStore, MappingTable

GLANCE_ONLY = "99999999-8888-7777-6666-555555555555"
UNLISTED = "12121212-3434-5656-7878-909090909090"
CIRROS = "11111111-2222-3333-4444-555555555555"
SNAPSHOT_UUID = "aaaaaaaa-0000-0000-0000-000000000000"
SNAPSHOT = {"snapshots": [{"ec2_id": "snap-0000000a", "uuid": SNAPSHOT_UUID}]}


def cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def contents(path: Path) -> dict[str, Any]:
    with MappingStore.open(path) as store:
        return store.export()


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def busy_store(tmp_path: Path) -> Path:
    """A store with every kind of row: launches' instance rows, an image listed under two
    s3 ids, one without any, and an s3 row for an image that is not in the catalogue."""
    path = tmp_path / "busy.json"
    with Simulator.open(path) as sim:
        cirros = sim.store.images_named("cirros")[0]["id"]
        sim.store.add_mapping(MappingTable.S3_IMAGES, cirros, 40)
        sim.store.add_mapping(MappingTable.S3_IMAGES, GLANCE_ONLY, 41)
        sim.store.add_image({"id": UNLISTED, "name": "unlisted", "status": "active"})
        sim.run_instances(image_id="ami-00000001", min_count=2)
        sim.run_instances(image_id="ami-00000028")
    return path


def test_export_is_a_valid_seed_that_imports_into_an_identical_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], busy_store: Path
) -> None:
    code, out, err = cli(capsys, "store", "--store", busy_store, "export")
    assert (code, err) == (0, "")
    seed = json.loads(out)
    assert {"images", "s3_images", "instances", "instance_types"} <= seed.keys()
    assert {"uuid": UNLISTED, "name": "unlisted", "status": "active"} in seed["images"]
    assert {"ec2_id": "ami-00000029", "uuid": GLANCE_ONLY} in seed["s3_images"]
    exported = write_json(tmp_path / "export.json", seed)
    assert cli(capsys, "validate", exported) == (0, f"{exported}: valid seed\n", "")
    copy = tmp_path / "new.json"
    assert cli(capsys, "store", "import", "--store", copy, exported)[0] == 0
    imported, original = contents(copy), contents(busy_store)
    assert original.pop("instances") and imported.pop("instances") == {}
    assert imported == original


def test_import_refuses_a_store_holding_rows_and_add_merges_into_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], busy_store: Path
) -> None:
    seed = write_json(tmp_path / "seed.json", SNAPSHOT)
    before = contents(busy_store)
    code, out, err = cli(capsys, "store", "import", "--store", busy_store, seed)
    assert (code, out) == (2, "")
    assert err == (
        f"launch-sim: error: store {busy_store} already holds rows: store import fills only "
        "a new or empty store (store add merges a seed into it; --store names a new file)\n"
    )
    assert contents(busy_store) == before
    assert cli(capsys, "store", "add", "--store", busy_store, seed) == (
        0,
        f"{busy_store}: added {seed}\n",
        "",
    )
    after = contents(busy_store)
    assert after["snapshot_id_mappings"]["10"] == {"uuid": SNAPSHOT["snapshots"][0]["uuid"]}
    del after["snapshot_id_mappings"]["10"]
    assert after == before


CIRROS_ROW = {"id": CIRROS, "name": "cirros"}
UNEXPORTABLE = {
    "unknown image key": (
        {"1": {**CIRROS_ROW, "architecture": "x86_64"}},
        f"image {CIRROS} has keys a seed cannot hold: ['architecture']",
    ),
    "not a uuid": ({"1": {"id": "cirros-1", "name": "cirros"}}, "/images/0/uuid: 'cirros-1'"),
    "conflicting duplicates": (
        {"1": CIRROS_ROW, "2": {**CIRROS_ROW, "status": "active"}},
        f"/images/1: {CIRROS} already exists with other values",
    ),
    "identical duplicates": (
        {"1": CIRROS_ROW, "2": CIRROS_ROW},
        "importing it would not give back the same rows",
    ),
}


@pytest.mark.parametrize("case", UNEXPORTABLE)
def test_a_row_a_seed_cannot_carry_is_refused_not_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    images, reason = UNEXPORTABLE[case]
    path = write_json(tmp_path / "store.json", {"images": images})
    code, out, err = cli(capsys, "store", "export", "--store", path)
    assert (code, out) == (2, "")
    assert err.startswith(f"launch-sim: error: store {path} cannot be exported as a seed: ")
    assert reason in err and err.count("\n") == 1


@pytest.mark.parametrize("command", ["import", "add"])
def test_a_bad_seed_creates_no_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    seed = write_json(tmp_path / "seed.json", {"flavors": []})
    store = tmp_path / "store.json"
    code, _, err = cli(capsys, "store", "--store", store, command, seed)
    assert code == 2 and str(seed) in err and err.count("\n") == 1
    assert not store.exists()


@pytest.fixture
def default_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Where the user-data-dir store goes, with ``$LAUNCH_SIM_STORE`` unset."""
    monkeypatch.delenv("LAUNCH_SIM_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    path = tmp_path / "data" / "launch-sim" / "store.json"
    yield path


def default_seed_store(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "reference.json"
    Simulator.open(path, seed=default_seed_path()).close()
    return contents(path)


@pytest.mark.parametrize("command", ["add", "import", "export"])
def test_the_default_store_is_created_from_the_shipped_seed_by_every_store_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], default_store: Path, command: str
) -> None:
    seed = write_json(tmp_path / "seed.json", SNAPSHOT)
    code, out, _ = cli(capsys, "store", command, *([] if command == "export" else [seed]))
    expected = default_seed_store(tmp_path)
    if command == "add":
        assert code == 0
        expected["snapshot_id_mappings"]["10"] = {"uuid": SNAPSHOT["snapshots"][0]["uuid"]}
    elif command == "import":
        assert code == 2, "the default store is never empty: import refuses it"
    else:
        assert code == 0 and json.loads(out) == json.loads(default_seed_path().read_text())
    assert contents(default_store) == expected


def test_launch_seed_merges_into_a_new_default_store_and_starts_a_new_named_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], default_store: Path
) -> None:
    """``--seed`` never leaves the default store without the shipped rows: every later
    command without ``--store`` opens it again (the README's launch among them). A store
    the user names starts from the seed alone, as ``--memory`` does."""
    seed = write_json(tmp_path / "seed.json", SNAPSHOT)
    request = Path(__file__).parents[1] / "fixtures" / "launches" / "walkthrough.json"
    seeded = {"10": {"uuid": SNAPSHOT["snapshots"][0]["uuid"]}}
    shipped = default_seed_store(tmp_path)

    assert cli(capsys, "launch", "--seed", seed, request)[0] == 0
    stored = contents(default_store)
    assert stored["images"] == shipped["images"]
    assert stored["snapshot_id_mappings"] == shipped["snapshot_id_mappings"] | seeded
    assert cli(capsys, "launch", request)[0] == 0

    named = tmp_path / "named.json"
    code, _, err = cli(capsys, "launch", "--store", named, "--seed", seed, request)
    assert code == 1 and "SnapshotNotFound" in err
    assert contents(named)["snapshot_id_mappings"] == seeded
    assert contents(named)["images"] == {}


def test_a_seed_at_odds_with_the_default_store_says_how_to_start_from_it_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], default_store: Path
) -> None:
    remapped = {
        "snapshots": [{"ec2_id": "snap-12345678", "uuid": SNAPSHOT["snapshots"][0]["uuid"]}]
    }
    seed = write_json(tmp_path / "seed.json", remapped)
    request = Path(__file__).parents[1] / "fixtures" / "launches" / "walkthrough.json"
    code, out, err = cli(capsys, "launch", "--seed", seed, request)
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert "already maps to" in err
    assert "give --store PATH or --memory to start from this seed alone" in err
    assert contents(default_store) == default_seed_store(tmp_path)
    named = tmp_path / "named.json"
    assert cli(capsys, "launch", "--store", named, "--seed", seed, request)[0] == 1
    assert contents(named)["snapshot_id_mappings"] == {"305419896": {"uuid": SNAPSHOT_UUID}}


def test_a_seed_at_odds_with_itself_gets_no_hint_another_store_would_help(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], default_store: Path
) -> None:
    twice = {
        "snapshots": [
            {"ec2_id": "snap-000000aa", "uuid": SNAPSHOT_UUID},
            {"ec2_id": "snap-000000aa", "uuid": "bbbbbbbb-0000-0000-0000-000000000000"},
        ]
    }
    seed = write_json(tmp_path / "seed.json", twice)
    request = Path(__file__).parents[1] / "fixtures" / "launches" / "walkthrough.json"
    code, _, err = cli(capsys, "launch", "--seed", seed, request)
    assert code == 2 and "already maps to" in err
    assert "--memory" not in err


def test_export_of_a_store_that_does_not_exist_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "typo.json"
    code, out, err = cli(capsys, "store", "--store", typo, "export")
    assert (code, out) == (2, "")
    assert f"no store at {typo}" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_a_seed_the_store_would_refuse_half_way_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A NaN in a property passes the schema; the store refuses it, before any row is written."""
    store = tmp_path / "store.json"
    Simulator.open(store).close()
    before = contents(store)
    seed = tmp_path / "nan.json"
    seed.write_text(
        '{"images": [{"uuid": "9a9a9a9a-0000-0000-0000-000000000000", "name": "fine"},'
        ' {"uuid": "8b8b8b8b-0000-0000-0000-000000000000", "name": "nan",'
        ' "properties": {"size": NaN}}],'
        ' "instance_types": [{"name": "m9", "memory_mb": 1, "vcpus": 1, "root_gb": 1}]}'
    )
    code, _, err = cli(capsys, "store", "--store", store, "add", seed)
    assert code == 2 and "/images/1" in err and err.count("\n") == 1
    assert contents(store) == before


def test_an_import_stopped_halfway_keeps_valid_rows_and_store_add_completes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C after the fifth mapping row: exit 130, the rows written stay readable, and
    ``store add`` of the same seed makes the store the full import's."""
    seed = default_seed_path()
    whole = tmp_path / "whole.json"
    assert cli(capsys, "store", "--store", whole, "import", seed)[0] == 0
    add_mapping = MappingStore.add_mapping
    written: list[int] = []

    def interrupted(self: MappingStore, *args: Any, **kwargs: Any) -> int:
        if self.path is None:  # the seed checked on its own, in memory, before the import
            return add_mapping(self, *args, **kwargs)
        if len(written) == 5:
            raise KeyboardInterrupt
        written.append(1)
        return add_mapping(self, *args, **kwargs)

    monkeypatch.setattr(MappingStore, "add_mapping", interrupted)
    half = tmp_path / "half.json"
    assert cli(capsys, "store", "--store", half, "import", seed)[0] == 130
    monkeypatch.setattr(MappingStore, "add_mapping", add_mapping)
    partial = contents(half)
    assert (
        0
        < sum(len(rows) for rows in partial.values())
        < sum(len(rows) for rows in contents(whole).values())
    )
    assert cli(capsys, "store", "--store", half, "import", seed)[0] == 2
    assert cli(capsys, "store", "--store", half, "add", seed)[0] == 0
    assert contents(half) == contents(whole)


def exit_code(argv: list[str]) -> int | str | None:
    """The command's exit code, a usage error's (which argparse raises) included."""
    try:
        return main(argv)
    except SystemExit as exited:
        return exited.code


WALKTHROUGH = Path(__file__).resolve().parent.parent / "fixtures" / "launches" / "walkthrough.json"


@pytest.mark.parametrize(
    "argv",
    [
        ["launch", "--store", "{folder}", str(WALKTHROUGH)],
        ["store", "--store", "{folder}", "add", str(default_seed_path())],
        ["store", "export", "--store", "{folder}"],
        ["store", "export"],
    ],
    ids=["launch", "store", "subcommand", "environment"],
)
def test_a_store_path_ending_in_a_slash_is_refused_not_made_a_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
) -> None:
    """``x.json/`` names a folder; ``Path`` drops the slash, and a file ``x.json`` was made."""
    folder = f"{tmp_path / 'x.json'}/"
    monkeypatch.setenv("LAUNCH_SIM_STORE", folder)
    code = exit_code([arg.format(folder=folder) for arg in argv])
    out, err = capsys.readouterr()
    assert (code, out, err.count("\n")) == (2, "", 1), err
    assert f"{folder} ends in a slash, so it names a folder: a store is a file" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["launch", "--store", "{store}", str(WALKTHROUGH)],
        ["store", "--store", "{store}", "add", str(default_seed_path())],
        ["store", "--store", "{store}", "export"],
    ],
    ids=["launch", "store add", "store export"],
)
def test_a_read_only_store_is_refused_and_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    """A store set read-only in a writable folder was replaced by a new file (renamed over
    it, still read-only). Every open may rewrite the store (the journal is folded into it as
    it closes), so even ``store export`` is refused: the engine has no read-only open."""
    store = tmp_path / "ro.json"
    with Simulator.open(store):
        pass
    store.chmod(0o444)
    before = store.stat()
    text = store.read_bytes()
    code, out, err = cli(capsys, *(arg.format(store=store) for arg in argv))
    assert (code, out, err.count("\n")) == (2, "", 1), err
    assert f"store {store} is read-only (mode 0444)" in err
    after = store.stat()
    assert (after.st_ino, after.st_mtime_ns, store.read_bytes()) == (
        before.st_ino,
        before.st_mtime_ns,
        text,
    )
