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


MAX_ROW_ID: Final = 2**63 - 1
"""The largest row id a store holds: a SQL ``BIGINT``'s, the widest id column any database
Nova ran on could autoincrement into (Nova's own were ``INT``, yet the shipped seed's
``vol-87654321`` is already past ``INT``'s 2**31 - 1). An EC2 id's hex has no length limit,
and a row id of 4,300 decimal digits or more cannot even be written as the row's key
(Python refuses such an ``int`` to ``str``), so a seed, a write or a store file naming an
id past this one is refused, not left to fail as a traceback halfway through."""

PAST_MAX_ROW_ID: Final = f"past the largest row id a store holds ({MAX_ROW_ID})"
"""Why a row id above :data:`MAX_ROW_ID` is refused; the id itself is not shown, as one of
thousands of digits cannot be written in decimal."""


def doc_id_problem(key: object) -> str | None:
    """Why ``key`` is no row's key, or None: only canonical decimals (``table.get(doc_id=n)``
    looks rows up under ``str(n)``), up to :data:`MAX_ROW_ID`."""
    if not (type(key) is str and key.isascii() and key.isdigit() and key[0] != "0"):
        return "not a positive decimal"
    if len(key) >= _MAX_ROW_ID_DIGITS and (len(key) > _MAX_ROW_ID_DIGITS or int(key) > MAX_ROW_ID):
        return PAST_MAX_ROW_ID
    return None


_MAX_ROW_ID_DIGITS: Final = len(str(MAX_ROW_ID))


def shown_key(key: object) -> str:
    """``repr(key)`` for a message, cut short: a hand-written key may be thousands of digits,
    and the message is one line."""
    shown = repr(key)
    return shown if len(shown) <= _SHOWN_KEY else f"{shown[: _SHOWN_KEY - 3]}..."


_SHOWN_KEY: Final = 40


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
    it holds only dicts, lists and immutable scalars: copying the containers is enough. A
    dict is copied whole (``dict.copy``) and only its containers replaced, cheaper than a
    store per key in a new dict.
    """
    kind = type(value)
    if kind is dict:
        copied = value.copy()
        for key, item in copied.items():
            if type(item) in _CONTAINERS:
                copied[key] = clone(item)
        return copied
    if kind is list:
        return [clone(item) if type(item) in _CONTAINERS else item for item in value]
    return value


_CONTAINERS = frozenset({dict, list})
"""What :func:`clone` copies; every other stored value is immutable and is shared (tested
in line, since a call per leaf was most of a copy's cost)."""


def empty_tables() -> Tables:
    return {name: {} for name in REQUIRED_STRINGS}


MAX_ROW_DEPTH: Final = 32
"""How deeply a row's containers may nest (the row itself is one level). Rows are copied
recursively at every read (:func:`clone`), which fails at about 490 levels, short of the
1,000 or so JSON's parser and encoder reach: a seed image's ``properties`` 500 levels deep
was imported, then every ``store export`` ended in a RecursionError. 32 is far beyond any
image property Glance held (a ``block_device_mapping`` property is three levels) and any
instance row a launch makes (its request may nest 8 levels)."""

DEEP_ROW_TABLES: Final = frozenset({IMAGES, INSTANCE_TYPES})
"""The tables whose rows are checked for depth as a store opens: the catalogue's, which seeds
and tools write. Instance rows are made by launches, whose requests are bounded far below the
limit, and mapping rows are only ever read for their uuid; walking every row of those tables
would add about a third to the time a large store takes to open."""


def nested_too_deeply(value: Any, levels: int = MAX_ROW_DEPTH) -> bool:
    """Whether ``value`` holds containers more than ``levels`` deep (``{}`` is one level);
    it recurses at most ``levels`` calls, so it answers for any depth."""
    if type(value) is dict:
        items: Any = value.values()
    elif type(value) is list:
        items = value
    else:
        return False
    if levels <= 0:
        return True
    return any(nested_too_deeply(item, levels - 1) for item in items if type(item) in _CONTAINERS)


TOO_DEEP: Final = f"nested more than {MAX_ROW_DEPTH} levels deep"


def depth_problem(table: str, row: Any) -> str | None:
    """Why a row of ``table`` read from a store's files is too deep to serve, or None."""
    return TOO_DEEP if table in DEEP_ROW_TABLES and nested_too_deeply(row) else None


def checked_row(table: str, value: Any, refused: str) -> dict[str, Any]:
    """A JSON-normalised private copy of a row ``table`` accepts, else StoreError(``refused: why``).

    MappingStore's writes and TinyDB's writes through the store share it, so neither can
    acknowledge a row the other (or a reopen) would refuse. A catalogue row's depth is
    checked first, on the value as given (:data:`DEEP_ROW_TABLES`); an instance row embeds
    its image's properties a few levels down, so it is held only to what JSON can copy.
    """
    too_deep = depth_problem(table, value)
    if too_deep:
        raise StoreError(f"{refused}: {too_deep}")
    try:
        doc: dict[str, Any] = json_copy(value)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"{refused}: not JSON: {exc}") from exc
    except RecursionError:
        raise StoreError(f"{refused}: not JSON: nested too deeply") from None
    problem = row_problem(table, doc)
    if problem:
        raise StoreError(f"{refused}: {problem}")
    return doc
