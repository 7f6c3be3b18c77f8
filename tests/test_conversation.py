"""The launch conversation: the actions around RunInstances, answered as Grizzly 2013.1.5
answers them (and each profile where its release differs), over the simulated lifecycle."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from simulator import Simulator
from simulator.compute import CreateCall
from simulator.compute_instances import InstanceCall
from simulator.context import RequestContext
from simulator.contracts import validate
from simulator.errors import UNKNOWN_ERROR_MESSAGE, ContractViolation
from simulator.service import EC2Service, Outcome

NS = "{http://ec2.amazonaws.com/doc/2012-08-15/}"


class Cloud:
    """One simulator answering query parameters, as the server and mock_ec2 do."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.service = EC2Service(sim)

    def ask(
        self, action: str, *pairs: tuple[str, str], context: RequestContext | None = None
    ) -> Outcome:
        return self.service.handle([("Action", action), *pairs], context)

    def ok(self, action: str, *pairs: tuple[str, str], **kw: Any) -> ET.Element:
        outcome = self.ask(action, *pairs, **kw)
        assert outcome.status == 200, outcome.body.decode()
        return ET.fromstring(outcome.body)

    def error(self, action: str, *pairs: tuple[str, str], **kw: Any) -> tuple[int, str, str]:
        outcome = self.ask(action, *pairs, **kw)
        assert outcome.status != 200, outcome.body.decode()
        return outcome.status, str(outcome.error_code), str(outcome.error_message)

    def launch(self, count: int = 1, *pairs: tuple[str, str]) -> list[str]:
        answer = self.ok(
            "RunInstances",
            ("ImageId", "ami-00000001"),
            ("InstanceType", "m1.small"),
            ("MinCount", str(count)),
            ("MaxCount", str(count)),
            *pairs,
        )
        return [e.text or "" for e in answer.iter(f"{NS}instanceId")]

    def states(self, *instance_ids: str) -> list[tuple[str, str]]:
        pairs = [(f"InstanceId.{n}", i) for n, i in enumerate(instance_ids, start=1)]
        answer = self.ok("DescribeInstances", *pairs)
        return [
            (_text(item, "instanceId"), _text(item, "instanceState/name"))
            for item in answer.iter(f"{NS}instancesSet")
            for item in item.findall(f"{NS}item")
        ]


def _text(element: ET.Element, path: str) -> str:
    found = element.find("/".join(NS + part for part in path.split("/")))
    assert found is not None, path
    return found.text or ""


def ids(*instance_ids: str) -> list[tuple[str, str]]:
    return [(f"InstanceId.{n}", i) for n, i in enumerate(instance_ids, start=1)]


@pytest.fixture
def cloud() -> Cloud:
    return Cloud(Simulator.from_seed())


def profile_cloud(name: str, **options: Any) -> Cloud:
    return Cloud(Simulator.from_seed(profile=name, **options))


# --- the lifecycle ------------------------------------------------------------------------------


def test_pending_in_the_launch_answer_running_at_the_next_request(cloud: Cloud) -> None:
    answer = cloud.ok("RunInstances", ("ImageId", "ami-00000001"), ("KeyName", "k"))
    assert _text(answer, "instancesSet/item/instanceState/name") == "pending"
    assert _text(answer, "instancesSet/item/keyName") == "k (admin, None)"
    described = cloud.ok("DescribeInstances", ("InstanceId.1", "i-00000001"))
    item = described.find(f"{NS}reservationSet/{NS}item/{NS}instancesSet/{NS}item")
    assert item is not None
    assert (_text(item, "instanceState/code"), _text(item, "instanceState/name")) == (
        "16",
        "running",
    )
    assert _text(item, "keyName") == "k (admin, launch-sim)"
    assert _text(item, "placement/availabilityZone") == "nova"


def test_stop_start_reboot_and_terminate_move_the_instance(cloud: Cloud) -> None:
    [instance] = cloud.launch()
    assert cloud.ok("StopInstances", *ids(instance)).find(f"{NS}return") is not None
    assert cloud.states(instance) == [(instance, "stopped")]
    cloud.ok("StartInstances", *ids(instance))
    assert cloud.states(instance) == [(instance, "running")]
    cloud.ok("StopInstances", *ids(instance))
    cloud.ok("RebootInstances", *ids(instance))
    assert cloud.states(instance) == [(instance, "running")], "a reboot starts a stopped instance"
    answer = cloud.ok("TerminateInstances", *ids(instance))
    item = answer.find(f"{NS}instancesSet/{NS}item")
    assert item is not None
    assert _text(item, "previousState/name") == "running"
    assert (_text(item, "currentState/code"), _text(item, "currentState/name")) == (
        "16",
        "running",
    ), "delete only starts the work: the instance reads as it did"
    assert cloud.error("DescribeInstances", *ids(instance)) == (
        400,
        "InstanceNotFound",
        "Instance i-00000001 could not be found.",
    )
    assert cloud.ok("DescribeInstances").find(f"{NS}reservationSet/{NS}item") is None
    assert cloud.error("TerminateInstances", *ids(instance))[1] == "InstanceNotFound"


def test_a_stopping_instance_reads_running_until_compute_is_done() -> None:
    cloud = Cloud(Simulator.from_seed(settle_after=2))
    [instance] = cloud.launch()
    assert cloud.states(instance) == [(instance, "pending")]
    assert cloud.states(instance) == [(instance, "running")]
    cloud.ok("StopInstances", *ids(instance))
    assert cloud.states(instance) == [(instance, "running")]
    assert cloud.states(instance) == [(instance, "stopped")]


def test_an_unscheduled_instance_is_destroyed_at_once() -> None:
    cloud = Cloud(Simulator.from_seed(settle_after=2))
    [instance] = cloud.launch()
    answer = cloud.ok("TerminateInstances", *ids(instance))
    assert _text(answer, "instancesSet/item/previousState/name") == "pending"
    assert (
        _text(answer, "instancesSet/item/currentState/code"),
        _text(answer, "instancesSet/item/currentState/name"),
    ) == ("48", "terminated")


def test_stopping_an_unscheduled_instance_is_an_unknown_error() -> None:
    cloud = Cloud(Simulator.from_seed(settle_after=2))
    [instance] = cloud.launch()
    assert cloud.error("StopInstances", *ids(instance)) == (
        400,
        "UnknownError",
        UNKNOWN_ERROR_MESSAGE,
    )


def test_settle_after_must_be_positive() -> None:
    with pytest.raises(ValueError, match="settle_after"):
        Simulator.from_seed(settle_after=0)


def test_instances_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    with Simulator.open(path) as sim:
        [instance] = Cloud(sim).launch(1, ("UserData", base64.b64encode(b"hello").decode()))
    with Simulator.open(path) as sim:
        cloud = Cloud(sim)
        assert cloud.states(instance) == [(instance, "running")]
        cloud.ok("StopInstances", *ids(instance))
    with Simulator.open(path) as sim:
        cloud = Cloud(sim)
        assert cloud.states(instance) == [(instance, "stopped")]
        answer = cloud.ok(
            "DescribeInstanceAttribute", ("InstanceId", instance), ("Attribute", "userData")
        )
        assert _text(answer, "userData") == "hello"


# --- DescribeInstances ---------------------------------------------------------------------------


def test_ids_in_request_order_duplicates_kept_grouped_by_reservation(cloud: Cloud) -> None:
    first = cloud.launch(2)
    [third] = cloud.launch()
    answer = cloud.ok("DescribeInstances", *ids(third, first[1], third, first[0]))
    reservations = answer.findall(f"{NS}reservationSet/{NS}item")
    assert [
        [_text(item, "instanceId") for item in r.findall(f"{NS}instancesSet/{NS}item")]
        for r in reservations
    ] == [[third, third], [first[1], first[0]]]
    assert [_text(r, "ownerId") for r in reservations] == ["admin", "admin"]
    assert [_text(r, "groupSet/item/groupId") for r in reservations] == ["default", "default"]


def test_an_id_is_not_validated_and_its_prefix_not_checked(cloud: Cloud) -> None:
    [instance] = cloud.launch()
    cloud.ok("DescribeInstances")
    assert cloud.states("ami-00000001", "vol-1") == [("i-00000001", "running")] * 2
    assert cloud.error("DescribeInstances", ("InstanceId.1", "1"))[1] == "UnknownError"
    assert cloud.error("DescribeInstances", ("InstanceId.1", "i-zz"))[1:] == (
        "UnknownError",
        UNKNOWN_ERROR_MESSAGE,
    )
    assert cloud.error("DescribeInstances", ("InstanceId", instance))[1] == "UnknownError"


def test_one_unknown_id_fails_the_whole_request(cloud: Cloud) -> None:
    [instance] = cloud.launch()
    assert cloud.error("DescribeInstances", *ids(instance, "i-0000000a")) == (
        400,
        "InstanceNotFound",
        "Instance i-0000000a could not be found.",
    )


def test_filters_and_paging_are_ignored(cloud: Cloud) -> None:
    cloud.launch()
    answer = cloud.ok(
        "DescribeInstances",
        ("Filter.1.Name", "instance-state-name"),
        ("Filter.1.Value.1", "stopped"),
        ("Filter.2.Name", "tag:Name"),
        ("Filter.2.Value.1", "web"),
        ("MaxResults", "5"),
    )
    assert len(answer.findall(f".//{NS}instancesSet/{NS}item")) == 1


def test_an_empty_or_zero_id_list_lists_everything(cloud: Cloud) -> None:
    cloud.launch(2)
    for value in ("", "0"):
        answer = cloud.ok("DescribeInstances", ("InstanceId", value))
        assert len(answer.findall(f".//{NS}instancesSet/{NS}item")) == 2


def test_an_admin_sees_every_project_a_user_only_their_own() -> None:
    sim = Simulator.from_seed()
    cloud = Cloud(sim)
    alice = RequestContext.from_access_key("alice:web")
    cloud.ok("RunInstances", ("ImageId", "ami-00000001"), ("KeyName", "k"), context=alice)
    cloud.ok("RunInstances", ("ImageId", "ami-00000001"), context=RequestContext("bob", "db"))
    answer = cloud.ok("DescribeInstances", context=alice)
    owners = [_text(r, "ownerId") for r in answer.findall(f"{NS}reservationSet/{NS}item")]
    assert owners == ["web", "db"], "NoAuth's contexts are admin"
    sim.admin = False
    users = Cloud(sim)
    answer = users.ok("DescribeInstances", context=alice)
    assert [_text(r, "ownerId") for r in answer.findall(f"{NS}reservationSet/{NS}item")] == ["web"]
    assert _text(answer, "reservationSet/item/instancesSet/item/keyName") == "k"
    assert users.error("DescribeInstances", *ids("i-00000002"), context=alice)[1:] == (
        "InstanceNotFound",
        "Instance i-00000002 could not be found.",
    )
    assert users.error("TerminateInstances", *ids("i-00000002"), context=alice)[1] == (
        "InstanceNotFound"
    )


def test_a_seeded_instance_mapping_without_an_instance_is_not_found(seed: dict[str, Any]) -> None:
    seed["instances"] = [{"ec2_id": "i-00000005", "uuid": "55555555-5555-4555-8555-555555555555"}]
    cloud = Cloud(Simulator.from_seed(seed))
    assert cloud.error("DescribeInstances", *ids("i-00000005"))[1:] == (
        "InstanceNotFound",
        "Instance i-00000005 could not be found.",
    )


# --- Terminate, Stop, Start, Reboot ---------------------------------------------------------------


def test_terminate_echoes_ids_as_sent(cloud: Cloud) -> None:
    cloud.launch(2)
    answer = cloud.ok("TerminateInstances", *ids("i-1", "ami-00000002"))
    assert [e.text for e in answer.iter(f"{NS}instanceId")] == ["i-1", "ami-00000002"]


def test_every_id_is_resolved_before_the_first_call(cloud: Cloud) -> None:
    [instance] = cloud.launch()
    calls = len(cloud.sim.compute.calls)
    assert cloud.error("TerminateInstances", *ids(instance, "i-000000ff"))[1] == "InstanceNotFound"
    assert len(cloud.sim.compute.calls) == calls
    assert cloud.states(instance) == [(instance, "running")]


@pytest.mark.parametrize("action", ["TerminateInstances", "StopInstances", "StartInstances"])
def test_a_malformed_id_is_refused_by_name(cloud: Cloud, action: str) -> None:
    outcome = cloud.ask(action, ("InstanceId.1", "i-zz"))
    assert (outcome.status, outcome.error_code, outcome.error_message) == (
        400,
        "InvalidInstanceIDMalformed",
        'Invalid id: i-zz (expecting "i-...").',
    )
    assert b"(expecting &quot;i-...&quot;)" in outcome.body


@pytest.mark.parametrize(
    "action", ["TerminateInstances", "StopInstances", "StartInstances", "RebootInstances"]
)
def test_without_instance_ids_the_call_fails_unexpectedly(cloud: Cloud, action: str) -> None:
    assert cloud.error(action)[1:] == ("UnknownError", UNKNOWN_ERROR_MESSAGE)


def test_a_string_id_is_iterated_as_nova_did(cloud: Cloud) -> None:
    cloud.launch()
    assert cloud.error("TerminateInstances", ("InstanceId", "i-00000001"))[1:] == (
        "InvalidInstanceIDMalformed",
        'Invalid id: i (expecting "i-...").',
    )


def test_state_checks_refuse_call_by_call(cloud: Cloud) -> None:
    running, stopped = cloud.launch(2)
    cloud.ok("StopInstances", *ids(stopped))
    cloud.ok("DescribeInstances")
    assert cloud.error("StopInstances", *ids(running, stopped))[1] == "UnknownError"
    assert cloud.states(running, stopped) == [(running, "stopped"), (stopped, "stopped")]
    assert [call.method for call in cloud.sim.compute.calls][-2:] == ["stop", "stop"]


def test_starting_a_running_instance_is_an_unknown_error(cloud: Cloud) -> None:
    [instance] = cloud.launch()
    assert cloud.error("StartInstances", *ids(instance)) == (
        400,
        "UnknownError",
        UNKNOWN_ERROR_MESSAGE,
    )


def test_the_same_instance_twice_in_one_reboot_fails_at_the_update(cloud: Cloud) -> None:
    [instance] = cloud.launch()
    cloud.ok("DescribeInstances")
    assert cloud.error("RebootInstances", *ids(instance, instance))[1] == "UnknownError"
    reboot = cloud.sim.compute.calls[-1]
    assert reboot.to_dict()["reboot_type"] == "HARD"


@pytest.mark.parametrize(
    ("profile", "message"),
    [("havana", "Unknown error occured."), ("icehouse", "Unknown error occurred.")],
)
def test_from_havana_the_second_reboot_of_one_instance_is_an_unexpected_task_state(
    profile: str, message: str
) -> None:
    """Both instances are loaded before the first reboot, so the second passes ``reboot``'s
    own state check and its save finds ``rebooting_hard`` (``cloud:1369-1382,1398-1405@2013.2.4``,
    ``capi:2008-2020@2013.2.4``): not the InstanceInvalidState the other refusals name."""
    cloud = profile_cloud(profile)
    [instance] = cloud.launch()
    cloud.ok("DescribeInstances")
    assert cloud.error("RebootInstances", *ids(instance, instance)) == (
        500,
        "UnexpectedTaskStateError",
        message,
    )
    assert [call.method for call in cloud.sim.compute.calls][-1:] == ["reboot"]


@pytest.mark.parametrize(
    ("profile", "refused"),
    [
        ("folsom", (400, "UnknownError")),
        ("grizzly", (400, "UnknownError")),
        ("havana", None),
        ("icehouse", (500, "UnexpectedTaskStateError")),
    ],
)
def test_only_havana_stops_and_starts_one_instance_twice_in_one_request(
    profile: str, refused: tuple[int, str] | None
) -> None:
    """Each instance is loaded before the first call, so the second stop of one passes the
    state check on its stale object; its save expects task state None, which Havana's
    ``Instance.save`` took as no check (``capi:1607-1644@2013.2.4``,
    ``objects/instance.py:439-440@2013.2.4``): every instance named is stopped, the one
    after the duplicate too. Icehouse expects ``[None]`` (84a797ec8c), Grizzly's database
    checked None itself."""
    cloud = profile_cloud(profile)
    first, second = cloud.launch(2)
    cloud.ok("DescribeInstances")
    stop = cloud.ask("StopInstances", *ids(first, first, second))
    stops = [call.method for call in cloud.sim.compute.calls].count("stop")
    if refused is None:
        assert (stop.status, stops) == (200, 3)
        assert [state for _, state in cloud.states(first, second)] == ["stopped"] * 2
        start = cloud.ask("StartInstances", *ids(first, first))
        assert start.status == 200
        assert cloud.states(first) == [(first, "running")]
    else:
        assert ((stop.status, stop.error_code), stops) == (refused, 2)
        assert cloud.states(second) == [(second, "running")]


def test_the_same_instance_twice_in_one_terminate(cloud: Cloud) -> None:
    [instance] = cloud.launch()
    answer = cloud.ok("TerminateInstances", *ids(instance, instance))
    assert [e.text for e in answer.iter(f"{NS}name")] == ["running"] * 4


# --- DescribeInstanceAttribute -------------------------------------------------------------------


def attribute(cloud: Cloud, name: str, instance: str = "i-00000001") -> ET.Element:
    return cloud.ok("DescribeInstanceAttribute", ("InstanceId", instance), ("Attribute", name))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("instanceType", "m1.small"),
        ("kernel", "aki-00000002"),
        ("ramdisk", "ari-00000003"),
        ("disableApiTermination", "false"),
        ("instanceInitiatedShutdownBehavior", "stop"),
        ("rootDeviceName", "/dev/sda1"),
        ("groupSet", None),
    ],
)
def test_each_attribute_is_the_bare_element(cloud: Cloud, name: str, value: str | None) -> None:
    cloud.launch()
    answer = attribute(cloud, name)
    assert _text(answer, "instanceId") == "i-00000001"
    element = answer.find(NS + name)
    assert element is not None
    if value is None:
        assert _text(element, "item/groupId") == "default"
    else:
        assert element.text == value


def test_the_block_device_mapping_attribute_carries_the_root_device_type(cloud: Cloud) -> None:
    cloud.launch(
        1,
        ("BlockDeviceMapping.1.DeviceName", "/dev/vdb"),
        ("BlockDeviceMapping.1.Ebs.SnapshotId", "vol-87654321"),
    )
    answer = attribute(cloud, "blockDeviceMapping")
    assert _text(answer, "rootDeviceType") == "instance-store"
    assert _text(answer, "blockDeviceMapping/item/ebs/volumeId") == "vol-87654321"


def _children(element: ET.Element | None) -> list[str]:
    assert element is not None
    return [child.tag.removeprefix(NS) for child in element]


def test_the_mappings_come_before_the_root_device_type(cloud: Cloud) -> None:
    """``_format_instance_bdm`` writes ``blockDeviceMapping`` (when there is one) and then
    ``rootDeviceType`` (``cloud:1041-1070@2013.1.5``), the order of the reference's item
    keys too, in every answer that formats an instance's devices."""
    launched = cloud.ok(
        "RunInstances",
        ("ImageId", "ami-00000001"),
        ("BlockDeviceMapping.1.DeviceName", "/dev/vdb"),
        ("BlockDeviceMapping.1.Ebs.SnapshotId", "vol-87654321"),
    )
    expected = [
        "instanceId",
        "imageId",
        "kernelId",
        "ramdiskId",
        "instanceState",
        "privateDnsName",
        "privateIpAddress",
        "publicDnsName",
        "ipAddress",
        "dnsName",
        "keyName",
        "productCodesSet",
        "instanceType",
        "launchTime",
        "amiLaunchIndex",
        "rootDeviceName",
        "blockDeviceMapping",
        "rootDeviceType",
        "placement",
    ]
    assert _children(launched.find(f"{NS}instancesSet/{NS}item")) == expected
    described = cloud.ok("DescribeInstances")
    item = described.find(f"{NS}reservationSet/{NS}item/{NS}instancesSet/{NS}item")
    assert _children(item) == expected
    assert _children(attribute(cloud, "blockDeviceMapping")) == [
        "requestId",
        "instanceId",
        "blockDeviceMapping",
        "rootDeviceType",
    ]


def test_an_unknown_attribute_is_refused_before_the_id(cloud: Cloud) -> None:
    assert cloud.error(
        "DescribeInstanceAttribute", ("InstanceId", "i-zz"), ("Attribute", "disableApiStop")
    ) == (400, "EC2APIError", "attribute not supported: disableApiStop")
    assert (
        cloud.error(
            "DescribeInstanceAttribute",
            ("InstanceId", "i-000000ff"),
            ("Attribute", "sourceDestCheck"),
        )[1]
        == "InstanceNotFound"
    )
    cloud.launch()
    assert cloud.error(
        "DescribeInstanceAttribute", ("InstanceId", "i-00000001"), ("Attribute", "sourceDestCheck")
    )[1:] == ("EC2APIError", "attribute not supported: sourceDestCheck")


def test_user_data_decoded_and_none_an_unknown_error(cloud: Cloud) -> None:
    cloud.launch()
    assert (
        cloud.error(
            "DescribeInstanceAttribute", ("InstanceId", "i-00000001"), ("Attribute", "userData")
        )[1]
        == "UnknownError"
    )
    cloud.launch(1, ("UserData", base64.b64encode(b"#!/bin/sh\necho <hi>").decode()))
    assert _text(attribute(cloud, "userData", "i-00000002"), "userData") == "#!/bin/sh\necho <hi>"


def test_a_malformed_attribute_id_is_refused(cloud: Cloud) -> None:
    assert (
        cloud.error("DescribeInstanceAttribute", ("InstanceId", "i-zz"), ("Attribute", "kernel"))[1]
        == "InvalidInstanceIDMalformed"
    )
    assert cloud.error("DescribeInstanceAttribute", ("InstanceId", "i-1"))[1] == "UnknownError"


# --- DescribeImages, DescribeSnapshots, DescribeVolumes, DescribeAvailabilityZones ---------------


def test_describe_images(cloud: Cloud) -> None:
    answer = cloud.ok("DescribeImages", ("Owner.1", "self"), ("Filter.1.Name", "x"))
    items = answer.findall(f"{NS}imagesSet/{NS}item")
    assert [(_text(i, "imageId"), _text(i, "imageType")) for i in items] == [
        ("ami-00000001", "machine"),
        ("aki-00000002", "kernel"),
        ("ari-00000003", "ramdisk"),
    ]
    first = items[0]
    assert _text(first, "imageLocation") == "None (cirros)"
    assert _text(first, "kernelId") == "aki-00000002"
    assert _text(first, "imageState") == "available"
    assert _text(first, "isPublic") == "false"
    assert _text(first, "rootDeviceType") == "instance-store"
    by_name = cloud.ok("DescribeImages", ("ImageId.1", "cirros-kernel"))
    assert [e.text for e in by_name.iter(f"{NS}imageId")] == ["aki-00000002"]
    assert cloud.error("DescribeImages", ("ImageId.1", "ami-000000ff")) == (
        400,
        "ImageNotFound",
        "Image ami-000000ff could not be found.",
    )
    assert cloud.error("DescribeImages", ("ImageId.1", "aki-00000001"))[1] == "ImageNotFound"


def test_listing_images_gives_each_an_ec2_id(seed: dict[str, Any]) -> None:
    seed["images"].append(
        {
            "uuid": "99999999-9999-4999-8999-999999999999",
            "name": "new",
            "status": "active",
            "container_format": "bare",
            "properties": {},
        }
    )
    cloud = Cloud(Simulator.from_seed(seed))
    answer = cloud.ok("DescribeImages")
    assert [e.text for e in answer.iter(f"{NS}imageId")][-1] == "ami-00000004"


@pytest.mark.parametrize(
    ("profile", "listing", "lookup"),
    [
        ("folsom", (400, "UnknownError"), 400),
        ("grizzly", (400, "UnknownError"), 400),
        ("havana", (500, "ValueError"), 404),
        ("icehouse", (500, "ValueError"), 404),
    ],
)
def test_a_listing_reads_every_image_before_giving_any_an_ec2_id(
    seed: dict[str, Any], profile: str, listing: tuple[int, str], lookup: int
) -> None:
    """Glance answers the whole listing, each image's JSON read, before ``S3ImageService``
    gives the first image its id: an image whose JSON is no JSON fails the listing (Havana
    names the ValueError) and an earlier image still has no id, so its would-be id is not
    found afterwards (``s3.py:150-151@2013.1.5``, ``glance.py:213-215,391@2013.1.5``)."""
    fresh = {"uuid": "99999999-9999-4999-8999-999999999999", "name": "new", "properties": {}}
    broken = {
        "uuid": "88888888-8888-4888-8888-888888888888",
        "name": "broken",
        "properties": {"block_device_mapping": "xx"},
    }
    seed["images"] += [fresh, broken]
    cloud = Cloud(Simulator.from_seed(seed, profile=profile))
    assert cloud.error("DescribeImages")[:2] == listing
    found = cloud.error("DescribeImages", ("ImageId.1", "ami-00000004"))
    assert found[:2] == (lookup, "ImageNotFound")


@pytest.mark.parametrize(
    ("profile", "key", "answer"),
    [
        ("grizzly", "a b", (200, None)),
        ("grizzly", "cl\u00e9", (400, "UnknownError")),
        ("folsom", "cl\u00e9", (400, "UnknownError")),
        ("havana", "cl\u00e9", (200, None)),
        ("havana", "a b", (500, "HTTPInternalServerError")),
        ("icehouse", "1x", (500, "HTTPInternalServerError")),
    ],
)
def test_an_image_property_s_keys_are_element_names(
    seed: dict[str, Any], profile: str, key: str, answer: tuple[int, str | None]
) -> None:
    """A property holding a dict renders its keys as elements (only a seed can hold one):
    what each release's writing of the document refused, FaultWrapper answered, and every
    answer has its bytes."""
    seed["images"][0]["properties"]["architecture"] = {key: 1}
    cloud = Cloud(Simulator.from_seed(seed, profile=profile))
    outcome = cloud.ask("DescribeImages", ("ImageId.1", "ami-00000001"))
    assert (outcome.status, outcome.error_code) == answer
    assert outcome.body.startswith(b"<")


@pytest.mark.parametrize("later", [{"device_name": 5, "snapshot_id": "x"}, 5])
@pytest.mark.parametrize(
    ("profile", "codes"),
    [
        ("folsom", ("UnknownError", "UnknownError")),
        ("grizzly", ("UnknownError", "UnknownError")),
        ("havana", ("TypeError", "AttributeError")),
        ("icehouse", ("TypeError", "AttributeError")),
    ],
)
def test_describe_images_asks_every_image_mapping_after_the_root_device_s_too(
    seed: dict[str, Any], profile: str, codes: tuple[str, str], later: Any
) -> None:
    """``_format_image``'s loop has no ``break`` (``cloud:1425-1430@2013.1.5``): a mapping
    after the root device's still has its device name stripped (no text: TypeError) and is
    asked ``.get`` (no dict: AttributeError)."""
    root = {"device_name": "/dev/sda1", "snapshot_id": "00000000-1111-2222-3333-444444444444"}
    seed["images"][0]["properties"].update(
        root_device_name="/dev/sda1", block_device_mapping=json.dumps([root, later])
    )
    cloud = Cloud(Simulator.from_seed(seed, profile=profile))
    outcome = cloud.ask("DescribeImages", ("ImageId.1", "ami-00000001"))
    assert outcome.error_code == codes[0 if isinstance(later, dict) else 1]


@pytest.mark.parametrize(
    ("profile", "code"),
    [("grizzly", "UnknownError"), ("havana", "ValueError"), ("icehouse", "ValueError")],
)
def test_describe_images_formats_every_image_mapping_before_placing_any(
    seed: dict[str, Any], profile: str, code: str
) -> None:
    """``_format_mappings`` formats the whole list first (``cloud:191-206@2013.2.4``): a
    later entry whose snapshot id has no EC2 id fails (ValueError) before an earlier entry
    without a device name is placed (KeyError)."""
    nameless = {"snapshot_id": "00000000-1111-2222-3333-444444444444"}
    broken = {"device_name": "/dev/vdc", "snapshot_id": "not-a-uuid"}
    seed["images"][0]["properties"].update(
        mappings=[{"virtual": "swap", "device": "sdb"}],
        block_device_mapping=json.dumps([nameless, broken]),
    )
    cloud = Cloud(Simulator.from_seed(seed, profile=profile))
    outcome = cloud.ask("DescribeImages", ("ImageId.1", "ami-00000001"))
    assert outcome.error_code == code


UPPER = "00000000-1111-2222-3333-44444444444A"
BRACED = "{00000000-1111-2222-3333-444444444444}"
HEXLESS = "00000000111122223333444444444444"
FAILED = {
    "grizzly": (400, "UnknownError", UNKNOWN_ERROR_MESSAGE),
    "havana": (500, "ValueError", "Unknown error occured."),
    "icehouse": (500, "ValueError", "Unknown error occurred."),
}


def _image_mapping_ids(seed: dict[str, Any], profile: str, snapshot_id: Any) -> Any:
    """The ``snapshotId`` DescribeImages writes for an image mapping of ``snapshot_id``, or
    the error it fails with."""
    seed["images"][0]["properties"]["block_device_mapping"] = [
        {"device_name": "/dev/vdb", "snapshot_id": snapshot_id}
    ]
    cloud = Cloud(Simulator.from_seed(seed, profile=profile))
    outcome = cloud.ask("DescribeImages", ("ImageId.1", "ami-00000001"))
    if outcome.status != 200:
        return outcome.status, outcome.error_code, outcome.error_message
    return _text(
        ET.fromstring(outcome.body), "imagesSet/item/blockDeviceMapping/item/ebs/snapshotId"
    )


@pytest.mark.parametrize("profile", ["grizzly", "havana", "icehouse"])
def test_only_a_canonical_uuid_is_mapped_from_grizzly_on(
    seed: dict[str, Any], profile: str
) -> None:
    """``uuidutils.is_uuid_like`` is ``str(uuid.UUID(val)) == val``: any other form is read
    as an integer id, ``'snap-%08x' % int(val)`` (``ec2utils:179-186@2013.1.5``)."""
    first_free = "snap-2345678a"
    assert _image_mapping_ids(seed, profile, UPPER.lower()) == first_free
    for other_form in (UPPER, BRACED, "urn:uuid:" + UPPER.lower(), "1_0", "ten"):
        assert _image_mapping_ids(seed, profile, other_form) == FAILED[profile]
    assert _image_mapping_ids(seed, profile, HEXLESS) == f"snap-{int(HEXLESS):08x}"
    assert _image_mapping_ids(seed, profile, " 10 ") == "snap-0000000a"


def test_folsom_maps_whatever_python_2s_uuid_reads(seed: dict[str, Any]) -> None:
    """Folsom's ``utils.is_uuid_like`` only asked ``uuid.UUID(val)`` to read the text: braces,
    capitals, ``urn:uuid:``, no hyphens, a long's ``L`` after 31 digits; each is a row of its
    own, made for the text as written (``utils.py:970-979@2012.2.4``)."""
    read = [
        UPPER,
        BRACED,
        "urn:uuid:" + UPPER.lower(),
        HEXLESS,
        HEXLESS[1:] + "L",
        UPPER.lower(),
    ]
    assert [_image_mapping_ids(seed, "folsom", form) for form in read] == ["snap-2345678a"] * 6
    assert _image_mapping_ids(seed, "folsom", "-" + HEXLESS[1:]) == "snap--1787f2a2dafeeb9b571c"
    for not_read in ("1_0", "{" + HEXLESS + "0}", HEXLESS[1:] + " L"):
        assert _image_mapping_ids(seed, "folsom", not_read) == (
            400,
            "UnknownError",
            UNKNOWN_ERROR_MESSAGE,
        )


@pytest.mark.parametrize(
    ("profile", "shown"),
    [("grizzly", None), ("havana", ["/dev/sdc"]), ("icehouse", ["/dev/sdc"])],
)
def test_an_image_mapping_without_a_virtual_name_is_skipped_from_havana_on(
    seed: dict[str, Any], profile: str, shown: list[str] | None
) -> None:
    """Havana's ``is_swap_or_ephemeral`` is ``device_name and (...)``
    (``block_device.py:371-373@2013.2.4``): ``_format_mappings`` skips a None name, which
    Grizzly's pattern refused (TypeError, ``UnknownError``)."""
    seed["images"][0]["properties"]["mappings"] = [
        {"virtual": None, "device": "sdb"},
        {"virtual": "swap", "device": "sdc"},
    ]
    cloud = Cloud(Simulator.from_seed(seed, profile=profile))
    outcome = cloud.ask("DescribeImages", ("ImageId.1", "ami-00000001"))
    if shown is None:
        assert outcome.error_code == "UnknownError"
        return
    names = ET.fromstring(outcome.body).iter(f"{NS}deviceName")
    assert [name.text for name in names] == shown


def test_describe_snapshots(cloud: Cloud) -> None:
    answer = cloud.ok("DescribeSnapshots")
    items = answer.findall(f"{NS}snapshotSet/{NS}item")
    assert [_text(i, "snapshotId") for i in items] == ["snap-12345678", "snap-23456789"]
    assert [_text(items[0], key) for key in ("status", "progress", "volumeSize", "ownerId")] == [
        "completed",
        "100%",
        "1",
        "admin",
    ]
    assert cloud.error("DescribeSnapshots", ("SnapshotId.1", "snap-000000ff")) == (
        400,
        "SnapshotNotFound",
        "Snapshot snap-000000ff could not be found.",
    )
    assert cloud.error("DescribeSnapshots", ("SnapshotId.1", "snap-zz"))[1] == "UnknownError"


@pytest.mark.parametrize(("profile", "found"), [("folsom", True), ("grizzly", False)])
def test_a_volume_or_snapshot_uuid_in_capitals_is_a_uuid_to_folsom_only(
    seed: dict[str, Any], profile: str, found: bool
) -> None:
    """``_format_volume`` and ``_format_snapshot`` write the id through ``is_uuid_like``,
    Folsom's being whatever Python 2's ``uuid.UUID`` reads (``cloud.py:731,324@2012.2.4``,
    ``utils.py:970-979@2012.2.4``); from Grizzly on only the canonical form is a uuid, and
    ``int()`` of any other fails the answer."""
    seed["volumes"] = [{"ec2_id": "vol-00000001", "uuid": "AAAAAAAA-3333-4444-8555-666666666666"}]
    seed["snapshots"] = [
        {"ec2_id": "snap-00000002", "uuid": "BBBBBBBB-1111-4222-8333-444444444444"}
    ]
    cloud = Cloud(Simulator.from_seed(seed, profile=profile))
    asked = [
        ("DescribeVolumes", ("VolumeId.1", "vol-00000001"), "volumeId", "vol-00000001"),
        ("DescribeSnapshots", ("SnapshotId.1", "snap-00000002"), "snapshotId", "snap-00000002"),
    ]
    for action, pair, element, ec2_id in asked:
        outcome = cloud.ask(action, pair)
        if found:
            assert [e.text for e in ET.fromstring(outcome.body).iter(NS + element)] == [ec2_id]
        else:
            assert outcome.error_code == "UnknownError"


def test_describe_volumes(cloud: Cloud) -> None:
    answer = cloud.ok("DescribeVolumes", ("VolumeId.1", "vol-98765432"))
    [item] = answer.findall(f"{NS}volumeSet/{NS}item")
    assert [_text(item, key) for key in ("volumeId", "status", "size", "availabilityZone")] == [
        "vol-98765432",
        "available",
        "1",
        "nova",
    ]
    attachments = item.find(f"{NS}attachmentSet")
    assert attachments is not None and [len(i) for i in attachments] == [0]
    assert cloud.error("DescribeVolumes", ("VolumeId.1", "vol-zz"))[1:] == (
        "InvalidInstanceIDMalformed",
        'Invalid id: vol-zz (expecting "i-...").',
    )
    assert cloud.error("DescribeVolumes", ("VolumeId.1", "vol-000000ff"))[1:] == (
        "VolumeNotFound",
        "Volume vol-000000ff could not be found.",
    )
    assert len(cloud.ok("DescribeVolumes").findall(f"{NS}volumeSet/{NS}item")) == 2


def zones(answer: ET.Element) -> list[tuple[str, str]]:
    return [
        (_text(i, "zoneName"), _text(i, "zoneState"))
        for i in answer.findall(f"{NS}availabilityZoneInfo/{NS}item")
    ]


def test_describe_availability_zones(cloud: Cloud) -> None:
    assert zones(cloud.ok("DescribeAvailabilityZones")) == [("nova", "available")]
    assert zones(cloud.ok("DescribeAvailabilityZones", ("ZoneName.1", "elsewhere"))) == [
        ("nova", "available")
    ]
    verbose = zones(cloud.ok("DescribeAvailabilityZones", ("ZoneName", "xverbosex")))
    assert [name for name, _ in verbose] == [
        "internal",
        "|- launch-sim",
        "| |- nova-conductor",
        "| |- nova-cert",
        "| |- nova-network",
        "| |- nova-scheduler",
        "| |- nova-consoleauth",
        "nova",
        "|- launch-sim",
        "| |- nova-compute",
    ]
    assert verbose[2][1].startswith("enabled :-) ")
    assert cloud.error("DescribeAvailabilityZones", ("ZoneName", "12"))[1] == "UnknownError"
    users = Cloud(Simulator.from_seed(admin=False))
    assert zones(users.ok("DescribeAvailabilityZones", ("ZoneName.1", "verbose"))) == [
        ("nova", "available")
    ]


# --- profiles ------------------------------------------------------------------------------------


def test_folsom_skips_unknown_ids_and_names_malformed_ones_raw() -> None:
    cloud = profile_cloud("folsom")
    [instance] = cloud.launch()
    assert cloud.states(instance, "i-000000ff") == [(instance, "running")]
    assert cloud.error("StopInstances", ("InstanceId.1", "i-zz"))[1:] == (
        "InvalidInstanceIDMalformed",
        "i-zz",
    )


@pytest.mark.parametrize("falsy", ["", "0", "false", "None", "0.0"])
def test_folsom_names_a_falsy_malformed_id_by_the_bare_template(falsy: str) -> None:
    """``InvalidInstanceIDMalformed(val)`` with a falsy ``val``: NovaException formats its
    template with ``{'code': 400}``, fails, and keeps it as it is (conversation audit 3)."""
    for action, pairs in (
        ("StopInstances", ids(falsy)),
        ("DescribeInstanceAttribute", [("InstanceId", falsy), ("Attribute", "kernel")]),
        ("DescribeVolumes", [("VolumeId.1", falsy)]),
    ):
        assert profile_cloud("folsom").error(action, *pairs) == (
            400,
            "InvalidInstanceIDMalformed",
            'Invalid id: %(val)s (expecting "i-...").',
        )


@pytest.mark.parametrize(("falsy", "text"), [("", ""), ("0", "0"), ("false", "False")])
def test_grizzly_formats_a_falsy_malformed_id(falsy: str, text: str) -> None:
    """Grizzly passes ``val=val``, so the template is formatted whatever the id."""
    assert profile_cloud("grizzly").error("StopInstances", *ids(falsy))[2] == (
        f'Invalid id: {text} (expecting "i-...").'
    )


MALFORMED_MESSAGES = {
    "folsom": "{}",
    "grizzly": 'Invalid id: {} (expecting "i-...").',
    "havana": 'Invalid id: {} (expecting "i-...").',
    "icehouse": 'Invalid id: {} (expecting "i-...").',
}


@pytest.mark.parametrize("profile", sorted(MALFORMED_MESSAGES))
@pytest.mark.parametrize(
    ("pairs", "text"),
    [
        ([("InstanceId.1", "i-00000001"), ("Attribute", "instanceType")], "[u'i-00000001']"),
        ([("InstanceId", "3.14159265358979"), ("Attribute", "kernel")], "3.14159265359"),
        ([("InstanceId", "123456789012345678.5"), ("Attribute", "kernel")], "1.23456789012e+17"),
    ],
)
def test_a_malformed_id_is_written_as_python_2_wrote_it(
    profile: str, pairs: list[tuple[str, str]], text: str
) -> None:
    """``'%(val)s' % {'val': [u'i-00000001']}`` under Python 2 (conversation audit 4)."""
    message = profile_cloud(profile).error("DescribeInstanceAttribute", *pairs)[2]
    assert message == MALFORMED_MESSAGES[profile].format(text)


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ("folsom", "attribute not supported: 3.14159265359"),
        ("grizzly", "attribute not supported: 3.14159265359"),
        ("havana", "Attribute not supported: 3.14159265359"),
        ("icehouse", "Attribute not supported: 3.14159265359"),
    ],
)
def test_an_unsupported_float_attribute_is_written_as_python_2_wrote_it(
    profile: str, message: str
) -> None:
    cloud = profile_cloud(profile)
    pairs = (("InstanceId", "i-00000001"), ("Attribute", "3.14159265358979"))
    assert cloud.error("DescribeInstanceAttribute", *pairs)[2] == message
    assert cloud.error("StopInstances", ("InstanceId.1", "3.14159265358979"))[2] == (
        MALFORMED_MESSAGES[profile].format("3.14159265359")
    )


def test_folsom_stops_a_stopped_instance_and_grizzly_refuses() -> None:
    for name, accepted in (("folsom", True), ("grizzly", False)):
        cloud = profile_cloud(name)
        [instance] = cloud.launch()
        cloud.ok("StopInstances", *ids(instance))
        assert (cloud.ask("StopInstances", *ids(instance)).status == 200) is accepted, name


def test_folsom_catalogue() -> None:
    cloud = profile_cloud("folsom")
    assert _text(cloud.ok("DescribeSnapshots"), "snapshotSet/item/status") == "available"
    assert (
        _text(cloud.ok("DescribeVolumes"), "volumeSet/item/status")
        == "available (admin, launch-sim, None, None)"
    )
    verbose = zones(cloud.ok("DescribeAvailabilityZones", ("ZoneName.1", "verbose")))
    assert [name for name, _ in verbose] == [
        "nova",
        "|- launch-sim",
        "| |- nova-compute",
        "| |- nova-cert",
        "| |- nova-network",
        "| |- nova-scheduler",
        "| |- nova-consoleauth",
        "| |- nova-volume",
    ]


@pytest.mark.parametrize(
    ("name", "time"),
    [("folsom", "2013-06-01T12:00:00.000Z"), ("grizzly", "2013-06-01T12:00:00.000000")],
)
def test_volume_times_are_as_the_volume_service_gives_them(name: str, time: str) -> None:
    """Folsom's nova-volume hands out database rows (a datetime, rendered with milliseconds);
    cinder writes its own text, which the EC2 layer passes through."""
    cloud = profile_cloud(name)
    assert _text(cloud.ok("DescribeVolumes"), "volumeSet/item/createTime") == time
    assert _text(cloud.ok("DescribeSnapshots"), "snapshotSet/item/startTime") == time


@pytest.mark.parametrize("name", ["havana", "icehouse"])
def test_havana_answers_not_found_with_404_and_its_own_codes(name: str) -> None:
    cloud = profile_cloud(name)
    [instance] = cloud.launch()
    assert cloud.error("DescribeInstances", *ids("i-000000ff")) == (
        404,
        "InvalidInstanceID.NotFound",
        "Instance i-000000ff could not be found.",
    )
    assert cloud.error("DescribeInstances", *ids("i-zz")) == (
        400,
        "InvalidEc2Id",
        "Ec2 id i-zz is unacceptable.",
    )
    assert cloud.error("TerminateInstances", *ids("i-zz"))[:2] == (
        400,
        "InvalidInstanceID.Malformed",
    )
    status, code, message = cloud.error("StartInstances", *ids(instance))
    assert (status, code) == (400, "InstanceInvalidState")
    assert message.endswith("in vm_state active. Cannot start while the instance is in this state.")
    assert cloud.error(
        "DescribeInstanceAttribute", ("InstanceId", instance), ("Attribute", "disableApiStop")
    ) == (400, "InvalidAttribute", "Attribute not supported: disableApiStop")


def test_havana_applies_tag_filters() -> None:
    cloud = profile_cloud("havana")
    cloud.launch()
    everything = cloud.ok("DescribeInstances", ("Filter.1.Name", "instance-state-name"))
    assert len(everything.findall(f".//{NS}instancesSet/{NS}item")) == 1
    tagged = cloud.ok(
        "DescribeInstances", ("Filter.1.Name", "tag:Name"), ("Filter.1.Value.1", "web")
    )
    assert tagged.find(f".//{NS}instancesSet") is None
    assert cloud.error("DescribeInstances", ("Filter.1.Name", "tag-owner")) == (
        400,
        "InvalidParameterValue",
        "Invalid field name: owner",
    )


def test_an_action_not_simulated_is_nova_s_invalid_request(cloud: Cloud) -> None:
    for action in ("DescribeKeyPairs", "CreateTags", "DescribeInstanceStatus", "Store"):
        assert cloud.error(action) == (400, "InvalidRequest", "The request is invalid.")
    assert profile_cloud("havana").error("CreateTags")[1] == "InvalidRequest"


def test_a_service_api_of_the_controller_is_found_and_fails(cloud: Cloud) -> None:
    assert cloud.error("ImageService")[1] == "UnknownError"
    assert cloud.error("ServicegroupApi")[1] == "UnknownError"
    assert profile_cloud("folsom").error("ServicegroupApi")[1] == "InvalidRequest"
    assert profile_cloud("havana").error("ComputeApi") == (
        500,
        "TypeError",
        "Unknown error occured.",
    )


# --- compute call records -------------------------------------------------------------------------


def test_every_compute_call_is_recorded_in_order_and_schema_valid(cloud: Cloud) -> None:
    [instance] = cloud.launch()
    cloud.ok("StopInstances", *ids(instance))
    cloud.ok("StartInstances", *ids(instance))
    cloud.ok("RebootInstances", *ids(instance))
    cloud.ok("TerminateInstances", *ids(instance))
    calls = list(cloud.sim.compute.calls)
    assert [call.method for call in calls] == ["create", "stop", "start", "reboot", "delete"]
    assert isinstance(calls[0], CreateCall)
    assert calls[0].image_href == "70a599e0-31e7-49b7-b260-868f441e862b"
    records = [call.to_dict() for call in calls[1:]]
    assert all(validate(record) == [] for record in records)
    assert records[0]["instance"] == {
        "uuid": calls[1].instance["uuid"],
        "ec2_id": "i-00000001",
        "vm_state": "active",
        "task_state": None,
        "host": "launch-sim",
    }
    assert records[2] == {**records[2], "method": "reboot", "reboot_type": "HARD"}
    assert "reboot_type" not in records[3]


def test_a_call_outside_its_contract_is_refused() -> None:
    record = {"method": "stop", "instance": {"uuid": "x"}, "reboot_type": "HARD"}
    assert [v.pointer for v in validate(record, "compute_call")] != []
    sim = Simulator.from_seed()
    with pytest.raises(ContractViolation):
        sim.compute.contracts.check("compute_call", InstanceCall("halt", {}).to_dict())


# --- cost: O(ids asked) ---------------------------------------------------------------------------


def test_describe_and_terminate_by_id_never_walk_the_table(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    launched = cloud.launch(3)

    def walked() -> list[int]:
        raise AssertionError("the whole instances table was read")

    monkeypatch.setattr(cloud.sim.store.instances, "ids", walked)
    assert len(cloud.states(*launched)) == 3
    cloud.ok("StopInstances", *ids(launched[0]))
    cloud.ok("DescribeInstanceAttribute", ("InstanceId", launched[1]), ("Attribute", "kernel"))
    cloud.ok("TerminateInstances", *ids(*launched))


@pytest.mark.parametrize(
    ("name", "states"),
    [
        ("grizzly", ["decrypting", "failed_upload", "mine"]),
        ("havana", ["pending", "failed", "mine"]),
        ("icehouse", ["pending", "failed", "mine"]),
    ],
)
def test_image_states_read_through_the_s3_map_from_havana_on(name: str, states: list[str]) -> None:
    """``S3ImageService.image_state_map`` (a977294b86, ``s3.py:79-87,116-120@2013.2.4``): an
    image's ``image_state`` as EC2 names it; a state the map lacks stays."""
    seed = json.loads(Path("fixtures/seed/default.json").read_text())
    machine = seed["images"][0]
    for number, state in enumerate(("decrypting", "failed_upload", "mine"), start=9):
        seed["images"].append(
            {
                **machine,
                "ec2_id": f"ami-{number:08x}",
                "uuid": f"{number:08d}-0000-4000-8000-000000000000",
                "name": state,
                "properties": {"image_state": state},
            }
        )
    cloud = Cloud(Simulator.from_seed(seed, profile=name))
    answers = [cloud.ok("DescribeImages", ("ImageId.1", f"ami-{n:08x}")) for n in (9, 10, 11)]
    shown = [_text(answer, "imagesSet/item/imageState") for answer in answers]
    assert shown == states
    assert cloud.error("RunInstances", ("ImageId", "ami-00000009"))[2] == "Image must be available"


@pytest.mark.parametrize(
    ("profile", "read"),
    [
        ("grizzly", ["creating", "attaching", "detaching", "banana"]),
        ("havana", ["creating", "in-use", "in-use", "banana"]),
        ("icehouse", ["creating", "in-use", "in-use", "banana"]),
    ],
)
def test_format_volume_maps_attaching_and_detaching_from_havana_on(
    profile: str, read: list[str]
) -> None:
    """Havana's ``test_format_volume_maps_status`` (``test_cinder_cloud.py:194@2013.2.4``):
    the seed's volumes are all available, so the formatter is asked directly, as there."""
    cloud = Simulator.from_seed(profile=profile).cloud
    volume = {
        "id": "22222222-3333-4444-5555-666666666666",
        "size": 1,
        "availability_zone": "nova",
        "created_at": None,
        "project_id": "fake",
        "host": "fake",
    }
    statuses = ["creating", "attaching", "detaching", "banana"]
    assert [
        cloud._format_volume(RequestContext(), {**volume, "status": status})["status"]
        for status in statuses
    ] == read
