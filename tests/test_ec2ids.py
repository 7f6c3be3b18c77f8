"""EC2 id conversions: Nova's ``ec2utils`` rules (hex after the last dash, ``%08x``)."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator import ec2ids
from simulator.errors import ImageNotFound, InvalidEc2Id, SnapshotNotFound, VolumeNotFound
from simulator.store import MappingStore, MappingTable

UUID = "00000000-1111-2222-3333-444444444444"


@pytest.mark.parametrize(
    ("ec2_id", "expected"),
    [
        ("i-0000001e", 30),
        ("ami-1d", 29),
        ("snap-0000001c", 28),
        ("vol-0000001b", 27),
        ("snap-0000000a", 10),
        ("snap-0000000A", 10),
        ("snap-a", 10),
        ("snap-10", 16),
        ("SNAP-0000000a", 10),
        ("snap-0x10", 16),
        ("snap-a-b", 11),
        ("ami-face", 64206),
        ("deadbeef", 3735928559),
        ("snap- a ", 10),
    ],
)
def test_ec2_id_to_id(ec2_id: str, expected: int) -> None:
    assert ec2ids.ec2_id_to_id(ec2_id) == expected


@pytest.mark.parametrize("ec2_id", ["ami-fake", "badone", "i-", "snap-1_0", "snap-", "vol-zz"])
def test_malformed_ids(ec2_id: str) -> None:
    with pytest.raises(InvalidEc2Id) as caught:
        ec2ids.ec2_id_to_id(ec2_id)
    assert str(caught.value) == f"Ec2 id {ec2_id} is unacceptable."


def test_non_string_id_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        ec2ids.ec2_id_to_id(5)  # type: ignore[arg-type]


def test_id_to_ec2_id() -> None:
    assert ec2ids.id_to_ec2_id(30) == "i-0000001e"
    assert ec2ids.id_to_ec2_id(29, "ami-%08x") == "ami-0000001d"
    assert ec2ids.id_to_ec2_id(0x123456789) == "i-123456789"
    assert ec2ids.image_ec2_id("x") == "ami-00000000"
    assert ec2ids.image_ec2_id(3, "aki") == "aki-00000003"


@pytest.mark.parametrize(
    ("container_format", "prefix"),
    [
        ("kernel", "aki"),
        ("aki", "aki"),
        ("ramdisk", "ari"),
        ("ari", "ari"),
        ("ami", "ami"),
        ("bare", "ami"),
        ("ovf", "ami"),
        (None, "ami"),
    ],
)
def test_image_type(container_format: str | None, prefix: str) -> None:
    assert ec2ids.image_type(container_format) == prefix


@given(
    st.integers(min_value=0, max_value=2**64),
    st.sampled_from(["ami", "aki", "ari", "snap", "vol", "i", "r"]),
)
def test_round_trip(row_id: int, prefix: str) -> None:
    ec2_id = ec2ids.id_to_ec2_id(row_id, prefix + "-%08x")
    assert ec2_id == ec2_id.lower() and len(ec2_id) >= len(prefix) + 9
    assert ec2ids.ec2_id_to_id(ec2_id) == row_id
    assert ec2ids.ec2_id_to_id(ec2_id.upper()) == row_id


def test_int_to_uuid_lookups_raise_and_never_create() -> None:
    store = MappingStore.in_memory()
    store.add_mapping(MappingTable.SNAPSHOTS, UUID, 10)
    assert ec2ids.ec2_snap_id_to_uuid(store, "snap-0000000a") == UUID
    with pytest.raises(SnapshotNotFound) as snap:
        ec2ids.ec2_snap_id_to_uuid(store, "snap-ff")
    assert snap.value.code == "SnapshotNotFound"
    assert snap.value.message == "Snapshot snap-000000ff could not be found."
    with pytest.raises(VolumeNotFound):
        ec2ids.ec2_vol_id_to_uuid(store, "vol-0000000a")
    with pytest.raises(ImageNotFound):
        ec2ids.id_to_glance_id(store, 1)
    assert store.mapping_count(MappingTable.VOLUMES) == 0


def test_uuid_to_int_creates_rows_once() -> None:
    store = MappingStore.in_memory()
    store.add_mapping(MappingTable.S3_IMAGES, "11111111-1111-1111-1111-111111111111", 7)
    assert ec2ids.glance_id_to_id(store, UUID) == 8
    assert ec2ids.glance_id_to_id(store, UUID) == 8
    assert ec2ids.glance_id_to_ec2_id(store, UUID, "aki") == "aki-00000008"
    assert ec2ids.glance_id_to_id(store, None) is None
    assert ec2ids.id_to_ec2_snap_id(UUID, store) == "snap-00000001"
    assert ec2ids.id_to_ec2_snap_id(28) == "snap-0000001c"
    assert ec2ids.id_to_ec2_vol_id(28) == "vol-0000001c"
    assert ec2ids.id_to_ec2_inst_id(30) == "i-0000001e"
    assert ec2ids.id_to_ec2_inst_id(None) is None


@given(st.integers(min_value=0, max_value=2**128 - 1))
def test_uuid4_text_is_what_the_uuid_module_writes(bits: int) -> None:
    assert ec2ids.uuid4_text(bits) == str(uuid.UUID(int=bits, version=4))
