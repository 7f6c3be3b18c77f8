"""The simulator's storage port: Nova's EC2 id mapping tables, the image catalogue and flavors.

Nova hands out EC2 integer ids from autoincrement mapping tables (``id`` integer, ``uuid``
varchar, no unique constraint on ``uuid``). The simulator keeps those rows in TinyDB with the
integer id as TinyDB's ``doc_id``, so resolving ``ami-0000000a`` is a dictionary lookup and not
a table scan; uuid and name lookups go through in-memory indexes built on first use.

On disk a store is a TinyDB-format JSON snapshot plus an append-only journal of JSON lines.
TinyDB's own writers rewrite a whole table per insert, which would make every new EC2 id cost
O(rows); here each write is one appended line and one dict assignment, and the journal is
folded into the snapshot (compaction) on close, on flush and when it has grown large.
"""

from __future__ import annotations

import contextlib
import enum
import json
import os
import stat
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Any, Final, Literal, Self

from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from simulator.errors import StoreCorrupt, StoreError, StoreLocked

Durability = Literal["flush", "fsync"]
_Tables = dict[str, dict[str, Any]]
"""TinyDB's data model: table name -> doc_id as a decimal string -> document."""


class MappingTable(enum.Enum):
    """Nova's EC2 id mapping tables; the value is the SQL (and TinyDB) table name."""

    S3_IMAGES = "s3_images"
    SNAPSHOTS = "snapshot_id_mappings"
    VOLUMES = "volume_id_mappings"
    INSTANCES = "instance_id_mappings"


IMAGES: Final = "images"
INSTANCE_TYPES: Final = "instance_types"

_REQUIRED_STRINGS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        **{table.value: ("uuid",) for table in MappingTable},
        IMAGES: ("id", "name"),
        INSTANCE_TYPES: ("name",),
    }
)
"""Every table a store holds, with the string fields its rows cannot do without."""

_JSON_SEPARATORS: Final = (",", ":")
_COMPACTION_FLOOR: Final = 1 << 20
_COMPACTION_CEILING: Final = 64 << 20


def _is_doc_id(key: object) -> bool:
    """Only canonical decimals: ``table.get(doc_id=n)`` looks rows up under ``str(n)``."""
    return type(key) is str and key.isascii() and key.isdigit() and key[0] != "0"


def _row_problem(table: str, row: object) -> str | None:
    """Why ``row`` cannot live in ``table``, or None.

    Loading and writing share this check, so no write is acknowledged that a reopen would
    then refuse as corrupt.
    """
    if type(row) is not dict:
        return "expected a JSON object"
    for name in _REQUIRED_STRINGS[table]:
        if type(row.get(name)) is not str:
            return f"field {name!r} must be a string"
    return None


def _json_copy(value: Any) -> Any:
    """Deep-copy through JSON: what a caller gets back equals what a reopened store returns."""
    return json.loads(json.dumps(value, allow_nan=False))


def _empty_tables() -> _Tables:
    return {name: {} for name in _REQUIRED_STRINGS}


def _encode(tables: _Tables) -> bytes:
    return json.dumps(tables, separators=_JSON_SEPARATORS).encode()


# --- the files: snapshot, journal, lock ---


def _load_snapshot(path: Path) -> tuple[_Tables, int]:
    """The snapshot's tables and size; anything but a well-formed store is StoreCorrupt."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StoreError(f"cannot read store {path}: {exc.strerror}") from exc
    where = f"store snapshot {path} is corrupt"
    try:
        text = raw.decode()
    except UnicodeDecodeError as exc:
        raise StoreCorrupt(f"{where} at byte {exc.start}: not UTF-8") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        offset = len(text[: exc.pos].encode())
        raise StoreCorrupt(
            f"{where} at byte {offset} (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    if type(data) is not dict:
        raise StoreCorrupt(f"{where}: expected a JSON object of tables")
    for name in data:
        if name not in _REQUIRED_STRINGS:
            raise StoreCorrupt(f"{where}: unknown table {name!r}")
    tables = _empty_tables()
    for name, rows in data.items():
        if type(rows) is not dict:
            raise StoreCorrupt(f"{where}: table {name!r} is not a JSON object")
        for key, row in rows.items():
            problem = None if _is_doc_id(key) else "not a positive decimal doc_id"
            problem = problem or _row_problem(name, row)
            if problem:
                raise StoreCorrupt(f"{where}: table {name!r} row {key!r}: {problem}")
        tables[name] = rows
    return tables, len(raw)


def _record_problem(record: Any, tables: _Tables) -> str | None:
    if type(record) is not list or len(record) != 3:
        return "expected [table, doc_id, document]"
    table, doc_id, doc = record
    if table not in _REQUIRED_STRINGS:
        return f"unknown table {table!r}"
    if type(doc_id) is not int or doc_id < 1:
        return f"doc_id {doc_id!r} is not a positive integer"
    problem = _row_problem(table, doc)
    if problem:
        return problem
    existing = tables[table].get(str(doc_id))
    if existing is not None and existing != doc:
        return f"{table} row {doc_id} contradicts an earlier write"
    return None


def _replay_journal(path: Path, tables: _Tables) -> tuple[int, int]:
    """Apply the journal to ``tables``; return (acknowledged length, file length).

    Every write is one ``write()`` of a line ending in a newline, and is acknowledged only once
    that call returned, so an unterminated last line is a crash mid-append that nobody was told
    about: it is skipped. Every terminated line was acknowledged and must be intact.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return 0, 0
    except OSError as exc:
        raise StoreError(f"cannot read store journal {path}: {exc.strerror}") from exc
    offset = 0
    for number, line in enumerate(raw.split(b"\n")[:-1], start=1):
        try:
            record = json.loads(line)
        except ValueError:
            problem: str | None = "not a JSON line"
        else:
            problem = _record_problem(record, tables)
        if problem:
            raise StoreCorrupt(
                f"store journal {path} is corrupt at line {number} (byte {offset}): {problem}"
            )
        table, doc_id, doc = record
        tables[table][str(doc_id)] = doc
        offset += len(line) + 1
    return offset, len(raw)


def write_atomically(path: Path, payload: bytes) -> None:
    """Replace ``path`` so that a crash leaves either the old or the new file, never a mix."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            if path.exists():
                os.fchmod(file.fileno(), stat.S_IMODE(path.stat().st_mode))
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _record_owner(fd: int) -> None:
    """Leave our PID in the lock file so whoever is refused the lock can be told who holds it."""
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, f"{os.getpid()}\n".encode())


def _acquire_lock(path: Path, timeout: float) -> FileLock:
    lock_path = Path(f"{path}.lock")
    lock = FileLock(lock_path, timeout=timeout, thread_local=False, on_acquired=_record_owner)
    try:
        lock.acquire()
    except Timeout:
        try:
            owner = lock_path.read_text().strip()
        except OSError:
            owner = ""
        holder = f"PID {owner}" if owner.isdigit() else "another process"
        raise StoreLocked(f"store {path} is locked by {holder}") from None
    except OSError as exc:
        raise StoreError(f"cannot lock store {path}: {exc}") from exc
    return lock


@dataclass
class _StoreFiles:
    """The on-disk half of a file store: the lock it holds, its snapshot and its journal."""

    path: Path
    lock: FileLock
    journal_fd: int
    journal_size: int
    snapshot_size: int
    fsync: bool
    broken: OSError | None = None

    @classmethod
    def open(cls, path: Path, lock_timeout: float, durability: Durability) -> tuple[Self, _Tables]:
        """Lock, load and replay; on any failure release the lock and leave every file as it was."""
        if not path.parent.is_dir():
            raise StoreError(f"cannot open store {path}: directory {path.parent} does not exist")
        lock = _acquire_lock(path, lock_timeout)
        try:
            journal = Path(f"{path}.journal")
            if path.exists():
                tables, snapshot_size = _load_snapshot(path)
            elif journal.exists() and journal.stat().st_size:
                raise StoreCorrupt(
                    f"store {path} is missing but its journal {journal} is not empty"
                )
            else:
                tables = _empty_tables()
                payload = _encode(tables)
                write_atomically(path, payload)
                snapshot_size = len(payload)
            acknowledged, size = _replay_journal(journal, tables)
            if acknowledged < size:
                os.truncate(journal, acknowledged)
            fd = os.open(journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        except OSError as exc:
            lock.release()
            raise StoreError(f"cannot open store {path}: {exc}") from exc
        except BaseException:
            lock.release()
            raise
        files = cls(path, lock, fd, acknowledged, snapshot_size, durability == "fsync")
        return files, tables

    def append(self, table: str, doc_id: int, doc: dict[str, Any], tables: _Tables) -> None:
        """Journal one write; returns only once the line is with the OS (or on disk, for fsync).

        A failed append leaves an unknown tail, so the store refuses writes until a compaction
        has replaced the journal; compacting first when the journal is large keeps replay time
        proportional to the snapshot while costing O(1) per write amortised.
        """
        limit = min(max(self.snapshot_size, _COMPACTION_FLOOR), _COMPACTION_CEILING)
        if self.journal_size > limit:
            self.compact(tables)
        if self.broken is not None:
            raise StoreError(
                f"store {self.path} refuses writes after a failed append: {self.broken}"
            )
        line = f"{json.dumps([table, doc_id, doc], separators=_JSON_SEPARATORS)}\n".encode()
        try:
            unwritten = memoryview(line)
            while unwritten:
                unwritten = unwritten[os.write(self.journal_fd, unwritten) :]
            if self.fsync:
                os.fsync(self.journal_fd)
        except OSError as exc:
            self.broken = exc
            raise StoreError(f"cannot append to store journal {self.path}.journal: {exc}") from exc
        self.journal_size += len(line)

    def compact(self, tables: _Tables) -> None:
        """Fold the journal into a new snapshot; replay is idempotent, so a crash midway is safe."""
        if self.journal_size == 0 and self.broken is None:
            return
        payload = _encode(tables)
        try:
            write_atomically(self.path, payload)
            os.ftruncate(self.journal_fd, 0)
            os.fsync(self.journal_fd)
        except OSError as exc:
            raise StoreError(f"cannot compact store {self.path}: {exc}") from exc
        self.journal_size = 0
        self.snapshot_size = len(payload)
        self.broken = None

    def close(self, tables: _Tables) -> None:
        try:
            self.compact(tables)
        finally:
            os.close(self.journal_fd)
            self.lock.release()


class _JournaledStorage(Storage):
    """TinyDB storage over one live dict, optionally backed by the store files.

    ``read()`` hands out the live dict, not a copy, which makes ``Table.get(doc_id=n)`` a dict
    lookup. ``write()`` is refused: TinyDB's own writers rebuild the whole table per call, so
    rows enter only through :meth:`put`, one journal line and one dict assignment each.
    """

    def __init__(self, tables: _Tables, files: _StoreFiles | None) -> None:
        self.tables = tables
        self.files = files

    def read(self) -> _Tables:
        return self.tables

    def write(self, data: _Tables) -> None:
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


@dataclass
class _ImageIndex:
    by_id: dict[str, int]
    by_name: dict[str, list[int]]


@dataclass
class AccessLog:
    """Which rows a store served while a cassette was recording, so its seed holds only those.

    A cassette must carry the store state its interactions need and nothing else, and only
    the store knows what a launch looked up. ``read`` keeps (table, doc_id) in first-read
    order. Rows that autoincrement created are in ``created`` instead: replay creates them
    again, so they never belong in a seed; for such a table, ``watermarks`` keeps the id
    below its first created row (the high-water mark replay must start from).
    """

    read: dict[tuple[str, int], None] = field(default_factory=dict)
    created: set[tuple[str, int]] = field(default_factory=set)
    watermarks: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class TouchedRows:
    """The rows an :class:`AccessLog` saw that existed before it, ids ascending.

    ``mappings`` includes each watermark row; ``images`` also holds the catalogue image
    behind every listed ``s3_images`` row, since a seed carries the two together.
    """

    mappings: dict[MappingTable, list[tuple[int, str]]]
    images: list[dict[str, Any]]
    instance_types: list[dict[str, Any]]


class MappingStore:
    """Nova's EC2 id mapping tables, the image catalogue (Glance's stand-in) and flavors.

    One ``RLock`` serialises every method: the WSGI server is multi-threaded, and
    :meth:`get_or_add_mapping` must look up and insert as one step or racing requests would
    give one uuid two EC2 ids. Rows are never deleted, so the highest id present is also the
    highest ever issued, which is what SQL autoincrement continues from.
    """

    def __init__(self, storage: _JournaledStorage, path: Path | None) -> None:
        self.path = path
        self._storage = storage
        self._db = TinyDB(storage=lambda: storage)
        self._tables: dict[str, Table] = {name: self._db.table(name) for name in storage.tables}
        self._lock = threading.RLock()
        self._closed = False
        self._highest: dict[str, int] = {}
        self._uuid_indexes: dict[MappingTable, dict[str, int]] = {}
        self._image_index: _ImageIndex | None = None
        self._instance_type_index: dict[str, int] | None = None
        self._access_log: AccessLog | None = None

    @classmethod
    def in_memory(cls) -> MappingStore:
        """A store that never touches the file system, for tests and cassette replay."""
        return cls(_JournaledStorage(_empty_tables(), None), None)

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
        if durability not in ("flush", "fsync"):
            raise ValueError(f"durability must be 'flush' or 'fsync', not {durability!r}")
        store_path = Path(path).absolute()
        files, tables = _StoreFiles.open(store_path, lock_timeout, durability)
        return cls(_JournaledStorage(tables, files), store_path)

    def close(self) -> None:
        """Compact the files and release the lock; later calls do nothing."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()

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
            self._check_open()
            self._storage.flush()

    # --- mapping rows ---

    def mapping_uuid(self, table: MappingTable, row_id: int) -> str | None:
        with self._lock:
            doc = self._tables[table.value].get(doc_id=row_id)
            if doc is None:
                return None
            if self._access_log is not None:
                self._access_log.read.setdefault((table.value, row_id))
            uuid: str = doc["uuid"]
            return uuid

    def mapping_id(self, table: MappingTable, uuid: str) -> int | None:
        """The lowest id mapped to ``uuid``: Nova's ``.first()`` over rows in id order."""
        with self._lock:
            row_id = self._uuid_index(table).get(uuid)
            if row_id is not None and self._access_log is not None:
                self._access_log.read.setdefault((table.value, row_id))
            return row_id

    def highest_id(self, table: MappingTable) -> int:
        """The highest id issued in ``table`` (0 if none): where autoincrement continues."""
        with self._lock:
            return self._highest_id(table.value)

    def add_mapping(self, table: MappingTable, uuid: str, row_id: int | None = None) -> int:
        """Insert a row; ``row_id=None`` continues autoincrement past the highest id issued.

        An explicit ``row_id`` already holding another uuid is refused rather than remapped:
        an EC2 id a client has seen must keep naming the same resource.
        """
        with self._lock:
            autoincrement = row_id is None
            if row_id is None:
                row_id = self._highest_id(table.value) + 1
            elif type(row_id) is not int or row_id < 1:
                raise StoreError(f"{table.value} row id must be a positive integer, not {row_id!r}")
            else:
                existing = self.mapping_uuid(table, row_id)
                if existing == uuid:
                    return row_id
                if existing is not None:
                    raise StoreError(
                        f"{table.value} row {row_id} already maps to {existing}; "
                        f"refusing to remap it to {uuid}"
                    )
            self._insert(table.value, row_id, {"uuid": uuid})
            index = self._uuid_indexes.get(table)
            if index is not None and index.setdefault(uuid, row_id) > row_id:
                index[uuid] = row_id
            if autoincrement and self._access_log is not None:
                self._access_log.created.add((table.value, row_id))
                self._access_log.watermarks.setdefault(table.value, row_id - 1)
            return row_id

    def get_or_add_mapping(self, table: MappingTable, uuid: str) -> int:
        """The id of ``uuid``, creating it if needed, as one step under the lock."""
        with self._lock:
            row_id = self.mapping_id(table, uuid)
            return self.add_mapping(table, uuid) if row_id is None else row_id

    def mapping_rows(self, table: MappingTable) -> Iterator[tuple[int, str]]:
        """All rows in ascending id order, as a snapshot taken under the lock."""
        with self._lock:
            rows = self._storage.tables[table.value]
            return iter(sorted((int(key), row["uuid"]) for key, row in rows.items()))

    def mapping_count(self, table: MappingTable) -> int:
        with self._lock:
            return len(self._tables[table.value])

    # --- image catalogue ---

    def add_image(self, image: dict[str, Any]) -> None:
        """Add an image (at least ``id`` and ``name``); other keys are kept verbatim."""
        doc = self._document(IMAGES, image)
        with self._lock:
            index = self._images()
            if doc["id"] in index.by_id:
                raise StoreError(f"image {doc['id']} already exists")
            doc_id = self._insert(IMAGES, None, doc)
            index.by_id[doc["id"]] = doc_id
            index.by_name.setdefault(doc["name"], []).append(doc_id)

    def image(self, uuid: str) -> dict[str, Any] | None:
        """A copy of the image, so callers may mutate it freely."""
        with self._lock:
            doc_id = self._images().by_id.get(uuid)
            return None if doc_id is None else self._copy(IMAGES, doc_id)

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
            if doc["name"] in index:
                raise StoreError(f"instance type {doc['name']} already exists")
            index[doc["name"]] = self._insert(INSTANCE_TYPES, None, doc)

    def instance_type(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            doc_id = self._instance_types().get(name)
            return None if doc_id is None else self._copy(INSTANCE_TYPES, doc_id)

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
            wanted: dict[str, set[int]] = {name: set() for name in _REQUIRED_STRINGS}
            for table, doc_id in log.read:
                if (table, doc_id) not in log.created:
                    wanted[table].add(doc_id)
            for table, watermark in log.watermarks.items():
                if watermark > 0:
                    wanted[table].add(watermark)
            rows = self._storage.tables
            mappings = {
                table: [
                    (row_id, rows[table.value][str(row_id)]["uuid"])
                    for row_id in sorted(wanted[table.value])
                ]
                for table in MappingTable
            }
            images = self._images()
            for _, image_uuid in mappings[MappingTable.S3_IMAGES]:
                image_doc = images.by_id.get(image_uuid)
                if image_doc is not None:
                    wanted[IMAGES].add(image_doc)
            return TouchedRows(
                mappings=mappings,
                images=[_json_copy(rows[IMAGES][str(i)]) for i in sorted(wanted[IMAGES])],
                instance_types=[
                    _json_copy(rows[INSTANCE_TYPES][str(i)]) for i in sorted(wanted[INSTANCE_TYPES])
                ],
            )

    # --- whole store ---

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
            result: dict[str, Any] = _json_copy(exported)
            return result

    # --- internals ---

    def _check_open(self) -> None:
        if self._closed:
            where = "in-memory store" if self.path is None else f"store {self.path}"
            raise StoreError(f"{where} is closed")

    def _insert(self, table: str, doc_id: int | None, doc: dict[str, Any]) -> int:
        """The one write path: check, journal, then publish in memory."""
        self._check_open()
        problem = _row_problem(table, doc)
        if problem:
            raise StoreError(f"refusing to write a {table} row: {problem}")
        highest = self._highest_id(table)
        if doc_id is None:
            doc_id = highest + 1
        self._storage.put(table, doc_id, doc)
        self._tables[table].clear_cache()
        self._highest[table] = max(highest, doc_id)
        return doc_id

    def _highest_id(self, table: str) -> int:
        highest = self._highest.get(table)
        if highest is None:
            highest = max(map(int, self._storage.tables[table]), default=0)
            self._highest[table] = highest
        return highest

    def _uuid_index(self, table: MappingTable) -> dict[str, int]:
        index = self._uuid_indexes.get(table)
        if index is None:
            index = {}
            for key, row in self._storage.tables[table.value].items():
                row_id = int(key)
                if index.setdefault(row["uuid"], row_id) > row_id:
                    index[row["uuid"]] = row_id
            self._uuid_indexes[table] = index
        return index

    def _images(self) -> _ImageIndex:
        """Built on first use; ids ascending, so an id or name resolves to its oldest image."""
        if self._image_index is None:
            index = _ImageIndex({}, {})
            for key in sorted(self._storage.tables[IMAGES], key=int):
                row = self._storage.tables[IMAGES][key]
                index.by_id.setdefault(row["id"], int(key))
                index.by_name.setdefault(row["name"], []).append(int(key))
            self._image_index = index
        return self._image_index

    def _instance_types(self) -> dict[str, int]:
        if self._instance_type_index is None:
            index: dict[str, int] = {}
            for key in sorted(self._storage.tables[INSTANCE_TYPES], key=int):
                index.setdefault(self._storage.tables[INSTANCE_TYPES][key]["name"], int(key))
            self._instance_type_index = index
        return self._instance_type_index

    def _copy(self, table: str, doc_id: int) -> dict[str, Any]:
        if self._access_log is not None:
            self._access_log.read.setdefault((table, doc_id))
        doc = self._tables[table].get(doc_id=doc_id)
        copied: dict[str, Any] = _json_copy(doc)
        return copied

    def _copies(self, table: str) -> list[dict[str, Any]]:
        return [self._copy(table, int(key)) for key in sorted(self._storage.tables[table], key=int)]

    @staticmethod
    def _document(table: str, value: dict[str, Any]) -> dict[str, Any]:
        """A checked, JSON-normalised private copy, out of reach of the caller's later mutations."""
        try:
            doc: dict[str, Any] = _json_copy(value)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"refusing to write a {table} row: not JSON: {exc}") from exc
        problem = _row_problem(table, doc)
        if problem:
            raise StoreError(f"refusing to write a {table} row: {problem}")
        return doc
