"""Store benchmark: lookups at 1,000 vs 1,000,000 snapshot mappings, writes, open time, memory.

The store files are written directly as TinyDB-format JSON (building a million rows through
the API would only measure the builder), then opened and exercised through MappingStore.
"""

from __future__ import annotations

import gc
import json
import random
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

from tinydb import Query, TinyDB

from bench.timing import Figure, duration, rate, ratio_line
from simulator.store import MappingStore, MappingTable

LOOKUPS = 200_000
WRITES = 2_000


def write_store_file(path: Path, rows: int) -> None:
    table = {str(i): {"uuid": str(uuid.UUID(int=i))} for i in range(1, rows + 1)}
    path.write_text(json.dumps({MappingTable.SNAPSHOTS.value: table}, separators=(",", ":")))


def lookup_rate(store: MappingStore, rows: int) -> Figure:
    ids = [random.randint(1, rows) for _ in range(LOOKUPS)]
    table = MappingTable.SNAPSHOTS

    def lookups() -> int:
        lookup = store.mapping_uuid
        for row_id in ids:
            lookup(table, row_id)
        return len(ids)

    return rate(f"lookups by id at {rows:,} rows", lookups, unit="lookups/s")


def write_cost(store: MappingStore, rows: int) -> Figure:
    def writes() -> int:
        for _ in range(WRITES):
            store.add_mapping(MappingTable.SNAPSHOTS, str(uuid.uuid4()))
        return WRITES

    figure = rate(f"new mappings written into a {rows:,}-row file store", writes, 3, "writes/s")
    return figure


def tinydb_default_lookup(directory: Path, rows: int) -> Figure:
    """The peer: TinyDB's default JSONStorage answering one lookup by Query."""
    path = directory / "tinydb-default.json"
    write_store_file(path, rows)
    db = TinyDB(path)
    wanted = str(uuid.UUID(int=rows // 2))
    figure = duration(
        f"peer: TinyDB JSONStorage, one lookup by Query at {rows:,} rows",
        lambda: db.table(MappingTable.SNAPSHOTS.value).get(Query().uuid == wanted),
    )
    db.close()
    return figure


def memory_per_mapping(path: Path, rows: int) -> float:
    gc.collect()
    tracemalloc.start()
    store = MappingStore.open(path)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    store.close()
    return current / rows


def run() -> None:
    print("== store: MappingStore (TinyDB, doc_id = EC2 integer id, journaled file) ==")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        small, large = directory / "small.json", directory / "large.json"
        write_store_file(small, 1_000)
        write_store_file(large, 1_000_000)
        opened = duration(
            "open a 1,000,000-row file store", lambda: MappingStore.open(large).close()
        )
        print(opened.line())
        stores = {1_000: MappingStore.open(small), 1_000_000: MappingStore.open(large)}
        figures = {rows: lookup_rate(store, rows) for rows, store in stores.items()}
        for figure in figures.values():
            print(figure.line())
        print(
            ratio_line(
                "lookup rate, 1,000 rows / 1,000,000 rows", figures[1_000], figures[1_000_000], None
            )
            + "  (target <= 1.5x)"
        )
        for rows, store in stores.items():
            print(write_cost(store, rows).line())
        start = time.perf_counter()
        stores[1_000_000].close()
        closing = time.perf_counter() - start
        print(f"  {'close (compaction) of the 1,000,000-row store':<58} {closing:>12.2f} s")
        stores[1_000].close()
        per_row = memory_per_mapping(large, 1_000_000)
        print(f"  {'memory per mapping (tracemalloc, 1,000,000 rows)':<58} {per_row:>12.0f} bytes")
        print(tinydb_default_lookup(directory, 100_000).line())


if __name__ == "__main__":
    run()
