"""MappingStore: Nova's mapping-table semantics, the file format, crash safety, locking, threads."""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import weakref
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tinydb import Query, TinyDB
from tinydb.table import Document

from simulator.errors import StoreCorrupt, StoreError, StoreLocked
from simulator.jsonio import write_atomically
from simulator.store import JournaledStorage, MappingStore, MappingTable, engine

ROOT = Path(__file__).resolve().parent.parent
SNAP = MappingTable.SNAPSHOTS
TABLE_NAMES = [
    "s3_images",
    "snapshot_id_mappings",
    "volume_id_mappings",
    "instance_id_mappings",
    "images",
    "instance_types",
    "instances",
]


def journal_of(path: Path) -> Path:
    return Path(f"{path}.journal")


def crashed_copy(path: Path, directory: Path) -> Path:
    """The files of a store that is still open, as a crash would leave them."""
    directory.mkdir()
    copy = directory / path.name
    shutil.copyfile(path, copy)
    shutil.copyfile(journal_of(path), journal_of(copy))
    return copy


def file_bytes(directory: Path) -> dict[str, bytes]:
    """The store's data files; the lock file only ever says who holds the lock."""
    return {
        entry.name: entry.read_bytes()
        for entry in sorted(directory.iterdir())
        if entry.suffix != ".lock"
    }


def image(uuid: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"id": uuid, "name": name, "status": "active", **extra}


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store.json"


@pytest.fixture
def store(store_path: Path) -> Iterator[MappingStore]:
    with MappingStore.open(store_path) as opened:
        yield opened


# --- mapping rows ---


def test_autoincrement_starts_at_one_and_tables_are_independent() -> None:
    store = MappingStore.in_memory()
    assert store.add_mapping(SNAP, "snap-a") == 1
    assert store.add_mapping(SNAP, "snap-b") == 2
    assert store.add_mapping(MappingTable.VOLUMES, "vol-a") == 1
    assert store.mapping_uuid(SNAP, 2) == "snap-b"
    assert store.mapping_uuid(MappingTable.VOLUMES, 2) is None
    assert store.mapping_id(SNAP, "snap-a") == 1
    assert store.mapping_id(SNAP, "vol-a") is None
    assert store.mapping_count(SNAP) == 2
    assert store.mapping_count(MappingTable.INSTANCES) == 0


def test_autoincrement_continues_after_the_highest_explicit_id() -> None:
    store = MappingStore.in_memory()
    assert store.add_mapping(SNAP, "a", row_id=10) == 10
    assert store.add_mapping(SNAP, "b") == 11
    assert store.add_mapping(SNAP, "c", row_id=5) == 5
    assert store.add_mapping(SNAP, "d") == 12


def test_explicit_id_holding_another_uuid_is_refused_and_same_uuid_is_a_no_op() -> None:
    store = MappingStore.in_memory()
    store.add_mapping(SNAP, "a", row_id=3)
    with pytest.raises(StoreError, match="row 3 already maps to a"):
        store.add_mapping(SNAP, "b", row_id=3)
    assert store.add_mapping(SNAP, "a", row_id=3) == 3
    assert list(store.mapping_rows(SNAP)) == [(3, "a")]


@pytest.mark.parametrize("row_id", [0, -4, True])
def test_row_id_must_be_a_positive_integer(row_id: int) -> None:
    store = MappingStore.in_memory()
    with pytest.raises(StoreError, match="positive integer"):
        store.add_mapping(SNAP, "a", row_id=row_id)
    assert store.is_empty()


def test_uuid_must_be_a_string() -> None:
    store = MappingStore.in_memory()
    with pytest.raises(StoreError, match="'uuid' must be a string"):
        store.add_mapping(SNAP, 7)  # type: ignore[arg-type]
    assert store.is_empty()


def test_reverse_lookup_returns_the_lowest_id_also_once_the_index_exists() -> None:
    store = MappingStore.in_memory()
    store.add_mapping(SNAP, "dup", row_id=7)
    store.add_mapping(SNAP, "dup", row_id=9)
    assert store.mapping_id(SNAP, "dup") == 7
    store.add_mapping(SNAP, "dup", row_id=3)
    store.add_mapping(SNAP, "dup")
    assert store.mapping_id(SNAP, "dup") == 3


def test_get_or_add_mapping_reuses_the_lowest_existing_id() -> None:
    store = MappingStore.in_memory()
    store.add_mapping(SNAP, "x", row_id=4)
    store.add_mapping(SNAP, "x", row_id=2)
    assert store.get_or_add_mapping(SNAP, "x") == 2
    assert store.get_or_add_mapping(SNAP, "y") == 5
    assert store.get_or_add_mapping(SNAP, "y") == 5
    assert store.mapping_count(SNAP) == 3


def test_mapping_rows_are_in_ascending_id_order() -> None:
    store = MappingStore.in_memory()
    for row_id, uuid in [(8, "h"), (2, "b"), (5, "e")]:
        store.add_mapping(SNAP, uuid, row_id=row_id)
    assert list(store.mapping_rows(SNAP)) == [(2, "b"), (5, "e"), (8, "h")]


packable_or_not = st.sampled_from(
    [str(UUID(int=n)) for n in range(3)] + ["short", "\u00e9" * 36, "\0" + "x" * 35]
)
near_or_far_ids = st.none() | st.integers(1, 40) | st.integers(2**31, 2**32 - 1)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(packable_or_not, near_or_far_ids), max_size=60))
def test_lookups_by_id_answer_what_the_rows_hold_at_any_density(
    calls: list[tuple[str, int | None]],
) -> None:
    """The uuid column that caches id lookups never disagrees with TinyDB's rows: dense and
    far-off ids, uuids it packs and strings it cannot, live and after a reopen."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "store.json"
        with MappingStore.open(path) as store:
            for row_uuid, row_id in calls:
                with contextlib.suppress(StoreError):
                    store.add_mapping(SNAP, row_uuid, row_id)
            rows = dict(store.mapping_rows(SNAP))
            probes = {*rows, *range(-1, 50), 2**32, True}
            assert {i: store.mapping_uuid(SNAP, i) for i in probes} == {
                i: rows.get(i) for i in probes
            }
        with MappingStore.open(path) as store:
            assert {i: store.mapping_uuid(SNAP, i) for i in probes} == {
                i: rows.get(i) for i in probes
            }


# --- image catalogue and instance types ---


def test_images_are_kept_verbatim_and_listed_in_insertion_order() -> None:
    store = MappingStore.in_memory()
    first = image("u1", "cirros", properties={"kernel_id": "k"}, min_ram=64)
    store.add_image(first)
    store.add_image(image("u2", "fedora"))
    store.add_image(image("u3", "cirros"))
    assert store.image("u1") == first
    assert store.image("missing") is None
    assert [i["id"] for i in store.images_named("cirros")] == ["u1", "u3"]
    assert store.images_named("nothing") == []
    assert [i["id"] for i in store.images()] == ["u1", "u2", "u3"]


def test_images_are_copies_in_both_directions() -> None:
    store = MappingStore.in_memory()
    original = image("u1", "cirros", properties={"ramdisk_id": "r"})
    store.add_image(original)
    original["properties"]["ramdisk_id"] = "changed by caller"
    fetched = store.image("u1")
    assert fetched is not None
    fetched["properties"]["ramdisk_id"] = "changed again"
    store.images()[0]["properties"].clear()
    store.images_named("cirros")[0]["name"] = "x"
    assert store.image("u1") == image("u1", "cirros", properties={"ramdisk_id": "r"})


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"name": "no id"}, "'id' must be a string"),
        ({"id": "u9"}, "'name' must be a string"),
        ({"id": "u9", "name": "n", "blob": object()}, "not JSON"),
        ({"id": "u9", "name": "n", "ram": float("nan")}, "not JSON"),
    ],
)
def test_unwritable_images_are_refused(bad: dict[str, Any], message: str) -> None:
    store = MappingStore.in_memory()
    with pytest.raises(StoreError, match=message):
        store.add_image(bad)
    assert store.images() == []


def test_duplicate_image_id_is_refused() -> None:
    store = MappingStore.in_memory()
    store.add_image(image("u1", "a"))
    with pytest.raises(StoreError, match="image u1 already exists"):
        store.add_image(image("u1", "b"))
    assert store.images_named("b") == []


def test_instance_types() -> None:
    store = MappingStore.in_memory()
    store.add_instance_type({"name": "m1.small", "memory_mb": 2048})
    store.add_instance_type({"name": "m1.tiny", "memory_mb": 512})
    with pytest.raises(StoreError, match=r"m1\.tiny already exists"):
        store.add_instance_type({"name": "m1.tiny", "memory_mb": 1})
    with pytest.raises(StoreError, match="'name' must be a string"):
        store.add_instance_type({"memory_mb": 1})
    flavor = store.instance_type("m1.tiny")
    assert flavor == {"name": "m1.tiny", "memory_mb": 512}
    assert flavor is not None
    flavor["memory_mb"] = 0
    assert store.instance_type("m1.tiny") == {"name": "m1.tiny", "memory_mb": 512}
    assert store.instance_type("m1.huge") is None
    assert [t["name"] for t in store.instance_types()] == ["m1.small", "m1.tiny"]


def test_the_default_instance_type_is_the_first_marked_and_reading_it_reads_all() -> None:
    store = MappingStore.in_memory()
    assert store.default_instance_type() is None
    store.add_instance_type({"name": "m1.tiny", "default": False})
    assert store.default_instance_type() is None
    store.add_instance_type({"name": "m1.small", "default": True})
    store.add_instance_type({"name": "m1.large", "default": True})
    assert store.default_instance_type() == "m1.small"
    with store.access_log() as log:
        store.default_instance_type()
    assert list(log.read) == [("instance_types", 1), ("instance_types", 2), ("instance_types", 3)]


def test_is_empty_and_export() -> None:
    store = MappingStore.in_memory()
    assert store.is_empty()
    store.add_mapping(MappingTable.INSTANCES, "i", row_id=5)
    store.add_mapping(MappingTable.INSTANCES, "j", row_id=2)
    store.add_image(image("u1", "cirros"))
    store.add_instance_type({"name": "m1.tiny"})
    assert not store.is_empty()
    exported = store.export()
    assert list(exported) == TABLE_NAMES
    assert list(exported["instance_id_mappings"].items()) == [
        ("2", {"uuid": "j"}),
        ("5", {"uuid": "i"}),
    ]
    assert exported["images"] == {"1": image("u1", "cirros")}
    assert exported["instance_types"] == {"1": {"name": "m1.tiny"}}
    exported["images"]["1"]["name"] = "mutated"
    assert store.image("u1") == image("u1", "cirros")


def test_an_export_opens_as_a_store(tmp_path: Path) -> None:
    source = MappingStore.in_memory()
    source.add_mapping(MappingTable.VOLUMES, "v", row_id=40)
    source.add_image(image("u1", "cirros"))
    path = tmp_path / "exported.json"
    path.write_text(json.dumps(source.export()))
    with MappingStore.open(path) as store:
        assert store.export() == source.export()
        assert store.add_mapping(MappingTable.VOLUMES, "w") == 41


def test_closed_store_refuses_writes_and_close_is_idempotent(store_path: Path) -> None:
    memory = MappingStore.in_memory()
    assert memory.path is None
    memory.close()
    with pytest.raises(StoreError, match="in-memory store is closed"):
        memory.add_mapping(SNAP, "a")
    store = MappingStore.open(store_path)
    assert store.path == store_path
    store.close()
    store.close()
    with pytest.raises(StoreError, match="is closed"):
        store.add_image(image("u1", "a"))
    with pytest.raises(StoreError, match="is closed"):
        store.flush()


# --- the files ---


def test_new_store_is_created_empty(store_path: Path) -> None:
    with MappingStore.open(store_path) as store:
        assert store.is_empty()
        assert json.loads(store_path.read_text()) == {name: {} for name in TABLE_NAMES}


def test_missing_directory_is_a_clear_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist") as raised:
        MappingStore.open(tmp_path / "nowhere" / "store.json")
    assert type(raised.value) is StoreError


def test_invalid_durability_is_refused(store_path: Path) -> None:
    with pytest.raises(ValueError, match="durability"):
        MappingStore.open(store_path, durability="never")  # type: ignore[arg-type]


def test_each_write_is_one_journal_line_in_tinydb_terms(store: MappingStore) -> None:
    assert store.path is not None
    store.add_mapping(SNAP, "u", row_id=10)
    store.add_image(image("g", "cirros"))
    lines = journal_of(store.path).read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        ["snapshot_id_mappings", 10, {"uuid": "u"}],
        ["images", 1, image("g", "cirros")],
    ]


def test_close_compacts_into_a_snapshot_tinydb_itself_reads(store_path: Path) -> None:
    with MappingStore.open(store_path) as store:
        store.add_mapping(SNAP, "u", row_id=10)
        store.add_instance_type({"name": "m1.tiny"})
    assert journal_of(store_path).read_bytes() == b""
    with TinyDB(store_path, access_mode="r") as db:
        assert db.table("snapshot_id_mappings").get(doc_id=10) == {"uuid": "u"}
        assert db.table("instance_types").get(doc_id=1) == {"name": "m1.tiny"}


# --- TinyDB's own API on a store ---


def test_a_tinydb_insert_into_an_open_store_is_one_journal_line_lookups_see(
    tmp_path: Path, store: MappingStore
) -> None:
    assert store.path is not None
    snapshots = store.tinydb.table(SNAP.value)
    assert store.add_mapping(SNAP, "a") == 1
    assert store.mapping_id(SNAP, "a") == 1, "builds the uuid index"
    assert snapshots.insert({"uuid": "b"}) == 2
    assert [json.loads(line) for line in journal_of(store.path).read_text().splitlines()] == [
        ["snapshot_id_mappings", 1, {"uuid": "a"}],
        ["snapshot_id_mappings", 2, {"uuid": "b"}],
    ]
    assert store.mapping_id(SNAP, "b") == 2
    assert store.mapping_uuid(SNAP, 2) == "b"
    assert store.add_mapping(SNAP, "c") == 3, "autoincrement continues past TinyDB's row"
    assert snapshots.insert({"uuid": "d"}) == 4, "and TinyDB's past MappingStore's"
    assert snapshots.get(doc_id=3) == {"uuid": "c"}
    assert snapshots.count(Query().uuid == "c") == 1
    copy = crashed_copy(store.path, tmp_path / "crash")
    with MappingStore.open(copy) as recovered:
        assert list(recovered.mapping_rows(SNAP)) == [(1, "a"), (2, "b"), (3, "c"), (4, "d")]


def test_a_tinydb_update_rewrites_the_snapshot_and_survives_a_crash_and_a_reopen(
    tmp_path: Path, store_path: Path
) -> None:
    """A changed row cannot be a journal line (replay refuses a line that contradicts an
    earlier one), so the journal is folded in and the snapshot rewritten."""
    with MappingStore.open(store_path) as store:
        store.add_mapping(SNAP, "a")
        store.add_image(image("g", "cirros"))
        assert store.images_named("cirros") != [], "builds the image index"
        images = store.tinydb.table("images")
        images.update({"name": "cirros-0.6", "min_ram": 64}, Query().id == "g")
        store.tinydb.table(SNAP.value).update({"note": "kept"}, doc_ids=[1])
        assert journal_of(store_path).read_bytes() == b""
        assert store.images_named("cirros") == []
        assert store.image("g") == image("g", "cirros-0.6", min_ram=64)
        assert store.images_named("cirros-0.6") == [image("g", "cirros-0.6", min_ram=64)]
        assert store.mapping_uuid(SNAP, 1) == "a"
        store.add_mapping(SNAP, "b")
        copy = crashed_copy(store_path, tmp_path / "crash")
    for path in (copy, store_path):
        with MappingStore.open(path) as reopened:
            assert reopened.image("g") == image("g", "cirros-0.6", min_ram=64)
            assert reopened.export()[SNAP.value] == {
                "1": {"uuid": "a", "note": "kept"},
                "2": {"uuid": "b"},
            }


def test_a_tinydb_write_of_several_rows_is_whole_or_absent(
    store: MappingStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert store.path is not None
    store.add_mapping(SNAP, "a")
    volumes = store.tinydb.table(MappingTable.VOLUMES.value)
    writes: list[Path] = []

    def fail_after_compaction(path: Path, payload: bytes) -> None:
        writes.append(path)
        if len(writes) == 2:
            raise OSError(28, "No space left on device")
        write_atomically(path, payload)

    monkeypatch.setattr(engine, "write_atomically", fail_after_compaction)
    with pytest.raises(StoreError, match=r"cannot rewrite store .*No space left"):
        volumes.insert_multiple([{"uuid": "v1"}, {"uuid": "v2"}])
    assert json.loads(store.path.read_text())["snapshot_id_mappings"] == {"1": {"uuid": "a"}}
    assert store.mapping_count(MappingTable.VOLUMES) == 0
    assert volumes.all() == []
    assert volumes.insert_multiple([{"uuid": "v1"}, {"uuid": "v2"}]) == [1, 2]
    assert list(store.mapping_rows(MappingTable.VOLUMES)) == [(1, "v1"), (2, "v2")]
    assert json.loads(store.path.read_text())["volume_id_mappings"] == {
        "1": {"uuid": "v1"},
        "2": {"uuid": "v2"},
    }


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (lambda db: db.table(SNAP.value).remove(doc_ids=[1]), "never removes rows"),
        (lambda db: db.table("images").truncate(), "never removes rows"),
        (lambda db: db.drop_table(SNAP.value), "never removes rows"),
        (lambda db: db.drop_tables(), "never removes rows"),
        (lambda db: db.insert({"uuid": "x"}), "unknown table '_default'"),
        (
            lambda db: db.table(SNAP.value).update({"uuid": "other"}, doc_ids=[1]),
            "snapshot_id_mappings row 1 already maps to a; refusing to remap it to other",
        ),
        (lambda db: db.table(SNAP.value).insert({"uid": "x"}), "field 'uuid' must be a string"),
        (lambda db: db.table("images").update({"name": None}), "field 'name' must be a string"),
        (
            lambda db: db.table(SNAP.value).insert(Document({"uuid": "x"}, doc_id=0)),
            "doc_id '0' is not a positive decimal",
        ),
        (
            lambda db: db.table(SNAP.value).insert({"uuid": "x", "n": float("nan")}),
            "not JSON",
        ),
    ],
)
def test_tinydb_writes_the_store_refuses_change_nothing(
    store: MappingStore, write: Any, message: str
) -> None:
    assert store.path is not None
    store.add_mapping(SNAP, "a")
    store.add_image(image("g", "cirros"))
    before = (file_bytes(store.path.parent), store.export())
    with pytest.raises(StoreError, match=re.escape(message)):
        write(store.tinydb)
    assert (file_bytes(store.path.parent), store.export()) == before
    assert store.tinydb.table(SNAP.value).all() == [{"uuid": "a"}]
    assert store.tinydb.table("images").all() == [image("g", "cirros")]


def test_tinydb_opens_a_store_file_with_journaled_storage(tmp_path: Path, store_path: Path) -> None:
    """``TinyDB(path, storage=JournaledStorage)``: the store's lock, journal and rules under
    TinyDB's API; the file stays one that plain ``TinyDB(path)`` reads."""
    with TinyDB(store_path, storage=JournaledStorage, lock_timeout=0) as db:
        assert db.tables() == set(TABLE_NAMES)
        with pytest.raises(StoreLocked):
            MappingStore.open(store_path)
        assert db.table("instance_types").insert({"name": "m1.tiny", "default": True}) == 1
        assert journal_of(store_path).read_text() == (
            '["instance_types",1,{"name":"m1.tiny","default":true}]\n'
        )
        db.table(SNAP.value).insert_multiple([{"uuid": "a"}, {"uuid": "b"}])
        copy = crashed_copy(store_path, tmp_path / "crash")
    with TinyDB(store_path, access_mode="r") as plain:
        assert plain.table(SNAP.value).get(doc_id=2) == {"uuid": "b"}
        assert plain.table("instance_types").all() == [{"name": "m1.tiny", "default": True}]
    for path in (copy, store_path):
        with MappingStore.open(path) as store:
            assert store.default_instance_type() == "m1.tiny"
            assert store.mapping_id(SNAP, "b") == 2
    with pytest.raises(StoreError, match="is closed"):
        db.table(SNAP.value).all()
    memory = TinyDB(storage=JournaledStorage)
    assert memory.table("images").insert(image("g", "cirros")) == 1
    memory.close()
    with pytest.raises(StoreError, match="in-memory store is closed"):
        memory.table("images").all()


def test_a_mapping_store_write_between_tinydbs_read_and_write_is_not_lost(
    store: MappingStore,
) -> None:
    """TinyDB's read-modify-write is two calls; a row added between them makes the TinyDB
    write look like its removal, which is refused."""
    volumes = store.tinydb.table(MappingTable.VOLUMES.value)
    volumes.insert({"uuid": "v"})

    def add_meanwhile(row: MutableMapping[str, Any]) -> None:
        store.add_mapping(MappingTable.VOLUMES, "meanwhile")
        row["note"] = "lost?"

    with pytest.raises(StoreError, match="never removes rows"):
        volumes.update(add_meanwhile, doc_ids=[1])
    assert store.export()[MappingTable.VOLUMES.value] == {
        "1": {"uuid": "v"},
        "2": {"uuid": "meanwhile"},
    }
    volumes.update({"note": "kept"}, doc_ids=[1])
    assert volumes.all() == [{"uuid": "v", "note": "kept"}, {"uuid": "meanwhile"}]


def test_tinydb_close_closes_the_store(store_path: Path) -> None:
    store = MappingStore.open(store_path)
    store.add_mapping(SNAP, "a")
    store.tinydb.close()
    with pytest.raises(StoreError, match="is closed"):
        store.add_mapping(SNAP, "b")
    with MappingStore.open(store_path) as reopened:
        assert list(reopened.mapping_rows(SNAP)) == [(1, "a")]


def test_flush_compacts_while_open(store: MappingStore) -> None:
    assert store.path is not None
    store.add_mapping(SNAP, "u")
    assert journal_of(store.path).stat().st_size > 0
    store.flush()
    assert journal_of(store.path).read_bytes() == b""
    assert json.loads(store.path.read_text())["snapshot_id_mappings"] == {"1": {"uuid": "u"}}


def test_reopen_after_close_keeps_everything(store_path: Path) -> None:
    with MappingStore.open(store_path) as store:
        store.add_mapping(SNAP, "a", row_id=7)
        store.add_mapping(SNAP, "a", row_id=3)
        store.add_mapping(MappingTable.S3_IMAGES, "img")
        store.add_image(image("u1", "cirros", properties={"x": [1, 2]}))
        store.add_instance_type({"name": "m1.tiny", "vcpus": 1})
        exported = store.export()
    with MappingStore.open(store_path) as store:
        assert store.export() == exported
        assert store.mapping_id(SNAP, "a") == 3
        assert store.add_mapping(SNAP, "b") == 8
        assert store.image("u1") == image("u1", "cirros", properties={"x": [1, 2]})
        store.add_image(image("u2", "cirros"))
        assert [i["id"] for i in store.images_named("cirros")] == ["u1", "u2"]


def test_a_process_dying_without_close_loses_no_acknowledged_write(store_path: Path) -> None:
    writer = (
        "import os, sys\n"
        "from simulator.store import MappingStore, MappingTable\n"
        "store = MappingStore.open(sys.argv[1])\n"
        "store.add_mapping(MappingTable.SNAPSHOTS, 'a')\n"
        "store.add_mapping(MappingTable.SNAPSHOTS, 'b', row_id=20)\n"
        "store.add_image({'id': 'u1', 'name': 'cirros'})\n"
        "os._exit(1)\n"
    )
    subprocess.run([sys.executable, "-c", writer, str(store_path)], cwd=ROOT, check=False)
    with MappingStore.open(store_path) as store:
        assert list(store.mapping_rows(SNAP)) == [(1, "a"), (20, "b")]
        assert store.image("u1") == {"id": "u1", "name": "cirros"}
        assert store.add_mapping(SNAP, "c") == 21


@pytest.mark.parametrize("durability", ["flush", "fsync"])
def test_files_copied_while_open_hold_every_write(
    tmp_path: Path, store_path: Path, durability: Any
) -> None:
    with MappingStore.open(store_path, durability=durability) as store:
        store.add_mapping(SNAP, "before-flush")
        store.flush()
        store.add_mapping(SNAP, "after-flush")
        store.add_instance_type({"name": "m1.tiny"})
        copy = crashed_copy(store_path, tmp_path / "crash")
    with MappingStore.open(copy) as recovered:
        assert list(recovered.mapping_rows(SNAP)) == [(1, "before-flush"), (2, "after-flush")]
        assert recovered.instance_type("m1.tiny") == {"name": "m1.tiny"}


def test_replaying_a_journal_already_in_the_snapshot_changes_nothing(
    tmp_path: Path, store_path: Path
) -> None:
    """A crash between writing the new snapshot and truncating the journal."""
    with MappingStore.open(store_path) as store:
        store.add_mapping(SNAP, "a")
        store.add_image(image("u1", "cirros"))
        copy = crashed_copy(store_path, tmp_path / "crash")
        store.flush()
        shutil.copyfile(store_path, copy)
    with MappingStore.open(copy) as recovered:
        assert list(recovered.mapping_rows(SNAP)) == [(1, "a")]
        assert len(recovered.images()) == 1


def test_torn_journal_tail_is_ignored_and_cut_off(tmp_path: Path, store: MappingStore) -> None:
    assert store.path is not None
    store.add_mapping(SNAP, "a")
    store.add_mapping(SNAP, "b")
    copy = crashed_copy(store.path, tmp_path / "crash")
    acknowledged = journal_of(copy).stat().st_size
    with journal_of(copy).open("ab") as journal:
        journal.write(b'["snapshot_id_mappings",3,{"uu')
    with MappingStore.open(copy) as recovered:
        assert journal_of(copy).stat().st_size == acknowledged
        assert list(recovered.mapping_rows(SNAP)) == [(1, "a"), (2, "b")]
        assert recovered.add_mapping(SNAP, "c") == 3
        crashed_again = crashed_copy(copy, tmp_path / "again")
    with MappingStore.open(crashed_again) as store_again:
        assert store_again.mapping_uuid(SNAP, 3) == "c"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"s3_images": {}, oops}', "at byte 18 (line 1, column 19)"),
        (
            '{"images": {"1": {"id": "é", "name": "x"}},]}'.encode(),
            "at byte 44 (line 1, column 44)",
        ),
        (b"\xff{}", "at byte 0: not UTF-8"),
        (b"", "at byte 0"),
        (b"[]", "expected a JSON object of tables"),
        (b'{"_default": {}}', "unknown table '_default'"),
        (b'{"images": []}', "table 'images' is not a JSON object"),
        (b'{"volume_id_mappings": {"1": {"uuid": 5}}}', "row '1': field 'uuid' must be"),
        (b'{"volume_id_mappings": {"01": {"uuid": "v"}}}', "row '01': not a positive decimal"),
        (b'{"instance_types": {"1": {"vcpus": 1}}}', "row '1': field 'name' must be"),
        (
            b'{"images": {"1": {"id": "a", "name": "b", "min_ram": ' + b"9" * 4301 + b"}}}",
            "is corrupt: not JSON this reader accepts: an integer has more than 4300 digits",
        ),
        (b"[" * 100_000, "is corrupt: not JSON this reader accepts: nested too deeply"),
    ],
)
def test_corrupt_snapshot_is_reported_and_left_alone(
    store_path: Path, content: bytes, message: str
) -> None:
    with MappingStore.open(store_path) as store:
        store.add_mapping(SNAP, "a")
        store.flush()
        store.add_mapping(SNAP, "b")
    store_path.write_bytes(content)
    before = file_bytes(store_path.parent)
    with pytest.raises(StoreCorrupt) as raised:
        MappingStore.open(store_path)
    assert str(raised.value).startswith(f"store snapshot {store_path} is corrupt")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
    assert file_bytes(store_path.parent) == before


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        (b"not json", "not a JSON line"),
        (b'["snapshot_id_mappings",2', "not a JSON line"),
        (b'["snapshot_id_mappings",2]', "expected [table, doc_id, document]"),
        (b'["nope",2,{"uuid":"x"}]', "unknown table 'nope'"),
        (b'["snapshot_id_mappings",0,{"uuid":"x"}]', "doc_id 0 is not a positive integer"),
        (b'["snapshot_id_mappings",2,{"uid":"x"}]', "field 'uuid' must be a string"),
        (
            b'["snapshot_id_mappings",1,{"uuid":"other"}]',
            "snapshot_id_mappings row 1 contradicts an earlier write",
        ),
        (
            b'["snapshot_id_mappings",2,{"uuid":"x","n":' + b"9" * 4301 + b"}]",
            "not JSON this reader accepts: an integer has more than 4300 digits",
        ),
    ],
)
def test_corrupt_journal_line_is_reported_with_line_and_offset(
    tmp_path: Path, store: MappingStore, bad_line: bytes, message: str
) -> None:
    assert store.path is not None
    store.add_mapping(SNAP, "a")
    store.add_mapping(SNAP, "b")
    store.add_mapping(SNAP, "c")
    copy = crashed_copy(store.path, tmp_path / "crash")
    lines = journal_of(copy).read_bytes().split(b"\n")
    lines[1] = bad_line
    journal_of(copy).write_bytes(b"\n".join(lines))
    before = file_bytes(copy.parent)
    with pytest.raises(StoreCorrupt) as raised:
        MappingStore.open(copy)
    expected = f"store journal {journal_of(copy)} is corrupt at line 2 (byte {len(lines[0]) + 1}): "
    assert str(raised.value) == expected + message
    assert file_bytes(copy.parent) == before


def test_a_complete_but_damaged_last_line_is_corruption_not_a_torn_write(
    tmp_path: Path, store: MappingStore
) -> None:
    """Only an unterminated line can be a crash mid-append; a terminated one was acknowledged."""
    assert store.path is not None
    store.add_mapping(SNAP, "a")
    copy = crashed_copy(store.path, tmp_path / "crash")
    with journal_of(copy).open("ab") as journal:
        journal.write(b'["snapshot_id_mappings",2,{"uu\n')
    with pytest.raises(StoreCorrupt, match="at line 2"):
        MappingStore.open(copy)


def test_journal_without_its_snapshot_is_corruption(tmp_path: Path, store: MappingStore) -> None:
    assert store.path is not None
    store.add_mapping(SNAP, "a")
    copy = crashed_copy(store.path, tmp_path / "crash")
    copy.unlink()
    before = file_bytes(copy.parent)
    with pytest.raises(StoreCorrupt, match="is missing but its journal"):
        MappingStore.open(copy)
    assert file_bytes(copy.parent) == before


def test_the_journal_is_compacted_automatically_once_large(store: MappingStore) -> None:
    assert store.path is not None
    journal = journal_of(store.path)
    sizes = []
    for n in range(40_000):
        store.add_mapping(SNAP, f"uuid-{n}")
        if n % 1000 == 0:
            sizes.append(journal.stat().st_size)
    assert any(later < earlier for earlier, later in itertools.pairwise(sizes))
    assert len(json.loads(store.path.read_text())["snapshot_id_mappings"]) > 1000


def test_a_failed_append_stores_nothing_and_blocks_writes_until_compaction(
    monkeypatch: pytest.MonkeyPatch, store_path: Path
) -> None:
    real_write = os.write

    def half_then_disk_full(fd: int, data: Any) -> int:
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(28, "No space left on device")

    with MappingStore.open(store_path) as store:
        store.add_mapping(SNAP, "a")
        monkeypatch.setattr(os, "write", half_then_disk_full)
        with pytest.raises(StoreError, match="No space left"):
            store.add_mapping(SNAP, "b")
        monkeypatch.setattr(os, "write", real_write)
        assert store.mapping_count(SNAP) == 1
        with pytest.raises(StoreError, match="refuses writes after a failed append"):
            store.add_mapping(SNAP, "b")
        store.flush()
        assert store.add_mapping(SNAP, "b") == 2
    with MappingStore.open(store_path) as store:
        assert list(store.mapping_rows(SNAP)) == [(1, "a"), (2, "b")]


def test_200k_row_store_opens_and_keeps_working(store_path: Path) -> None:
    rows = {str(n): {"uuid": f"uuid-{n}"} for n in range(1, 200_001)}
    store_path.write_text(json.dumps({"instance_id_mappings": rows}))
    with MappingStore.open(store_path) as store:
        assert store.mapping_count(MappingTable.INSTANCES) == 200_000
        assert store.mapping_uuid(MappingTable.INSTANCES, 123_456) == "uuid-123456"
        assert store.mapping_id(MappingTable.INSTANCES, "uuid-199999") == 199_999
        assert store.add_mapping(MappingTable.INSTANCES, "new") == 200_001
    with MappingStore.open(store_path) as store:
        assert store.mapping_count(MappingTable.INSTANCES) == 200_001
        assert store.get_or_add_mapping(MappingTable.INSTANCES, "new") == 200_001


# --- one owner per file, many threads per owner ---

HOLDER = (
    "import sys\n"
    "from simulator.store import MappingStore\n"
    "store = MappingStore.open(sys.argv[1])\n"
    "print('ready', flush=True)\n"
    "sys.stdin.readline()\n"
    "store.close()\n"
)


def test_a_store_held_by_another_process_is_locked_naming_its_pid(store_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store_path)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "ready"
        expected = f"store {store_path} is locked by PID {holder.pid}"
        with pytest.raises(StoreLocked) as raised:
            MappingStore.open(store_path)
        assert str(raised.value) == expected
        with pytest.raises(StoreLocked, match=f"PID {holder.pid}"):
            MappingStore.open(store_path, lock_timeout=0.2)
    finally:
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait()
    MappingStore.open(store_path).close()


WAITER = (
    "import logging, sys\n"
    "from simulator.store import MappingStore, MappingTable\n"
    "class Waiting(logging.Handler):\n"
    "    told = False\n"
    "    def emit(self, record):\n"
    "        if 'not acquired' in record.getMessage() and not self.told:\n"
    "            self.told = True\n"
    "            print('waiting', flush=True)\n"
    "logging.getLogger('filelock').setLevel(logging.DEBUG)\n"
    "logging.getLogger('filelock').addHandler(Waiting())\n"
    "with MappingStore.open(sys.argv[1], lock_timeout=30) as store:\n"
    "    print(store.mapping_uuid(MappingTable.SNAPSHOTS, 2), flush=True)\n"
)


def test_a_second_process_with_a_lock_timeout_waits_then_opens(store_path: Path) -> None:
    """The waiter says (through filelock's own log) that it is waiting; only then does the
    holder write once more and close, and the waiter opens the store holding that write."""
    holder = MappingStore.open(store_path)
    try:
        holder.add_mapping(SNAP, "written-before", 1)
        waiter = subprocess.Popen(
            [sys.executable, "-c", WAITER, str(store_path)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert waiter.stdout is not None
        assert waiter.stdout.readline() == "waiting\n"
        holder.add_mapping(SNAP, "written-while-it-waited", 2)
    finally:
        holder.close()
    out, _ = waiter.communicate(timeout=60)
    assert (waiter.returncode, out) == (0, "written-while-it-waited\n")


def test_a_second_open_in_the_same_process_is_locked(store_path: Path) -> None:
    with (
        MappingStore.open(store_path),
        pytest.raises(StoreLocked, match=f"locked by PID {os.getpid()}"),
    ):
        MappingStore.open(store_path)
    MappingStore.open(store_path).close()


def test_racing_get_or_add_mapping_gives_one_row_per_uuid(store: MappingStore) -> None:
    uuids = [f"uuid-{n}" for n in range(300)]
    start = threading.Barrier(8)
    seen: list[dict[str, int]] = [{} for _ in range(8)]

    def worker(number: int) -> None:
        start.wait()
        for step in range(500):
            uuid = uuids[(step * 7 + number * 37) % len(uuids)]
            seen[number][uuid] = store.get_or_add_mapping(SNAP, uuid)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = dict((uuid, row_id) for row_id, uuid in store.mapping_rows(SNAP))
    assert len(rows) == store.mapping_count(SNAP) == len(uuids)
    assert sorted(rows.values()) == list(range(1, len(uuids) + 1))
    for observed in seen:
        assert all(rows[uuid] == row_id for uuid, row_id in observed.items())


def test_racing_add_mapping_loses_no_row(store_path: Path) -> None:
    with MappingStore.open(store_path) as store:
        threads = [
            threading.Thread(
                target=lambda n=n: [store.add_mapping(SNAP, f"{n}-{i}") for i in range(200)]
            )
            for n in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    with MappingStore.open(store_path) as store:
        assert [row_id for row_id, _ in store.mapping_rows(SNAP)] == list(range(1, 1601))


# --- any sequence of writes survives close and reopen ---

add_calls = st.lists(
    st.tuples(
        st.sampled_from([SNAP, MappingTable.VOLUMES]),
        st.sampled_from(["a", "b", "c", "d"]),
        st.none() | st.integers(min_value=1, max_value=30),
    ),
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(add_calls)
def test_any_add_mapping_sequence_round_trips(
    calls: list[tuple[MappingTable, str, int | None]],
) -> None:
    model: dict[MappingTable, dict[int, str]] = {SNAP: {}, MappingTable.VOLUMES: {}}
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "store.json"
        with MappingStore.open(path) as store:
            for table, uuid, row_id in calls:
                rows = model[table]
                expected = max(rows, default=0) + 1 if row_id is None else row_id
                if rows.get(expected, uuid) != uuid:
                    with pytest.raises(StoreError):
                        store.add_mapping(table, uuid, row_id)
                else:
                    assert store.add_mapping(table, uuid, row_id) == expected
                    rows[expected] = uuid
        with MappingStore.open(path) as store:
            for table, rows in model.items():
                assert list(store.mapping_rows(table)) == sorted(rows.items())
                for uuid in set(rows.values()):
                    lowest = min(row_id for row_id, u in rows.items() if u == uuid)
                    assert store.mapping_id(table, uuid) == lowest
                assert store.add_mapping(table, "next") == max(rows, default=0) + 1


def test_a_failed_open_removes_the_lock_file_it_created(tmp_path: Path) -> None:
    not_a_store = tmp_path / "README.md"
    shutil.copy(ROOT / "README.md", not_a_store)
    before = file_bytes(tmp_path)
    with pytest.raises(StoreCorrupt):
        MappingStore.open(not_a_store)
    assert file_bytes(tmp_path) == before, "no README.md.lock left behind"
    with MappingStore.open(tmp_path / "store.json"):
        pass
    lock = tmp_path / "store.json.lock"
    assert lock.exists(), "a store that opened keeps its lock file, as filelock leaves it"
    (tmp_path / "store.json").write_text("[]")
    with pytest.raises(StoreCorrupt):
        MappingStore.open(tmp_path / "store.json")
    assert lock.exists(), "a lock file this open did not create is left alone"


def test_a_lock_file_replaced_meanwhile_is_not_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the file this open created is removed: if its name now names another file
    (another process removed ours and made its own), that one stays."""
    path = tmp_path / "store.json"
    path.write_text("[]")
    lock = Path(f"{path}.lock")
    real_load = engine._load_snapshot

    def replace_lock_then_load(snapshot: Path) -> Any:
        lock.unlink()
        lock.write_text("someone else's\n")
        return real_load(snapshot)

    monkeypatch.setattr(engine, "_load_snapshot", replace_lock_then_load)
    with pytest.raises(StoreCorrupt):
        MappingStore.open(path)
    assert lock.read_text() == "someone else's\n"


def test_a_store_is_freed_when_its_last_user_lets_go_without_the_cyclic_collector() -> None:
    """Replay makes a store per cassette: one kept alive by a reference cycle waited for a
    full collection, so a corpus replay grew by every cassette's rows."""
    store = MappingStore.in_memory()
    store.add_mapping(MappingTable.INSTANCES, "3f0e7a52-9d7a-4e8e-8b1b-0d3c4c1c9a01")
    store.tinydb.table(MappingTable.VOLUMES).insert({"uuid": "6a1b2c3d-0000-4000-8000-0000000001"})
    held = weakref.ref(store)
    gc.disable()
    try:
        del store
        assert held() is None
    finally:
        gc.enable()
