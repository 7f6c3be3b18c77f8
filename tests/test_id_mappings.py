"""EC2 ids through the mapping tables: lookups raise, reverse conversions create rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from simulator import id_mappings
from simulator.ec2ids import id_to_ec2_id, image_ec2_id, is_uuid_like, parses_as_uuid
from simulator.errors import ImageNotFound, SnapshotNotFound, VolumeNotFound
from simulator.id_mappings import UuidTest
from simulator.id_prefixes import EC2_ID_PREFIXES
from simulator.store import MappingStore, MappingTable

UUID = "00000000-1111-2222-3333-444444444444"


def test_every_mapping_table_has_its_prefix() -> None:
    assert {table: EC2_ID_PREFIXES[table.name.lower()] for table in MappingTable} == {
        MappingTable.S3_IMAGES: "ami",
        MappingTable.SNAPSHOTS: "snap",
        MappingTable.VOLUMES: "vol",
        MappingTable.INSTANCES: "i",
    }


def test_int_to_uuid_lookups_raise_and_never_create() -> None:
    store = MappingStore.in_memory()
    store.add_mapping(MappingTable.SNAPSHOTS, UUID, 10)
    assert id_mappings.ec2_snap_id_to_uuid(store, "snap-0000000a") == UUID
    with pytest.raises(SnapshotNotFound) as snap:
        id_mappings.ec2_snap_id_to_uuid(store, "snap-ff")
    assert snap.value.code == "SnapshotNotFound"
    assert snap.value.message == "Snapshot snap-000000ff could not be found."
    with pytest.raises(VolumeNotFound):
        id_mappings.ec2_vol_id_to_uuid(store, "vol-0000000a")
    with pytest.raises(ImageNotFound):
        id_mappings.id_to_glance_id(store, 1)
    assert store.mapping_count(MappingTable.VOLUMES) == 0


def test_uuid_to_int_creates_rows_once() -> None:
    store = MappingStore.in_memory()
    store.add_mapping(MappingTable.S3_IMAGES, "11111111-1111-1111-1111-111111111111", 7)
    assert id_mappings.glance_id_to_id(store, UUID) == 8
    assert id_mappings.glance_id_to_id(store, UUID) == 8
    assert id_mappings.glance_id_to_ec2_id(store, UUID, "aki") == "aki-00000008"
    assert id_mappings.glance_id_to_id(store, None) is None
    assert id_mappings.id_to_ec2_snap_id(UUID, store) == "snap-00000001"
    assert id_mappings.id_to_ec2_snap_id(28) == "snap-0000001c"
    assert id_mappings.id_to_ec2_vol_id(28) == "vol-0000001c"
    assert id_mappings.id_to_ec2_inst_id(30) == "i-0000001e"
    assert id_mappings.id_to_ec2_inst_id(None) is None


@pytest.mark.parametrize("prefix", ["ami", "aki", "ari", "snap"])
@pytest.mark.parametrize("glance_id", [UUID, "not-a-uuid", "café", "5"])
def test_an_image_prefix_s_ec2_id_is_image_ec2_id_of_the_s3_row(
    prefix: str, glance_id: Any
) -> None:
    """The template filled in at once for an image prefix, as image_ec2_id fills it for any."""
    store = MappingStore.in_memory()
    store.add_mapping(MappingTable.S3_IMAGES, "11111111-1111-1111-1111-111111111111", 7)
    fast = id_mappings.glance_id_to_ec2_id(store, glance_id, prefix)
    assert fast == image_ec2_id(id_mappings.glance_id_to_id(store, glance_id), prefix)
    assert fast == f"{prefix}-00000008"


def test_a_glance_id_of_none_fails_as_image_ec2_id_does() -> None:
    store = MappingStore.in_memory()
    for prefix in ("ami", "snap"):
        with pytest.raises(TypeError):
            id_mappings.glance_id_to_ec2_id(store, None, prefix)
    assert store.mapping_count(MappingTable.S3_IMAGES) == 0


@pytest.mark.parametrize("uuid_like", [is_uuid_like, parses_as_uuid])
@pytest.mark.parametrize("value", [UUID, UUID.upper(), "{" + UUID + "}", 28, "28", "1_0"])
def test_a_mapped_id_s_ec2_id_is_id_to_ec2_id_of_its_row(uuid_like: UuidTest, value: Any) -> None:
    store = MappingStore.in_memory()
    store.add_mapping(MappingTable.VOLUMES, "11111111-1111-1111-1111-111111111111", 7)

    def outcome(convert: Callable[[], str]) -> Any:
        try:
            return convert()
        except ValueError as exc:
            return type(exc)

    fast = outcome(lambda: id_mappings.id_to_ec2_vol_id(value, store, uuid_like))
    row = store.get_or_add_mapping(MappingTable.VOLUMES, value) if uuid_like(value) else value
    assert fast == outcome(lambda: id_to_ec2_id(row, "vol-%08x"))
