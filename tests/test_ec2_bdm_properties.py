"""Property-based checks of the block device mapping invariants and the create-call contract."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator import EC2Error, Simulator
from simulator.contracts import default_registry
from simulator.ec2_bdm import parse_block_device_mapping
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


def expected_mapping(bdm: dict[str, Any]) -> tuple[dict[str, Any] | None, tuple[str, str] | None]:
    """What Nova's ``_parse_block_device_mapping`` (2013.1.5 nova/api/ec2/cloud.py) makes of
    ``bdm`` with this module's rows, worked out independently of the simulator: the flat
    mapping, or the EC2 error (code, message) for an id no row holds.

    ``ebs`` is folded into the mapping; its ``snapshot_id`` (the integer after the last
    ``-``, in hex) becomes the row's uuid, as ``snapshot_id`` for ``snap-`` and ``volume_id``
    for ``vol-``, with ``delete_on_termination`` defaulting to True. A missing row is
    ``SnapshotNotFound``/``VolumeNotFound``, the Executor naming it by its canonical id.
    """
    result = {key: value for key, value in bdm.items() if key != "ebs"}
    ebs = dict(bdm.get("ebs") or {})
    ec2_id = ebs.pop("snapshot_id", None)
    if ec2_id:
        prefix, number = ec2_id.split("-")[0], int(ec2_id.split("-")[-1], 16)
        rows, kind = (SNAPSHOT_IDS, "Snapshot") if prefix == "snap" else (VOLUME_IDS, "Volume")
        if number not in rows:
            return None, (f"{kind}NotFound", f"{kind} {prefix}-{number:08x} could not be found.")
        result[f"{kind.lower()}_id"] = rows[number]
        ebs.setdefault("delete_on_termination", True)
    result.update(ebs)
    return result, None


@given(bdms)
def test_ebs_ids_become_their_rows_uuids_or_the_exact_not_found(bdm: dict[str, Any]) -> None:
    expected, error = expected_mapping(bdm)
    try:
        result = parse_block_device_mapping(STORE, copy.deepcopy(bdm))
    except EC2Error as exc:
        assert (exc.code, exc.message) == error
        return
    assert (result, error) == (expected, None)


@settings(max_examples=60)
@given(
    st.lists(bdms, max_size=6), st.integers(1, 3), st.sampled_from([None, "m1.tiny", "m1.small"])
)
def test_a_launch_maps_every_device_or_fails_on_the_first_missing_id(
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
    parsed = [expected_mapping(bdm) for bdm in mappings]
    error = next((error for _, error in parsed if error), None)
    if error is None and min_count > 1 and any("volume_id" in bdm for bdm, _ in parsed if bdm):
        # nova/compute/api.py _create_instance (2013.1.5), after the call was made
        error = ("InvalidRequest", "Cannot attach one or more volumes to multiple instances")
    try:
        sim.run_instances(**kwargs)
    except EC2Error as exc:
        assert (exc.code, exc.message) == error
        return
    assert error is None
    call = sim.compute.calls[-1].to_dict()
    assert default_registry().validate("create_call", call) == []
    assert call["block_device_mapping"] == [bdm for bdm, _ in parsed]
