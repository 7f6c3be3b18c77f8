"""EC2 ids through the mapping tables, as Nova's ``ec2utils`` looks them up in its database.

An EC2 id's integer is a row of a mapping table (``s3_images``, ``snapshot_id_mappings``,
``volume_id_mappings``, ``instance_id_mappings``) that holds the resource's uuid; these
conversions take the :class:`MappingStore` explicitly. As in Nova, the int -> uuid direction
only raises, while the uuid -> int direction creates rows on demand. The arithmetic on the
ids themselves is :mod:`simulator.ec2ids`, which needs no store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulator.ec2ids import (
    IMAGE_TEMPLATES,
    ec2_id_to_id,
    id_to_ec2_id,
    image_ec2_id,
    is_uuid_like,
)
from simulator.errors import (
    ImageNotFound,
    InstanceNotFound,
    NotFound,
    SnapshotNotFound,
    VolumeNotFound,
)
from simulator.id_prefixes import EC2_ID_PREFIXES, ec2_id_template
from simulator.store import MappingStore, MappingTable

_S3_IMAGES = MappingTable.S3_IMAGES
_SNAPSHOTS = MappingTable.SNAPSHOTS
_VOLUMES = MappingTable.VOLUMES
_INSTANCES = MappingTable.INSTANCES
"""The tables' members, read off their class once: on Python 3.11 every attribute read on an
Enum class goes through ``EnumType.__getattr__``'s hook (a bound slot wrapper built and
called each time, about 900 instructions), and a launch names a table some twenty times."""

_NOT_FOUND: dict[MappingTable, tuple[type[NotFound], str]] = {
    _S3_IMAGES: (ImageNotFound, "image_id"),
    _SNAPSHOTS: (SnapshotNotFound, "snapshot_id"),
    _VOLUMES: (VolumeNotFound, "volume_id"),
    _INSTANCES: (InstanceNotFound, "instance_id"),
}


def mapping_uuid(store: MappingStore, table: MappingTable, row_id: int) -> str:
    """The uuid of mapping row ``row_id``; raises the table's NotFound (never creates)."""
    found = store.mapping_uuid(table, row_id)
    if found is None:
        exc_class, key = _NOT_FOUND[table]
        details: dict[str, Any] = {key: row_id}
        raise exc_class(**details)
    return found


def ec2_snap_id_to_uuid(store: MappingStore, ec2_id: str) -> str:
    return mapping_uuid(store, _SNAPSHOTS, ec2_id_to_id(ec2_id))


def ec2_vol_id_to_uuid(store: MappingStore, ec2_id: str) -> str:
    return mapping_uuid(store, _VOLUMES, ec2_id_to_id(ec2_id))


def id_to_glance_id(store: MappingStore, image_id: int) -> str:
    return mapping_uuid(store, _S3_IMAGES, image_id)


def glance_id_to_id(store: MappingStore, glance_id: str | None) -> int | None:
    """The s3 image id of a Glance uuid, creating the row on first sight (as Nova does)."""
    if glance_id is None:
        return None
    return store.get_or_add_mapping(_S3_IMAGES, glance_id)


def glance_id_to_ec2_id(
    store: MappingStore, glance_id: str | None, prefix: str = EC2_ID_PREFIXES["s3_images"]
) -> str:
    """``image_ec2_id(glance_id_to_id(glance_id), prefix)``. The s3 id of a Glance id is a
    row id, an int, so an image prefix's template is filled in with it here, without the
    two calls that come to the same for an int (an image's id, its kernel's and its
    ramdisk's in every instance shown); a None id fails in :func:`image_ec2_id` as in Nova."""
    template = IMAGE_TEMPLATES.get(prefix)
    if template is None or glance_id is None:
        return image_ec2_id(glance_id_to_id(store, glance_id), prefix)
    return template % store.get_or_add_mapping(_S3_IMAGES, glance_id)


_TEMPLATES = {table: ec2_id_template(EC2_ID_PREFIXES[table.name.lower()]) for table in MappingTable}
"""Each table's EC2 id template (``snap-%08x``), written once rather than on every id."""


UuidTest = Callable[[Any], bool]
"""What a release's ``is_uuid_like`` takes for a uuid (:func:`simulator.ec2ids.is_uuid_like`,
Folsom's :func:`simulator.ec2ids.parses_as_uuid`)."""


def _id_to_ec2_mapped_id(
    value: Any, table: MappingTable, store: MappingStore | None, uuid_like: UuidTest
) -> str:
    """The row of a uuid is an int, whose EC2 id is its table's template filled in (what
    :func:`~simulator.ec2ids.id_to_ec2_id` does with an int, without the call); any other
    value is read as that function reads it."""
    if uuid_like(value):
        if store is None:
            raise ValueError(f"a uuid ({value}) needs the mapping store to become an EC2 id")
        return _TEMPLATES[table] % store.get_or_add_mapping(table, value)
    return id_to_ec2_id(value, _TEMPLATES[table])


def id_to_ec2_inst_id(
    instance_id: Any, store: MappingStore | None = None, uuid_like: UuidTest = is_uuid_like
) -> str | None:
    """``i-%08x`` of an int, or of a uuid's mapping row (created on first sight); None stays."""
    if instance_id is None:
        return None
    return _id_to_ec2_mapped_id(instance_id, _INSTANCES, store, uuid_like)


def id_to_ec2_snap_id(
    snapshot_id: Any, store: MappingStore | None = None, uuid_like: UuidTest = is_uuid_like
) -> str:
    """``snap-%08x`` of an int (Nova's signature), or of a uuid's mapping row with ``store``."""
    return _id_to_ec2_mapped_id(snapshot_id, _SNAPSHOTS, store, uuid_like)


def id_to_ec2_vol_id(
    volume_id: Any, store: MappingStore | None = None, uuid_like: UuidTest = is_uuid_like
) -> str:
    """``vol-%08x`` of an int (Nova's signature), or of a uuid's mapping row with ``store``."""
    return _id_to_ec2_mapped_id(volume_id, _VOLUMES, store, uuid_like)
