"""Havana's and Icehouse's block devices in compute: the new format, ``_validate_bdm``, the rows.

Each test names the Nova code it follows (``bd`` = nova/block_device.py, ``capi`` =
nova/compute/api.py, at 2013.2.4; Icehouse's are the same on this path).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from simulator.compute_bdm_v2 import (
    MAX_LOCAL_BLOCK_DEVICES,
    NewFormatDevices,
    bool_from_string,
    from_legacy,
    from_legacy_mapping,
)
from simulator.errors import (
    InvalidBDMBootSequence,
    InvalidBDMEphemeralSize,
    InvalidBDMFormat,
    InvalidBDMLocalsLimit,
    InvalidBDMSnapshot,
    InvalidBDMSwapSize,
)

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"
SNAPSHOT_UUID = "00000000-1111-2222-3333-444444444444"
VOLUME_UUID = "22222222-3333-4444-5555-666666666666"
FLAVOR: dict[str, Any] = {"name": "m1.small", "memory_mb": 2048, "vcpus": 1, "root_gb": 20}


def reachable(mappings: Iterable[Mapping[str, Any]]) -> None:
    """Every volume and snapshot exists."""


def rows_of(
    legacy: list[dict[str, Any]],
    flavor: Mapping[str, Any] = FLAVOR,
    image_mappings: list[dict[str, Any]] | None = None,
    instances: int = 1,
) -> list[list[dict[str, Any]]]:
    converted = from_legacy_mapping(legacy, IMAGE, "vda")
    devices = NewFormatDevices(flavor, converted, image_mappings or [])
    return [devices.instance_rows(reachable) for _ in range(instances)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", True),
        ("t", True),
        ("1", True),
        ("on", True),
        ("y", True),
        ("true", True),
        (" TRUE ", True),
        (True, True),
        (1, True),
        ("no", False),
        ("2", False),
        ("x", False),
        ("", False),
        (False, False),
        (0, False),
        (2, False),
        (1.0, False),
        (None, False),
    ],
)
def test_bool_from_string_is_strutils(value: Any, expected: bool) -> None:
    """``strutils.bool_from_string`` (2013.2.4, 2014.1.5): ``str()`` of a non-string."""
    assert bool_from_string(value) is expected


def test_from_legacy_reads_delete_on_termination_but_not_for_no_device() -> None:
    """``bd:113-115``: the boolean, unless ``no_device`` returned first (``bd:103-104``)."""
    legacy = {"device_name": "/dev/sdb", "volume_id": VOLUME_UUID, "delete_on_termination": "no"}
    before = copy.deepcopy(legacy)
    assert from_legacy(legacy)["delete_on_termination"] is False
    assert legacy == before, "the request's mapping is not changed"
    blanked = {"device_name": "/dev/sdb", "no_device": True, "delete_on_termination": "yes"}
    assert from_legacy(blanked)["delete_on_termination"] == "yes"
    swap = {"device_name": "/dev/sdb", "virtual_name": "swap", "delete_on_termination": "no"}
    assert from_legacy(swap)["delete_on_termination"] is True, "a blank disk always is"


def test_boot_indexes_and_the_image_device() -> None:
    """``from_legacy_mapping`` (``bd:279-311``): a snapshot/volume on the root device boots,
    else the image from a nameless local device put first."""
    legacy: list[dict[str, Any]] = [
        {"snapshot_id": SNAPSHOT_UUID},
        {"device_name": "/dev/sdc", "no_device": True},
        {"device_name": "/dev/sdd", "virtual_name": "swap"},
    ]
    converted = from_legacy_mapping(legacy, IMAGE, "vda")
    assert [(bdm["source_type"], bdm["device_name"], bdm["boot_index"]) for bdm in converted] == [
        ("image", None, 0),
        ("snapshot", None, -1),
        (None, "/dev/sdc", None),
        ("blank", "/dev/sdd", -1),
    ]
    root = from_legacy_mapping(
        [{"device_name": "/dev/vda", "volume_id": VOLUME_UUID}], IMAGE, "vda"
    )
    assert [(bdm["source_type"], bdm["boot_index"]) for bdm in root] == [("volume", 0)]


def test_devices_without_a_name_are_rows_of_their_own() -> None:
    """No assert (``capi:946-963``); the database creates a row for each nameless device
    (``nova/db/sqlalchemy/api.py:3486-3499``) and ``legacy_mapping`` leaves the image's out."""
    legacy: list[dict[str, Any]] = [
        {"snapshot_id": SNAPSHOT_UUID, "delete_on_termination": True},
        {"volume_id": VOLUME_UUID},
    ]
    [rows] = rows_of(legacy)
    assert rows == [
        {
            "device_name": None,
            "delete_on_termination": True,
            "virtual_name": None,
            "snapshot_id": SNAPSHOT_UUID,
            "volume_id": None,
            "volume_size": None,
            "no_device": None,
        },
        {
            "device_name": None,
            "delete_on_termination": False,
            "virtual_name": None,
            "snapshot_id": None,
            "volume_id": VOLUME_UUID,
            "volume_size": None,
            "no_device": None,
        },
    ]


def test_named_devices_update_their_row() -> None:
    """``block_device_mapping_update_or_create``: one row per device name, in the order the
    image's blank disks and then the converted mappings are written (``capi:1030-1047``)."""
    flavor = {**FLAVOR, "swap": 512, "ephemeral_gb": 10}
    image_mappings = [
        {"virtual": "root", "device": "vda"},
        {"virtual": "swap", "device": "sdb"},
        {"virtual": "ephemeral0", "device": "sdc"},
    ]
    legacy = [{"device_name": "/dev/sdc", "volume_id": VOLUME_UUID, "delete_on_termination": "t"}]
    [rows] = rows_of(legacy, flavor, image_mappings)
    assert [(r["device_name"], r["virtual_name"], r["volume_size"]) for r in rows] == [
        ("/dev/sdb", "swap", 512),
        ("/dev/sdc", None, None),
    ]
    assert (rows[1]["volume_id"], rows[1]["delete_on_termination"]) == (VOLUME_UUID, True)
    with pytest.raises(InvalidBDMFormat, match=r"More than one swap drive requested\."):
        rows_of([{"device_name": "/dev/sdf", "virtual_name": "swap"}], flavor, image_mappings)


def test_every_ephemeral_disk_is_sized_and_numbered_again() -> None:
    """``_volume_size`` gives ``ephemeral3`` the flavor's size too (Grizzly dropped it);
    ``legacy_mapping`` numbers the blank disks from 0 (``bd:255-276``)."""
    legacy = [
        {"device_name": "/dev/sdd", "virtual_name": "ephemeral3"},
        {"device_name": "/dev/sde", "virtual_name": "ephemeral5"},
    ]
    [rows] = rows_of(legacy, {**FLAVOR, "ephemeral_gb": 10})
    assert [(r["virtual_name"], r["volume_size"]) for r in rows] == [
        ("ephemeral0", 10),
        ("ephemeral1", 10),
    ]
    assert rows_of(legacy) == [[]], "size 0 in a flavor without ephemeral disks: no rows"


def test_a_second_instance_is_checked_with_the_sizes_the_first_ones_rows_got() -> None:
    """``_update_block_device_mapping`` fills in the sizes of the one list every instance
    shares (``capi:946-963``), so ``_validate_bdm`` sees them from the second instance on."""
    flavor = {**FLAVOR, "ephemeral_gb": 10}
    legacy = [
        {"device_name": "/dev/sdb", "virtual_name": "ephemeral0"},
        {"device_name": "/dev/sdc", "virtual_name": "ephemeral1"},
    ]
    converted = from_legacy_mapping(legacy, IMAGE, "vda")
    devices = NewFormatDevices(flavor, converted, [])
    devices.instance_rows(reachable)
    with pytest.raises(InvalidBDMEphemeralSize):
        devices.instance_rows(reachable)


@pytest.mark.parametrize(
    ("legacy", "flavor", "error"),
    [
        (
            [
                {"device_name": "/dev/vda", "snapshot_id": SNAPSHOT_UUID},
                {"device_name": "vda", "snapshot_id": SNAPSHOT_UUID},
            ],
            FLAVOR,
            InvalidBDMBootSequence,
        ),
        (
            [
                {"device_name": "/dev/sdb", "virtual_name": "swap"},
                {"device_name": "/dev/sdc", "virtual_name": "ephemeral0"},
                {"device_name": "/dev/sdd", "virtual_name": "ephemeral1"},
            ],
            FLAVOR,
            InvalidBDMLocalsLimit,
        ),
        (
            [{"device_name": "/dev/sdb", "virtual_name": "ephemeral0", "volume_size": 10}],
            {**FLAVOR, "ephemeral_gb": 9},
            InvalidBDMEphemeralSize,
        ),
        (
            [{"device_name": "/dev/sdb", "virtual_name": "swap", "volume_size": "2"}],
            {**FLAVOR, "swap": 1},
            InvalidBDMSwapSize,
        ),
    ],
    ids=["boot sequence", "locals", "ephemeral size", "swap size"],
)
def test_validate_bdm_refuses(
    legacy: list[dict[str, Any]], flavor: dict[str, Any], error: type[Exception]
) -> None:
    """``capi:965-1028``: the image's own local device counts towards the limit of
    ``max_local_block_devices`` (3)."""
    assert MAX_LOCAL_BLOCK_DEVICES == 3
    with pytest.raises(error):
        rows_of(legacy, flavor)


def test_the_boot_sequence_is_checked_before_the_volumes() -> None:
    def unreachable(mappings: Iterable[Mapping[str, Any]]) -> None:
        raise InvalidBDMSnapshot(id="x")

    legacy = [
        {"device_name": "/dev/vda", "snapshot_id": SNAPSHOT_UUID},
        {"device_name": "vda", "snapshot_id": SNAPSHOT_UUID},
    ]
    devices = NewFormatDevices(FLAVOR, from_legacy_mapping(legacy, IMAGE, "vda"), [])
    with pytest.raises(InvalidBDMBootSequence):
        devices.instance_rows(unreachable)
    devices = NewFormatDevices(FLAVOR, from_legacy_mapping(legacy[:1], IMAGE, "vda"), [])
    with pytest.raises(InvalidBDMSnapshot):
        devices.instance_rows(unreachable)
