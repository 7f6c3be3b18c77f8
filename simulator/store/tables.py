"""What a store holds: its tables, the rows each accepts, and how rows are copied.

The file engine, the TinyDB storage and :class:`~simulator.store.MappingStore` all check rows
against these rules, so no write is acknowledged that a reopen would then refuse as corrupt.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from simulator.errors import StoreError

Tables = dict[str, dict[str, Any]]
"""TinyDB's data model: table name -> doc_id as a decimal string -> document."""


class MappingTable(enum.StrEnum):
    """Nova's EC2 id mapping tables; the value is the SQL (and TinyDB) table name.

    A member *is* its table name (a ``str``): the store keys its tables by it directly, where
    reading ``.value`` (a descriptor) on every id lookup was a few percent of a launch."""

    S3_IMAGES = "s3_images"
    SNAPSHOTS = "snapshot_id_mappings"
    VOLUMES = "volume_id_mappings"
    INSTANCES = "instance_id_mappings"


IMAGES: Final = "images"
INSTANCE_TYPES: Final = "instance_types"
INSTANCES: Final = "instances"

REQUIRED_STRINGS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        **{table.value: ("uuid",) for table in MappingTable},
        IMAGES: ("id", "name"),
        INSTANCE_TYPES: ("name",),
        INSTANCES: ("uuid", "reservation_id"),
    }
)
"""Every table a store holds, with the string fields its rows cannot do without."""

MUTABLE_TABLES: Final = frozenset({INSTANCES})
"""Tables whose rows change after they are written (an instance's states): a later journal
line for such a row replaces the earlier one instead of contradicting it. No row of any
table is ever removed."""


def is_doc_id(key: object) -> bool:
    """Only canonical decimals: ``table.get(doc_id=n)`` looks rows up under ``str(n)``."""
    return type(key) is str and key.isascii() and key.isdigit() and key[0] != "0"


def row_problem(table: str, row: object) -> str | None:
    """Why ``row`` cannot live in ``table``, or None.

    Loading and writing share this check, so no write is acknowledged that a reopen would
    then refuse as corrupt.
    """
    if type(row) is not dict:
        return "expected a JSON object"
    for name in REQUIRED_STRINGS[table]:
        if type(row.get(name)) is not str:
            return f"field {name!r} must be a string"
    return None


def refused_remapping(table: str, row_id: int, existing: str, uuid: str) -> StoreError:
    """An EC2 id a client has seen must keep naming the same resource: no row is remapped."""
    return StoreError(
        f"{table} row {row_id} already maps to {existing}; refusing to remap it to {uuid}"
    )


def json_copy(value: Any) -> Any:
    """Deep-copy through JSON: what a caller gets back equals what a reopened store returns."""
    return json.loads(json.dumps(value, allow_nan=False))


def clone(value: Any) -> Any:
    """A deep copy of a stored row, equal to :func:`json_copy` of it at a fifth of the cost.

    Every stored row went through :func:`json_copy` (or ``json.loads``) on its way in, so
    it holds only dicts, lists and immutable scalars: copying the containers is enough.
    """
    kind = type(value)
    if kind is dict:
        return {
            key: clone(item) if type(item) in _CONTAINERS else item for key, item in value.items()
        }
    if kind is list:
        return [clone(item) if type(item) in _CONTAINERS else item for item in value]
    return value


_CONTAINERS = frozenset({dict, list})
"""What :func:`clone` copies; every other stored value is immutable and is shared (tested
in line, since a call per leaf was most of a copy's cost)."""


def empty_tables() -> Tables:
    return {name: {} for name in REQUIRED_STRINGS}


def checked_row(table: str, value: Any, refused: str) -> dict[str, Any]:
    """A JSON-normalised private copy of a row ``table`` accepts, else StoreError(``refused: why``).

    MappingStore's writes and TinyDB's writes through the store share it, so neither can
    acknowledge a row the other (or a reopen) would refuse.
    """
    try:
        doc: dict[str, Any] = json_copy(value)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"{refused}: not JSON: {exc}") from exc
    problem = row_problem(table, doc)
    if problem:
        raise StoreError(f"{refused}: {problem}")
    return doc
