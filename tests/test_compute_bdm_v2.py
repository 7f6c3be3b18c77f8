"""Havana's and Icehouse's block devices in compute: the new format, ``_validate_bdm``, the rows.

Each test names the Nova code it follows (``bd`` = nova/block_device.py, ``capi`` =
nova/compute/api.py, at 2013.2.4; Icehouse's are the same on this path).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from simulator import Simulator
from simulator.compute_bdm_v2 import (
    MAX_LOCAL_BLOCK_DEVICES,
    NewFormatDevices,
    block_device_dict,
    bool_from_string,
    from_legacy,
    from_legacy_mapping,
    image_defined_mappings,
    validate_bdm,
)
from simulator.errors import (
    InvalidBDMBootSequence,
    InvalidBDMEphemeralSize,
    InvalidBDMFormat,
    InvalidBDMLocalsLimit,
    InvalidBDMSnapshot,
    InvalidBDMSwapSize,
)
from simulator.service import EC2Service

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


def test_a_no_device_row_made_without_delete_on_termination_stores_the_column_default() -> None:
    """SQLAlchemy leaves a None out of the INSERT, so the column's default False is written
    (``models.py:584@2013.2.4``, ``573@2014.1.5``; ``db/sqlalchemy/api.py:3498-3499@2013.2.4``,
    ``3540-3541@2014.1.5``), as it was before Havana; an update of the device's row
    writes the None. ``legacy_mapping`` reads a ``no_device`` row's value as it is."""
    [[made]] = rows_of([{"device_name": "/dev/sdb", "no_device": True}])
    assert (made["no_device"], made["delete_on_termination"]) == (True, False)
    [[updated]] = rows_of(
        [{"device_name": "/dev/sdb", "no_device": True}],
        {**FLAVOR, "swap": 512},
        [{"virtual": "swap", "device": "sdb"}],
    )
    assert (updated["no_device"], updated["delete_on_termination"]) == (True, None)


@pytest.mark.parametrize("profile", ["havana", "icehouse"])
def test_a_stored_no_device_row_has_the_column_default(profile: str) -> None:
    service = EC2Service(Simulator.from_seed(profile=profile))
    launched = service.handle(
        [
            ("Action", "RunInstances"),
            ("ImageId", "ami-00000001"),
            ("InstanceType", "m1.small"),
            ("BlockDeviceMapping.1.DeviceName", "/dev/vdb"),
            ("BlockDeviceMapping.1.NoDevice", "true"),
        ]
    )
    assert launched.instance_ids == ["i-00000001"]
    stored = service.sim.store.instances.get(1)
    assert stored is not None
    assert [
        (device["device_name"], device["no_device"], device["delete_on_termination"])
        for device in stored["block_device_mapping"]
    ] == [("/dev/vdb", True, False)]


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


# --- Icehouse: an image's mappings already in the new format (bd:69-115@2014.1.5,
# capi:619-664@2014.1.5) ---

NEW_FORMAT_FIELDS = {
    "source_type",
    "destination_type",
    "guest_format",
    "device_type",
    "disk_bus",
    "boot_index",
    "device_name",
    "delete_on_termination",
    "snapshot_id",
    "volume_id",
    "volume_size",
    "image_id",
    "no_device",
    "connection_info",
}


def test_a_block_device_dict_has_every_new_field_none_unless_given() -> None:
    bdm = block_device_dict({"source_type": "blank", "instance_uuid": "u", "deleted": False})
    assert set(bdm) == NEW_FORMAT_FIELDS | {"instance_uuid", "deleted"}
    assert bdm["source_type"] == "blank"
    assert all(bdm[name] is None for name in NEW_FORMAT_FIELDS - {"source_type"})


@pytest.mark.parametrize(
    ("given", "details"),
    [
        ({"source_type": "blank", "size": 1}, "Some fields are invalid."),
        ({"no_device": True, "uuid": "x"}, "Some fields are invalid."),
        ({"device_name": "/dev/vdb"}, "Some required fields are missing"),
        ({"no_device": False}, "Some required fields are missing"),
        (None, "Some required fields are missing"),
        ("", "Some required fields are missing"),
        ({"source_type": "blank", "device_name": ""}, "Device name empty or too long."),
        ({"source_type": "blank", "device_name": "/dev/v b"}, "Device name contains spaces."),
        ({"source_type": "blank", "volume_size": "-1"}, "Invalid volume_size."),
        ({"source_type": "blank", "boot_index": "first"}, "Boot index is invalid."),
        ({"source_type": "blank", "boot_index": "1.0"}, "Boot index is invalid."),
        ({"source_type": "blank", "boot_index": float("nan")}, "Boot index is invalid."),
    ],
)
def test_block_device_dict_refuses(given: Any, details: str) -> None:
    """``_validate``'s checks in order: the fields, ``no_device``, the required
    ``source_type``, then the device name, the volume size and the boot index."""
    with pytest.raises(InvalidBDMFormat) as refused:
        block_device_dict(given)
    assert str(refused.value) == f"Block Device Mapping is Invalid: {details}"


def test_a_no_device_mapping_is_kept_as_it_is() -> None:
    bdm = block_device_dict({"no_device": True, "device_name": "", "boot_index": "x"})
    assert (bdm["no_device"], bdm["device_name"], bdm["boot_index"]) == (True, "", "x")


@pytest.mark.parametrize(
    ("boot_index", "expected"),
    [
        ("2", 2),
        (" 3 ", 3),
        ("\u0661", 1),
        (True, 1),
        (2.7, 2),
        (0, 0),
        ("", ""),
        ([], []),
        (False, False),
    ],
)
def test_a_truthy_boot_index_is_made_an_integer(boot_index: Any, expected: Any) -> None:
    bdm = block_device_dict({"source_type": "blank", "boot_index": boot_index})
    assert bdm["boot_index"] == expected
    assert type(bdm["boot_index"]) is type(expected)


def test_values_are_read_as_a_converted_mappings_are() -> None:
    given = {"source_type": "blank", "delete_on_termination": "yes", "volume_size": "5"}
    bdm = block_device_dict(given)
    assert (bdm["delete_on_termination"], bdm["volume_size"]) == (True, 5)
    assert given["delete_on_termination"] == "yes", "the image's own mapping is left as it was"


@pytest.mark.parametrize("size", ["\u0663", "\u00a05", "\u001c2", "5\u3000", 7.0, True])
def test_a_volume_size_beyond_ascii_or_beside_a_separator_is_invalid(size: Any) -> None:
    """``validate_integer``'s ``int(str(value))`` (``utils.py:1137-1144@2013.2.4``,
    ``995-1002@2014.1.5``): ``str()`` of unicode beyond ASCII is UnicodeEncodeError, a
    ValueError, and a byte string's ``int()`` skips only the C locale's spaces, so U+001C
    is none there (unicode ``int()`` read 3, 5, 2 and 5); a float's or a boolean's text
    is no integer's."""
    legacy = {"device_name": "/dev/vdb", "volume_id": VOLUME_UUID, "volume_size": size}
    with pytest.raises(InvalidBDMFormat, match=r"Invalid volume_size\.$"):
        from_legacy(legacy)
    with pytest.raises(InvalidBDMFormat, match=r"Invalid volume_size\.$"):
        block_device_dict({"source_type": "volume", "volume_size": size})


@pytest.mark.parametrize(("size", "expected"), [("\t5 \x0b", 5), ("+ 5", 5), ("- 0", 0), (12, 12)])
def test_a_volume_size_is_read_as_python_2_read_a_byte_string(size: Any, expected: int) -> None:
    """The C locale's spaces around the number and after its sign are skipped."""
    legacy = {"device_name": "/dev/vdb", "volume_id": VOLUME_UUID, "volume_size": size}
    assert from_legacy(legacy)["volume_size"] == expected


@pytest.mark.parametrize("profile", ["havana", "icehouse"])
def test_an_image_volume_size_beyond_ascii_refuses_the_launch_before_any_instance(
    profile: str, seed: dict[str, Any]
) -> None:
    """The image's mappings are converted in ``_check_and_transform_bdm``
    (``capi:870@2013.2.4``, ``998@2014.1.5``), before any instance exists: no EC2 id is
    used."""
    seed["images"][0]["properties"]["block_device_mapping"] = [
        {"device_name": "/dev/vdb", "volume_id": VOLUME_UUID, "volume_size": "\u0663"}
    ]
    service = EC2Service(Simulator.from_seed(seed, profile=profile))
    refused = service.handle(
        [("Action", "RunInstances"), ("ImageId", "ami-00000001"), ("InstanceType", "m1.small")]
    )
    assert (refused.status, refused.error_code, refused.error_message) == (
        400,
        "InvalidBDMFormat",
        "Block Device Mapping is Invalid: Invalid volume_size.",
    )
    assert len(refused.create_calls) == 1
    assert service.sim.store.instances.get(1) is None


@pytest.mark.parametrize("given", ["x", ["source_type"], 5])
def test_an_entry_that_is_no_dict_fails_unexpectedly(given: Any) -> None:
    """Python 2's ``bdm_dict.iteritems()`` of a truthy entry that is no dict."""
    with pytest.raises(AttributeError):
        block_device_dict(given)


def test_a_boot_index_int_cannot_take_fails_unexpectedly() -> None:
    with pytest.raises(TypeError):
        block_device_dict({"source_type": "blank", "boot_index": [0]})


def test_an_image_boot_device_leaves_the_request_without_a_root() -> None:
    """``no_root``: every request device -1 (a ``no_device`` one too), no image device
    added; the image's mappings follow the request's."""
    legacy: list[dict[str, Any]] = [
        {"device_name": "/dev/vda", "snapshot_id": SNAPSHOT_UUID},
        {"device_name": "/dev/vdc", "no_device": True},
    ]
    properties = {
        "block_device_mapping": [
            {"source_type": "volume", "volume_id": VOLUME_UUID, "boot_index": "0"},
            {"source_type": "blank", "destination_type": "local", "device_name": "/dev/vdb"},
        ]
    }
    converted = image_defined_mappings(legacy, properties, IMAGE, "vda")
    assert [(bdm["source_type"], bdm["boot_index"]) for bdm in converted] == [
        ("snapshot", -1),
        (None, -1),
        ("volume", 0),
        ("blank", None),
    ]


def test_without_an_image_boot_device_the_request_is_converted_as_before() -> None:
    legacy = [{"device_name": "/dev/vdb", "snapshot_id": SNAPSHOT_UUID}]
    properties = {"block_device_mapping": [{"source_type": "blank", "boot_index": "-1"}]}
    converted = image_defined_mappings(legacy, properties, IMAGE, "vda")
    assert [(bdm["source_type"], bdm["boot_index"]) for bdm in converted] == [
        ("image", 0),
        ("snapshot", -1),
        ("blank", -1),
    ]


def test_a_false_boot_index_is_a_boot_device() -> None:
    """``get_root_bdm`` compares with ``== 0``, which False is in both Pythons."""
    properties = {"block_device_mapping": [{"source_type": "volume", "boot_index": False}]}
    converted = image_defined_mappings([], properties, IMAGE, "vda")
    assert [bdm["source_type"] for bdm in converted] == ["volume"]


def test_the_images_mappings_are_read_before_the_requests() -> None:
    properties = {"block_device_mapping": [{"bogus": 1}]}
    with pytest.raises(InvalidBDMFormat, match="Some fields are invalid"):
        image_defined_mappings([{"device_name": "/dev/vdb"}], properties, IMAGE, "vda")


@pytest.mark.parametrize("boot_index", ["", [], {}])
def test_a_boot_index_that_is_no_number_breaks_the_sequence(boot_index: Any) -> None:
    """Python 2 ordered every number before any other value: ``'' >= 0`` was true and
    sorted last, so ``0 + 1 == ''`` failed the sequence."""
    mappings = [{"boot_index": 0}, {"boot_index": 1}, {"boot_index": boot_index}]
    validate_bdm(FLAVOR, mappings[:2], reachable)
    with pytest.raises(InvalidBDMBootSequence):
        validate_bdm(FLAVOR, mappings, reachable)


def _image_rows(image_mappings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    converted = image_defined_mappings([], {"block_device_mapping": image_mappings}, IMAGE, "vda")
    flavor = {**FLAVOR, "ephemeral_gb": 1}
    return NewFormatDevices(flavor, converted, []).instance_rows(reachable)


def test_an_image_copied_to_a_volume_is_read_back_without_a_virtual_name() -> None:
    """``legacy()``: an image device with a volume destination stays, a local one does
    not (``InvalidBDMForLegacy``)."""
    rows = _image_rows(
        [
            {
                "source_type": "image",
                "destination_type": "volume",
                "image_id": "x",
                "volume_size": 3,
                "device_name": "/dev/vdb",
            },
            {
                "source_type": "image",
                "destination_type": "local",
                "image_id": IMAGE,
                "boot_index": 0,
            },
        ]
    )
    assert rows == [
        {
            "device_name": "/dev/vdb",
            "delete_on_termination": False,
            "virtual_name": None,
            "snapshot_id": None,
            "volume_id": None,
            "volume_size": 3,
            "no_device": None,
        }
    ]


def test_a_source_type_legacy_does_not_know_leaves_a_row_without_a_virtual_name() -> None:
    """``legacy()`` sets no ``virtual_name`` for it, so ``legacy_mapping``'s renumbering
    failed (KeyError): the rows are kept unnumbered for the EC2 layer to fail on."""
    rows = _image_rows(
        [
            {
                "source_type": "blank",
                "destination_type": "local",
                "device_name": "/dev/vdb",
                "volume_size": 1,
            },
            {"source_type": "cdrom", "device_name": "/dev/vdc"},
            {
                "source_type": "image",
                "destination_type": "local",
                "image_id": IMAGE,
                "boot_index": 0,
            },
        ]
    )
    assert [row.get("virtual_name", "-") for row in rows] == ["ephemeral0", "-"]


def test_an_image_device_blanked_by_no_device_is_read_back() -> None:
    """``legacy()`` asks about ``no_device`` before it drops a local image device."""
    rows = _image_rows(
        [
            {
                "source_type": "image",
                "destination_type": "local",
                "no_device": True,
                "device_name": "/dev/vdc",
            },
        ]
    )
    assert [(row["device_name"], row["virtual_name"]) for row in rows] == [("/dev/vdc", None)]


def test_a_swap_size_that_is_no_number_is_larger_than_the_flavors() -> None:
    """A ``no_device`` mapping's size is never checked; Python 2 held ``'x' > 1``."""
    swap = {
        "source_type": "blank",
        "destination_type": "local",
        "guest_format": "swap",
        "no_device": True,
        "volume_size": "x",
    }
    with pytest.raises(InvalidBDMSwapSize):
        validate_bdm({**FLAVOR, "swap": 1}, [{"boot_index": 0}, swap], reachable)


def test_every_image_mapping_gets_its_dev_prefix_before_any_is_built() -> None:
    """``block_device.mappings_prepend_dev`` reads every mapping first: a device that is no
    text (``7.startswith``) fails before an earlier device's space is found."""
    image_mappings: list[dict[str, Any]] = [
        {"virtual": "ephemeral1", "device": "a b"},
        {"virtual": "swap", "device": 7},
    ]
    with pytest.raises(AttributeError):
        rows_of([], {**FLAVOR, "ephemeral_gb": 1, "swap": 1}, image_mappings)
    with pytest.raises(InvalidBDMFormat, match="contains spaces"):
        rows_of([], {**FLAVOR, "ephemeral_gb": 1, "swap": 1}, image_mappings[:1])


def test_the_dev_prefix_is_written_into_the_images_mappings() -> None:
    """As Nova's: the image's own dicts change, once (the next instance finds ``/dev/``)."""
    image_mappings = [{"virtual": "swap", "device": "sdb"}, {"virtual": "root", "device": "sda"}]
    rows_of([], {**FLAVOR, "swap": 1}, image_mappings, instances=2)
    assert image_mappings == [
        {"virtual": "swap", "device": "/dev/sdb"},
        {"virtual": "root", "device": "sda"},
    ]
