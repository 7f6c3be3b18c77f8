"""Which rows a store served while a cassette was recording, and those rows themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.store.tables import MappingTable


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
