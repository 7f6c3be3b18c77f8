"""The instance's own block device rows, and the ``blockDeviceMapping`` RunInstances answers.

The create call keeps the request's mappings (tests/test_launch_path.py); these tests are
about what compute makes of them, which is what a client reads back.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from simulator import ContractViolation, EC2Error, Simulator
from simulator.compute_bdm import (
    DeviceRows,
    is_ephemeral,
    populate_instance_devices,
    properties_root_device_name,
)
from simulator.errors import DBError
from simulator.resources import default_seed_path
from simulator.service import EC2Service

FLAVOR = {"name": "m1.test", "memory_mb": 512, "vcpus": 1, "root_gb": 1, "swap": 512}
VOLUME_UUID = "22222222-3333-4444-5555-666666666666"
SNAPSHOT_UUID = "00000000-1111-2222-3333-444444444444"


def instance_block_devices(
    instance_type: dict[str, Any], properties: dict[str, Any], requested: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The rows compute makes for one instance."""
    rows = DeviceRows()
    populate_instance_devices(rows, instance_type, properties, requested)
    return rows.rows


def row(**values: Any) -> dict[str, Any]:
    """A new row: ``delete_on_termination`` is the column's default, False, unless given."""
    return {
        "device_name": None,
        "delete_on_termination": False,
        "virtual_name": None,
        "snapshot_id": None,
        "volume_id": None,
        "volume_size": None,
        "no_device": None,
        **values,
    }


@pytest.mark.parametrize(
    ("name", "ephemeral"),
    [
        ("ephemeral0", True),
        ("ephemeral9", True),
        ("ephemeral12", True),
        ("ephemeral01", False),
        ("ephemeral", False),
        ("Ephemeral0", False),
        ("ephemeral٣", False),
        ("swap", False),
    ],
)
def test_ephemeral_names_are_nova_s(name: str, ephemeral: bool) -> None:
    assert is_ephemeral(name) is ephemeral


def test_root_device_name_comes_from_the_image() -> None:
    assert properties_root_device_name({}) is None
    mappings = [{"virtual": "ami", "device": "sda1"}, {"virtual": "root", "device": "/dev/vda"}]
    assert properties_root_device_name({"mappings": mappings}) == "/dev/vda"
    named = {"mappings": mappings, "root_device_name": "/dev/xvda"}
    assert properties_root_device_name(named) == "/dev/xvda", "the property wins"


def test_no_device_blanks_the_row_and_sizes_come_from_the_flavor() -> None:
    requested: list[dict[str, Any]] = [
        {"device_name": "/dev/vdb", "virtual_name": "NoDevice", "volume_id": VOLUME_UUID},
        {"device_name": "/dev/vdc", "virtual_name": "swap", "volume_size": 99},
        {"device_name": "/dev/vdd", "virtual_name": "ephemeral0"},
        {"device_name": "/dev/vde", "virtual_name": "ephemeral1"},
        {"device_name": "/dev/vdf", "snapshot_id": SNAPSHOT_UUID, "delete_on_termination": True},
    ]
    before = copy.deepcopy(requested)
    assert instance_block_devices(FLAVOR, {}, requested) == [
        row(device_name="/dev/vdb", no_device=True),
        row(device_name="/dev/vdc", virtual_name="swap", volume_size=512),
        row(device_name="/dev/vdf", snapshot_id=SNAPSHOT_UUID, delete_on_termination=True),
    ], "ephemeral0 has size 0 in this flavor and ephemeral1 is never kept"
    assert requested == before, "the create call's mappings are not changed"


def test_the_request_overrides_the_image_device_by_device() -> None:
    properties = {
        "mappings": [
            {"virtual": "ami", "device": "sda1"},
            {"virtual": "swap", "device": "sdb"},
            {"virtual": "ephemeral0", "device": "sdc"},
        ],
        "block_device_mapping": [{"device_name": "/dev/sdd", "volume_id": VOLUME_UUID}],
    }
    flavor = {**FLAVOR, "ephemeral_gb": 10}
    requested = [
        {"device_name": "/dev/sdd", "virtual_name": "NoDevice"},
        {"device_name": "/dev/sde", "virtual_name": "swap"},
    ]
    assert instance_block_devices(flavor, properties, requested) == [
        row(device_name="/dev/sdc", virtual_name="ephemeral0", volume_size=10),
        row(device_name="/dev/sdd", no_device=True, delete_on_termination=None),
        row(device_name="/dev/sde", virtual_name="swap", volume_size=512),
    ], "swap moved from sdb to sde; the image's volume on sdd is switched off (an update)"


@pytest.mark.parametrize("profile", ["folsom", "grizzly"])
def test_a_volume_row_made_without_delete_on_termination_answers_the_column_default(
    profile: str,
) -> None:
    """``_update_block_device_mapping`` passes ``bdm.get('delete_on_termination')``, None,
    and SQLAlchemy 0.7 inserts the column's default, False, for it (``models.py:439``,
    ``capi:749-752@2013.1.5``; Nova's ``test_format_instance_bdm`` expects ``False``); an
    update of the device's row writes the None."""
    service = EC2Service(Simulator.from_seed(profile=profile))
    volume = [("BlockDeviceMapping.1.DeviceName", "/dev/vdb")]
    launched = service.handle(
        [
            ("Action", "RunInstances"),
            ("ImageId", "ami-00000001"),
            *volume,
            ("BlockDeviceMapping.1.VolumeId", VOLUME_UUID),
        ]
    )
    described = service.handle([("Action", "DescribeInstances")])
    for outcome in (launched, described):
        assert outcome.status == 200
        assert b"<deleteOnTermination>false</deleteOnTermination>" in outcome.body
    assert service.sim.compute.calls[0].to_dict()["block_device_mapping"] == [
        {"device_name": "/dev/vdb", "volume_id": VOLUME_UUID}
    ], "the create call keeps the request's mapping as it was"


def test_an_update_of_a_device_row_writes_delete_on_termination_as_given() -> None:
    properties = {
        "block_device_mapping": [
            {"device_name": "/dev/sdd", "volume_id": VOLUME_UUID, "delete_on_termination": True}
        ]
    }
    requested = [{"device_name": "/dev/sdd", "volume_id": VOLUME_UUID}]
    assert instance_block_devices(FLAVOR, properties, requested) == [
        row(device_name="/dev/sdd", volume_id=VOLUME_UUID, delete_on_termination=None)
    ]
    assert instance_block_devices(FLAVOR, {}, requested) == [
        row(device_name="/dev/sdd", volume_id=VOLUME_UUID)
    ]


EMPTY_SIZES = [
    {"device_name": "/dev/vdb", "snapshot_id": SNAPSHOT_UUID, "volume_size": 5},
    {"device_name": "/dev/vdb", "snapshot_id": SNAPSHOT_UUID, "volume_size": ""},
    {"device_name": "/dev/vdc", "snapshot_id": SNAPSHOT_UUID, "volume_size": ""},
]
"""An image's sizes: a device given 5 then ``""``, another given ``""`` alone."""


@pytest.mark.parametrize(
    ("scrubs", "sizes"), [(True, [5, None]), (False, ["", ""])], ids=["grizzly", "folsom"]
)
def test_an_empty_volume_size_is_scrubbed_from_grizzly_on(scrubs: bool, sizes: list[Any]) -> None:
    """Grizzly's ``_scrub_empty_str_values(values, ['volume_size'])`` deletes the key before
    the row is looked up (``db/sqlalchemy/api.py:2939-2946,2967@2013.1.5``): the new row has
    no size, the existing one keeps its own; Folsom's update_or_create writes the ``''``
    (``db/sqlalchemy/api.py:3360-3387@2012.2.4``)."""
    rows = DeviceRows(scrubs_empty_size=scrubs)
    populate_instance_devices(rows, FLAVOR, {"block_device_mapping": EMPTY_SIZES}, [])
    assert [(r["device_name"], r["volume_size"]) for r in rows.rows] == [
        ("/dev/vdb", sizes[0]),
        ("/dev/vdc", sizes[1]),
    ]


@pytest.mark.parametrize(
    ("profile", "sizes"),
    [("folsom", ["", ""]), ("grizzly", [5, None]), ("havana", [5, None]), ("icehouse", [5, None])],
)
def test_each_release_stores_an_empty_volume_size_as_its_database_did(
    profile: str, sizes: list[Any], seed: dict[str, Any]
) -> None:
    seed["images"][0]["properties"]["block_device_mapping"] = copy.deepcopy(EMPTY_SIZES)
    service = EC2Service(Simulator.from_seed(seed, profile=profile))
    launched = service.handle(
        [("Action", "RunInstances"), ("ImageId", "ami-00000001"), ("InstanceType", "m1.small")]
    )
    assert launched.instance_ids == ["i-00000001"]
    stored = service.sim.store.instances.get(1)
    assert stored is not None
    assert [
        (device["device_name"], device["volume_size"]) for device in stored["block_device_mapping"]
    ] == [("/dev/vdb", sizes[0]), ("/dev/vdc", sizes[1])]


def test_a_mapping_without_a_device_name_fails_as_nova_s_assert() -> None:
    with pytest.raises(AssertionError):
        instance_block_devices(FLAVOR, {}, [{"virtual_name": "swap"}])


@pytest.mark.parametrize("profile", ["folsom", "grizzly"])
def test_a_failure_while_the_rows_are_made_leaves_the_first_instance_building(
    profile: str,
) -> None:
    """Nova created the instance's row, then its device rows one by one; the assert came
    before the instance was listed for the rollback (``capi:612-631@2013.1.5``), so the
    row stays, with the device rows made before it, and is never scheduled."""
    service = EC2Service(Simulator.from_seed(profile=profile))
    launch = [("Action", "RunInstances"), ("ImageId", "ami-00000001")]
    failed = service.handle(
        [
            *launch,
            ("MinCount", "2"),
            ("UserData", "aGk="),
            ("BlockDeviceMapping.1.DeviceName", "/dev/vdb"),
            ("BlockDeviceMapping.1.NoDevice", ""),
            ("BlockDeviceMapping.2.VirtualName", "swap"),
        ]
    )
    assert (failed.status, failed.error_code) == (400, "UnknownError")
    for _ in range(3):
        described = service.handle([("Action", "DescribeInstances")]).result
        assert described is not None
        [reservation] = described["reservationSet"]
        assert [
            (item["instanceId"], item["instanceState"]["name"])
            for item in reservation["instancesSet"]
        ] == [("i-00000001", "pending")]
    row = service.sim.store.instances.get(1)
    assert row is not None
    assert [
        (device["device_name"], device["no_device"]) for device in row["block_device_mapping"]
    ] == [("/dev/vdb", "")]
    attribute = [("InstanceId", "i-00000001"), ("Attribute", "userData")]
    described_data = service.handle([("Action", "DescribeInstanceAttribute"), *attribute])
    assert described_data.result == {"instance_id": "i-00000001", "userData": "hi"}
    assert service.handle(launch).instance_ids == ["i-00000002"]


def test_a_row_of_no_device_name_is_refused_by_the_database_after_the_rows_before() -> None:
    """``device_name IS NULL`` finds no row, and the insert breaks the ``NOT NULL`` column
    (``models.py:433@2013.1.5``): the driver's IntegrityError, as ``DBError``."""
    rows = DeviceRows()
    properties = {
        "block_device_mapping": [
            {"device_name": "/dev/vdb", "snapshot_id": SNAPSHOT_UUID},
            {"device_name": None, "snapshot_id": SNAPSHOT_UUID},
        ]
    }
    with pytest.raises(DBError, match="Column 'device_name' cannot be null"):
        populate_instance_devices(rows, FLAVOR, properties, [])
    assert rows.rows == [row(device_name="/dev/vdb", snapshot_id=SNAPSHOT_UUID)]


@pytest.mark.parametrize("profile", ["folsom", "grizzly"])
def test_an_image_mapping_of_no_device_leaves_its_instance_behind(
    profile: str, seed: dict[str, Any]
) -> None:
    """``_update_block_device_mapping`` copies the image's None (``capi:609@2012.2.4``,
    ``752@2013.1.5``) and the insert fails once the instance's row exists, before the
    rollback lists it (``capi:505-522@2012.2.4``, ``612-631@2013.1.5``): ``UnknownError``,
    ``i-00000001`` left pending with the rows made before."""
    seed["images"][0]["properties"]["block_device_mapping"] = [
        {"device_name": "/dev/vdb", "snapshot_id": SNAPSHOT_UUID},
        {"device_name": None, "snapshot_id": SNAPSHOT_UUID},
    ]
    service = EC2Service(Simulator.from_seed(seed, profile=profile))
    failed = service.handle([("Action", "RunInstances"), ("ImageId", "ami-00000001")])
    assert (failed.status, failed.error_code) == (400, "UnknownError")
    assert len(failed.create_calls) == 1
    described = service.handle([("Action", "DescribeInstances")]).result
    assert described is not None
    [reservation] = described["reservationSet"]
    assert [
        (item["instanceId"], item["instanceState"]["name"]) for item in reservation["instancesSet"]
    ] == [("i-00000001", "pending")]
    left = service.sim.store.instances.get(1)
    assert left is not None
    assert [device["device_name"] for device in left["block_device_mapping"]] == ["/dev/vdb"]


def test_a_request_mapping_of_no_device_breaks_the_create_call_contract_first() -> None:
    """``DeviceName=None`` converts to None, which Nova's database refused as it refuses an
    image's; launch-sim's contract refuses the create call before compute (docs/fidelity.md:
    the contract check), so no instance is left."""
    service = EC2Service(Simulator.from_seed(profile="grizzly"))
    refused = service.handle(
        [
            ("Action", "RunInstances"),
            ("ImageId", "ami-00000001"),
            ("BlockDeviceMapping.1.DeviceName", "None"),
            ("BlockDeviceMapping.1.VolumeId", VOLUME_UUID),
        ]
    )
    assert refused.error_code == "UnknownError"
    assert isinstance(refused.exception, ContractViolation)
    assert service.sim.store.instances.get(1) is None


def test_from_havana_on_a_mapping_without_a_device_name_launches() -> None:
    service = EC2Service(Simulator.from_seed(profile="havana"))
    outcome = service.handle(
        [
            ("Action", "RunInstances"),
            ("ImageId", "ami-00000001"),
            ("BlockDeviceMapping.1.VirtualName", "swap"),
        ]
    )
    assert (outcome.status, outcome.instance_ids) == (200, ["i-00000001"])


# --- through run_instances: what the response shows ---------------------------------------


def first_instance(sim: Simulator, **kwargs: Any) -> dict[str, Any]:
    item: dict[str, Any] = sim.run_instances(image_id="ami-00000001", **kwargs)["instancesSet"][0]
    return item


def test_only_volume_rows_that_are_devices_show(sim: Simulator) -> None:
    bdm = [
        {
            "device_name": "/dev/vdc",
            "virtual_name": "NoDevice",
            "ebs": {"snapshot_id": "vol-87654321"},
        },
        {
            "device_name": "/dev/vdd",
            "virtual_name": "ephemeral1",
            "ebs": {"snapshot_id": "vol-98765432"},
        },
        {
            "device_name": "/dev/vde",
            "ebs": {"snapshot_id": "vol-98765432", "delete_on_termination": False},
        },
        {"device_name": "/dev/vdf", "ebs": {"snapshot_id": "snap-12345678"}},
    ]
    item = first_instance(sim, block_device_mapping=bdm)
    assert [mapping["deviceName"] for mapping in item["blockDeviceMapping"]] == ["/dev/vde"]
    ebs = item["blockDeviceMapping"][0]["ebs"]
    assert ebs == {
        "volumeId": "vol-98765432",
        "deleteOnTermination": False,
        "attachTime": item["launchTime"],
        "status": "detached",
    }
    assert len(sim.compute.calls[-1].block_device_mapping) == 4, "the create call keeps all four"


def test_no_volume_no_block_device_mapping_element(sim: Simulator) -> None:
    item = first_instance(
        sim, block_device_mapping=[{"device_name": "/dev/vdb", "virtual_name": "swap"}]
    )
    assert "blockDeviceMapping" not in item
    assert item["rootDeviceType"] == "instance-store"


@pytest.mark.parametrize("ec2_id", ["vol-87654321", "snap-12345678"])
def test_a_snapshot_or_volume_on_the_root_device_makes_it_ebs(sim: Simulator, ec2_id: str) -> None:
    bdm = [{"device_name": "/dev/sda1", "ebs": {"snapshot_id": ec2_id}}]
    item = first_instance(sim, block_device_mapping=bdm)
    assert (item["rootDeviceName"], item["rootDeviceType"]) == ("/dev/sda1", "ebs")


def test_the_image_names_the_root_device(seed: dict[str, Any]) -> None:
    seed["images"][0]["properties"]["root_device_name"] = "/dev/vda"
    sim = Simulator.from_seed(seed)
    assert first_instance(sim)["rootDeviceName"] == "/dev/vda"
    bdm = [{"device_name": "/dev/vda", "ebs": {"snapshot_id": "vol-87654321"}}]
    item = first_instance(sim, block_device_mapping=bdm)
    assert (item["rootDeviceName"], item["rootDeviceType"]) == ("/dev/vda", "ebs")
    other = [{"device_name": "/dev/sda1", "ebs": {"snapshot_id": "vol-87654321"}}]
    assert first_instance(sim, block_device_mapping=other)["rootDeviceType"] == "instance-store"


def test_the_image_s_own_volumes_show(seed: dict[str, Any]) -> None:
    seed["images"][0]["properties"]["block_device_mapping"] = [
        {"device_name": "/dev/vdz", "volume_id": VOLUME_UUID, "delete_on_termination": False}
    ]
    sim = Simulator.from_seed(seed)
    item = first_instance(sim)
    assert [(m["deviceName"], m["ebs"]["volumeId"]) for m in item["blockDeviceMapping"]] == [
        ("/dev/vdz", "vol-87654321")
    ]
    switched_off = [{"device_name": "/dev/vdz", "virtual_name": "NoDevice"}]
    assert "blockDeviceMapping" not in first_instance(sim, block_device_mapping=switched_off)


def test_a_malformed_image_mapping_is_unknown_error(seed: dict[str, Any]) -> None:
    seed["images"][0]["properties"]["mappings"] = [{"device": "sdb"}]
    sim = Simulator.from_seed(seed)
    with pytest.raises(EC2Error) as caught:
        first_instance(sim)
    assert caught.value.code == "UnknownError"


def test_a_volume_root_device_with_a_virtual_name_is_unknown_error(seed: dict[str, Any]) -> None:
    [small] = [flavor for flavor in seed["instance_types"] if flavor["name"] == "m1.small"]
    small["swap"] = 512
    sim = Simulator.from_seed(seed)
    bdm = [
        {"device_name": "/dev/sda1", "virtual_name": "swap", "ebs": {"snapshot_id": "vol-87654321"}}
    ]
    with pytest.raises(EC2Error) as caught:
        first_instance(sim, block_device_mapping=bdm)
    assert caught.value.code == "UnknownError"


def test_an_ephemeral_number_past_python_3_s_digit_limit_is_still_dropped() -> None:
    """Python 2's ``int`` had no digit limit: Nova dropped such a row and launched."""
    huge = "ephemeral1" + "0" * 5000
    requested = [{"device_name": "/dev/vdb", "virtual_name": huge}]
    assert instance_block_devices({**FLAVOR, "ephemeral_gb": 5}, {}, requested) == []


@pytest.mark.parametrize(
    ("extra", "answered"),
    [
        ((), (200, None)),
        ((("MinCount", "2"),), (400, "InvalidRequest")),
    ],
)
def test_a_flat_volume_id_of_none_is_no_volume(
    extra: tuple[tuple[str, str], ...], answered: tuple[int, str | None]
) -> None:
    """``VolumeId=None`` converts to None and passes the EC2 layer flat; Grizzly's compute
    looks up only a volume id that is not None (``capi:781@2013.1.5``), while its
    multi-instance check asks only whether the key is there (``capi:487-491``)."""
    outcome = EC2Service(Simulator.from_seed()).handle(
        [
            ("Action", "RunInstances"),
            ("ImageId", "ami-00000001"),
            ("BlockDeviceMapping.1.DeviceName", "/dev/vdb"),
            ("BlockDeviceMapping.1.VolumeId", "None"),
            *extra,
        ]
    )
    assert (outcome.status, outcome.error_code) == answered
    assert [call.block_device_mapping for call in outcome.create_calls] == [
        [{"device_name": "/dev/vdb", "volume_id": None}]
    ]


def test_an_ami_or_root_mapping_needs_no_device() -> None:
    """``mappings_prepend_dev`` reads the device of swap/ephemeral mappings only, and
    ``_update_image_block_device_mapping`` skips ``ami``/``root`` before reading it."""
    properties = {
        "mappings": [{"virtual": "ami"}, {"virtual": "root"}, {"virtual": "swap", "device": "sdb"}]
    }
    assert instance_block_devices(FLAVOR, properties, []) == [
        row(device_name="/dev/sdb", virtual_name="swap", volume_size=512)
    ]


def test_a_mapping_the_prefix_pass_cannot_read_fails_before_any_row() -> None:
    """Every mapping gets its ``/dev/`` before any row is made, so the instance Grizzly
    leaves behind has no row of the mappings before the bad one."""
    rows = DeviceRows()
    properties = {
        "mappings": [{"virtual": "swap", "device": "sdb"}, {"virtual": "ephemeral0", "device": 7}]
    }
    with pytest.raises(AttributeError):
        populate_instance_devices(rows, FLAVOR, properties, [])
    assert rows.rows == []


@pytest.mark.parametrize("profile", ["folsom", "grizzly", "havana", "icehouse"])
def test_an_image_without_a_device_for_its_ami_mapping_launches(profile: str) -> None:
    seed = json.loads(default_seed_path().read_text())
    seed["images"].append(
        {
            "ec2_id": "ami-00000010",
            "uuid": "0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f",
            "name": "no-ami-device",
            "status": "active",
            "container_format": "ami",
            "properties": {"image_state": "available", "mappings": [{"virtual": "ami"}]},
        }
    )
    sim = Simulator.from_seed(seed, profile=profile)
    answer = sim.run_instances(image_id="ami-00000010", instance_type="m1.small")
    assert len(answer["instancesSet"]) == 1


@pytest.mark.parametrize(("name", "size"), [("ephemeral0\n", 10), ("ephemeral1\n", None)])
def test_an_ephemeral_name_ending_in_a_newline_is_its_disk(name: str, size: int | None) -> None:
    """``block_device.ephemeral_num``: the pattern's ``$`` matches before a final newline
    and ``int(u'0\\n')`` is 0, so the name is disk 0 and takes the flavor's size."""
    flavor = {**FLAVOR, "ephemeral_gb": 10}
    rows = instance_block_devices(flavor, {}, [{"device_name": "/dev/vdb", "virtual_name": name}])
    expected = (
        [] if size is None else [row(device_name="/dev/vdb", virtual_name=name, volume_size=size)]
    )
    assert rows == expected
