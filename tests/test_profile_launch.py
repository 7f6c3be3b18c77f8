"""The launch path under each profile: what the scenarios in features/profiles/ cannot see.

The create call, the answer's fields and the stored ClientTokens, read from the Python API
(``Simulator.run_instances``), which every transport shares.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from simulator import Simulator
from simulator.context import RequestContext
from simulator.errors import EC2Error

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
    admin = RequestContext()
    launched = tokens.reservation(admin, "t")
    assert launched is not None
    reservation_id, (first, second) = launched
    tokens.forget([first])
    assert tokens.reservation(admin, "t") == (reservation_id, [second])
    tokens.forget([second, "unknown"])
    assert tokens.reservation(admin, "t") is None
    answer = sim.run_instances(**LAUNCH, client_token="t")
    assert answer["instancesSet"][0]["instanceId"] == "i-00000003"


def test_a_plain_user_meets_only_its_own_projects_tokens() -> None:
    """``get_all_system_metadata`` reads the instances ``_get_instances_by_filters`` gives,
    which for a plain user are its project's: another project's tokens neither answer
    nor make a token that is no pattern fail (``capi:2768-2818@H``, ``db/api:1893@H``)."""
    sim = Simulator.from_seed(profile="havana", admin=False)
    first, second = (
        RequestContext(user_id=project, project_id=project, is_admin=False)
        for project in ("first", "second")
    )

    def launch(context: RequestContext, token: str) -> str:
        answer = sim.cloud.run_instances(context, **LAUNCH, client_token=token)
        return str(answer["instancesSet"][0]["instanceId"])

    assert launch(first, "t") == "i-00000001"
    assert launch(second, "(") == "i-00000002"
    assert launch(second, "t") == "i-00000003"
    assert launch(first, "t") == "i-00000001"
    assert launch(second, "t") == "i-00000003"
    with pytest.raises(re.error):
        launch(first, "(")
