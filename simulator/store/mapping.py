"""``MappingStore``: Nova's EC2 id mapping tables, the image catalogue and flavors on a store."""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, Self

from tinydb import TinyDB

from simulator.errors import StoreError
from simulator.store.access_log import AccessLog, TouchedRows
from simulator.store.engine import Durability
from simulator.store.indexes import ImageIndex, InstanceTypeIndex, UuidColumn, UuidIndexes
from simulator.store.instances import InstanceRows
from simulator.store.storage import JournaledStorage, Serialised, StoreDatabase
from simulator.store.tables import (
    IMAGES,
    INSTANCE_TYPES,
    INSTANCES,
    MAX_ROW_ID,
    PAST_MAX_ROW_ID,
    REQUIRED_STRINGS,
    MappingTable,
    checked_row,
    clone,
    json_copy,
    refused_remapping,
    row_problem,
)


def _while_alive(method: Callable[[], None]) -> Callable[[], None]:
    """``method``, called only while its object lives: held weakly, so the store's TinyDB
    view (which calls it after each write) does not keep the store alive. Held strongly, the
    cycle left every store for the cyclic collector to find: a replay of a corpus kept each
    cassette's store, rows and all (3.6 MB per 1,000 launches), until a full collection."""
    held = weakref.WeakMethod(method)

    def call() -> None:
        bound = held()
        if bound is not None:
            bound()

    return call


class MappingStore:
    """Nova's EC2 id mapping tables, the image catalogue (Glance's stand-in) and flavors.

    One ``RLock`` serialises every method: the WSGI server is multi-threaded, and
    :meth:`get_or_add_mapping` must look up and insert as one step or racing requests would
    give one uuid two EC2 ids. Rows are never deleted, so the highest id present is also the
    highest ever issued, which is what SQL autoincrement continues from.

    The methods a launch calls take the lock with ``acquire()`` and ``release()`` in a
    ``try``, not ``with``: on Python 3.11 a ``with`` looks up, binds and calls ``__enter__``
    and ``__exit__``, some 1,200 instructions, and a launch takes the lock two dozen times.
    """

    def __init__(self, storage: JournaledStorage) -> None:
        self.path = None if storage.files is None else storage.files.path
        self._storage = storage
        self._lock = threading.RLock()
        self.tinydb: TinyDB = StoreDatabase(
            storage=Serialised(storage, self._lock, _while_alive(self._drop_indexes))
        )
        """TinyDB's own API on this store, for tools: its writes follow the store's rules
        (:class:`JournaledStorage`) and MappingStore's lookups see them at once. Like any
        TinyDB, one thread at a time; an access log sees neither its reads nor its writes."""
        self._highest: dict[str, int] = {}
        self._uuid_indexes = UuidIndexes(storage.tables)
        self._uuid_columns = {table: UuidColumn(storage.tables[table]) for table in MappingTable}
        self._image_index: ImageIndex | None = None
        self._instance_type_index: InstanceTypeIndex | None = None
        self._access_log: AccessLog | None = None
        self.instances = InstanceRows(storage, self._lock)
        """Nova's instance rows by EC2 id: what launches create and the lifecycle changes."""

    @classmethod
    def in_memory(cls) -> MappingStore:
        """A store that never touches the file system, for tests and cassette replay."""
        return cls(JournaledStorage())

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        lock_timeout: float = 0.0,
        durability: Durability = "flush",
    ) -> MappingStore:
        """Open (or create) the store at ``path``, owned by this process until :meth:`close`.

        If another process owns it, wait up to ``lock_timeout`` seconds for it to close the
        store, then raise :class:`StoreLocked`.

        ``durability="flush"`` hands every write to the OS before returning, which survives
        the process dying; ``"fsync"`` also survives the machine dying, at a disk flush per
        write.
        """
        return cls(JournaledStorage(path, lock_timeout=lock_timeout, durability=durability))

    def close(self) -> None:
        """Compact the files and release the lock; later calls do nothing."""
        with self._lock:
            self._storage.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def flush(self) -> None:
        """Make every write so far durable in the snapshot and empty the journal."""
        with self._lock:
            self._storage.check_open()
            self._storage.flush()

    # --- mapping rows ---

    def mapping_uuid(self, table: MappingTable, row_id: int) -> str | None:
        """The uuid of row ``row_id``, from its uuid column, else from its TinyDB row (read
        in line, see :meth:`_copy`: an id beyond the column, a seed's ``snap-12345678``,
        is read there on every launch)."""
        self._lock.acquire()
        try:
            name = table
            uuid = self._uuid_columns[name].get(row_id)
            if uuid is None:
                doc = self._storage.tables[name].get(str(row_id))
                if doc is None:
                    return None
                uuid = doc["uuid"]
            if self._access_log is not None:
                self._access_log.read.setdefault((name, row_id))
            return uuid
        finally:
            self._lock.release()

    def mapping_id(self, table: MappingTable, uuid: str) -> int | None:
        """The lowest id mapped to ``uuid``: Nova's ``.first()`` over rows in id order."""
        self._lock.acquire()
        try:
            return self._mapping_id(table, uuid)
        finally:
            self._lock.release()

    def _mapping_id(self, table: MappingTable, uuid: str) -> int | None:
        """:meth:`mapping_id` for a caller holding the lock: ``RLock.acquire`` parses its
        arguments on every call, and :meth:`get_or_add_mapping`, nine times a launch, would
        take it twice."""
        row_id = self._uuid_indexes[table].get(uuid)
        if row_id is not None and self._access_log is not None:
            self._access_log.read.setdefault((table, row_id))
        return row_id

    def highest_id(self, table: MappingTable) -> int:
        """The highest id issued in ``table`` (0 if none): where autoincrement continues."""
        with self._lock:
            return self._highest_id(table)

    def add_mapping(self, table: MappingTable, uuid: str, row_id: int | None = None) -> int:
        """Insert a row; ``row_id=None`` continues autoincrement past the highest id issued.

        An explicit ``row_id`` already holding another uuid is refused rather than remapped:
        an EC2 id a client has seen must keep naming the same resource.
        """
        self._lock.acquire()
        try:
            name = table
            autoincrement = row_id is None
            if row_id is None:
                row_id = self._highest_id(name) + 1
            elif type(row_id) is not int or row_id < 1:
                raise StoreError(f"{name} row id must be a positive integer, not {row_id!r}")
            elif row_id > MAX_ROW_ID:
                raise StoreError(f"refusing to write a {name} row: its id is {PAST_MAX_ROW_ID}")
            else:
                existing = self.mapping_uuid(table, row_id)
                if existing == uuid:
                    return row_id
                if existing is not None:
                    raise refused_remapping(name, row_id, existing, uuid)
            self._insert(name, row_id, {"uuid": uuid})
            self._uuid_columns[name].put(row_id, uuid, len(self._storage.tables[name]))
            index = self._uuid_indexes.get(name)
            if index is not None and index.setdefault(uuid, row_id) > row_id:
                index[uuid] = row_id
            if autoincrement and self._access_log is not None:
                self._access_log.created.add((name, row_id))
                self._access_log.watermarks.setdefault(name, row_id - 1)
            return row_id
        finally:
            self._lock.release()

    def get_or_add_mapping(self, table: MappingTable, uuid: str) -> int:
        """The id of ``uuid``, creating it if needed, as one step under the lock."""
        self._lock.acquire()
        try:
            row_id = self._mapping_id(table, uuid)
            return self.add_mapping(table, uuid) if row_id is None else row_id
        finally:
            self._lock.release()

    def mapping_rows(self, table: MappingTable) -> Iterator[tuple[int, str]]:
        """All rows in ascending id order, as a snapshot taken under the lock."""
        with self._lock:
            rows = self._storage.tables[table]
            return iter(sorted((int(key), row["uuid"]) for key, row in rows.items()))

    def mapping_count(self, table: MappingTable) -> int:
        with self._lock:
            return len(self._storage.tables[table])

    # --- image catalogue ---

    def add_image(self, image: dict[str, Any]) -> None:
        """Add an image (at least ``id`` and ``name``); other keys are kept verbatim."""
        doc = self._document(IMAGES, image)
        with self._lock:
            index = self._images()
            if doc["id"] in index.by_id:
                raise StoreError(f"image {doc['id']} already exists")
            index.add(doc, self._insert(IMAGES, None, doc))

    def image(self, uuid: str) -> dict[str, Any] | None:
        """A copy of the image, so callers may mutate it freely."""
        self._lock.acquire()
        try:
            doc_id = self._images().by_id.get(uuid)
            return None if doc_id is None else self._copy(IMAGES, doc_id)
        finally:
            self._lock.release()

    def inspect_image(self, uuid: str, inspect: Callable[[dict[str, Any]], None]) -> bool:
        """Whether the image exists, ``inspect`` first run on its stored row under the lock:
        for a caller that would copy the image with :meth:`image` only to read it and drop
        it. ``inspect`` must not change the row (it is the store's own); an access log sees
        the row read, as :meth:`image` shows it; a row it cannot find is no image, as
        :meth:`image` reads it."""
        self._lock.acquire()
        try:
            doc_id = self._images().by_id.get(uuid)
            if doc_id is None:
                return False
            if self._access_log is not None:
                self._access_log.read.setdefault((IMAGES, doc_id))
            row = self._storage.tables[IMAGES].get(str(doc_id))
            if row is None:
                return False
            inspect(row)
            return True
        finally:
            self._lock.release()

    def images_named(self, name: str) -> list[dict[str, Any]]:
        """Images called ``name``, oldest first: the order Glance lists them in."""
        with self._lock:
            return [self._copy(IMAGES, doc_id) for doc_id in self._images().by_name.get(name, [])]

    def images(self) -> list[dict[str, Any]]:
        with self._lock:
            return self._copies(IMAGES)

    # --- instance types ---

    def add_instance_type(self, itype: dict[str, Any]) -> None:
        doc = self._document(INSTANCE_TYPES, itype)
        with self._lock:
            index = self._instance_types()
            if doc["name"] in index.by_name:
                raise StoreError(f"instance type {doc['name']} already exists")
            index.add(doc, self._insert(INSTANCE_TYPES, None, doc))

    def instance_type(self, name: str) -> dict[str, Any] | None:
        self._lock.acquire()
        try:
            doc_id = self._instance_types().by_name.get(name)
            return None if doc_id is None else self._copy(INSTANCE_TYPES, doc_id)
        finally:
            self._lock.release()

    def default_instance_type(self) -> str | None:
        """The name of the first flavor (in id order) marked ``default``, or None.

        What scanning :meth:`instance_types` would find, without copying every flavor per
        launch. An access log sees every flavor read all the same, as the scan read them:
        whether another flavor is marked default is part of what the answer depends on.
        """
        self._lock.acquire()
        try:
            if self._access_log is not None:
                for key in self._storage.tables[INSTANCE_TYPES]:
                    self._access_log.read.setdefault((INSTANCE_TYPES, int(key)))
            return self._instance_types().default
        finally:
            self._lock.release()

    def instance_types(self) -> list[dict[str, Any]]:
        with self._lock:
            return self._copies(INSTANCE_TYPES)

    # --- access logging, for cassettes ---

    @contextlib.contextmanager
    def access_log(self) -> Iterator[AccessLog]:
        """Log which rows are read and created until the block ends (one log at a time).

        While no log is open, each lookup pays one ``is not None`` test and nothing more.
        """
        log = AccessLog()
        with self._lock:
            if self._access_log is not None:
                raise StoreError("the store is already logging row access for a cassette")
            self._access_log = log
        try:
            yield log
        finally:
            with self._lock:
                self._access_log = None

    def touched_rows(self, log: AccessLog) -> TouchedRows:
        """The rows ``log`` saw that it did not see created, plus its watermark rows.

        Reading them here is not itself logged.
        """
        with self._lock:
            wanted: dict[str, set[int]] = {name: set() for name in REQUIRED_STRINGS}
            for table, doc_id in log.read:
                if (table, doc_id) not in log.created:
                    wanted[table].add(doc_id)
            for table, watermark in log.watermarks.items():
                if watermark > 0:
                    wanted[table].add(watermark)
            rows = self._storage.tables
            mappings = {
                table: [(row_id, self._row_uuid(table, row_id)) for row_id in sorted(wanted[table])]
                for table in MappingTable
            }
            images = self._images()
            for _, image_uuid in mappings[MappingTable.S3_IMAGES]:
                image_doc = images.by_id.get(image_uuid)
                if image_doc is not None:
                    wanted[IMAGES].add(image_doc)
            return TouchedRows(
                mappings=mappings,
                images=[json_copy(rows[IMAGES][str(i)]) for i in sorted(wanted[IMAGES])],
                instance_types=[
                    json_copy(rows[INSTANCE_TYPES][str(i)]) for i in sorted(wanted[INSTANCE_TYPES])
                ],
            )

    def _row_uuid(self, table: MappingTable, row_id: int) -> str:
        """The uuid of a mapping row a log saw, or of the instance row standing for a watermark
        whose mapping row is gone (a store edited by hand; see :meth:`_highest_id`)."""
        rows = self._storage.tables
        key = str(row_id)
        row = rows[INSTANCES][key] if key not in rows[table] else rows[table][key]
        uuid: str = row["uuid"]
        return uuid

    # --- whole store ---

    def rows(self) -> TouchedRows:
        """Every row, ids ascending, in the shape :meth:`touched_rows` gives a log's rows.

        One shape for both lets one function turn either into a seed: a cassette's, or
        ``store export``'s of the whole store.
        """
        with self._lock:
            return TouchedRows(
                mappings={table: list(self.mapping_rows(table)) for table in MappingTable},
                images=self._copies(IMAGES),
                instance_types=self._copies(INSTANCE_TYPES),
            )

    def is_empty(self) -> bool:
        with self._lock:
            return not any(self._storage.tables.values())

    def export(self) -> dict[str, Any]:
        """Every table in the snapshot file's shape (ids ascending): an export is a valid store."""
        with self._lock:
            exported = {
                name: {key: rows[key] for key in sorted(rows, key=int)}
                for name, rows in self._storage.tables.items()
            }
            result: dict[str, Any] = json_copy(exported)
            return result

    # --- internals ---

    def _drop_indexes(self) -> None:
        """After a write through :attr:`tinydb`, which may have added or changed any row.

        The uuid columns stay: a TinyDB write never changes a mapping row's uuid, and a row
        missing from a column is looked up in its table.
        """
        self._highest.clear()
        self._uuid_indexes.clear()
        self._image_index = None
        self._instance_type_index = None

    def _insert(self, table: str, doc_id: int | None, doc: dict[str, Any]) -> int:
        """The one write path: check, journal, then publish in memory."""
        self._storage.check_open()
        problem = row_problem(table, doc)
        if problem:
            raise StoreError(f"refusing to write a {table} row: {problem}")
        highest = self._highest_id(table)
        if doc_id is None:
            doc_id = highest + 1
        if doc_id > MAX_ROW_ID:
            raise StoreError(f"refusing to write a {table} row: its id is {PAST_MAX_ROW_ID}")
        self._storage.put(table, doc_id, doc)
        self._highest[table] = max(highest, doc_id)
        return doc_id

    def _highest_id(self, table: str) -> int:
        """The highest id issued in ``table``, counted once (then kept by :meth:`_insert`).

        An instance id was issued if either of its rows holds it: an instance row whose
        mapping row is gone (a store edited by hand) keeps its id taken, or the next launch
        would be given that id again and its row would replace the old instance's.
        """
        highest = self._highest.get(table)
        if highest is None:
            highest = max(map(int, self._storage.tables[table]), default=0)
            if table == MappingTable.INSTANCES:
                highest = max(highest, max(map(int, self._storage.tables[INSTANCES]), default=0))
            self._highest[table] = highest
        return highest

    def _images(self) -> ImageIndex:
        """Built on first use."""
        if self._image_index is None:
            self._image_index = ImageIndex.build(self._storage.tables[IMAGES])
        return self._image_index

    def _instance_types(self) -> InstanceTypeIndex:
        """Built on first use."""
        if self._instance_type_index is None:
            self._instance_type_index = InstanceTypeIndex.build(
                self._storage.tables[INSTANCE_TYPES]
            )
        return self._instance_type_index

    def _copy(self, table: str, doc_id: int) -> dict[str, Any]:
        """A private copy of a row known to exist (an index named it).

        The row is found as ``Table.get(doc_id=)`` finds it (under ``str(doc_id)``) but
        without the ``Document`` copy that call builds; here, in :meth:`mapping_uuid` and in
        :meth:`inspect_image` that lookup is written in line, not called: a launch makes
        nine of them, and a method per lookup cost a frame each."""
        if self._access_log is not None:
            self._access_log.read.setdefault((table, doc_id))
        copied: dict[str, Any] = clone(self._storage.tables[table].get(str(doc_id)))
        return copied

    def _copies(self, table: str) -> list[dict[str, Any]]:
        return [self._copy(table, int(key)) for key in sorted(self._storage.tables[table], key=int)]

    @staticmethod
    def row_refusal(table: str, value: dict[str, Any]) -> str | None:
        """Why writing ``value`` into ``table`` (``images`` or ``instance_types``) would be
        refused, or None: a seed is checked whole before its first write."""
        try:
            MappingStore._document(table, value)
        except StoreError as exc:
            return str(exc)
        return None

    @staticmethod
    def _document(table: str, value: dict[str, Any]) -> dict[str, Any]:
        """A checked, JSON-normalised private copy, out of reach of the caller's later mutations."""
        return checked_row(table, value, f"refusing to write a {table} row")
