"""The store's instances table: Nova's instance rows keyed by EC2 id, changed in place, kept."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from tinydb import TinyDB

from simulator.errors import StoreCorrupt
from simulator.store import INSTANCES, JournaledStorage, MappingStore


def row(uuid: str, vm_state: str = "building", **extra: Any) -> dict[str, Any]:
    return {"uuid": uuid, "reservation_id": "r-00000001", "vm_state": vm_state, **extra}


def test_a_row_is_found_by_its_ec2_id_and_changes_in_place() -> None:
    store = MappingStore.in_memory()
    store.instances.put(7, row("u7"))
    store.instances.put(7, row("u7", "active"))
    assert store.instances.get(7) == row("u7", "active")
    assert store.instances.get(8) is None
    assert len(store.instances) == 1


def test_a_copy_is_handed_out() -> None:
    store = MappingStore.in_memory()
    store.instances.put(1, row("u1"))
    got = store.instances.get(1)
    assert got is not None
    got["vm_state"] = "changed"
    assert store.instances.get(1) == row("u1")


def test_having_reads_one_column_of_the_rows_that_set_it_in_creation_order() -> None:
    store = MappingStore.in_memory()
    store.instances.put(2, row("u2", client_token="b"))
    store.instances.put(1, row("u1"))
    store.instances.put(3, row("u3", client_token="a"))
    store.instances.put(4, row("u4", client_token=None))
    assert store.instances.having("client_token", "uuid") == [("b", "u2"), ("a", "u3")]


def test_ids_come_in_creation_order_and_an_update_keeps_the_place() -> None:
    store = MappingStore.in_memory()
    for row_id in (3, 1, 2):
        store.instances.put(row_id, row(f"u{row_id}"))
    store.instances.put(3, row("u3", "deleted"))
    assert store.instances.ids() == [3, 1, 2]


def test_floats_json_cannot_hold_are_kept_as_their_text() -> None:
    store = MappingStore.in_memory()
    store.instances.put(1, row("u1", key_name=float("nan"), groups=[float("inf")]))
    assert store.instances.get(1) == row("u1", key_name="nan", groups=["inf"])


def test_a_row_without_its_uuid_is_refused() -> None:
    store = MappingStore.in_memory()
    with pytest.raises(Exception, match="field 'uuid' must be a string"):
        store.instances.put(1, {"reservation_id": "r-1"})


def test_changes_survive_a_restart_and_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    store = MappingStore.open(path)
    store.instances.put(1, row("u1"))
    store.instances.put(1, row("u1", "active"))
    store.instances.put(2, row("u2"))
    crashed = tmp_path / "crashed.json"
    shutil.copy(path, crashed)
    shutil.copy(f"{path}.journal", f"{crashed}.journal")
    store.close()
    for reopened_path in (path, crashed):
        with MappingStore.open(reopened_path) as reopened:
            assert reopened.instances.get(1) == row("u1", "active")
            assert reopened.instances.ids() == [1, 2]


def test_a_store_of_an_older_release_opens_without_the_table(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text('{"instance_types": {}}')
    with MappingStore.open(path) as store:
        assert store.instances.get(1) is None
        store.instances.put(1, row("u1"))


def test_tinydb_sees_and_changes_the_rows(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    with MappingStore.open(path) as store:
        store.instances.put(1, row("u1"))
    with TinyDB(path, storage=JournaledStorage) as db:
        table = db.table(INSTANCES)
        assert table.get(doc_id=1)["vm_state"] == "building"
        table.update({"vm_state": "active"}, doc_ids=[1])
    with MappingStore.open(path) as store:
        assert store.instances.get(1) == row("u1", "active")


def test_other_tables_still_refuse_a_contradicting_journal_line(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    path.write_text("{}")
    Path(f"{path}.journal").write_text(
        '["instance_id_mappings",1,{"uuid":"a"}]\n["instance_id_mappings",1,{"uuid":"b"}]\n'
    )
    with pytest.raises(StoreCorrupt, match="contradicts an earlier write"):
        MappingStore.open(path)


class _UnwalkableTable(dict[str, Any]):
    """An instances table that counts the rows read by key and fails if anything walks it."""

    reads = 0

    def get(self, key: str, default: Any = None) -> Any:
        self.reads += 1
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.reads += 1
        return super().__getitem__(key)

    def _walked(self, *_: Any) -> Any:
        raise AssertionError("a lookup by id walked the instances table")

    __iter__ = keys = values = items = __len__ = __contains__ = _walked


@pytest.mark.parametrize("rows", [2_000, 100_000])
def test_a_lookup_by_id_reads_one_row_and_walks_no_table(rows: int) -> None:
    """O(1) per id, whatever the table's size: each lookup reads the one row its id keys
    and walks nothing (counted, not timed, so a busy machine cannot fail it)."""
    store = MappingStore.in_memory()
    template = row("u")
    for row_id in range(1, rows + 1):
        store.instances.put(row_id, template)
    tables = store.instances._storage.tables
    table = tables[INSTANCES] = _UnwalkableTable(tables[INSTANCES])
    probe = [1, rows // 2, rows, rows + 1]
    found = [store.instances.get(row_id) for row_id in probe]
    assert found == [template, template, template, None]
    assert table.reads == len(probe)
