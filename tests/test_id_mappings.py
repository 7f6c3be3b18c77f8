"""EC2 ids through the mapping tables: lookups raise, reverse conversions create rows."""

from __future__ import annotations

import pytest

from simulator import id_mappings
from simulator.errors import ImageNotFound, SnapshotNotFound, VolumeNotFound
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
