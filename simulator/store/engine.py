"""The file engine of a store: snapshot, journal, lock and compaction.

On disk a store is a TinyDB-format JSON snapshot plus an append-only journal of JSON lines,
one ``[table, doc_id, document]`` record per write, beside a lock file naming the owner's PID.
A store is named by its real path: a symlink to it is the same store, locked by the same lock
file, and is never replaced by a file of its own. Loading refuses anything but a well-formed
store (``StoreCorrupt``), and every failure to open leaves the files as they were.
filelock is imported when a file store is opened: in-memory stores (every replay) hold no lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import mmap
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, Self

from simulator.errors import StoreCorrupt, StoreError, StoreLocked
from simulator.jsonio import (
    LONE_SURROGATE,
    MAX_INPUT_BYTES,
    InputTooLarge,
    UnsupportedJSON,
    load_json,
    lone_surrogate,
    read_limited,
    write_atomically,
)
from simulator.store.tables import (
    MAX_ROW_ID,
    MUTABLE_TABLES,
    PAST_MAX_ROW_ID,
    REQUIRED_STRINGS,
    Tables,
    depth_problem,
    doc_id_problem,
    empty_tables,
    row_problem,
    shown_key,
)

if TYPE_CHECKING:
    from filelock import FileLock

Durability = Literal["flush", "fsync"]

_JSON_SEPARATORS: Final = (",", ":")
_COMPACTION_FLOOR: Final = 1 << 20
_COMPACTION_CEILING: Final = 64 << 20


def _encode(value: Any, refused: str) -> bytes:
    """UTF-8 JSON; a lone surrogate (which a reopen would refuse) is StoreError(``refused``)."""
    try:
        return json.dumps(value, separators=_JSON_SEPARATORS, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        raise StoreError(f"{refused}: {LONE_SURROGATE}") from None


def _encode_tables(tables: Tables, refused: str, expected: int) -> bytes:
    """The snapshot's bytes, the same as :func:`_encode` gives, built a piece at a time.

    Encoded whole, a snapshot passed through json's intermediate strings (chunks of up to
    a megabyte, then the text, then its bytes) on the process's heap, which grew to hold
    them at every compaction and never gave the pages back: a long-running ``serve`` kept
    about twice its snapshot's size beyond its rows. Here each piece's text (a few hundred
    rows) is freed before the next is made, and the pieces are gathered in an anonymous
    memory map outside the heap (``expected`` bytes reserved, only the pages written are
    ever touched; doubled by copying if it was too small), unmapped afterwards: only the
    returned bytes remain, one block the allocator maps and unmaps on its own.
    """
    buffer = mmap.mmap(-1, max(expected, mmap.PAGESIZE))

    def add(piece: bytes) -> None:
        nonlocal buffer
        end = buffer.tell() + len(piece)
        if end > len(buffer):
            grown = mmap.mmap(-1, max(2 * len(buffer), end))
            grown.write(buffer[: buffer.tell()])
            buffer.close()
            buffer = grown
        buffer.write(piece)

    try:
        add(b"{")
        for number, (name, rows) in enumerate(tables.items()):
            add((b"," if number else b"") + _encode(name, refused) + b":{")
            items = iter(rows.items())
            separator = b""
            while piece := dict(itertools.islice(items, _ROWS_PER_PIECE)):
                add(separator + _encode(piece, refused)[1:-1])
                separator = b","
            add(b"}")
        add(b"}")
        return buffer[: buffer.tell()]
    finally:
        buffer.close()


_ROWS_PER_PIECE: Final = 256
"""Rows encoded by one ``json.dumps``: few enough that its intermediate text stays small
beside the snapshot, many enough that a million-row compaction is not a million calls."""


def _read(path: Path, what: str) -> bytes:
    try:
        return read_limited(path)
    except InputTooLarge as exc:
        raise StoreError(f"cannot read {what} {path}: {exc}") from None
    except OSError as exc:
        raise StoreError(f"cannot read {what} {path}: {exc.strerror}") from exc


def _load_snapshot(path: Path) -> tuple[Tables, int]:
    """The snapshot's tables and size; anything but a well-formed store is StoreCorrupt."""
    raw = _read(path, "store")
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
    surrogate = lone_surrogate(text)
    if surrogate is not None:
        offset = len(text[:surrogate].encode())
        raise StoreCorrupt(f"{where} at byte {offset}: {LONE_SURROGATE}")
    if type(data) is not dict:
        raise StoreCorrupt(f"{where}: expected a JSON object of tables")
    for name in data:
        if name not in REQUIRED_STRINGS:
            raise StoreCorrupt(f"{where}: unknown table {name!r}")
    tables = empty_tables()
    for name, rows in data.items():
        if type(rows) is not dict:
            raise StoreCorrupt(f"{where}: table {name!r} is not a JSON object")
        for key, row in rows.items():
            problem = doc_id_problem(key) or row_problem(name, row) or depth_problem(name, row)
            if problem:
                raise StoreCorrupt(f"{where}: table {name!r} row {shown_key(key)}: {problem}")
        tables[name] = rows
    return tables, len(raw)


def _record_problem(record: Any, tables: Tables) -> str | None:
    if type(record) is not list or len(record) != 3:
        return "expected [table, doc_id, document]"
    table, doc_id, doc = record
    if table not in REQUIRED_STRINGS:
        return f"unknown table {table!r}"
    if type(doc_id) is not int or doc_id < 1:
        return f"doc_id {doc_id!r} is not a positive integer"
    if doc_id > MAX_ROW_ID:
        return f"doc_id is {PAST_MAX_ROW_ID}"
    problem = row_problem(table, doc) or depth_problem(table, doc)
    if problem:
        return problem
    existing = tables[table].get(str(doc_id))
    if existing is not None and existing != doc and table not in MUTABLE_TABLES:
        return f"{table} row {doc_id} contradicts an earlier write"
    return None


def _replay_journal(path: Path, tables: Tables) -> tuple[int, int]:
    """Apply the journal to ``tables``; return (acknowledged length, file length).

    Every write is one ``write()`` of a line ending in a newline, and is acknowledged only once
    that call returned, so an unterminated last line is a crash mid-append that nobody was told
    about: it is skipped. Every terminated line was acknowledged and must be intact.
    """
    raw = _read(path, "store journal")
    suspect = lone_surrogate(raw.decode(errors="replace")) is not None
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
            if problem is None and suspect and lone_surrogate(line.decode()) is not None:
                problem = LONE_SURROGATE
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


def _remove_if_created(path: str | Path, created: os.stat_result | None) -> None:
    """Remove a file a failed open created, only if its name still names that file."""
    with contextlib.suppress(OSError):
        if created is not None and os.path.samestat(os.stat(path), created):
            os.unlink(path)


def _release_lock(lock: FileLock, created: os.stat_result | None) -> None:
    """Release the lock of a store that failed to open, and remove its file if this open
    created it, so pointing ``--store`` at the wrong file leaves nothing behind.

    The file is unlinked while still locked, and only if its name still names the file
    created: a process waiting on it finds its locked file unlinked and filelock retries.
    """
    try:
        _remove_if_created(lock.lock_file, created)
    finally:
        lock.release()


_JOURNAL_FLAGS: Final = os.O_WRONLY | os.O_APPEND


def _open_journal(journal: Path, path: Path) -> tuple[int, os.stat_result | None]:
    """The journal, open for appending and locked, and its identity if this call created it.

    The lock file alone cannot keep a second owner out: remove it while the store is open
    and the next process locks a new file of the same name. So the owner also holds a lock
    on its journal, a file that is truncated but never replaced while the store is open.
    """
    created = None
    try:
        fd = os.open(journal, _JOURNAL_FLAGS | os.O_CREAT | os.O_EXCL, 0o666)
        created = os.fstat(fd)
    except FileExistsError:
        fd = os.open(journal, _JOURNAL_FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise StoreError(f"cannot open store {path}: its journal {journal} is not a file")
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BaseException as exc:
        os.close(fd)
        _remove_if_created(journal, created)
        if isinstance(exc, BlockingIOError):
            raise StoreLocked(
                f"store {path} is locked by another process (it holds the journal {journal})"
            ) from None
        raise
    return fd, created


def _remove_stale_temp_files(path: Path) -> None:
    """Remove the temp files of compactions killed midway: only this store's owner writes
    them (:func:`write_atomically`), and the owner is now this process."""
    stale = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}\.tmp")
    for entry in os.scandir(path.parent):
        if stale.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)


def _refuse_non_files(path: Path, journal: Path) -> None:
    """A store is regular files, replaced by renaming: a device or a pipe named as a store
    would be read without end, then replaced by a file."""
    for name in (path, journal):
        if name.exists() and not name.is_file():
            raise StoreError(f"cannot open store {path}: {name} is not a regular file")


def _refuse_read_only(path: Path) -> None:
    """A store file its user may not write is one they meant to keep as it is, and a store
    is replaced by renaming a new file over it, which needs only its folder writable: it is
    refused instead. Reading alone is refused too, since any open may fold the journal into
    a new snapshot as it closes. Root may write any file, so the mode's write bits count."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        raise StoreError(
            f"store {path} is read-only (mode {stat.S_IMODE(mode):04o}): launch-sim may rewrite "
            "any store it opens; make it writable (chmod u+w) to use it"
        )


def resolve_store_path(given: str | os.PathLike[str]) -> Path:
    """The real path of the store ``given`` names: a symlink to a store is that store.

    Links that loop have no real path, and ``realpath`` then stops at one of them: a store
    created there would be renamed over that link, so it is refused instead.
    """
    path = Path(os.path.realpath(given))
    if path.is_symlink():
        raise StoreError(f"cannot open store {given}: its symbolic links loop ({path})")
    return path


def _acquire_lock(path: Path, timeout: float) -> tuple[FileLock, os.stat_result | None]:
    """The store's lock, and the lock file's identity if this call created the file."""
    from filelock import FileLock, Timeout

    lock_path = Path(f"{path}.lock")
    created = _create_lock_file(lock_path)
    lock = FileLock(lock_path, timeout=timeout, thread_local=False, on_acquired=_record_owner)
    try:
        lock.acquire()
    except Timeout:
        if not lock_path.exists():  # filelock retries a lock file it cannot create
            raise StoreError(
                f"cannot lock store {path}: its lock file {lock_path} cannot be created"
            ) from None
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
class StoreFiles:
    """The on-disk half of a file store: the lock it holds, its snapshot and its journal."""

    path: Path
    lock: FileLock
    journal_fd: int
    journal_size: int
    snapshot_size: int
    fsync: bool
    broken: OSError | None = None

    @classmethod
    def open(
        cls, given: str | os.PathLike[str], lock_timeout: float, durability: Durability
    ) -> tuple[Self, Tables]:
        """Lock, load and replay the store at the real path of ``given``; on any failure release
        the lock and leave every file as it was (a lock file or journal this call created is
        removed again)."""
        path = resolve_store_path(given)
        if not path.parent.is_dir():
            missing = "is not a directory" if path.parent.exists() else "does not exist"
            raise StoreError(f"cannot open store {path}: {path.parent} {missing}")
        journal = Path(f"{path}.journal")
        _refuse_non_files(path, journal)
        _refuse_read_only(path)
        lock, created = _acquire_lock(path, lock_timeout)
        try:
            fd, journal_created = _open_journal(journal, path)
        except OSError as exc:
            _release_lock(lock, created)
            raise StoreError(f"cannot open store {path}: {exc}") from exc
        except BaseException:
            _release_lock(lock, created)
            raise
        try:
            _remove_stale_temp_files(path)
            if path.exists():
                tables, snapshot_size = _load_snapshot(path)
            elif os.fstat(fd).st_size:
                raise StoreCorrupt(
                    f"store {path} is missing but its journal {journal} is not empty"
                )
            else:
                tables = empty_tables()
                payload = _encode(tables, f"cannot create store {path}")
                write_atomically(path, payload)
                snapshot_size = len(payload)
            acknowledged, size = _replay_journal(journal, tables)
            if acknowledged < size:
                os.ftruncate(fd, acknowledged)
        except BaseException as exc:
            os.close(fd)
            _remove_if_created(journal, journal_created)
            _release_lock(lock, created)
            if isinstance(exc, OSError):
                raise StoreError(f"cannot open store {path}: {exc}") from exc
            raise
        files = cls(path, lock, fd, acknowledged, snapshot_size, durability == "fsync")
        return files, tables

    def append(self, table: str, doc_id: int, doc: dict[str, Any], tables: Tables) -> None:
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
        line = _encode([table, doc_id, doc], f"refusing to write a {table} row") + b"\n"
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

    def compact(self, tables: Tables) -> None:
        """Fold the journal into a new snapshot; replay is idempotent, so a crash midway is safe."""
        if self.journal_size == 0 and self.broken is None:
            return
        payload = self._snapshot(tables, "compact")
        try:
            write_atomically(self.path, payload)
            os.ftruncate(self.journal_fd, 0)
            os.fsync(self.journal_fd)
        except OSError as exc:
            raise StoreError(f"cannot compact store {self.path}: {exc}") from exc
        self.journal_size = 0
        self.snapshot_size = len(payload)
        self.broken = None

    def rewrite(self, tables: Tables, changed: Tables) -> None:
        """Replace the snapshot of ``tables`` by ``changed``, where rows may differ from rows
        already journaled (TinyDB's ``update``); atomic, like a compaction.

        The journal is folded in first: a line of it left beside the new snapshot by a crash
        would contradict the changed row, which replay refuses as corruption.
        """
        self.compact(tables)
        payload = self._snapshot(changed, "rewrite")
        try:
            write_atomically(self.path, payload)
        except OSError as exc:
            raise StoreError(f"cannot rewrite store {self.path}: {exc}") from exc
        self.snapshot_size = len(payload)

    def _snapshot(self, tables: Tables, doing: str) -> bytes:
        """A snapshot's bytes, refused past the size a reopen reads: what cannot be compacted
        stays in the journal, and the store still opens."""
        refused = f"cannot {doing} store {self.path}"
        # A new snapshot holds at most the old one and the journal's rows.
        payload = _encode_tables(tables, refused, self.snapshot_size + self.journal_size)
        if len(payload) > MAX_INPUT_BYTES:
            raise StoreError(
                f"{refused}: its snapshot would be {len(payload):,} bytes, past the "
                f"{MAX_INPUT_BYTES >> 20} MiB a store may hold"
            )
        return payload

    def close(self, tables: Tables) -> None:
        try:
            self.compact(tables)
        finally:
            os.close(self.journal_fd)
            self.lock.release()
