"""A compaction holds one copy of the snapshot, and writes the same bytes as before.

A long-running ``launch-sim serve`` compacts its store whenever the journal has grown as
large as the snapshot (64 MiB at most). Encoded in one ``json.dumps``, each compaction held
json's chunks, the text and its bytes at once: the heap grew to about twice the snapshot and
never gave the pages back, so the server kept that beyond its rows (issue 14, target 7).
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from simulator.store import MappingStore, MappingTable, engine

ROWS = 20_000


def filled(path: Path) -> MappingStore:
    store = MappingStore.open(path)
    for number in range(ROWS):
        store.add_mapping(MappingTable.SNAPSHOTS, f"snapshot-{number:08}-é")
    store.add_image({"id": "image-1", "name": "ünïcode ✓", "properties": {"a": [1, 2.5]}})
    return store


def test_a_compaction_holds_the_snapshot_once(tmp_path: Path) -> None:
    store = filled(tmp_path / "store.json")
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        store.flush()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    size = (tmp_path / "store.json").stat().st_size
    assert size > 500_000
    assert peak < 1.3 * size, f"compaction peaked at {peak / size:.2f}x the snapshot"
    store.close()


def test_the_snapshot_is_the_compact_json_of_the_tables(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    with filled(path) as store:
        store.flush()
        tables = json.loads(path.read_bytes())
        expected = json.dumps(tables, separators=(",", ":"), ensure_ascii=False).encode()
        assert path.read_bytes() == expected
        assert store.mapping_count(MappingTable.SNAPSHOTS) == ROWS
    with MappingStore.open(path) as reopened:
        assert reopened.mapping_uuid(MappingTable.SNAPSHOTS, ROWS) == f"snapshot-{ROWS - 1:08}-é"


@pytest.mark.parametrize("reserved", [0, 1, 4096, 1 << 20])
def test_a_buffer_reserved_too_small_grows(reserved: int) -> None:
    tables = {"images": {"1": {"uuid": "x" * 10_000, "name": "é"}, "2": {}}, "instances": {}}
    once = json.dumps(tables, separators=(",", ":"), ensure_ascii=False).encode()
    assert engine._encode_tables(tables, "refused", reserved) == once
