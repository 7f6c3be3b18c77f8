"""The launch path under each profile: what the scenarios in features/profiles/ cannot see.

The create call, the answer's fields and the stored ClientTokens, read from the Python API
(``Simulator.run_instances``), which every transport shares.
"""

from __future__ import annotations

from typing import Any

import pytest

from simulator import Simulator
from simulator.errors import EC2Error, UnknownError
from simulator.service import EC2Service

VOLUME_UUID = "22222222-3333-4444-5555-666666666666"
LAUNCH: dict[str, Any] = {"image_id": "ami-00000001", "instance_type": "m1.small"}
WITH_VOLUME: dict[str, Any] = {
    **LAUNCH,
    "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "vol-87654321"}}],
}


@pytest.mark.parametrize(
    ("profile", "volume_id", "status"),
    [
        ("folsom", VOLUME_UUID, "available"),
        ("grizzly", "vol-87654321", "detached"),
        ("havana", "vol-87654321", "detached"),
        ("icehouse", "vol-87654321", "detached"),
    ],
)
def test_a_mapped_volume_in_the_answer(profile: str, volume_id: str, status: str) -> None:
    answer = Simulator.from_seed(profile=profile).run_instances(**WITH_VOLUME)
    (mapping,) = answer["instancesSet"][0]["blockDeviceMapping"]
    assert (mapping["ebs"]["volumeId"], mapping["ebs"]["status"]) == (volume_id, status)


@pytest.mark.parametrize(
    ("profile", "keys"),
    [
        (
            "grizzly",
            ["privateDnsName", "privateIpAddress", "publicDnsName", "ipAddress", "dnsName"],
        ),
        ("havana", ["privateDnsName", "privateIpAddress", "dnsName", "keyName", "tagSet"]),
    ],
)
def test_the_order_of_an_items_fields(profile: str, keys: list[str]) -> None:
    item = Simulator.from_seed(profile=profile).run_instances(**LAUNCH)["instancesSet"][0]
    names = list(item)
    start = names.index("privateDnsName")
    assert names[start : start + len(keys)] == keys


def test_icehouse_writes_client_token_after_tag_set() -> None:
    sim = Simulator.from_seed(profile="icehouse")
    sim.run_instances(**LAUNCH, client_token="t")
    names = list(sim.run_instances(**LAUNCH, client_token="t")["instancesSet"][0])
    assert names[names.index("tagSet") + 1] == "clientToken"


def test_folsoms_validate_bdm_refuses_a_volume_the_store_does_not_know() -> None:
    sim = Simulator.from_seed(profile="folsom")
    unknown = "99999999-0000-4000-8000-000000000000"
    with pytest.raises(EC2Error) as caught:
        sim.run_instances(
            **LAUNCH, block_device_mapping=[{"device_name": "/dev/vdb", "volume_id": unknown}]
        )
    assert caught.value.code == "UnknownError"
    assert caught.value.kwargs == {"id": unknown}
    assert len(sim.compute.calls) == 1


def test_grizzly_does_not_ask_the_volume_service() -> None:
    sim = Simulator.from_seed()
    unknown = "99999999-0000-4000-8000-000000000000"
    sim.run_instances(
        **LAUNCH, block_device_mapping=[{"device_name": "/dev/vdb", "volume_id": unknown}]
    )


def test_a_token_of_another_type_is_stored_as_the_database_column_holds_it() -> None:
    sim = Simulator.from_seed(profile="havana")
    sim.run_instances(**LAUNCH, client_token=5)
    with pytest.raises(EC2Error) as caught:
        sim.run_instances(**LAUNCH, client_token=5)
    assert (caught.value.code, caught.value.message) == ("TypeError", "Unknown error occured.")
    again = sim.run_instances(**LAUNCH, client_token="5")
    assert again["instancesSet"][0]["instanceId"] == "i-00000001"


def test_forgetting_instances_leaves_the_rest_of_the_reservation_and_then_the_token() -> None:
    sim = Simulator.from_seed(profile="havana")
    sim.run_instances(**LAUNCH, min_count=2, client_token="t")
    tokens = sim.cloud.client_tokens
    launched = tokens.reservation("t")
    assert launched is not None
    reservation_id, (first, second) = launched
    tokens.forget([first])
    assert tokens.reservation("t") == (reservation_id, [second])
    tokens.forget([second, "unknown"])
    assert tokens.reservation("t") is None
    answer = sim.run_instances(**LAUNCH, client_token="t")
    assert answer["instancesSet"][0]["instanceId"] == "i-00000003"


NAMELESS_SNAPSHOT: dict[str, Any] = {"ebs": {"snapshot_id": "snap-12345678"}}
NAMELESS_VOLUME: dict[str, Any] = {"ebs": {"snapshot_id": "vol-87654321"}}


@pytest.mark.parametrize("profile", ["havana", "icehouse"])
def test_a_mapping_without_a_device_name_launches_from_havana_on(profile: str) -> None:
    """No ``assert 'device_name' in bdm`` (``capi:946-963@2013.2.4``); the database makes a
    nameless row (``dbapi:3486-3499@2013.2.4``). A snapshot row has no volume yet, so the
    answer shows nothing of it; a volume shows with an empty ``deviceName``; neither is
    the root device."""
    sim = Simulator.from_seed(profile=profile)
    bdm = [NAMELESS_SNAPSHOT, NAMELESS_VOLUME]
    answer = sim.run_instances(**LAUNCH, block_device_mapping=bdm)
    (item,) = answer["instancesSet"]
    assert item["rootDeviceType"] == "instance-store"
    assert item["blockDeviceMapping"] == [
        {
            "deviceName": None,
            "ebs": {
                "volumeId": "vol-87654321",
                "deleteOnTermination": True,
                "attachTime": item["launchTime"],
                "status": "detached",
            },
        }
    ]
    described = sim.invoke("describe_instances", {})["reservationSet"][0]["instancesSet"][0]
    assert described["blockDeviceMapping"] == item["blockDeviceMapping"]
    assert sim.compute.calls[-1].block_device_mapping == [
        {"snapshot_id": "00000000-1111-2222-3333-444444444444", "delete_on_termination": True},
        {"volume_id": VOLUME_UUID, "delete_on_termination": True},
    ], "the create call keeps the legacy mappings"


@pytest.mark.parametrize("profile", ["folsom", "grizzly"])
def test_a_mapping_without_a_device_name_is_grizzlys_assert(profile: str) -> None:
    sim = Simulator.from_seed(profile=profile)
    with pytest.raises(EC2Error) as caught:
        sim.run_instances(**LAUNCH, block_device_mapping=[{"ebs": {"snapshot_id": "vol-87654321"}}])
    assert isinstance(caught.value, UnknownError)
    assert (caught.value.code, type(caught.value.cause)) == ("UnknownError", AssertionError)


@pytest.mark.parametrize(
    ("value", "havana", "grizzly"),
    [
        ("yes", True, "yes"),
        ("t", True, "t"),
        ("on", True, "on"),
        ("y", True, "y"),
        ("no", False, "no"),
        ("2", False, 2),
        ("1", True, 1),
        ("1.0", False, 1.0),
        ("true", True, True),
        ("false", False, False),
    ],
)
def test_delete_on_termination_is_read_with_bool_from_string_from_havana_on(
    value: str, havana: bool, grizzly: Any
) -> None:
    """``BlockDeviceDict._validate`` (``bd:113-115@2013.2.4``): ``strutils.bool_from_string``
    of the query's converted value; the create call keeps what the EC2 layer made of it."""
    params = [
        ("Action", "RunInstances"),
        ("ImageId", "ami-00000001"),
        ("InstanceType", "m1.small"),
        ("BlockDeviceMapping.1.DeviceName", "/dev/sdb"),
        ("BlockDeviceMapping.1.Ebs.SnapshotId", "vol-87654321"),
        ("BlockDeviceMapping.1.Ebs.DeleteOnTermination", value),
    ]
    for profile, expected in (("havana", havana), ("icehouse", havana), ("grizzly", grizzly)):
        outcome = EC2Service(Simulator.from_seed(profile=profile)).handle(params)
        assert outcome.result is not None, outcome.error_code
        (mapping,) = outcome.result["instancesSet"][0]["blockDeviceMapping"]
        assert mapping["ebs"]["deleteOnTermination"] == expected, profile
        assert type(mapping["ebs"]["deleteOnTermination"]) is type(expected)
        (call,) = outcome.create_calls
        assert call.block_device_mapping[0]["delete_on_termination"] == grizzly
