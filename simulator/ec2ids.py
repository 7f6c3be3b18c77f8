"""EC2 id <-> integer <-> UUID conversions, as Nova's ``ec2utils`` does them.

EC2 ids carry the mapping row's integer id in **hexadecimal** after the last dash
(``snap-0000000a`` is row 10). The pure conversions are plain functions; those that need
the mapping tables take the :class:`MappingStore` explicitly. As in Nova, the int -> uuid
direction only raises, while the uuid -> int direction creates rows on demand.
"""

from __future__ import annotations

import re
from typing import Any

from simulator.errors import (
    ImageNotFound,
    InstanceNotFound,
    InvalidEc2Id,
    NotFound,
    SnapshotNotFound,
    VolumeNotFound,
)
from simulator.store import MappingStore, MappingTable

_UUID_LIKE = re.compile(
    r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
)

_NOT_FOUND: dict[MappingTable, tuple[type[NotFound], str]] = {
    MappingTable.S3_IMAGES: (ImageNotFound, "image_id"),
    MappingTable.SNAPSHOTS: (SnapshotNotFound, "snapshot_id"),
    MappingTable.VOLUMES: (VolumeNotFound, "volume_id"),
    MappingTable.INSTANCES: (InstanceNotFound, "instance_id"),
}


def py2_int(text: str, base: int) -> int:
    """``int(text, base)`` as Nova's Python 2 parsed it: ``_`` digit separators are refused.

    Surrounding whitespace and a ``0x``/``0b``/``0o`` prefix matching the base are accepted
    by both versions, so only Python 3's separators need refusing.
    """
    if "_" in text:
        raise ValueError(f"invalid literal for int() with base {base}: {text!r}")
    return int(text, base)


def ec2_id_to_id(ec2_id: str) -> int:
    """``int(ec2_id.split('-')[-1], 16)``; the prefix is ignored, as in Nova.

    A non-string raises AttributeError, as Nova's did.
    """
    try:
        return py2_int(ec2_id.split("-")[-1], 16)
    except ValueError:
        raise InvalidEc2Id(ec2_id=ec2_id) from None


def id_to_ec2_id(instance_id: Any, template: str = "i-%08x") -> str:
    return template % int(instance_id)


def image_type(container_format: Any) -> str:
    """The EC2 prefix for a Glance container format (kernel -> aki, ramdisk -> ari, else ami)."""
    if container_format in ("kernel", "aki"):
        return "aki"
    if container_format in ("ramdisk", "ari"):
        return "ari"
    return "ami"


def image_ec2_id(image_id: Any, image_type_prefix: str = "ami") -> str:
    try:
        return id_to_ec2_id(image_id, image_type_prefix + "-%08x")
    except ValueError:
        return "ami-00000000"


_UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


def uuid4_text(random_bits: int) -> str:
    """``str(uuid.UUID(int=random_bits, version=4))``, built directly at a third of the cost
    (request ids and instance uuids are made for every launch)."""
    digits = "%032x" % (random_bits & _UUID4_CLEAR | _UUID4_SET)
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def is_uuid_like(value: Any) -> bool:
    return isinstance(value, str) and _UUID_LIKE.match(value) is not None


def mapping_uuid(store: MappingStore, table: MappingTable, row_id: int) -> str:
    """The uuid of mapping row ``row_id``; raises the table's NotFound (never creates)."""
    found = store.mapping_uuid(table, row_id)
    if found is None:
        exc_class, key = _NOT_FOUND[table]
        details: dict[str, Any] = {key: row_id}
        raise exc_class(**details)
    return found


def ec2_snap_id_to_uuid(store: MappingStore, ec2_id: str) -> str:
    return mapping_uuid(store, MappingTable.SNAPSHOTS, ec2_id_to_id(ec2_id))


def ec2_vol_id_to_uuid(store: MappingStore, ec2_id: str) -> str:
    return mapping_uuid(store, MappingTable.VOLUMES, ec2_id_to_id(ec2_id))


def ec2_inst_id_to_uuid(store: MappingStore, ec2_id: str) -> str:
    return mapping_uuid(store, MappingTable.INSTANCES, ec2_id_to_id(ec2_id))


def id_to_glance_id(store: MappingStore, image_id: int) -> str:
    return mapping_uuid(store, MappingTable.S3_IMAGES, image_id)


def glance_id_to_id(store: MappingStore, glance_id: str | None) -> int | None:
    """The s3 image id of a Glance uuid, creating the row on first sight (as Nova does)."""
    if glance_id is None:
        return None
    return store.get_or_add_mapping(MappingTable.S3_IMAGES, glance_id)


def glance_id_to_ec2_id(store: MappingStore, glance_id: str | None, prefix: str = "ami") -> str:
    return image_ec2_id(glance_id_to_id(store, glance_id), prefix)


def _id_to_ec2_mapped_id(
    value: Any, table: MappingTable, template: str, store: MappingStore | None
) -> str:
    if is_uuid_like(value):
        if store is None:
            raise ValueError(f"a uuid ({value}) needs the mapping store to become an EC2 id")
        value = store.get_or_add_mapping(table, value)
    return id_to_ec2_id(value, template)


def id_to_ec2_inst_id(instance_id: Any, store: MappingStore | None = None) -> str | None:
    """``i-%08x`` of an int, or of a uuid's mapping row (created on first sight); None stays."""
    if instance_id is None:
        return None
    return _id_to_ec2_mapped_id(instance_id, MappingTable.INSTANCES, "i-%08x", store)


def id_to_ec2_snap_id(snapshot_id: Any, store: MappingStore | None = None) -> str:
    """``snap-%08x`` of an int (Nova's signature), or of a uuid's mapping row with ``store``."""
    return _id_to_ec2_mapped_id(snapshot_id, MappingTable.SNAPSHOTS, "snap-%08x", store)


def id_to_ec2_vol_id(volume_id: Any, store: MappingStore | None = None) -> str:
    """``vol-%08x`` of an int (Nova's signature), or of a uuid's mapping row with ``store``."""
    return _id_to_ec2_mapped_id(volume_id, MappingTable.VOLUMES, "vol-%08x", store)
