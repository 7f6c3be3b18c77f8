"""The launch path under each profile: what the scenarios in features/profiles/ cannot see.

The create call, the answer's fields and the stored ClientTokens, read from the Python API
(``Simulator.run_instances``), which every transport shares.
"""

from __future__ import annotations

import json
import re
from collections import deque
from typing import Any

import pytest

from simulator import Simulator
from simulator.compute import Quotas
from simulator.context import RequestContext
from simulator.errors import EC2Error, UnknownError
from simulator.resources import default_seed_path
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


def test_grizzly_asks_the_volume_service_for_each_mapped_volume() -> None:
    """``_validate_bdm`` (``capi:619,774-794@2013.1.5``) once the instance exists: a volume
    the volume service lacks is ``InvalidBDMVolume``, no expected error (``UnknownError``);
    the instance is destroyed and its EC2 id stays used."""
    sim = Simulator.from_seed()
    unknown = "99999999-0000-4000-8000-000000000000"
    with pytest.raises(EC2Error) as refused:
        sim.run_instances(
            **LAUNCH, block_device_mapping=[{"device_name": "/dev/vdb", "volume_id": unknown}]
        )
    assert refused.value.code == "UnknownError"
    assert list(sim.store.instances.ids()) == []
    assert sim.run_instances(**LAUNCH)["instancesSet"][0]["instanceId"] == "i-00000002"


def test_a_token_of_another_type_is_stored_as_the_database_column_holds_it() -> None:
    sim = Simulator.from_seed(profile="havana")
    sim.run_instances(**LAUNCH, client_token=5)
    with pytest.raises(EC2Error) as caught:
        sim.run_instances(**LAUNCH, client_token=5)
    assert (caught.value.code, caught.value.message) == ("TypeError", "Unknown error occured.")
    again = sim.run_instances(**LAUNCH, client_token="5")
    assert again["instancesSet"][0]["instanceId"] == "i-00000001"


def test_forgetting_instances_leaves_the_reservation_until_none_holds_the_token() -> None:
    """While one instance still carries the token the reservation answers, all of it (what
    is gone then drops out when the instances are looked up); then the token is free."""
    sim = Simulator.from_seed(profile="havana")
    sim.run_instances(**LAUNCH, min_count=2, client_token="t")
    tokens = sim.cloud.client_tokens
    admin = RequestContext()
    launched = tokens.reservation(admin, "t")
    assert launched is not None
    reservation_id, (first, second) = launched
    tokens.forget([first])
    assert tokens.reservation(admin, "t") == (reservation_id, [first, second])
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


# --- placement, hostnames and the zone asked for ---------------------------------------------

ALL_PROFILES = ["folsom", "grizzly", "havana", "icehouse"]
FIRST_ZONE = {"folsom": "unknown zone", "grizzly": "nova", "havana": "nova", "icehouse": "nova"}
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _zones(reservation: dict[str, Any]) -> list[str]:
    return [item["placement"]["availabilityZone"] for item in reservation["instancesSet"]]


def _rows(sim: Simulator) -> list[dict[str, Any]]:
    rows = (sim.store.instances.get(row_id) for row_id in sim.store.instances.ids())
    return [row for row in rows if row is not None]


@pytest.mark.parametrize(
    ("profile", "zone"),
    [
        *((profile, zone) for profile in ALL_PROFILES for zone in (None, "nova:launch-sim")),
        ("folsom", "zone-a"),
        ("grizzly", "zone-a"),
        ("havana", "nova"),
    ],
)
def test_placement_is_the_hosts_zone_never_the_zone_asked_for(
    profile: str, zone: str | None
) -> None:
    """``get_availability_zone_by_host``: no host is ``nova`` (Grizzly on) or ``unknown
    zone`` (Folsom); the one host's zone is ``nova``."""
    sim = Simulator.from_seed(profile=profile)
    answer = sim.run_instances(**LAUNCH, placement={"availability_zone": zone})
    assert _zones(answer) == [FIRST_ZONE[profile]]
    (reservation,) = sim.invoke("describe_instances", {})["reservationSet"]
    assert _zones(reservation) == ["nova"]


@pytest.mark.parametrize("profile", ALL_PROFILES)
def test_the_row_keeps_the_zone_without_the_forced_host(profile: str) -> None:
    sim = Simulator.from_seed(profile=profile)
    sim.run_instances(**LAUNCH, placement={"availability_zone": "nova:launch-sim"})
    sim.run_instances(**LAUNCH, placement={"availability_zone": ""})
    assert [row["availability_zone"] for row in _rows(sim)] == ["nova", None]


@pytest.mark.parametrize(
    ("profile", "pattern"),
    [
        ("folsom", rf"server-{UUID}"),
        ("grizzly", rf"server-({UUID})-\1"),
        ("havana", rf"server-({UUID})-\1"),
        ("icehouse", rf"server-({UUID})-\1"),
    ],
)
def test_the_hostnames_of_a_multi_instance_launch(profile: str, pattern: str) -> None:
    """``_apply_instance_name_template``: ``Server <uuid>-<uuid>``, sanitized and not cut
    to 63 characters; Folsom had no template."""
    sim = Simulator.from_seed(profile=profile)
    items = sim.run_instances(**LAUNCH, min_count=2)["instancesSet"]
    for item, instance in zip(items, _rows(sim), strict=True):
        assert re.fullmatch(pattern, item["privateDnsName"])
        assert instance["uuid"] in item["privateDnsName"]
        if profile in ("folsom", "grizzly"):
            assert item["dnsName"] == item["privateDnsName"]


@pytest.mark.parametrize("profile", ALL_PROFILES)
def test_a_single_instance_is_named_after_its_uuid(profile: str) -> None:
    sim = Simulator.from_seed(profile=profile)
    (item,) = sim.run_instances(**LAUNCH, max_count=1)["instancesSet"]
    assert re.fullmatch(rf"server-{UUID}", item["privateDnsName"])


@pytest.mark.parametrize("profile", ["folsom", "grizzly"])
@pytest.mark.parametrize("zone", ["a:b:c", "nova:launch-sim:node", True, 5, 1.5])
def test_a_zone_folsom_and_grizzly_cannot_split_is_unexpected(profile: str, zone: Any) -> None:
    """``_handle_availability_zone``'s two-way unpack (ValueError) and ``':' in zone`` on a
    bool or a number (TypeError), after the create call."""
    sim = Simulator.from_seed(profile=profile)
    with pytest.raises(EC2Error) as caught:
        sim.run_instances(**LAUNCH, placement={"availability_zone": zone})
    assert caught.value.code == "UnknownError"
    assert len(sim.compute.calls) == 1
    assert not _rows(sim)


@pytest.mark.parametrize("profile", ["folsom", "grizzly"])
def test_the_zone_is_split_after_the_quota(profile: str) -> None:
    sim = Simulator.from_seed(profile=profile)
    with pytest.raises(EC2Error) as caught:
        sim.run_instances(**LAUNCH, min_count=11, placement={"availability_zone": "a:b:c"})
    assert caught.value.code == "TooManyInstances"


def test_folsom_splits_the_zone_before_the_user_data_check() -> None:
    sim = Simulator.from_seed(profile="folsom")
    with pytest.raises(EC2Error) as caught:
        sim.run_instances(**LAUNCH, user_data="abc", placement={"availability_zone": 5})
    assert isinstance(caught.value, UnknownError)
    assert isinstance(caught.value.cause, TypeError)


@pytest.mark.parametrize(
    ("profile", "zone"),
    [
        *((profile, zone) for profile in ALL_PROFILES for zone in ("nova", "nova:", "")),
        ("folsom", "zone-a"),
        ("grizzly", "zone-a"),
    ],
)
def test_a_plain_user_may_ask_for_a_zone_without_forcing_a_host(profile: str, zone: str) -> None:
    sim = Simulator.from_seed(profile=profile, admin=False)
    sim.run_instances(**LAUNCH, placement={"availability_zone": zone})


@pytest.mark.parametrize(
    ("profile", "zone", "code", "status"),
    [
        ("grizzly", "nova:launch-sim", "PolicyNotAuthorized", 400),
        ("grizzly", ":launch-sim", "PolicyNotAuthorized", 400),
        ("havana", "nova:launch-sim", "AuthFailure", 403),
        ("havana", "nova::node", "AuthFailure", 403),
        ("icehouse", "nova:launch-sim:node", "AuthFailure", 403),
    ],
)
def test_forcing_a_host_is_an_admins_policy(
    profile: str, zone: str, code: str, status: int
) -> None:
    """``check_policy(context, 'create:forced_host')``, ``is_admin:True`` in policy.json."""
    sim = Simulator.from_seed(profile=profile, admin=False)
    with pytest.raises(EC2Error) as caught:
        sim.run_instances(**LAUNCH, placement={"availability_zone": zone})
    assert (caught.value.code, caught.value.status) == (code, status)
    assert caught.value.message == (
        "Policy doesn't allow compute:create:forced_host to be performed."
    )
    assert len(sim.compute.calls) == 1
    Simulator.from_seed(profile=profile).run_instances(
        **LAUNCH, placement={"availability_zone": zone}
    )


def test_folsom_ignores_a_host_a_plain_user_forces() -> None:
    sim = Simulator.from_seed(profile="folsom", admin=False)
    sim.run_instances(**LAUNCH, placement={"availability_zone": "nova:launch-sim"})


def test_grizzly_checks_the_policy_after_the_quota() -> None:
    sim = Simulator.from_seed(admin=False)
    with pytest.raises(EC2Error) as caught:
        sim.run_instances(
            **LAUNCH, min_count=11, placement={"availability_zone": "nova:launch-sim"}
        )
    assert caught.value.code == "TooManyInstances"


@pytest.mark.parametrize("profile", ["havana", "icehouse"])
def test_havana_accepts_every_zone_its_services_make(profile: str) -> None:
    """``get_availability_zones``: the compute host's ``nova`` and the other services'
    ``internal`` (what verbose DescribeAvailabilityZones lists)."""
    sim = Simulator.from_seed(profile=profile)
    listed = [
        zone["zoneName"]
        for zone in sim.invoke("describe_availability_zones", {"zone_name": ["verbose"]})[
            "availabilityZoneInfo"
        ]
        if zone["zoneState"] == "available"
    ]
    assert listed == ["internal", "nova"]
    for zone in listed:
        sim.run_instances(**LAUNCH, placement={"availability_zone": zone})


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


@pytest.mark.parametrize("admin", [True, False])
@pytest.mark.parametrize(
    ("key_name", "text"),
    [
        ("3.14159265358979", "3.14159265358979"),
        ("123456789012345678.5", "1.23456789012346e+17"),
        ("true", "1"),
    ],
)
def test_a_key_name_that_is_no_text_is_answered_as_the_database_column_holds_it(
    admin: bool, key_name: str, text: str
) -> None:
    """The answer reads the instance back (``cloud:1017-1020@2013.1.5``): the ``key_name``
    column holds MySQLdb's text of the float (``'%.15g'``) or bool, for admins and users."""
    outcome = EC2Service(Simulator.from_seed(admin=admin)).handle(
        [("Action", "RunInstances"), ("ImageId", "ami-00000001"), ("KeyName", key_name)]
    )
    assert outcome.result is not None
    shown = outcome.result["instancesSet"][0]["keyName"]
    assert shown == (f"{text} (admin, None)" if admin else text)
    assert outcome.create_calls[0].key_name != text


V2_IMAGE_UUID = "0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f"
V2_LAUNCH: dict[str, Any] = {"image_id": "ami-00000010", "instance_type": "m1.small"}


def _bdm_v2_image(profile: str, mappings: list[Any], **properties: Any) -> Simulator:
    """A simulator whose image ``ami-00000010`` lists ``mappings`` with ``bdm_v2`` true."""
    image = {
        "ec2_id": "ami-00000010",
        "uuid": V2_IMAGE_UUID,
        "name": "bdm-v2",
        "status": "active",
        "container_format": "ami",
        "properties": {
            "image_state": "available",
            "bdm_v2": True,
            "block_device_mapping": mappings,
            **properties,
        },
    }
    seed = json.loads(default_seed_path().read_text())
    seed["images"].append(image)
    return Simulator.from_seed(seed, profile=profile)


BOOT_VOLUME = {
    "source_type": "volume",
    "destination_type": "volume",
    "boot_index": 0,
    "device_name": "/dev/vda",
    "volume_id": VOLUME_UUID,
    "delete_on_termination": "no",
}


def test_icehouse_boots_from_an_images_new_format_volume() -> None:
    """``capi:619-664@2014.1.5``: the image's boot volume, no image device of its own;
    the row read back as ``legacy_mapping`` reads it (``delete_on_termination`` through
    ``bool_from_string``)."""
    sim = _bdm_v2_image("icehouse", [BOOT_VOLUME], root_device_name="/dev/vda")
    (item,) = sim.run_instances(**V2_LAUNCH)["instancesSet"]
    assert item["rootDeviceType"] == "ebs"
    assert item["blockDeviceMapping"] == [
        {
            "deviceName": "/dev/vda",
            "ebs": {
                "volumeId": "vol-87654321",
                "deleteOnTermination": False,
                "attachTime": item["launchTime"],
                "status": "detached",
            },
        }
    ]
    assert sim.compute.calls[-1].block_device_mapping == {}, "the image's are compute's"


def test_an_images_new_format_volume_cannot_go_to_several_instances() -> None:
    sim = _bdm_v2_image("icehouse", [BOOT_VOLUME])
    with pytest.raises(EC2Error) as refused:
        sim.run_instances(**V2_LAUNCH, min_count=2)
    assert (refused.value.code, refused.value.message) == (
        "InvalidRequest",
        "Cannot attach one or more volumes to multiple instances",
    )


def test_a_new_format_volume_the_store_does_not_know_is_refused_per_instance() -> None:
    sim = _bdm_v2_image("icehouse", [{**BOOT_VOLUME, "volume_id": "no-such-volume"}])
    with pytest.raises(EC2Error) as refused:
        sim.run_instances(**V2_LAUNCH)
    assert refused.value.code == "InvalidBDMVolume"
    assert _rows(sim) == [], "the instance made before the refusal is destroyed"


def test_the_instances_own_image_is_neither_shown_again_nor_sized() -> None:
    """``_validate_bdm`` skips an image mapping of the instance's own image
    (``image_id != instance['image_ref']``), so its size is not asked for."""
    own = {"source_type": "image", "destination_type": "volume", "image_id": V2_IMAGE_UUID}
    sim = _bdm_v2_image("icehouse", [own])
    (item,) = sim.run_instances(**V2_LAUNCH)["instancesSet"]
    assert "blockDeviceMapping" not in item, "no volume yet: nothing to show"


def test_havana_reads_a_bdm_v2_image_as_legacy_mappings() -> None:
    copy_of_image = {
        "source_type": "image",
        "destination_type": "volume",
        "image_id": "70a599e0-31e7-49b7-b260-868f441e862b",
    }
    for profile, outcome in (("havana", "InvalidBDMFormat"), ("icehouse", "InvalidBDM")):
        sim = _bdm_v2_image(profile, [copy_of_image])  # no size
        with pytest.raises(EC2Error) as refused:
            sim.run_instances(**V2_LAUNCH)
        assert refused.value.code == outcome


def test_a_source_type_legacy_does_not_know_fails_every_answer_after_the_launch() -> None:
    """The instance is made and scheduled, then ``legacy_mapping``'s renumbering fails
    (KeyError) in the RunInstances answer and in every DescribeInstances after it."""
    cdrom = {"source_type": "cdrom", "device_name": "/dev/vdc"}
    sim = _bdm_v2_image("icehouse", [cdrom])
    with pytest.raises(UnknownError) as refused:
        sim.run_instances(**V2_LAUNCH)
    assert refused.value.code == "KeyError"
    assert len(_rows(sim)) == 1
    with pytest.raises(UnknownError):
        sim.invoke("describe_instances", {})


def _image_with_properties(profile: str, **properties: Any) -> Simulator:
    """A simulator whose image ``ami-00000010`` has these properties."""
    seed = json.loads(default_seed_path().read_text())
    seed["images"].append(
        {
            "ec2_id": "ami-00000010",
            "uuid": V2_IMAGE_UUID,
            "name": "text-properties",
            "status": "active",
            "container_format": "ami",
            "properties": {"image_state": "available", **properties},
        }
    )
    return Simulator.from_seed(seed, profile=profile)


@pytest.mark.parametrize("profile", ["folsom", "grizzly", "havana", "icehouse"])
def test_mappings_kept_as_json_text_are_read_as_json(profile: str) -> None:
    """Glance stores every property as text; Nova's image service read ``mappings`` and
    ``block_device_mapping`` as JSON (``glance._convert_from_string``) before the launch
    saw them, so the image's root device is the one its mappings name."""
    mappings = json.dumps([{"virtual": "root", "device": "/dev/vda"}])
    sim = _image_with_properties(profile, mappings=mappings, block_device_mapping="[]")
    (item,) = sim.run_instances(**V2_LAUNCH)["instancesSet"]
    assert item["rootDeviceName"] == "/dev/vda"


def test_mappings_text_that_is_no_json_fails_the_image_lookup() -> None:
    sim = _image_with_properties("havana", mappings="[{")
    with pytest.raises(UnknownError) as refused:
        sim.run_instances(**V2_LAUNCH)
    assert refused.value.code == "ValueError"
    assert sim.compute.calls == deque(), "the EC2 layer's image lookup failed: no create call"


@pytest.mark.parametrize(
    ("profile", "code"),
    [("grizzly", "UnknownError"), ("havana", "AttributeError"), ("icehouse", "AttributeError")],
)
@pytest.mark.parametrize("entry", [None, 0, "x"])
def test_an_image_mapping_that_is_no_dict_fails_as_python_2s_iteritems(
    profile: str, code: str, entry: Any
) -> None:
    """``BlockDeviceDict.from_legacy``'s ``legacy_bdm.iteritems()`` (``bd:130@2013.2.4``):
    AttributeError, named from Havana on; Grizzly's assert or ``in`` failed (UnknownError)."""
    sim = _image_with_properties(profile, block_device_mapping=[entry])
    with pytest.raises(EC2Error) as refused:
        sim.run_instances(**V2_LAUNCH)
    assert refused.value.code == code


# --- an unlimited quota ----------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["folsom", "grizzly", "havana", "icehouse"])
@pytest.mark.parametrize(
    ("quotas", "flavor"),
    [
        (Quotas(cores=-1), "m1.small"),
        (Quotas(instances=-1), "m1.small"),
        (Quotas(ram=-1), "m1.tiny"),
        (Quotas(cores=-1, ram=-1, instances=-1), "m1.xlarge"),
    ],
)
def test_a_quota_of_minus_one_is_unlimited(profile: str, quotas: Quotas, flavor: str) -> None:
    """The database compared a resource only where its quota was ``>= 0``
    (``db/sqlalchemy/api.py:2767-2769@2012.2.4``, ``2712-2714@2013.1.5``,
    ``3145-3150@2013.2.4``, ``3186-3191@2014.1.5``)."""
    sim = Simulator.from_seed(profile=profile, quotas=quotas)
    answer = sim.run_instances(**{**LAUNCH, "instance_type": flavor})
    assert len(answer["instancesSet"]) == 1


@pytest.mark.parametrize("profile", ["folsom", "grizzly", "havana", "icehouse"])
def test_an_unlimited_cores_quota_leaves_what_the_instances_quota_does_from_havana(
    profile: str,
) -> None:
    """11 instances are over the instances quota (10). Havana's ``quota_reserve`` gives the
    unlimited cores the instances headroom (``api.py:3205-3220@2013.2.4``), so 10 launch;
    before, the cores headroom was -1, which allowed none (``capi:268-281@2013.1.5``)."""
    sim = Simulator.from_seed(profile=profile, quotas=Quotas(cores=-1))
    launch = {**LAUNCH, "min_count": 5, "max_count": 11}
    if profile in ("havana", "icehouse"):
        assert len(sim.run_instances(**launch)["instancesSet"]) == 10
        return
    with pytest.raises(EC2Error) as refused:
        sim.run_instances(**launch)
    assert refused.value.code == "TooManyInstances"
    assert refused.value.message == (
        "Quota exceeded for instances: Requested 5, but already used 0 of 10 instances"
    )
