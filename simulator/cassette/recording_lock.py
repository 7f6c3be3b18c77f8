"""One writer per cassette: a session that may write a cassette holds a lock beside it.

A recording session rewrites the whole file from what it holds, so two sessions writing one
cassette (two ``serve --record`` on one path, two pytest markers naming one file) each
replaced the other's saves, and the last one silently dropped every request the other had
recorded. A session that may write therefore holds ``PATH.lock`` from before it reads the
cassette (``new_episodes`` grows what it read) until its last save, and a second one is
refused in one line naming the holder's PID. Sessions that only check a cassette that exists
(``none``, ``once``) read it once and take no lock, so any number run beside a recorder.

The lock is an ``flock`` on that file: the kernel releases it when its process dies, so
``kill -9`` leaves no stale lock (the file itself may stay; the next holder removes it). The
holder unlinks the file before releasing it, and a process that locked a file no longer
under that name tries again, so two processes never both hold it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from simulator.cassette.format import Cassette, CassetteError
from simulator.cassette.record_mode import RecordMode, recorded_for


def may_write(path: Path, mode: RecordMode) -> bool:
    """Whether a session in ``mode`` could write ``path``: ``all`` and ``new_episodes``
    always, ``once`` while there is no cassette yet, ``none`` never."""
    rules = mode.rules
    if rules.grows_existing:
        return True
    return rules.records_missing and not (rules.checks_existing and path.exists())


def lock_path(path: Path) -> Path:
    """The lock file of a cassette: beside it, named after it (``c.json.lock``)."""
    return path.with_name(f"{path.name}.lock")


@contextmanager
def recording_lock(path: Path) -> Iterator[None]:
    """Hold the cassette's lock for the block, or raise :class:`CassetteError` (one line)
    if another process or session holds it. Missing folders are made first, as a save
    would make them, and removed again if they are still empty at the end (a session that
    recorded nothing leaves nothing behind)."""
    lock = lock_path(path)
    missing = [folder for folder in path.parents if not folder.exists()]
    try:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = _acquire(path, lock)
        except OSError as exc:
            raise CassetteError(f"{path}: cannot lock it ({lock}): {exc.strerror or exc}") from None
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.unlink(lock)
            os.close(fd)
    finally:
        for folder in missing:  # deepest first
            with contextlib.suppress(OSError):
                folder.rmdir()


@contextmanager
def recorded_under_lock(path: Path, mode: RecordMode) -> Iterator[Cassette | None]:
    """:func:`~simulator.cassette.record_mode.recorded_for`, read while holding the lock a
    session in ``mode`` needs (none if it can only check), which stays held for the block."""
    if not may_write(path, mode):
        yield recorded_for(path, mode)
        return
    with recording_lock(path):
        yield recorded_for(path, mode)


def _acquire(path: Path, lock: Path) -> int:
    """The locked descriptor of the lock file, with this process's PID written in it."""
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise CassetteError(
                f"{path}: being recorded by {holder} (it holds {lock}); stop that process, "
                "or record into another file"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        try:
            current = os.stat(lock)
        except FileNotFoundError:
            current = None
        if current is not None and os.path.samestat(os.fstat(fd), current):
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            return fd
        os.close(fd)  # the holder removed it as we locked it: lock the file there now


def _holder(fd: int) -> str:
    """Who holds the lock, as its file says (written by :func:`_acquire`)."""
    try:
        written = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        written = ""
    return f"PID {written}" if written.isdigit() else "another process"
