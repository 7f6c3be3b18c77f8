"""What compute makes of an image's properties beyond its devices, release by release: the
``auto_disk_config`` flag it inherits, the system metadata copies it keeps, and the Glance
ids ``ec2utils``' cache keys (each outcome checked against Nova's code under Python 2.7)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from simulator import Simulator
from simulator.context import RequestContext
from simulator.image_properties import auto_disk_config_disabled, bool_from_str
from simulator.service import EC2Service, Outcome

AUTO_DISK_CONFIG = [
    ("", False, False),
    ("1", True, False),
    (" 1 ", True, False),
    ("Y", True, False),
    ("1.5", False, False),
    ("\u0661", True, False),
    ("1_0", False, False),
    ("Disabled", False, True),
    (" disabled ", False, True),
    (0, False, AttributeError),
    (True, True, AttributeError),
    (2.5, True, AttributeError),
    ([], False, AttributeError),
    ([0], TypeError, AttributeError),
    ({"a": 1}, TypeError, AttributeError),
    (float("nan"), AttributeError, AttributeError),
    (float("inf"), OverflowError, AttributeError),
]


def _outcome(function: Any, value: Any) -> Any:
    try:
        return function(value)
    except Exception as exc:
        return type(exc)


@pytest.mark.parametrize(("value", "grizzly", "havana"), AUTO_DISK_CONFIG)
def test_each_releases_reading_of_auto_disk_config(value: Any, grizzly: Any, havana: Any) -> None:
    """``utils.bool_from_str`` (Folsom, Grizzly) and ``utils.is_auto_disk_config_disabled``
    (Havana on), each value run through both under CPython 2.7.18."""
    assert _outcome(bool_from_str, value) == grizzly
    assert _outcome(auto_disk_config_disabled, value) == havana


def launch(
    seed: dict[str, Any],
    profile: str,
    properties: dict[str, Any],
    *pairs: tuple[str, str],
    context: RequestContext | None = None,
) -> tuple[Outcome, EC2Service]:
    changed = copy.deepcopy(seed)
    changed["images"][0]["properties"].update(properties)
    service = EC2Service(Simulator.from_seed(changed, profile=profile))
    request = [
        ("Action", "RunInstances"),
        ("ImageId", "ami-00000001"),
        ("InstanceType", "m1.small"),
        ("MinCount", "2"),
        ("MaxCount", "2"),
        *pairs,
    ]
    return service.handle(request, context), service


UNKNOWN = (400, "UnknownError")


@pytest.mark.parametrize(
    ("profile", "expected"),
    [("folsom", UNKNOWN), ("grizzly", UNKNOWN), ("havana", (200, None)), ("icehouse", (200, None))],
)
def test_a_property_beyond_ascii_fails_before_havana(
    seed: dict[str, Any], profile: str, expected: tuple[int, str | None]
) -> None:
    """``str(value)[:255]`` into system metadata (Folsom, Grizzly) fails on text beyond ASCII
    before the first instance's row exists: the create call is made, no instance or EC2 id is
    left behind. Havana copies ``unicode(value)``; a list beyond ASCII is its ASCII repr."""
    outcome, service = launch(seed, profile, {"description": "café", "tags": ["é"]})
    assert (outcome.status, outcome.error_code) == expected
    assert len(outcome.create_calls) == 1
    if outcome.status != 200:
        assert service.sim.store.instances.ids() == []
        kernel = service.handle(
            [("Action", "RunInstances"), ("ImageId", "aki-00000002"), ("MinCount", "1")]
        )
        assert kernel.instance_ids == ["i-00000001"]


@pytest.mark.parametrize(
    ("profile", "value", "expected"),
    [
        ("folsom", [1], UNKNOWN),
        ("grizzly", {"a": 1}, UNKNOWN),
        ("grizzly", True, (200, None)),
        ("grizzly", "Disabled", (200, None)),
        ("havana", True, (500, "AttributeError")),
        ("havana", 0, (500, "AttributeError")),
        ("havana", "Disabled", (200, None)),
        ("icehouse", [1], (500, "AttributeError")),
        ("icehouse", "yes", (200, None)),
    ],
)
def test_auto_disk_config_is_read_after_the_call(
    seed: dict[str, Any], profile: str, value: Any, expected: tuple[int, str | None]
) -> None:
    outcome, _ = launch(seed, profile, {"auto_disk_config": value})
    assert (outcome.status, outcome.error_code) == expected
    assert len(outcome.create_calls) == 1


def test_grizzly_reads_auto_disk_config_before_the_forced_host_policy(
    seed: dict[str, Any],
) -> None:
    """``_inherit_properties_from_image`` runs between ``_handle_availability_zone`` and
    ``check_policy(context, 'create:forced_host')`` (``capi:559-607@2013.1.5``)."""
    user = RequestContext(user_id="u", project_id="u", is_admin=False)
    forced = ("Placement.AvailabilityZone", "nova:host")
    outcome, _ = launch(seed, "grizzly", {"auto_disk_config": [1]}, forced, context=user)
    assert outcome.error_code == "UnknownError"
    outcome, _ = launch(seed, "grizzly", {"auto_disk_config": "1"}, forced, context=user)
    assert outcome.error_code == "PolicyNotAuthorized"


@pytest.mark.parametrize(
    ("profile", "expected", "calls"),
    [
        ("folsom", UNKNOWN, 1),
        ("grizzly", UNKNOWN, 0),
        ("havana", (500, "UnicodeEncodeError"), 0),
        ("icehouse", (500, "UnicodeEncodeError"), 0),
    ],
)
def test_a_kernel_id_beyond_ascii_fails_the_image_lookup_from_grizzly_on(
    seed: dict[str, Any], profile: str, expected: tuple[int, str], calls: int
) -> None:
    """``glance_id_to_id``'s ``@memoize`` writes its cache key with ``str()`` (Grizzly on), so
    translating the image's ``kernel_id`` fails in the EC2 layer, before the create call.
    Folsom translates it (an s3 row of its own) and fails later, copying the property into
    system metadata."""
    outcome, _ = launch(seed, profile, {"kernel_id": "noyau-é"}, ("KernelId", "aki-00000002"))
    assert (outcome.status, outcome.error_code) == expected
    assert len(outcome.create_calls) == calls


def _describe(service: EC2Service) -> bytes:
    answer = service.handle([("Action", "DescribeInstances")])
    assert answer.status == 200
    return answer.body


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ("grizzly", (400, "UnknownError")),
        ("havana", (500, "AttributeError")),
        ("icehouse", (500, "AttributeError")),
    ],
)
def test_an_image_mapping_that_cannot_be_read_leaves_its_instance_behind(
    seed: dict[str, Any], profile: str, expected: tuple[int, str]
) -> None:
    """Havana's ``_populate_instance_for_bdm`` destroys its instance for an ``InvalidBDM``
    only: ``mappings_prepend_dev`` failing on a device that is no text leaves the created
    instance building, never scheduled, as Grizzly's failure after ``instance_create`` did
    (``capi:1141-1158,764-777@2013.2.4``)."""
    outcome, service = launch(seed, profile, {"mappings": [{"virtual": "swap", "device": 5}]})
    assert (outcome.status, outcome.error_code) == expected
    body = _describe(service)
    assert b"<instanceId>i-00000001</instanceId>" in body
    assert b"<name>pending</name>" in body
    assert b"<instanceId>i-00000002</instanceId>" not in body


@pytest.mark.parametrize("profile", ["havana", "icehouse"])
def test_a_root_device_name_that_is_no_text_fails_only_beside_a_mapped_device(
    seed: dict[str, Any], profile: str
) -> None:
    """``from_legacy_mapping`` strips the root device's name only to compare it with a
    volume's, snapshot's or image's (``bd:296-300@2013.2.4``, ``322-326@2014.1.5``)."""
    outcome, _ = launch(seed, profile, {"root_device_name": 5})
    assert outcome.status == 200
    snapshot = (
        ("BlockDeviceMapping.1.DeviceName", "/dev/vdb"),
        ("BlockDeviceMapping.1.Ebs.SnapshotId", "snap-12345678"),
    )
    outcome, _ = launch(seed, profile, {"root_device_name": 5}, *snapshot)
    assert (outcome.status, outcome.error_code) == (500, "TypeError")


@pytest.mark.parametrize(
    ("value", "before_havana", "from_havana"),
    [
        (True, "1", "True"),
        (False, "0", "False"),
        (0, "0", "0"),
        (0.0, "0", "0.0"),
        (1.23456789012345, "1.23456789012345", "1.23456789012"),
        ("", "/dev/sda1", "/dev/sda1"),
    ],
)
@pytest.mark.parametrize("profile", ["folsom", "grizzly", "havana", "icehouse"])
def test_a_root_device_name_that_is_no_text_is_answered_as_the_instance_s_text(
    seed: dict[str, Any], profile: str, value: Any, before_havana: str, from_havana: str
) -> None:
    """The answers read the instance's ``root_device_name`` column back (``... or
    '/dev/sda1'``, ``cloud:1072-1075@2013.1.5``): as MySQLdb wrote the value before Havana
    (``Bool2Str``, ``Float2Str``), as the ``Instance`` object's ``unicode()`` from Havana on
    (``objects/instance.py:128@2013.2.4``), so ``false`` or ``0`` is a name, not the default."""
    outcome, service = launch(seed, profile, {"root_device_name": value})
    assert outcome.status == 200, outcome.error_code
    shown = before_havana if profile in ("folsom", "grizzly") else from_havana
    expected = f"<rootDeviceName>{shown}</rootDeviceName>".encode()
    assert expected in outcome.body
    assert expected in _describe(service)


def test_grizzly_reads_the_root_device_before_the_zone(seed: dict[str, Any]) -> None:
    """``properties_root_device_name`` runs after the kernel and ramdisk, before Grizzly's
    zone split and forced-host policy (``capi:557@2013.1.5``): a ``root`` mapping without
    its ``device`` fails before a non-admin's forced host is refused."""
    user = RequestContext(user_id="u", project_id="u", is_admin=False)
    forced = ("Placement.AvailabilityZone", "nova:host")
    outcome, _ = launch(seed, "grizzly", {"mappings": [{"virtual": "root"}]}, forced, context=user)
    assert outcome.error_code == "UnknownError"
    outcome, _ = launch(seed, "grizzly", {}, forced, context=user)
    assert outcome.error_code == "PolicyNotAuthorized"


@pytest.mark.parametrize("profile", ["havana", "icehouse"])
def test_havana_reads_the_root_device_before_the_image_options(
    seed: dict[str, Any], profile: str
) -> None:
    """Havana's ``_validate_and_build_base_options`` reads the root device
    (``capi:695@2013.2.4``, ``750@2014.1.5``) before ``_inherit_properties_from_image``."""
    properties = {"mappings": [{"virtual": "root"}], "auto_disk_config": 0}
    outcome, _ = launch(seed, profile, properties)
    assert outcome.error_code == "KeyError"
    outcome, _ = launch(seed, profile, {"auto_disk_config": 0})
    assert outcome.error_code == "AttributeError"


@pytest.mark.parametrize(
    ("properties", "pairs"),
    [
        ({"os_type": ["linux"]}, ()),
        ({"vm_mode": {}}, ()),
        ({"architecture": []}, ()),
        ({"root_device_name": {"a": 1}}, ()),
        ({}, (("KeyName.1", "k"),)),
    ],
)
def test_icehouses_instance_object_refuses_a_list_or_dict_where_text_goes(
    seed: dict[str, Any], properties: dict[str, Any], pairs: tuple[tuple[str, str], ...]
) -> None:
    """``Instance().update(base_options)``: a ``StringField`` takes text, numbers and dates
    only (``fields.py:209-218@2014.1.5``), after the quota and before any row or EC2 id;
    Havana's ``str_or_none`` wrote anything as text."""
    outcome, service = launch(seed, "icehouse", properties, *pairs)
    assert (outcome.status, outcome.error_code) == (500, "ValueError")
    assert b"<instanceId>" not in _describe(service)
    havana, _ = launch(seed, "havana", properties, *pairs)
    assert havana.status == 200
    numbers, _ = launch(seed, "icehouse", {"os_type": 5, "architecture": True})
    assert numbers.status == 200


@pytest.mark.parametrize("profile", ["grizzly", "havana"])
@pytest.mark.parametrize("kernel_id", [5, True, 2.5])
def test_a_kernel_id_that_is_a_number_gets_an_s3_row_of_its_text(
    seed: dict[str, Any], profile: str, kernel_id: Any
) -> None:
    """``glance_id_to_id`` of a number stores it in the text column as MySQLdb wrote it; the
    launch then looks that kernel up in Glance, which has no such image. No store error
    ever reaches the client as a code."""
    outcome, _ = launch(seed, profile, {"kernel_id": kernel_id}, ("KernelId", "aki-00000002"))
    assert outcome.status == 200
    inherited, _ = launch(seed, profile, {"kernel_id": kernel_id})
    assert inherited.error_code == "ImageNotFound"


@pytest.mark.parametrize(
    ("key_name", "grizzly", "havana"),
    [
        ("true", "1", "True"),
        ("1.2345678901234", "1.2345678901234", "1.23456789012"),
        ("5", "5", "5"),
    ],
)
def test_a_key_name_that_is_no_text_is_written_by_the_database_or_by_the_object(
    key_name: str, grizzly: str, havana: str
) -> None:
    """Grizzly's database driver wrote a converted ``KeyName`` (MySQLdb: ``1`` for true,
    ``'%.15g'``); from Havana on the ``Instance`` object's ``unicode()`` wrote it first
    (``True``, twelve digits), and the answer reads the row back."""
    for profile, expected in (("grizzly", grizzly), ("havana", havana), ("icehouse", havana)):
        service = EC2Service(Simulator.from_seed(profile=profile))
        request = [
            ("Action", "RunInstances"),
            ("ImageId", "ami-00000001"),
            ("InstanceType", "m1.small"),
            ("KeyName", key_name),
        ]
        answer = service.handle(request)
        assert f"<keyName>{expected} (admin, None)</keyName>" in answer.body.decode()
