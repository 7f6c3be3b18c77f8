"""run_instances end to end through the Python API, against Nova Grizzly's behaviour."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from simulator import EC2Error, Simulator
from simulator.compute import sanitize_hostname
from simulator.errors import UNKNOWN_ERROR_MESSAGE
from simulator.service import EC2Service

IMAGE_UUID = "70a599e0-31e7-49b7-b260-868f441e862b"
KERNEL_UUID = "155d900f-4e14-4e4c-a73d-069cbf4541e6"
RAMDISK_UUID = "a440c04b-79fa-479c-bed1-0b816eaec379"

WALKTHROUGH: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (
        {"device_name": "/dev/fake0", "ebs": {"snapshot_id": "snap-12345678", "volume_size": 1}},
        {
            "device_name": "/dev/fake0",
            "snapshot_id": "00000000-1111-2222-3333-444444444444",
            "volume_size": 1,
            "delete_on_termination": True,
        },
    ),
    (
        {
            "device_name": "/dev/fake1",
            "ebs": {"snapshot_id": "snap-23456789", "delete_on_termination": False},
        },
        {
            "device_name": "/dev/fake1",
            "snapshot_id": "11111111-2222-3333-4444-555555555555",
            "delete_on_termination": False,
        },
    ),
    (
        {"device_name": "/dev/fake2", "ebs": {"snapshot_id": "vol-87654321", "volume_size": 2}},
        {
            "device_name": "/dev/fake2",
            "volume_id": "22222222-3333-4444-5555-666666666666",
            "volume_size": 2,
            "delete_on_termination": True,
        },
    ),
    (
        {
            "device_name": "/dev/fake3",
            "ebs": {"snapshot_id": "vol-98765432", "delete_on_termination": False},
        },
        {
            "device_name": "/dev/fake3",
            "volume_id": "77777777-8888-9999-0000-aaaaaaaaaaaa",
            "delete_on_termination": False,
        },
    ),
    (
        {"device_name": "/dev/fake4", "ebs": {"no_device": True}},
        {"device_name": "/dev/fake4", "no_device": True},
    ),
    (
        {"device_name": "/dev/fake5", "virtual_name": "ephemeral0"},
        {"device_name": "/dev/fake5", "virtual_name": "ephemeral0"},
    ),
    (
        {"device_name": "/dev/fake6", "virtual_name": "swap"},
        {"device_name": "/dev/fake6", "virtual_name": "swap"},
    ),
]


def launch_error(sim: Simulator, **kwargs: Any) -> EC2Error:
    with pytest.raises(EC2Error) as caught:
        sim.run_instances(**kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("given", "expected"), WALKTHROUGH, ids=[w[1]["device_name"] for w in WALKTHROUGH]
)
def test_walkthrough_mapping_is_normalized(
    sim: Simulator, given: dict[str, Any], expected: dict[str, Any]
) -> None:
    sim.run_instances(image_id="ami-00000001", block_device_mapping=[given])
    assert sim.compute.calls[-1].block_device_mapping == [expected]


def test_all_seven_mappings_in_one_launch(sim: Simulator) -> None:
    request = [copy.deepcopy(given) for given, _ in WALKTHROUGH]
    sim.run_instances(image_id="ami-00000001", block_device_mapping=request)
    assert sim.compute.calls[-1].block_device_mapping == [expected for _, expected in WALKTHROUGH]
    assert request[0]["ebs"] == {"snapshot_id": "snap-12345678", "volume_size": 1}, (
        "input untouched"
    )


def test_defaults_of_the_create_call(sim: Simulator) -> None:
    sim.run_instances(image_id="ami-00000001")
    call = sim.compute.calls[-1].to_dict()
    assert call["block_device_mapping"] == {}
    assert call["instance_type"]["name"] == "m1.small"
    assert call["image_href"] == IMAGE_UUID
    assert (call["min_count"], call["max_count"]) == (1, 1)
    for key in (
        "kernel_id",
        "ramdisk_id",
        "key_name",
        "user_data",
        "security_group",
        "availability_zone",
    ):
        assert call[key] is None


def test_all_create_call_keys_are_passed(sim: Simulator) -> None:
    sim.run_instances(
        image_id="ami-00000001",
        kernel_id="aki-00000002",
        ramdisk_id="ari-00000003",
        min_count=2,
        max_count=3,
        instance_type="m1.tiny",
        key_name="mykey",
        user_data="aGVsbG8=",
        security_group=["default", "web"],
        placement={"availability_zone": "zone-a"},
    )
    call = sim.compute.calls[-1].to_dict()
    assert call["kernel_id"] == KERNEL_UUID and call["ramdisk_id"] == RAMDISK_UUID
    assert (call["min_count"], call["max_count"]) == (2, 3)
    assert call["instance_type"]["name"] == "m1.tiny"
    assert call["security_group"] == ["default", "web"]
    assert call["availability_zone"] == "zone-a"
    assert call["key_name"] == "mykey" and call["user_data"] == "aGVsbG8="


def test_reservation_response(sim: Simulator) -> None:
    result = sim.run_instances(image_id="ami-00000001", min_count=2)
    assert result["reservationId"].startswith("r-") and len(result["reservationId"]) == 10
    assert result["ownerId"] == "admin"
    assert result["groupSet"] == [{"groupId": "default"}]
    items = result["instancesSet"]
    assert [i["instanceId"] for i in items] == ["i-00000001", "i-00000002"]
    assert [i["amiLaunchIndex"] for i in items] == [0, 1]
    first = items[0]
    assert first["imageId"] == "ami-00000001"
    assert first["kernelId"] == "aki-00000002" and first["ramdiskId"] == "ari-00000003"
    assert first["instanceState"] == {"code": 0, "name": "pending"}
    assert first["instanceType"] == "m1.small"
    assert first["rootDeviceName"] == "/dev/sda1" and first["rootDeviceType"] == "instance-store"
    assert first["keyName"] == "None (admin, None)"


@pytest.mark.parametrize("profile", ["folsom", "grizzly", "havana", "icehouse"])
def test_the_instance_s_groups_are_the_database_s_default_first_and_once(profile: str) -> None:
    """``_get_sec_group_models``: ``default`` first and once, then the others; the create
    call keeps the groups as the EC2 layer passed them."""
    sim = Simulator.from_seed(profile=profile)
    groups = ["web", "default", "default"]
    result = sim.run_instances(
        image_id="ami-00000001", instance_type="m1.small", security_group=groups
    )
    assert result["groupSet"] == [{"groupId": "default"}, {"groupId": "web"}]
    assert sim.compute.calls[-1].to_dict()["security_group"] == groups
    described = sim.invoke("describe_instances", {})["reservationSet"][0]
    assert described["groupSet"] == [{"groupId": "default"}, {"groupId": "web"}]


@pytest.mark.parametrize(
    ("profile", "code"),
    [
        ("folsom", "UnknownError"),
        ("grizzly", "UnknownError"),
        ("havana", "TypeError"),
        ("icehouse", "TypeError"),
    ],
)
def test_another_group_named_twice_fails_before_the_instance_exists(
    profile: str, code: str
) -> None:
    """Named twice, a group other than ``default`` makes ``_security_group_get_by_names``
    find fewer rows than names and none missing: it returns None, and extending the list
    with it is a TypeError inside ``instance_create``, before the row and its EC2 id."""
    sim = Simulator.from_seed(profile=profile)
    with pytest.raises(EC2Error) as failed:
        sim.run_instances(
            image_id="ami-00000001", instance_type="m1.small", security_group=["web", "web"]
        )
    assert failed.value.code == code
    assert [call.method for call in sim.compute.calls] == ["create"]
    launched = sim.run_instances(image_id="ami-00000001", instance_type="m1.small")
    assert launched["instancesSet"][0]["instanceId"] == "i-00000001"


def _launch_with_groups(profile: str, *groups: tuple[str, str]) -> Any:
    service = EC2Service(Simulator.from_seed(profile=profile))
    request = [
        ("Action", "RunInstances"),
        ("ImageId", "ami-00000001"),
        ("InstanceType", "m1.small"),
    ]
    return service, service.handle([*request, *groups])


@pytest.mark.parametrize(
    ("value", "shown"), [("", ""), ("0", "0"), ("false", "False"), ("None", "None")]
)
@pytest.mark.parametrize(
    ("profile", "status"), [("grizzly", 400), ("havana", 404), ("icehouse", 404)]
)
def test_from_grizzly_a_false_group_name_is_not_found_after_the_create_call(
    profile: str, status: int, value: str, shown: str
) -> None:
    """``_check_requested_secgroups`` asks ``SecurityGroupAPI.get``, which looks up only a
    name that is true (``capi:335-346@2013.1.5``, ``3423-3438@2013.2.4``)."""
    service, outcome = _launch_with_groups(profile, ("SecurityGroup.1", value))
    assert (outcome.status, outcome.error_code) == (status, "SecurityGroupNotFoundForProject")
    assert outcome.error_message == f"Security group {shown} not found for project admin."
    assert [call.method for call in service.sim.compute.calls] == ["create"]


@pytest.mark.parametrize(("value", "shown"), [("", ""), ("None", "None"), ("0", "0")])
def test_folsom_s_database_finds_no_group_of_a_false_name(value: str, shown: str) -> None:
    """Folsom looks no group up before ``instance_create``, whose ``name IN (...)`` finds
    no row for it (``db/sqlalchemy/api.py:3444-3461@2012.2.4``): the same refusal, with no
    instance and its EC2 id unused."""
    service, outcome = _launch_with_groups("folsom", ("SecurityGroup.1", value))
    assert (outcome.status, outcome.error_code) == (400, "SecurityGroupNotFoundForProject")
    assert outcome.error_message == f"Security group {shown} not found for project admin."
    again = service.handle([("Action", "RunInstances"), ("ImageId", "ami-00000001")])
    assert b"<instanceId>i-00000001</instanceId>" in again.body


@pytest.mark.parametrize(
    ("profile", "groups"),
    [
        ("folsom", ["web"]),
        ("grizzly", ["w", "e", "b"]),
        ("havana", ["w", "e", "b"]),
        ("icehouse", ["w", "e", "b"]),
    ],
)
def test_one_group_given_without_a_number_is_a_text_walked_from_grizzly_on(
    profile: str, groups: list[str]
) -> None:
    """``SecurityGroup=web`` reaches compute as a text: Folsom makes it a list of one,
    Grizzly's check and database walk its characters, Havana's group objects too."""
    _, outcome = _launch_with_groups(profile, ("SecurityGroup", "web"))
    assert outcome.status == 200
    shown = [g.decode() for g in re.findall(rb"<groupId>(.*?)</groupId>", outcome.body)]
    assert shown == groups


@pytest.mark.parametrize(
    ("profile", "groups"),
    [
        ("grizzly", ["default", *"default"]),
        ("havana", list("default")),
    ],
)
def test_the_text_default_is_a_substring_for_grizzly_and_letters_for_havana(
    profile: str, groups: list[str]
) -> None:
    """Grizzly's ``'default' in 'default'`` is a substring test, true; Havana asks it of
    the list of one-letter names, false."""
    _, outcome = _launch_with_groups(profile, ("SecurityGroup", "default"))
    shown = [g.decode() for g in re.findall(rb"<groupId>(.*?)</groupId>", outcome.body)]
    assert shown == groups


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ("folsom", (200, None)),
        ("grizzly", (400, "UnknownError")),
        ("havana", (500, "TypeError")),
        ("icehouse", (500, "TypeError")),
    ],
)
def test_a_number_for_the_groups_cannot_be_walked_from_grizzly_on(
    profile: str, expected: tuple[int, str | None]
) -> None:
    _, outcome = _launch_with_groups(profile, ("SecurityGroup", "5"))
    assert (outcome.status, outcome.error_code) == expected


@pytest.mark.parametrize("profile", ["havana", "icehouse"])
def test_from_havana_a_group_name_is_the_object_s_unicode(profile: str) -> None:
    _, outcome = _launch_with_groups(profile, ("SecurityGroup.1", "true"))
    assert b"<groupId>True</groupId>" in outcome.body


def test_volume_mappings_show_in_the_response(sim: Simulator) -> None:
    bdm = [{"device_name": "/dev/sda1", "ebs": {"snapshot_id": "vol-87654321"}}]
    item = sim.run_instances(image_id="ami-00000001", block_device_mapping=bdm)["instancesSet"][0]
    assert item["rootDeviceType"] == "ebs"
    assert item["blockDeviceMapping"][0]["ebs"]["volumeId"] == "vol-87654321"


def test_image_found_by_name_gets_its_ec2_id(seed: dict[str, Any]) -> None:
    seed["images"].append(
        {
            "uuid": "5d0ac4a2-6b5f-4d34-9c6e-1a2b3c4d5e6f",
            "name": "fedora",
            "status": "active",
            "container_format": "bare",
            "properties": {},
        }
    )
    sim = Simulator.from_seed(seed)
    result = sim.run_instances(image_id="fedora")
    assert sim.compute.calls[-1].image_href == "5d0ac4a2-6b5f-4d34-9c6e-1a2b3c4d5e6f"
    assert result["instancesSet"][0]["imageId"] == "ami-00000004"


def test_kernel_by_name_and_hex_ids(sim: Simulator) -> None:
    sim.run_instances(image_id="ami-1", kernel_id="cirros-kernel", ramdisk_id="ari-3")
    call = sim.compute.calls[-1]
    assert (call.kernel_id, call.ramdisk_id) == (KERNEL_UUID, RAMDISK_UUID)


@pytest.mark.parametrize(
    ("kwargs", "code", "message"),
    [
        ({"image_id": "ami-000000ff"}, "ImageNotFound", "Image ami-000000ff could not be found."),
        ({"image_id": "ami-fake"}, "ImageNotFound", "Image ami-fake could not be found."),
        ({"image_id": "aki-00000001"}, "ImageNotFound", "Image aki-00000001 could not be found."),
        ({"image_id": "ami-00000002"}, "ImageNotFound", "Image ami-00000002 could not be found."),
        ({"image_id": "AMI-00000001"}, "ImageNotFound", "Image AMI-00000001 could not be found."),
        (
            {"image_id": "ami-00000001", "kernel_id": "aki-00000009"},
            "ImageNotFound",
            "Image aki-00000009 could not be found.",
        ),
        (
            {"image_id": "ami-00000001", "ramdisk_id": "ari-00000001"},
            "ImageNotFound",
            "Image ari-00000001 could not be found.",
        ),
        (
            {
                "image_id": "ami-00000001",
                "block_device_mapping": [
                    {"device_name": "/dev/vdb", "ebs": {"snapshot_id": "snap-000000ff"}}
                ],
            },
            "SnapshotNotFound",
            "Snapshot snap-000000ff could not be found.",
        ),
        (
            {
                "image_id": "ami-00000001",
                "block_device_mapping": [
                    {"device_name": "/dev/vdb", "ebs": {"snapshot_id": "vol-5"}}
                ],
            },
            "VolumeNotFound",
            "Volume vol-00000005 could not be found.",
        ),
        (
            {"image_id": "ami-00000001", "instance_type": "m9.huge"},
            "InstanceTypeNotFoundByName",
            "Instance type with name m9.huge could not be found.",
        ),
        (
            {
                "image_id": "ami-00000001",
                "min_count": 2,
                "block_device_mapping": [
                    {"device_name": "/dev/vdb", "ebs": {"snapshot_id": "vol-87654321"}}
                ],
            },
            "InvalidRequest",
            "Cannot attach one or more volumes to multiple instances",
        ),
        (
            {"image_id": "ami-00000001", "min_count": 11},
            "TooManyInstances",
            "Quota exceeded for instances: Requested 11, but already used 0 of 10 instances",
        ),
    ],
)
def test_error_codes(sim: Simulator, kwargs: dict[str, Any], code: str, message: str) -> None:
    error = launch_error(sim, **kwargs)
    assert (error.code, error.message) == (code, message)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"image_id": "ami-00000001", "min_count": "many"},
        {"image_id": "ami-00000001", "max_count": "lots"},
        {"image_id": None},
        {"image_id": 16},
        {
            "image_id": "ami-00000001",
            "block_device_mapping": [
                {"device_name": "/dev/vdb", "ebs": {"snapshot_id": "snap-zz"}}
            ],
        },
        {
            "image_id": "ami-00000001",
            "block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": 123}}],
        },
        {
            "image_id": "ami-00000001",
            "block_device_mapping": [{"ebs": {"snapshot_id": "snap-12345678"}}],
        },
        {"image_id": "ami-00000001", "user_data": "x" * 65536},
        {"image_id": "ami-00000001", "user_data": "abc"},
        {"image_id": "ami-00000001", "min_count": -1},
    ],
)
def test_unknown_error(sim: Simulator, kwargs: dict[str, Any]) -> None:
    error = launch_error(sim, **kwargs)
    assert (error.code, error.message) == ("UnknownError", UNKNOWN_ERROR_MESSAGE)


@pytest.mark.parametrize(
    ("status", "properties", "code"),
    [
        ("active", {}, None),
        ("active", {"image_state": "decrypting"}, "EC2APIError"),
        ("queued", {}, "EC2APIError"),
        (None, {}, "EC2APIError"),
        ("queued", {"image_state": "available"}, "UnknownError"),
        ("active", None, "UnknownError"),
    ],
)
def test_image_state(
    seed: dict[str, Any], status: str | None, properties: dict[str, Any] | None, code: str | None
) -> None:
    image: dict[str, Any] = {
        "ec2_id": "ami-00000010",
        "uuid": "0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f",
        "name": "img",
        "status": status,
        "container_format": "ami",
    }
    if properties is not None:
        image["properties"] = properties
    seed["images"].append(image)
    sim = Simulator.from_seed(seed)
    if code is None:
        sim.run_instances(image_id="ami-00000010")
        return
    error = launch_error(sim, image_id="ami-00000010")
    assert error.code == code
    if code == "EC2APIError":
        assert error.message == "Image must be available"


def test_other_prefixes_are_dropped_silently(sim: Simulator) -> None:
    bdm = [{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "SNAP-12345678", "volume_size": 3}}]
    sim.run_instances(image_id="ami-00000001", block_device_mapping=bdm)
    assert sim.compute.calls[-1].block_device_mapping == [
        {"device_name": "/dev/vdb", "volume_size": 3, "delete_on_termination": True}
    ]


def test_delete_on_termination_default_only_with_an_id(sim: Simulator) -> None:
    bdm = [{"device_name": "/dev/vdb", "ebs": {"volume_size": 3}}]
    sim.run_instances(image_id="ami-00000001", block_device_mapping=bdm)
    assert sim.compute.calls[-1].block_device_mapping == [
        {"device_name": "/dev/vdb", "volume_size": 3}
    ]


def test_flat_mapping_passes_through(sim: Simulator) -> None:
    bdm = [{"device_name": "/dev/vdb", "snapshot_id": "00000000-1111-2222-3333-444444444444"}]
    sim.run_instances(image_id="ami-00000001", block_device_mapping=bdm)
    assert sim.compute.calls[-1].block_device_mapping == bdm


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"min_count": "x", "kernel_id": "aki-000000ff", "image_id": "nope"}, "UnknownError"),
        (
            {"kernel_id": "aki-000000ff", "ramdisk_id": "ari-000000ff", "image_id": "nope"},
            "ImageNotFound",
        ),
        (
            {
                "block_device_mapping": [
                    {"device_name": "/dev/vdb", "ebs": {"snapshot_id": "snap-ff"}}
                ],
                "image_id": "nope",
            },
            "SnapshotNotFound",
        ),
        ({"image_id": "nope", "instance_type": "m9.huge"}, "ImageNotFound"),
        (
            {"image_id": "ami-00000001", "instance_type": "m9.huge", "max_count": "x"},
            "InstanceTypeNotFoundByName",
        ),
    ],
)
def test_order_of_checks(sim: Simulator, kwargs: dict[str, Any], code: str) -> None:
    error = launch_error(sim, **kwargs)
    assert error.code == code
    if code == "ImageNotFound":
        expected = "aki-000000ff" if "kernel_id" in kwargs else "nope"
        assert expected in error.message


def test_snapshot_lookup_happens_before_the_image(sim: Simulator) -> None:
    error = launch_error(
        sim,
        image_id="ami-000000ff",
        block_device_mapping=[{"device_name": "/dev/vdb", "ebs": {"snapshot_id": "snap-1"}}],
    )
    assert error.message == "Snapshot snap-00000001 could not be found."


def test_max_count_below_min_count_builds_max_count(sim: Simulator) -> None:
    result = sim.run_instances(image_id="ami-00000001", min_count=3, max_count=2)
    assert len(result["instancesSet"]) == 2


def test_failed_create_is_still_recorded(sim: Simulator) -> None:
    launch_error(sim, image_id="ami-00000001", user_data="abc")
    assert sim.compute.calls[-1].user_data == "abc"


def test_unsupported_action(sim: Simulator) -> None:
    with pytest.raises(EC2Error) as caught:
        sim.invoke("describe_instance_types", {})
    assert caught.value.code == "InvalidRequest"


@pytest.mark.parametrize("falsy", ["", 0, False])
def test_a_falsy_kernel_skips_the_ec2_lookup_and_fails_in_compute(
    sim: Simulator, falsy: Any
) -> None:
    error = launch_error(sim, image_id="ami-00000001", kernel_id=falsy)
    assert error.code == "ImageNotFound"
    assert sim.compute.calls[-1].kernel_id == falsy


def test_unvalidated_ebs_values_survive(sim: Simulator) -> None:
    bdm = [
        {
            "device_name": "/dev/vdb",
            "ebs": {
                "snapshot_id": "snap-12345678",
                "volume_size": "big",
                "delete_on_termination": "no",
            },
        }
    ]
    sim.run_instances(image_id="ami-00000001", block_device_mapping=bdm)
    assert sim.compute.calls[-1].block_device_mapping == [
        {
            "device_name": "/dev/vdb",
            "snapshot_id": "00000000-1111-2222-3333-444444444444",
            "volume_size": "big",
            "delete_on_termination": "no",
        }
    ]


@pytest.mark.parametrize(
    ("name", "hostname"),
    [
        ("Server A_b c", "server-a-b-c"),
        (" _x!é\tİ.y_. ", "x.y"),
        ("Server " + "a" * 70, "server-" + "a" * 70),
    ],
)
def test_sanitize_hostname_as_nova_has_it(name: str, hostname: str) -> None:
    """``utils.sanitize_hostname``: ``[ _]`` to dashes, anything but ``[A-Za-z0-9_.-]``
    dropped (non-ASCII too), lower case, no cut at 63 characters."""
    assert sanitize_hostname(name) == hostname
