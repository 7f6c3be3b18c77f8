"""Store benchmark: lookups at 1,000 vs 1,000,000 snapshot mappings, writes, open time, memory.

The store files are written directly as TinyDB-format JSON (building a million rows through
the API would only measure the builder), then opened and exercised through MappingStore.
The same files loaded into TinyDB's own MemoryStorage and read with ``Table.get(doc_id=)``
show what a lookup costs at each size without MappingStore's uuid column.
"""

from __future__ import annotations

import gc
import json
import random
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from tinydb import Query, TinyDB
from tinydb.storages import MemoryStorage

from bench.timing import Figure, alternating, duration, per_second, rate, ratio_line, verdict
from simulator.store import MappingStore, MappingTable

LOOKUPS = 200_000
LOOKUP_RUNS = 5
WRITES = 2_000
SIZES = (1_000, 1_000_000)
MAX_RATIO = 1.5
MIN_RATE = 300_000


def write_store_file(path: Path, rows: int) -> None:
    table = {str(i): {"uuid": str(uuid.UUID(int=i))} for i in range(1, rows + 1)}
    path.write_text(json.dumps({MappingTable.SNAPSHOTS.value: table}, separators=(",", ":")))


def lookup_trial(
    name: str, lookup: Callable[[int], object], rows: int
) -> tuple[str, Callable[[], float]]:
    """``lookup`` of uniformly random ids, as a launch names snapshots and volumes, as one
    timed run for :func:`alternating`: the sizes take turns, so that a slow minute of the
    shared host falls on both (timed one size after the other, one run read 1.67x with the
    1,000,000-row runs spread from 850,423 to 1,562,866 lookups/s)."""
    ids = [random.randint(1, rows) for _ in range(LOOKUPS)]

    def lookups() -> None:
        for row_id in ids:
            lookup(row_id)

    return name, partial(per_second, len(ids), lookups)


def lookup_rates(trials: Iterable[tuple[str, Callable[[], float]]]) -> dict[int, Figure]:
    """Each size's lookup rate, its trial in :data:`SIZES`' order, the sizes taking turns."""
    return dict(zip(SIZES, alternating(LOOKUP_RUNS, "lookups/s", *trials), strict=True))


def tinydb_get(path: Path) -> Callable[[int], object]:
    """A store file in TinyDB's MemoryStorage, looked up by ``Table.get(doc_id=)``."""
    db = TinyDB(storage=MemoryStorage)
    db.storage.write(json.loads(path.read_text()))
    table = db.table(MappingTable.SNAPSHOTS.value)

    def lookup(row_id: int) -> object:
        return table.get(doc_id=row_id)["uuid"]  # type: ignore[index]

    return lookup


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
        paths = {rows: directory / f"{rows}.json" for rows in SIZES}
        for rows, path in paths.items():
            write_store_file(path, rows)
        small, large = SIZES
        opened = duration(
            f"open a {large:,}-row file store", lambda: MappingStore.open(paths[large]).close()
        )
        print(opened.line())
        stores = {rows: MappingStore.open(path) for rows, path in paths.items()}
        ours = lookup_rates(
            lookup_trial(
                f"lookups by id at {rows:,} rows",
                partial(store.mapping_uuid, MappingTable.SNAPSHOTS),
                rows,
            )
            for rows, store in stores.items()
        )
        for figure in ours.values():
            print(figure.line())
        label = f"lookup rate, {small:,} rows / {large:,} rows"
        print(ratio_line(label, ours[small], ours[large], MAX_RATIO, at_most=True))
        slowest = ours[large].median
        print(
            f"  {f'lookups at {large:,} rows':<58} {'':>12}  "
            f"target >= {MIN_RATE:,}/s: {verdict(slowest >= MIN_RATE)}"
        )
        peers = lookup_rates(
            lookup_trial(
                f"peer: TinyDB MemoryStorage get(doc_id=), {rows:,} rows",
                tinydb_get(path),
                rows,
            )
            for rows, path in paths.items()
        )
        for figure in peers.values():
            print(figure.line())
        print(ratio_line(f"peer {label}", peers[small], peers[large]))
        writes = {rows: write_cost(store, rows) for rows, store in stores.items()}
        for figure in writes.values():
            print(figure.line())
        print(
            ratio_line(
                f"write rate, {small:,} rows / {large:,} rows (O(1): ~1x)",
                writes[small],
                writes[large],
            )
        )
        start = time.perf_counter()
        stores[large].close()
        closing = time.perf_counter() - start
        print(f"  {f'close (compaction) of the {large:,}-row store':<58} {closing:>12.2f} s")
        stores[small].close()
        per_row = memory_per_mapping(paths[large], large)
        print(f"  {f'memory per mapping (tracemalloc, {large:,} rows)':<58} {per_row:>12.0f} bytes")
        print(tinydb_default_lookup(directory, 100_000).line())


if __name__ == "__main__":
    run()
