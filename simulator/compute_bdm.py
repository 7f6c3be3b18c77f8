"""The compute side of block devices: the rows compute gives each new instance (Grizzly's
``compute.api`` and ``nova.block_device``).

The create call carries the request's mappings as the EC2 layer normalized them
(:mod:`simulator.ec2_bdm`); that is the contract. What RunInstances then *answers* is read
back from the instance's own rows, which compute builds differently: the image's
swap/ephemeral ``mappings`` first, then the image's ``block_device_mapping``, then the
request's, each written over the row of the same device, swap and ephemeral sizes taken
from the flavor, and ``NoDevice`` blanking a row. So a ``NoDevice`` volume or an
``ephemeral1`` entry is in the create call but not in the answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from simulator.errors import DBError

# Python 2's ``\d`` in a str pattern: ASCII digits only.
_EPHEMERAL = re.compile(r"^ephemeral([0-9]|[1-9][0-9]+)$")
ROW_FIELDS = (
    "device_name",
    "delete_on_termination",
    "virtual_name",
    "snapshot_id",
    "volume_id",
    "volume_size",
    "no_device",
)
_BLANKED_BY_NO_DEVICE = ROW_FIELDS[1:6]
_EMPTY_ROW = MappingProxyType(dict.fromkeys(ROW_FIELDS))
_ROW_WIDTH = len(ROW_FIELDS)
_ROW_FIELD_SET = frozenset(ROW_FIELDS)

Row = dict[str, Any]


def is_ephemeral(name: Any) -> bool:
    """``ephemeral0``, ``ephemeral12``; not ``ephemeral01``. A non-string fails as in Nova."""
    return _EPHEMERAL.match(name) is not None


def is_swap_or_ephemeral(name: Any) -> bool:
    return name == "swap" or is_ephemeral(name)


def named_swap_or_ephemeral(name: Any) -> bool:
    """Havana's ``block_device.is_swap_or_ephemeral`` (``device_name and (...)``,
    ``bd:371-373@2013.2.4``): falsy for an empty or missing name, which Grizzly's pattern
    was asked to match (TypeError on None)."""
    return bool(name) and is_swap_or_ephemeral(name)


def properties_root_device_name(properties: Mapping[str, Any]) -> Any:
    """The root device an image names: ``root_device_name``, else its ``root`` mapping, else None.

    The instance's ``rootDeviceName`` comes from here (``/dev/sda1`` when None).
    """
    root_device_name = None
    for mapping in properties.get("mappings", []):
        if mapping["virtual"] == "root":
            root_device_name = mapping["device"]
    if "root_device_name" in properties:
        root_device_name = properties["root_device_name"]
    return root_device_name


def _volume_size(instance_type: Mapping[str, Any], virtual_name: str) -> Any:
    """The flavor's swap or ephemeral size; 0 (the row is skipped) for ``ephemeralN``, N > 0.

    Asked only of a name :func:`is_swap_or_ephemeral` accepts. A seed flavor without
    ``swap``/``ephemeral_gb`` has Nova's column default, 0.
    """
    if virtual_name == "swap":
        return instance_type.get("swap", 0)
    if not _is_disk_zero(virtual_name):
        return 0
    return instance_type.get("ephemeral_gb", 0)


def _is_disk_zero(name: str) -> bool:
    """Whether ``block_device.ephemeral_num`` is 0: ``int()`` of what the pattern's
    substitution leaves, its number and at most a final newline (``$`` matches before
    one, and ``int`` skips it), so ``ephemeral0`` and ``ephemeral0`` + newline are both
    disk 0. The number is compared as text: the pattern allows no leading zero, and one of
    any length (Python 2's ``int`` had no digit limit) is above 0."""
    matched = _EPHEMERAL.match(name)
    return matched is not None and matched.group(1) == "0"


class DeviceRows:
    """An instance's rows in creation order, found by device name as the database finds them.

    Each row is kept as it is made, as Nova wrote each to the database at once: the rows
    made before a failure stay. ``scrubs_empty_size`` is whether the database first drops
    an empty ``volume_size`` from the values it is given (Grizzly on; Folsom writes it).
    """

    def __init__(self, *, scrubs_empty_size: bool = True) -> None:
        self.rows: list[Row] = []
        self._by_device: dict[Any, Row] = {}
        self._scrubs_empty_size = scrubs_empty_size

    def update_or_create(self, values: Row) -> None:
        """``db.block_device_mapping_update_or_create``: one row per device name.

        ``values`` holds the fields Nova's caller passed: every one from
        ``_update_block_device_mapping`` (a dict of the caller's own, kept as the new row),
        three from ``_update_image_block_device_mapping``. From Grizzly on an empty
        ``volume_size`` is first deleted from them (``_scrub_empty_str_values``,
        ``db/sqlalchemy/api.py:2939-2946,2967@2013.1.5``), so a new row has none and an
        existing one keeps its own. A device named again updates its row in place with
        those fields; a swap or ephemeral disk named under a new device replaces the rows
        that had it under another. A new row has every field (:meth:`insert`).

        A device name of None finds no row (``device_name IS NULL``) and cannot be inserted
        into the ``NOT NULL`` column (``models.py:546@2012.2.4``, ``433@2013.1.5``): the
        driver's IntegrityError, wrapped as :class:`~simulator.errors.DBError`
        (``db/sqlalchemy/api.py:3360-3370@2012.2.4``, ``2966-2977@2013.1.5``). Only an
        image's mapping can name no device: the create call's contract refuses a request's.
        """
        if values["volume_size"] == "" and self._scrubs_empty_size:
            del values["volume_size"]
        device_name = values["device_name"]
        if device_name is None:
            raise DBError(inner_exception=_NULL_DEVICE_NAME)
        existing = self._by_device.get(device_name)
        if existing is None:
            self.insert(
                values if len(values) == _ROW_WIDTH else {**_EMPTY_ROW, **values}, device_name
            )
        else:
            existing.update(values)
        virtual_name = values["virtual_name"]
        if virtual_name is not None and is_swap_or_ephemeral(virtual_name):
            replaced = [
                row
                for row in self.rows
                if row["virtual_name"] == virtual_name and row["device_name"] != device_name
            ]
            for row in replaced:
                self.rows.remove(row)
                self._by_device.pop(row["device_name"], None)

    def insert(self, row: Row, device_name: Any) -> None:
        """An INSERT of ``row``, last in creation order and found by ``device_name`` from
        now on, as every release's ``block_device_mapping_update_or_create`` makes one
        (``db/sqlalchemy/api.py:3368-3370@2012.2.4``, ``2975-2977@2013.1.5``,
        ``3498-3499@2013.2.4``, ``3540-3541@2014.1.5``). SQLAlchemy (0.7 to 0.9) leaves a
        None out of an INSERT for a column with a default, so a ``delete_on_termination``
        of None is written as the column's default, False (``models.py:552@2012.2.4``,
        ``439@2013.1.5``, ``584@2013.2.4``, ``573@2014.1.5``: the only column with a
        default that a mapping fills), where an UPDATE writes the None (NULL)."""
        if row["delete_on_termination"] is None:
            row["delete_on_termination"] = False
        self.rows.append(row)
        self._by_device[device_name] = row


_NULL_DEVICE_NAME = """(IntegrityError) (1048, "Column 'device_name' cannot be null")"""
"""MySQL's refusal of a NULL device name, as SQLAlchemy wrote it."""


def mappings_prepend_dev(
    mappings: Sequence[dict[str, Any]], swap_or_ephemeral: Callable[[Any], bool]
) -> None:
    """``block_device.mappings_prepend_dev``: ``/dev/`` written before the device of every
    swap/ephemeral mapping, in the image's own dicts, all of them before any device is made
    of them; only those mappings' devices are read. ``swap_or_ephemeral`` is the release's
    ``is_swap_or_ephemeral`` (Havana's is falsy for an empty name, Grizzly's asks the
    pattern)."""
    for mapping in mappings:
        if swap_or_ephemeral(mapping["virtual"]) and not mapping["device"].startswith("/"):
            mapping["device"] = "/dev/" + mapping["device"]


def _apply_image_mappings(
    rows: DeviceRows, instance_type: Mapping[str, Any], mappings: Sequence[dict[str, Any]]
) -> None:
    """``_update_image_block_device_mapping``: the image's swap/ephemeral disks of size > 0.
    A mapping the prefix pass cannot read fails before any row is made; an ``ami`` or
    ``root`` mapping needs no device."""
    mappings_prepend_dev(mappings, is_swap_or_ephemeral)
    for mapping in mappings:
        virtual_name = mapping["virtual"]
        if virtual_name in ("ami", "root") or not is_swap_or_ephemeral(virtual_name):
            continue
        size = _volume_size(instance_type, virtual_name)
        if size == 0:
            continue
        rows.update_or_create(
            {"device_name": mapping["device"], "virtual_name": virtual_name, "volume_size": size}
        )


def _apply_block_device_mapping(
    rows: DeviceRows, instance_type: Mapping[str, Any], mappings: Iterable[Mapping[str, Any]]
) -> None:
    """``_update_block_device_mapping``: the image's or the request's mappings."""
    for bdm in mappings:
        assert "device_name" in bdm, "block device mapping without device_name"
        values = _EMPTY_ROW.copy()
        # A test per key, not ``bdm.keys() & _ROW_FIELD_SET``, which builds a set per mapping;
        # ``keys()`` still: an image's mapping that is text or a list fails there, as before.
        for name in bdm.keys():  # noqa: SIM118
            if name in _ROW_FIELD_SET:
                values[name] = bdm[name]
        virtual_name = values["virtual_name"]
        if virtual_name is not None and is_swap_or_ephemeral(virtual_name):
            size = _volume_size(instance_type, virtual_name)
            if size == 0:
                continue
            values["volume_size"] = size
        if virtual_name == "NoDevice":
            values["no_device"] = True
            values.update(dict.fromkeys(_BLANKED_BY_NO_DEVICE))
        rows.update_or_create(values)


def populate_instance_devices(
    rows: DeviceRows,
    instance_type: Mapping[str, Any],
    image_properties: Mapping[str, Any],
    requested: Sequence[Mapping[str, Any]],
) -> None:
    """``_populate_instance_for_bdm``: the rows it stores for one instance, into ``rows`` in
    creation order (those made before a failure stay there).

    New dicts throughout: the request's mappings are the create call's record and stay as
    they were. The image's ``mappings`` get their ``/dev/`` prefixes in place, as Nova's
    did (the image is this launch's own copy).
    """
    mappings = image_properties.get("mappings", [])
    if mappings:
        _apply_image_mappings(rows, instance_type, mappings)
    for block_device_mapping in (image_properties.get("block_device_mapping", []), requested):
        if block_device_mapping:
            _apply_block_device_mapping(rows, instance_type, block_device_mapping)


_DEV = re.compile(r"^/dev/")


def strip_dev(device_name: Any) -> Any:
    """``block_device.strip_dev``: the device name without a leading ``/dev/``; a name that
    is no text fails as the regular expression does (TypeError)."""
    return _DEV.sub("", device_name) if device_name else device_name
