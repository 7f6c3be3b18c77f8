"""The ``instances`` table: Nova's instance rows, keyed by the instance's EC2 integer id.

Nova keeps an instance in its ``instances`` table and its EC2 id in ``instance_id_mappings``;
here the row's TinyDB ``doc_id`` *is* the mapping row's id, so the EC2 layer's path from
``i-0000000a`` to the instance is two dictionary lookups at any table size. An instance's
states change (vm_state, task_state, host), so this is the store's one mutable table: each
change is one journal line holding the whole new row, and the last line of a row wins when
the journal is replayed. Like every row, an instance row is never removed: a destroyed
instance is a row marked ``deleted``, as Nova's soft delete leaves it.
"""

from __future__ import annotations

import math
import threading
from typing import Any

from simulator.errors import StoreError
from simulator.store.storage import JournaledStorage
from simulator.store.tables import INSTANCES, checked_row, clone, row_problem


def _storable(value: Any) -> Any:
    """``value`` with each float JSON cannot hold (``nan``, ``inf``) as its text.

    Such floats reach an instance from the query (``KeyName=nan``); their text renders in
    an answer exactly as the float did, which is all the EC2 layer does with them.
    """
    if type(value) is float and not math.isfinite(value):
        return str(value)
    if type(value) is dict:
        return {key: _storable(item) for key, item in value.items()}
    if type(value) is list:
        return [_storable(item) for item in value]
    return value


class _NotPlain(Exception):
    """A value :func:`_plain_copy` leaves to the JSON round trip."""


def _plain_copy(value: Any) -> Any:
    """A copy of ``value`` equal to its JSON round trip, made without one (a launch writes a
    row; encoding and decoding it was a fifth of the launch), for values made only of what
    that trip keeps as it is: dicts with text keys, lists, text, integers, booleans, None
    and finite floats. Anything else raises :class:`_NotPlain`. A dict is copied whole
    (``dict.copy``) and only its containers replaced: a store per key in a new dict was
    2% of a replayed launch."""
    kind = type(value)
    if kind in _PLAIN_SCALARS:
        return value
    if kind is dict:
        copied = value.copy()
        for key, item in copied.items():
            if type(key) is not str:
                raise _NotPlain
            if type(item) not in _PLAIN_SCALARS:
                copied[key] = _plain_copy(item)
        return copied
    if kind is list:
        return [item if type(item) in _PLAIN_SCALARS else _plain_copy(item) for item in value]
    if kind is float and math.isfinite(value):
        return value
    raise _NotPlain


_PLAIN_SCALARS = frozenset({str, int, bool, type(None)})


class InstanceRows:
    """The instances table of one store, under that store's lock (taken as
    :class:`~simulator.store.MappingStore` takes it where a launch calls)."""

    def __init__(self, storage: JournaledStorage, lock: threading.RLock) -> None:
        self._storage = storage
        self._lock = lock

    def get(self, row_id: int) -> dict[str, Any] | None:
        """A private copy of the row of EC2 id ``row_id``, or None: O(1)."""
        self._lock.acquire()
        try:
            row = self._storage.tables[INSTANCES].get(str(row_id))
            return None if row is None else clone(row)
        finally:
            self._lock.release()

    def put(self, row_id: int, row: dict[str, Any]) -> None:
        """Write the row of EC2 id ``row_id`` (new or changed): one journal line. The refusal's
        text is made only for a row the fast copy does not take: formatting the id on every
        write was a tenth of a percent of a replayed launch."""
        try:
            doc = _plain_copy(row)
            problem = row_problem(INSTANCES, doc)
        except (_NotPlain, RecursionError):
            problem = "not plain"
        if problem:
            refused = f"refusing to write instance {row_id}"
            try:
                doc = checked_row(INSTANCES, row, refused)
            except StoreError:
                doc = checked_row(INSTANCES, _storable(row), refused)
        self._lock.acquire()
        try:
            self._storage.check_open()
            self._storage.put(INSTANCES, row_id, doc)
        finally:
            self._lock.release()

    def having(self, column: str, *others: str) -> list[tuple[Any, ...]]:
        """``column`` and ``others`` of each row where ``column`` is set (not None), in the
        order the rows were created, read in place: what an index over one column is built
        from, without copying every row."""
        with self._lock:
            return [
                (row[column], *(row[name] for name in others))
                for row in self._storage.tables[INSTANCES].values()
                if row.get(column) is not None
            ]

    def ids(self) -> list[int]:
        """Every row's id in the order the rows were created (Nova lists by ``created_at``)."""
        with self._lock:
            return list(map(int, self._storage.tables[INSTANCES]))

    def __len__(self) -> int:
        with self._lock:
            return len(self._storage.tables[INSTANCES])
