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
from simulator.jsonio import UnsupportedJSON, load_json, write_atomically

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
_COLUMN_SLACK: Final = 1024
"""How far past twice its row count a :class:`_UuidColumn` may reach."""
_UUID_WIDTH: Final = 36
_NO_UUID: Final = "\0" * _UUID_WIDTH


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


def _clone(value: Any) -> Any:
    """A deep copy of a stored row, equal to :func:`_json_copy` of it at a fifth of the cost.

    Every stored row went through :func:`_json_copy` (or ``json.loads``) on its way in, so
    it holds only dicts, lists and immutable scalars: copying the containers is enough.
    """
    if type(value) is dict:
        return {key: _clone(item) for key, item in value.items()}
    if type(value) is list:
        return [_clone(item) for item in value]
    return value


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
        data = load_json(text)
    except json.JSONDecodeError as exc:
        offset = len(text[: exc.pos].encode())
        raise StoreCorrupt(
            f"{where} at byte {offset} (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    except UnsupportedJSON as exc:
        raise StoreCorrupt(f"{where}: {exc}") from None
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
            record = load_json(line)
        except UnsupportedJSON as exc:
            problem: str | None = str(exc)
        except ValueError:
            problem = "not a JSON line"
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


def _record_owner(fd: int) -> None:
    """Leave our PID in the lock file so whoever is refused the lock can be told who holds it."""
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, f"{os.getpid()}\n".encode())


def _create_lock_file(lock_path: Path) -> os.stat_result | None:
    """The new lock file's identity if this call created it; None if it existed already (or
    cannot be created, which acquiring the lock then reports)."""
    try:
        fd = os.open(lock_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError:
        return None
    try:
        return os.fstat(fd)
    finally:
        os.close(fd)


def _release_lock(lock: FileLock, created: os.stat_result | None) -> None:
    """Release the lock of a store that failed to open, and remove its file if this open
    created it, so pointing ``--store`` at the wrong file leaves nothing behind.

    The file is unlinked while still locked, and only if its name still names the file
    created: a process waiting on it finds its locked file unlinked and filelock retries.
    """
    try:
        with contextlib.suppress(OSError):
            if created is not None and os.path.samestat(os.stat(lock.lock_file), created):
                os.unlink(lock.lock_file)
    finally:
        lock.release()


def _acquire_lock(path: Path, timeout: float) -> tuple[FileLock, os.stat_result | None]:
    """The store's lock, and the lock file's identity if this call created the file."""
    lock_path = Path(f"{path}.lock")
    created = _create_lock_file(lock_path)
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
    return lock, created


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
        """Lock, load and replay; on any failure release the lock and leave every file as it was
        (a lock file this call created is removed again)."""
        if not path.parent.is_dir():
            raise StoreError(f"cannot open store {path}: directory {path.parent} does not exist")
        lock, created = _acquire_lock(path, lock_timeout)
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
            _release_lock(lock, created)
            raise StoreError(f"cannot open store {path}: {exc}") from exc
        except BaseException:
            _release_lock(lock, created)
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


class _UuidColumn:
    """The ``uuid`` of each mapping row at ``row_id * 36`` in one bytearray: a lookup cache.

    Why not TinyDB's table alone: resolving an id there reads a hash slot, the ``str(doc_id)``
    key it compares, the row dict, that dict's keys and the uuid string, five places far apart
    in memory. Once a table holds a million rows each is a cache and TLB miss, and
    ``Table.get(doc_id=)`` answers three times slower than at a thousand rows; a list of the
    uuid strings still costs two dependent misses (the slot, then the string). Here the uuid's
    characters are the slot: one miss, and the string handed out is built fresh
    (``bench/README.md`` has the measurements).

    A slot holds a uuid only if it is 36 ASCII characters (every uuid Nova issues); an empty
    slot (all NUL) means "ask the table", so the column never decides that a row is missing.
    Ids are dense in practice (autoincrement) but a seed may name any id below 2**32, so the
    column covers ids below ``2 * rows + _COLUMN_SLACK`` only, which bounds its memory.
    """

    def __init__(self, rows: dict[str, Any]) -> None:
        ids = [int(key) for key in rows]
        slots = [_NO_UUID] * min(max(ids, default=0) + 1, self._limit(len(rows)))
        for row_id, row in zip(ids, rows.values(), strict=True):
            if row_id < len(slots) and self._packable(row["uuid"]):
                slots[row_id] = row["uuid"]
        self.data = bytearray("".join(slots), "ascii")

    @staticmethod
    def _limit(rows: int) -> int:
        return 2 * rows + _COLUMN_SLACK

    @staticmethod
    def _packable(uuid: str) -> bool:
        return len(uuid) == _UUID_WIDTH and uuid.isascii() and uuid[0] != "\0"

    def get(self, row_id: Any) -> str | None:
        """The uuid cached for ``row_id``, or None if the table must answer."""
        if type(row_id) is not int or row_id < 1:
            return None
        start = row_id * _UUID_WIDTH
        if start >= len(self.data) or not self.data[start]:
            return None
        return self.data[start : start + _UUID_WIDTH].decode("ascii")

    def put(self, row_id: int, uuid: str, rows: int) -> None:
        """Cache a new row of a table now holding ``rows`` rows, growing while ids stay dense."""
        if not self._packable(uuid):
            return
        start = row_id * _UUID_WIDTH
        if len(self.data) <= start < self._limit(rows) * _UUID_WIDTH:
            self.data.extend(bytes(start + _UUID_WIDTH - len(self.data)))
        if start < len(self.data):
            self.data[start : start + _UUID_WIDTH] = uuid.encode("ascii")


@dataclass
class _ImageIndex:
    by_id: dict[str, int]
    by_name: dict[str, list[int]]


@dataclass
class _InstanceTypeIndex:
    """Flavor doc_ids by name, and the first flavor marked ``default``, fed in id order."""

    by_name: dict[str, int]
    default: str | None = None

    def add(self, row: dict[str, Any], doc_id: int) -> None:
        self.by_name.setdefault(row["name"], doc_id)
        if self.default is None and row.get("default"):
            self.default = row["name"]


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
        self._uuid_indexes: dict[str, dict[str, int]] = {}
        self._uuid_columns = {
            table.value: _UuidColumn(storage.tables[table.value]) for table in MappingTable
        }
        self._image_index: _ImageIndex | None = None
        self._instance_type_index: _InstanceTypeIndex | None = None
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
        """The uuid of row ``row_id``, from its uuid column, else from its TinyDB row."""
        with self._lock:
            name = table.value
            uuid = self._uuid_columns[name].get(row_id)
            if uuid is None:
                doc = self._row(name, row_id)
                if doc is None:
                    return None
                uuid = doc["uuid"]
            if self._access_log is not None:
                self._access_log.read.setdefault((name, row_id))
            return uuid

    def mapping_id(self, table: MappingTable, uuid: str) -> int | None:
        """The lowest id mapped to ``uuid``: Nova's ``.first()`` over rows in id order."""
        with self._lock:
            return self._mapping_id(table.value, uuid)

    def _mapping_id(self, name: str, uuid: str) -> int | None:
        row_id = self._uuid_index(name).get(uuid)
        if row_id is not None and self._access_log is not None:
            self._access_log.read.setdefault((name, row_id))
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
            name = table.value
            autoincrement = row_id is None
            if row_id is None:
                row_id = self._highest_id(name) + 1
            elif type(row_id) is not int or row_id < 1:
                raise StoreError(f"{name} row id must be a positive integer, not {row_id!r}")
            else:
                existing = self.mapping_uuid(table, row_id)
                if existing == uuid:
                    return row_id
                if existing is not None:
                    raise StoreError(
                        f"{name} row {row_id} already maps to {existing}; "
                        f"refusing to remap it to {uuid}"
                    )
            self._insert(name, row_id, {"uuid": uuid})
            self._uuid_columns[name].put(row_id, uuid, len(self._storage.tables[name]))
            index = self._uuid_indexes.get(name)
            if index is not None and index.setdefault(uuid, row_id) > row_id:
                index[uuid] = row_id
            if autoincrement and self._access_log is not None:
                self._access_log.created.add((name, row_id))
                self._access_log.watermarks.setdefault(name, row_id - 1)
            return row_id

    def get_or_add_mapping(self, table: MappingTable, uuid: str) -> int:
        """The id of ``uuid``, creating it if needed, as one step under the lock."""
        with self._lock:
            row_id = self._mapping_id(table.value, uuid)
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
            if doc["name"] in index.by_name:
                raise StoreError(f"instance type {doc['name']} already exists")
            index.add(doc, self._insert(INSTANCE_TYPES, None, doc))

    def instance_type(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            doc_id = self._instance_types().by_name.get(name)
            return None if doc_id is None else self._copy(INSTANCE_TYPES, doc_id)

    def default_instance_type(self) -> str | None:
        """The name of the first flavor (in id order) marked ``default``, or None.

        What scanning :meth:`instance_types` would find, without copying every flavor per
        launch. An access log sees every flavor read all the same, as the scan read them:
        whether another flavor is marked default is part of what the answer depends on.
        """
        with self._lock:
            if self._access_log is not None:
                for key in self._storage.tables[INSTANCE_TYPES]:
                    self._access_log.read.setdefault((INSTANCE_TYPES, int(key)))
            return self._instance_types().default

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

    def _uuid_index(self, table: str) -> dict[str, int]:
        index = self._uuid_indexes.get(table)
        if index is None:
            index = {}
            for key, row in self._storage.tables[table].items():
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

    def _instance_types(self) -> _InstanceTypeIndex:
        """Built on first use, ids ascending (a name resolves to its oldest flavor)."""
        if self._instance_type_index is None:
            index = _InstanceTypeIndex({})
            rows = self._storage.tables[INSTANCE_TYPES]
            for key in sorted(rows, key=int):
                index.add(rows[key], int(key))
            self._instance_type_index = index
        return self._instance_type_index

    def _row(self, table: str, doc_id: Any) -> dict[str, Any] | None:
        """The stored row ``doc_id``, found as ``Table.get(doc_id=)`` finds it (under
        ``str(doc_id)``) but without the ``Document`` copy that call builds: every caller
        either copies the row anyway or reads one field."""
        row: dict[str, Any] | None = self._storage.tables[table].get(str(doc_id))
        return row

    def _copy(self, table: str, doc_id: int) -> dict[str, Any]:
        """A private copy of a row known to exist (an index named it)."""
        if self._access_log is not None:
            self._access_log.read.setdefault((table, doc_id))
        copied: dict[str, Any] = _clone(self._row(table, doc_id))
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
        try:
            doc: dict[str, Any] = _json_copy(value)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"refusing to write a {table} row: not JSON: {exc}") from exc
        problem = _row_problem(table, doc)
        if problem:
            raise StoreError(f"refusing to write a {table} row: {problem}")
        return doc
