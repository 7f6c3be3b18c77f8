"""TinyDB's ``Storage`` contract over a store: its live tables, optionally backed by its files.

``TinyDB(path, storage=JournaledStorage)`` opens a store file with TinyDB's own API, and
:attr:`MappingStore.tinydb <simulator.store.MappingStore.tinydb>` offers the same API on a
store that MappingStore is serving. TinyDB's writers hand ``write()`` the whole database, so
each TinyDB write is O(rows) in memory; what reaches the disk is only what changed.
MappingStore itself never writes through TinyDB: :meth:`JournaledStorage.put` is one journal
line and one dict assignment.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.middlewares import Middleware
from tinydb.storages import Storage
from tinydb.table import Table

from simulator.errors import StoreError
from simulator.store.engine import Durability, StoreFiles
from simulator.store.tables import (
    REQUIRED_STRINGS,
    MappingTable,
    Tables,
    checked_row,
    clone,
    doc_id_problem,
    empty_tables,
    refused_remapping,
    shown_key,
)

_MAPPING_TABLES = frozenset(table.value for table in MappingTable)


class JournaledStorage(Storage):
    """A store's tables for TinyDB: ``read()`` hands out a copy, ``write()`` journals the diff.

    ``read()`` returns a deep copy, kept until the next write, because TinyDB's writers change
    what it returned in place (``update`` edits the row dicts) before passing it to
    ``write()``: only against the live tables can ``write()`` tell what changed.

    ``write()`` follows the store's rules. One new row is one journal line, as from
    :meth:`put`; anything more (several rows, or a changed row) rewrites the snapshot
    atomically, so a TinyDB write is whole or absent after a crash. Rows are never removed
    (autoincrement continues from the highest id present, so a removed id would be issued
    again), a mapping row's uuid never changes (an EC2 id a client has seen keeps naming the
    same resource), and every row must pass the checks a reopen applies. A refused write
    changes nothing.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        lock_timeout: float = 0.0,
        durability: Durability = "flush",
    ) -> None:
        """Open (or create) the store at ``path``, owned until :meth:`close`; with no path, a
        store that lives in memory only."""
        if durability not in ("flush", "fsync"):
            raise ValueError(f"durability must be 'flush' or 'fsync', not {durability!r}")
        self.files: StoreFiles | None = None
        if path is None:
            self.tables = empty_tables()
        else:
            self.files, self.tables = StoreFiles.open(
                Path(path).absolute(), lock_timeout, durability
            )
        self.closed = False
        self._view: Tables | None = None

    def check_open(self) -> None:
        if self.closed:
            where = "in-memory store" if self.files is None else f"store {self.files.path}"
            raise StoreError(f"{where} is closed")

    def read(self) -> Tables:
        self.check_open()
        if self._view is None:
            self._view = clone(self.tables)
        return self._view

    def write(self, data: Tables) -> None:
        self.check_open()
        view, self._view = self._view, None
        changes = self._changes(data)
        match changes:
            case []:
                pass
            case [(table, key, doc)] if key not in self.tables[table]:
                self.put(table, int(key), doc)
            case _:
                if self.files is not None:
                    changed = {name: dict(rows) for name, rows in self.tables.items()}
                    for table, key, doc in changes:
                        changed[table][key] = doc
                    self.files.rewrite(self.tables, changed)
                for table, key, doc in changes:
                    self.tables[table][key] = doc
        if data is view:
            for table, key, doc in changes:
                view[table][key] = clone(doc)
            self._view = view

    def put(self, table: str, doc_id: int, doc: dict[str, Any]) -> None:
        """Add one row the caller has checked: one journal line and one dict assignment."""
        if self.files is not None:
            self.files.append(table, doc_id, doc, self.tables)
        self.tables[table][str(doc_id)] = doc
        self._view = None

    def flush(self) -> None:
        if self.files is not None:
            self.files.compact(self.tables)

    def close(self) -> None:
        """Compact the files and release the lock; later calls do nothing."""
        if self.closed:
            return
        self.closed = True
        if self.files is not None:
            self.files.close(self.tables)

    def _changes(self, data: Tables) -> list[tuple[str, str, dict[str, Any]]]:
        """The rows of ``data`` that are new or differ from the live ones, as JSON-normalised
        copies (table, key, row); StoreError if the store's rules refuse any change."""
        if type(data) is not dict:
            raise StoreError("refusing to write a store: expected a JSON object of tables")
        for name in data:
            if name not in REQUIRED_STRINGS:
                raise StoreError(f"refusing to write unknown table {name!r} into a store")
        changes = []
        for name, live in self.tables.items():
            rows = data.get(name, {})
            if type(rows) is not dict:
                raise StoreError(f"refusing to write table {name!r}: not a JSON object")
            if not rows.keys() >= live.keys():
                raise StoreError(f"refusing to remove {name} rows: a store never removes rows")
            for key, row in rows.items():
                old = live.get(key)
                if old is None or row != old:
                    changes.append((name, key, self._checked(name, key, row, old)))
        return changes

    @staticmethod
    def _checked(table: str, key: str, row: Any, old: dict[str, Any] | None) -> dict[str, Any]:
        refused = f"refusing to write a {table} row"
        problem = doc_id_problem(key)
        if problem:
            raise StoreError(f"{refused}: doc_id {shown_key(key)} is {problem}")
        doc = checked_row(table, row, refused)
        if old is not None and table in _MAPPING_TABLES and doc["uuid"] != old["uuid"]:
            raise refused_remapping(table, int(key), old["uuid"], doc["uuid"])
        return doc


class Serialised(Middleware):
    """TinyDB's API on a store MappingStore is serving: each read and write under the
    store's lock, and after a write ``written`` (MappingStore drops its indexes).

    TinyDB's read-modify-write is two calls, so a MappingStore write between them makes the
    TinyDB write look like a removal of the new row: it is refused, and nothing is lost.
    """

    def __init__(
        self, storage: JournaledStorage, lock: threading.RLock, written: Callable[[], None]
    ) -> None:
        super().__init__(lambda: storage)
        self._lock = lock
        self._written = written

    def read(self) -> Tables | None:
        with self._lock:
            data: Tables | None = self.storage.read()
            return data

    def write(self, data: Tables) -> None:
        with self._lock:
            self.storage.write(data)
            self._written()

    def close(self) -> None:
        with self._lock:
            self.storage.close()


class StoreTable(Table):
    """A TinyDB table whose rows MappingStore also adds, behind TinyDB's back.

    So it keeps no query cache by default, and it counts the next id again whenever the
    rows it reads are not the ones it counted (TinyDB counts once, then only increments):
    an insert takes the id after the highest present, where MappingStore's autoincrement
    continues too.
    """

    def __init__(
        self, storage: Storage, name: str, cache_size: int = 0, persist_empty: bool = False
    ) -> None:
        self._counted: dict[str, Any] | None = None
        self._next = 1
        super().__init__(storage, name, cache_size=cache_size, persist_empty=persist_empty)

    def _get_next_id(self) -> int:
        rows = self._read_table()
        if rows is not self._counted:
            self._counted = rows
            self._next = max(map(int, rows), default=0) + 1
        self._next += 1
        return self._next - 1


class StoreDatabase(TinyDB):
    """TinyDB over :class:`Serialised`, with :class:`StoreTable` tables."""

    table_class = StoreTable
