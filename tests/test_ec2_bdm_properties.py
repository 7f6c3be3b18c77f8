"""Property-based checks of the block device mapping invariants and the create-call contract."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator import EC2Error, Simulator
from simulator.contracts import default_registry
from simulator.ec2_bdm import parse_block_device_mapping
from simulator.ec2ids import is_uuid_like
from simulator.store import MappingStore, MappingTable

SNAPSHOT_IDS = {
    10: "00000000-1111-2222-3333-444444444444",
    0x12345678: "11111111-2222-3333-4444-555555555555",
}
VOLUME_IDS = {5: "22222222-3333-4444-5555-666666666666"}


def make_store() -> MappingStore:
    store = MappingStore.in_memory()
    for row_id, uuid in SNAPSHOT_IDS.items():
        store.add_mapping(MappingTable.SNAPSHOTS, uuid, row_id)
    for row_id, uuid in VOLUME_IDS.items():
        store.add_mapping(MappingTable.VOLUMES, uuid, row_id)
    return store


STORE = make_store()

ec2_ids = st.one_of(
    st.sampled_from(["snap-0000000a", "snap-12345678", "vol-00000005", "snap-a", "vol-5"]),
    st.builds(lambda p, n: f"{p}-{n:08x}", st.sampled_from(["snap", "vol"]), st.integers(0, 2**32)),
)
ebs = st.fixed_dictionaries(
    {},
    optional={
        "snapshot_id": ec2_ids,
        "volume_size": st.integers(0, 1024),
        "delete_on_termination": st.booleans(),
        "no_device": st.booleans(),
    },
)
bdms = st.fixed_dictionaries(
    {"device_name": st.sampled_from(["/dev/sda1", "/dev/vdb", "/dev/fake0", "xvdc"])},
    optional={"ebs": ebs, "virtual_name": st.sampled_from(["ephemeral0", "ephemeral1", "swap"])},
)


@given(bdms)
def test_no_ebs_survives_and_ids_become_uuids_or_not_found(bdm: dict[str, Any]) -> None:
    ebs_before = dict(bdm.get("ebs") or {})
    try:
        result = parse_block_device_mapping(STORE, bdm)
    except EC2Error as exc:
        assert exc.code in {"SnapshotNotFound", "VolumeNotFound"}
        assert exc.message.endswith("could not be found.")
        return
    assert "ebs" not in result
    ec2_id = ebs_before.get("snapshot_id")
    if ec2_id:
        key = "snapshot_id" if ec2_id.startswith("snap-") else "volume_id"
        assert is_uuid_like(result[key])
        assert result["delete_on_termination"] == ebs_before.get("delete_on_termination", True)
    else:
        assert "snapshot_id" not in result and "volume_id" not in result


@settings(max_examples=60)
@given(
    st.lists(bdms, max_size=6), st.integers(1, 3), st.sampled_from([None, "m1.tiny", "m1.small"])
)
def test_every_accepted_launch_satisfies_the_schema(
    mappings: list[dict[str, Any]], min_count: int, instance_type: str | None
) -> None:
    sim = Simulator.from_seed(
        {
            "snapshots": [{"ec2_id": f"snap-{k:08x}", "uuid": v} for k, v in SNAPSHOT_IDS.items()],
            "volumes": [{"ec2_id": f"vol-{k:08x}", "uuid": v} for k, v in VOLUME_IDS.items()],
            "images": [
                {
                    "ec2_id": "ami-00000001",
                    "uuid": "70a599e0-31e7-49b7-b260-868f441e862b",
                    "name": "cirros",
                    "status": "active",
                    "container_format": "ami",
                    "properties": {},
                }
            ],
            "instance_types": [
                {"name": "m1.tiny", "memory_mb": 512, "vcpus": 1, "root_gb": 0},
                {"name": "m1.small", "memory_mb": 2048, "vcpus": 1, "root_gb": 20},
            ],
        }
    )
    kwargs: dict[str, Any] = {
        "image_id": "ami-00000001",
        "min_count": min_count,
        "block_device_mapping": mappings,
    }
    if instance_type:
        kwargs["instance_type"] = instance_type
    try:
        sim.run_instances(**kwargs)
    except EC2Error as exc:
        assert exc.code in {"SnapshotNotFound", "VolumeNotFound", "InvalidRequest"}
        return
    call = sim.compute.calls[-1].to_dict()
    assert default_registry().validate("create_call", call) == []
    assert all("ebs" not in bdm for bdm in call["block_device_mapping"] or [])
