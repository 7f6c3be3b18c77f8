"""In-memory indexes beside a store's TinyDB tables, built from its rows; caches, never truth.

Lookups by EC2 id, uuid, image id or name and flavor name answer from these instead of
scanning a table, so each is O(1) whatever the store's size.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any, Final, Self

_COLUMN_SLACK: Final = 1024
"""How far past twice its row count a :class:`UuidColumn` may reach."""
_UUID_WIDTH: Final = 36
_NO_UUID: Final = "\0" * _UUID_WIDTH


class UuidColumn:
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


def uuid_index(rows: dict[str, Any]) -> dict[str, int]:
    """Each uuid's lowest row id: Nova's ``.first()`` over rows in id order."""
    index: dict[str, int] = {}
    for key, row in rows.items():
        row_id = int(key)
        if index.setdefault(row["uuid"], row_id) > row_id:
            index[row["uuid"]] = row_id
    return index


class UuidIndexes(dict[str, dict[str, int]]):
    """Each mapping table's :func:`uuid_index` by table name, built on first use: the lookup
    of a built one is the dict's own (``indexes[table]``), with no Python frame, as a launch
    makes a dozen."""

    def __init__(self, tables: dict[str, dict[str, Any]]) -> None:
        super().__init__()
        self._tables = tables

    def __missing__(self, table: str) -> dict[str, int]:
        index = self[table] = uuid_index(self._tables[table])
        return index


class _RowIndex(abc.ABC):
    """An index fed every row of its table in id order, then each new row as it is added."""

    @classmethod
    def build(cls, rows: dict[str, Any]) -> Self:
        index = cls()
        for key in sorted(rows, key=int):
            index.add(rows[key], int(key))
        return index

    @abc.abstractmethod
    def add(self, row: dict[str, Any], doc_id: int) -> None: ...


@dataclass
class ImageIndex(_RowIndex):
    """Image doc_ids by image id and by name: an id or name resolves to its oldest image."""

    by_id: dict[str, int] = field(default_factory=dict)
    by_name: dict[str, list[int]] = field(default_factory=dict)

    def add(self, row: dict[str, Any], doc_id: int) -> None:
        self.by_id.setdefault(row["id"], doc_id)
        self.by_name.setdefault(row["name"], []).append(doc_id)


@dataclass
class InstanceTypeIndex(_RowIndex):
    """Flavor doc_ids by name (a name resolves to its oldest flavor), and the first flavor
    marked ``default``."""

    by_name: dict[str, int] = field(default_factory=dict)
    default: str | None = None

    def add(self, row: dict[str, Any], doc_id: int) -> None:
        self.by_name.setdefault(row["name"], doc_id)
        if self.default is None and row.get("default"):
            self.default = row["name"]
