"""TinyDB's ``Storage`` over a store's live tables, optionally backed by its files."""

from __future__ import annotations

from typing import Any

from tinydb.storages import Storage

from simulator.store.engine import StoreFiles
from simulator.store.tables import Tables


class JournaledStorage(Storage):
    """TinyDB storage over one live dict, optionally backed by the store files.

    ``read()`` hands out the live dict, not a copy, which makes ``Table.get(doc_id=n)`` a dict
    lookup. ``write()`` is refused: TinyDB's own writers rebuild the whole table per call, so
    rows enter only through :meth:`put`, one journal line and one dict assignment each.
    """

    def __init__(self, tables: Tables, files: StoreFiles | None) -> None:
        self.tables = tables
        self.files = files

    def read(self) -> Tables:
        return self.tables

    def write(self, data: Tables) -> None:
        raise NotImplementedError("whole-database writes are O(rows); MappingStore uses put()")

    def put(self, table: str, doc_id: int, doc: dict[str, Any]) -> None:
        if self.files is not None:
            self.files.append(table, doc_id, doc, self.tables)
        self.tables[table][str(doc_id)] = doc

    def flush(self) -> None:
        if self.files is not None:
            self.files.compact(self.tables)

    def close(self) -> None:
        if self.files is not None:
            self.files.close(self.tables)
