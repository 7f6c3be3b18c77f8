"""The compute side of block devices from Havana on: the new format (``BlockDeviceDict``).

Havana's compute no longer stores the request's legacy mappings as they came. It converts
them, with the image's, to the new format (``nova/block_device.py`` ``from_legacy_mapping``:
a source and a destination type, a boot index), which refuses a mapping it cannot read and
reads ``delete_on_termination`` through ``strutils.bool_from_string``. Each instance then
gets the image's swap/ephemeral ``mappings`` as blank local devices, the whole set is checked
(``compute.api._validate_bdm``: boot sequence, volumes and snapshots, sizes against the
flavor, local device count), and rows are written one by one, a device name being optional:
Grizzly's ``assert 'device_name' in bdm`` is gone and the database creates a row for every
nameless device. The EC2 layer reads the rows back through ``block_device.legacy_mapping``,
which drops the image's own (local) device, so the rows are kept in that legacy form, the
same seven fields as Grizzly's (:mod:`simulator.compute_bdm`).

Nova passes one list of converted mappings to every instance of a launch and fills in the
blank devices' sizes in place as it writes each instance's rows, so the second instance is
checked with the sizes the first one's rows got; :class:`NewFormatDevices` keeps that list.

Icehouse also reads an image whose ``bdm_v2`` property is truthy: its ``block_device_mapping``
is already in the new format (:func:`block_device_dict`, :func:`image_defined_mappings`), and
a boot device among them takes the place of the request's (``no_root``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from simulator.compute_bdm import (
    DeviceRows,
    Row,
    is_ephemeral,
    mappings_prepend_dev,
    named_swap_or_ephemeral,
    strip_dev,
)
from simulator.ec2ids import py2_bytes_int, py2_int
from simulator.errors import (
    InvalidBDMBootSequence,
    InvalidBDMEphemeralSize,
    InvalidBDMFormat,
    InvalidBDMLocalsLimit,
    InvalidBDMSwapSize,
)
from simulator.py2text import py2_str
from simulator.py2unicode import strip as py2_strip

TRUE_STRINGS = frozenset({"1", "t", "true", "on", "y", "yes"})
"""``strutils.TRUE_STRINGS`` (2013.2.4 and 2014.1.5)."""
MAX_LOCAL_BLOCK_DEVICES = 3
"""``CONF.max_local_block_devices``' default (``nova/compute/api.py:112@2013.2.4``)."""
DEFAULT_ROOT_DEVICE = "vda"
"""``_check_and_transform_bdm``'s root device for an image that names none."""
MAX_DEVICE_NAME_LENGTH = 255
_COPIED_FROM_LEGACY = (
    "device_name",
    "delete_on_termination",
    "snapshot_id",
    "volume_id",
    "volume_size",
    "no_device",
)
"""``bdm_legacy_fields & bdm_new_fields`` that an EC2 mapping can hold."""
_UNSET: Mapping[str, Any] = dict.fromkeys(
    ("source_type", "destination_type", "image_id", *_COPIED_FROM_LEGACY)
)
"""The fields ``BlockDeviceDict`` sets to None when not given (``connection_info`` aside,
which nothing on this path reads); ``boot_index`` and ``guest_format`` are not defaulted."""

_NEW_UNSET: Mapping[str, Any] = dict.fromkeys(
    (*_UNSET, "guest_format", "device_type", "disk_bus", "boot_index", "connection_info")
)
"""``bdm_new_fields``: the fields ``BlockDeviceDict`` keeps, each None when not given."""
_ACCEPTED_FIELDS = _NEW_UNSET.keys() | {
    "id",
    "instance_uuid",
    "created_at",
    "updated_at",
    "deleted_at",
    "deleted",
}
"""``bdm_new_fields`` and the database's own (``_db_only_fields``): no other is accepted."""

NewBdm = dict[str, Any]


def bool_from_string(subject: Any) -> bool:
    """``strutils.bool_from_string`` (not strict): anything but a true string is False; a
    non-string is read as its ``str()`` (``True`` and ``1`` are true, ``1.0`` and None not);
    the spaces stripped are Python 2's (U+180E among them)."""
    text = subject if isinstance(subject, str) else py2_str(subject)
    return py2_strip(text).lower() in TRUE_STRINGS


def _validate(bdm: NewBdm) -> None:
    """``BlockDeviceDict._validate``: nothing for a ``no_device`` row; else the boolean, the
    device name (when there is one) and the volume size, rewritten in place.

    A truthy size goes through ``utils.validate_integer``'s ``int(str(value))``
    (``bd:349-356@2013.2.4``, ``375-382@2014.1.5``; ``utils.py:1137-1144@2013.2.4``,
    ``995-1002@2014.1.5``): the byte string's reading (:func:`py2_bytes_int`), so text
    beyond ASCII (``u"\\u0663"``, ``u"\\xa05"``) or beside an information separator
    (``u"\\x1c2"``) is "Invalid volume_size." where unicode ``int()`` read a number."""
    if bdm.get("no_device"):
        return
    if "delete_on_termination" in bdm:
        bdm["delete_on_termination"] = bool_from_string(bdm["delete_on_termination"])
    device_name = bdm.get("device_name")
    if device_name is not None:
        if not isinstance(device_name, str) or not 1 <= len(device_name) <= MAX_DEVICE_NAME_LENGTH:
            raise InvalidBDMFormat(details="Device name empty or too long.")
        if " " in device_name:
            raise InvalidBDMFormat(details="Device name contains spaces.")
    volume_size = bdm.get("volume_size")
    if volume_size:
        try:
            size = py2_bytes_int(py2_str(volume_size), 10)
        except ValueError:
            size = -1
        if size < 0:
            raise InvalidBDMFormat(details="Invalid volume_size.")
        bdm["volume_size"] = size


def _no_iteritems(value: Any) -> AttributeError:
    """What Python 2 raised for ``value.iteritems()`` of a value that is no dict: an
    unexpected error, answered by its class name from Havana on."""
    return AttributeError(f"{type(value).__name__!r} object has no attribute 'iteritems'")


def from_legacy(legacy: Mapping[str, Any]) -> NewBdm:
    """``BlockDeviceDict.from_legacy``: a swap/ephemeral disk is a blank local device, else a
    snapshot or a volume, else a truthy ``no_device`` keeps the row; anything else is
    "Unrecognized legacy format." The legacy dict is left as it was; an image's entry that
    is no dict fails as Python 2's missing ``iteritems`` did."""
    if not isinstance(legacy, dict):
        raise _no_iteritems(legacy)
    new = {name: legacy[name] for name in _COPIED_FROM_LEGACY if name in legacy}
    virtual_name = legacy.get("virtual_name")
    if named_swap_or_ephemeral(virtual_name):
        new["source_type"] = "blank"
        new["delete_on_termination"] = True
        new["destination_type"] = "local"
        new["guest_format"] = "swap" if virtual_name == "swap" else None
    elif legacy.get("snapshot_id"):
        new["source_type"] = "snapshot"
        new["destination_type"] = "volume"
    elif legacy.get("volume_id"):
        new["source_type"] = "volume"
        new["destination_type"] = "volume"
    elif not legacy.get("no_device"):
        raise InvalidBDMFormat(details="Unrecognized legacy format.")
    _validate(new)
    return {**_UNSET, **new}


def from_legacy_mapping(
    legacy_mappings: Iterable[Mapping[str, Any]],
    image_ref: Any,
    root_device_name: Any,
    *,
    no_root: bool = False,
) -> list[NewBdm]:
    """``block_device.from_legacy_mapping`` as ``_check_and_transform_bdm`` calls it.

    A snapshot or volume on the root device boots (index 0); without one the image boots
    from a nameless local device put first. Every other device gets -1, a ``no_device`` one
    None. Two snapshots on the root device (``/dev/vda`` and ``vda``) both get 0. With
    ``no_root`` (Icehouse, when the image's new-format mappings hold the boot device) every
    device gets -1, ``no_device`` ones too, and no image device is added. The root device's
    name is read only beside a volume, snapshot or image device's, so an image's
    ``root_device_name`` that is no text fails only a launch that maps one
    (``bd:296-300@2013.2.4``, ``322-326@2014.1.5``).
    """
    new_bdms = [from_legacy(legacy) for legacy in legacy_mappings]
    if no_root:
        for bdm in new_bdms:
            bdm["boot_index"] = -1
        return new_bdms
    volume_backed = False
    for bdm in new_bdms:
        if bdm["source_type"] in ("volume", "snapshot", "image") and (
            strip_dev(bdm["device_name"]) == strip_dev(root_device_name)
        ):
            bdm["boot_index"] = 0
            volume_backed = True
        elif not bdm["no_device"]:
            bdm["boot_index"] = -1
        else:
            bdm["boot_index"] = None
    if volume_backed:
        return new_bdms
    image_bdm = {
        **_UNSET,
        "source_type": "image",
        "image_id": image_ref,
        "delete_on_termination": True,
        "boot_index": 0,
        "device_type": "disk",
        "destination_type": "local",
    }
    return [image_bdm, *new_bdms]


def _boot_index(value: Any) -> Any:
    """``int(boot_index)`` for a truthy one: Python 2 read text with its own digits and
    spaces; a value ``int`` cannot read is "Boot index is invalid.", one it cannot take (a
    list, a dict) an unexpected TypeError."""
    try:
        return py2_int(value, 10) if isinstance(value, str) else int(value)
    except ValueError:
        raise InvalidBDMFormat(details="Boot index is invalid.") from None


def block_device_dict(bdm: Any) -> NewBdm:
    """``BlockDeviceDict(bdm)`` (``bd:69-115@2014.1.5``): a mapping already in the new format.

    In ``_validate``'s order: a field outside the new format and the database's is "Some
    fields are invalid."; a truthy ``no_device`` is kept as it is; a mapping without
    ``source_type`` is "Some required fields are missing"; then the checks of a converted
    legacy mapping, and a truthy ``boot_index`` made an integer. Every field not given is
    None. A falsy entry is read as ``{}``; any other entry that is no dict fails as Python 2's
    missing ``iteritems`` did (unexpected). The value of ``source_type`` is not checked here.
    """
    if not bdm:
        bdm = {}
    if not isinstance(bdm, dict):
        raise _no_iteritems(bdm)
    bdm = dict(bdm)
    if not bdm.keys() <= _ACCEPTED_FIELDS:
        raise InvalidBDMFormat(details="Some fields are invalid.")
    if not bdm.get("no_device"):
        if "source_type" not in bdm:
            raise InvalidBDMFormat(details="Some required fields are missing")
        _validate(bdm)
        if bdm.get("boot_index"):
            bdm["boot_index"] = _boot_index(bdm["boot_index"])
    return {**_NEW_UNSET, **bdm}


def image_defined_mappings(
    legacy_mappings: Iterable[Mapping[str, Any]],
    properties: Mapping[str, Any],
    image_ref: Any,
    root_device_name: Any,
) -> list[NewBdm]:
    """Icehouse's ``_check_and_transform_bdm`` for an image whose ``bdm_v2`` property is
    truthy (``capi:619-664@2014.1.5``): the image's mappings are read first, each by
    :func:`block_device_dict`; if one of them boots (its ``boot_index`` equals 0) the
    request's are converted without a root (:func:`from_legacy_mapping`'s ``no_root``);
    the image's follow the request's."""
    image_bdms = [block_device_dict(bdm) for bdm in properties.get("block_device_mapping", [])]
    no_root = any(bdm["boot_index"] == 0 for bdm in image_bdms)
    converted = from_legacy_mapping(legacy_mappings, image_ref, root_device_name, no_root=no_root)
    return converted + image_bdms


def _is_swap(bdm: Mapping[str, Any]) -> bool:
    """``block_device.new_format_is_swap``."""
    return (
        bdm.get("source_type") == "blank"
        and bdm.get("destination_type") == "local"
        and bdm.get("guest_format") == "swap"
    )


def _volume_size(instance_type: Mapping[str, Any], bdm: Mapping[str, Any]) -> Any:
    """``API._volume_size``: a blank device without a size takes the flavor's swap or
    ephemeral size (every ``ephemeralN`` alike); anything else keeps its own."""
    size = bdm.get("volume_size")
    if size is None and bdm.get("source_type") == "blank":
        if bdm.get("guest_format") == "swap":
            return instance_type.get("swap", 0)
        return instance_type.get("ephemeral_gb", 0)
    return size


def _prepare_image_mapping(
    instance_type: Mapping[str, Any], mappings: Sequence[dict[str, Any]]
) -> list[NewBdm]:
    """``API._prepare_image_mapping``: the image's swap/ephemeral disks of size > 0 as blank
    local devices, built anew for each instance. ``block_device.mappings_prepend_dev`` first
    prepends ``/dev/`` to every swap/ephemeral device, in place, all of them before any is
    built, so a mapping it cannot read fails before an earlier one's device name is checked."""
    mappings_prepend_dev(mappings, named_swap_or_ephemeral)
    prepared = []
    for mapping in mappings:
        virtual_name = mapping["virtual"]
        if virtual_name in ("ami", "root") or not named_swap_or_ephemeral(virtual_name):
            continue
        device = mapping["device"]
        guest_format = "swap" if virtual_name == "swap" else mapping.get("guest_format")
        values = {
            **_UNSET,
            "device_name": device,
            "source_type": "blank",
            "destination_type": "local",
            "device_type": "disk",
            "guest_format": guest_format or None,
            "delete_on_termination": True,
            "boot_index": -1,
        }
        _validate(values)
        values["volume_size"] = _volume_size(instance_type, values)
        if values["volume_size"] != 0:
            prepared.append(values)
    return prepared


def validate_bdm(
    instance_type: Mapping[str, Any],
    all_mappings: Sequence[Mapping[str, Any]],
    check_volumes: Callable[[Iterable[Mapping[str, Any]]], None],
) -> None:
    """``API._validate_bdm`` (``nova/compute/api.py:965-1028@2013.2.4``, ``:1095@2014.1.5``),
    in its order: the boot indexes from 0 without gaps, every volume and snapshot reachable
    (``check_volumes``), the ephemeral sizes' sum and the one swap's size against the flavor,
    at most :data:`MAX_LOCAL_BLOCK_DEVICES` local devices.

    A boot index that is no number (an image's ``""`` or ``[]``, which ``BlockDeviceDict``
    leaves as they are) was greater than any number in Python 2 and sorted after them, so
    the sequence fails with it whatever the others are; a swap size that is no number (a
    ``no_device`` mapping's, never checked) is larger than any flavor's swap.
    """
    boot_indexes = []
    for bdm in all_mappings:
        index = bdm.get("boot_index")
        if index is None:
            continue
        if not isinstance(index, int | float):
            raise InvalidBDMBootSequence()
        if index >= 0:
            boot_indexes.append(index)
    boot_indexes.sort()
    if 0 not in boot_indexes or any(
        index + 1 != following for index, following in pairwise(boot_indexes)
    ):
        raise InvalidBDMBootSequence()
    check_volumes(all_mappings)
    ephemeral_size = sum(
        bdm.get("volume_size") or 0
        for bdm in all_mappings
        if bdm.get("source_type") == "blank" and not _is_swap(bdm)
    )
    if ephemeral_size > instance_type.get("ephemeral_gb", 0):
        raise InvalidBDMEphemeralSize()
    swaps = [bdm for bdm in all_mappings if _is_swap(bdm)]
    if len(swaps) > 1:
        raise InvalidBDMFormat(details="More than one swap drive requested.")
    if swaps:
        swap_size = swaps[0].get("volume_size") or 0
        if not isinstance(swap_size, int | float) or swap_size > instance_type.get("swap", 0):
            raise InvalidBDMSwapSize()
    local = sum(1 for bdm in all_mappings if bdm.get("destination_type") == "local")
    if local > MAX_LOCAL_BLOCK_DEVICES:
        raise InvalidBDMLocalsLimit()


class _Rows(DeviceRows):
    """One instance's rows as ``block_device_mapping_update_or_create`` (``legacy=False``)
    keeps them (``nova/db/sqlalchemy/api.py:3479-3511@2013.2.4``), inserted as every
    release's are (:meth:`~simulator.compute_bdm.DeviceRows.insert`)."""

    def update_or_create(self, values: NewBdm) -> None:
        """A named device updates its row; a nameless one always makes a new row (the
        column takes NULL from Havana on), filed under None, which no lookup asks for. An
        empty ``volume_size`` is scrubbed from ``values`` first (the caller's dict, as in
        Nova). The database's removal of a second swap row has nothing to do:
        ``_validate_bdm`` refused a second swap disk before any row was written."""
        if values.get("volume_size") == "":
            del values["volume_size"]
        device_name = values["device_name"]
        row = self._by_device.get(device_name) if device_name else None
        if row is None:
            self.insert({"volume_size": None, **values}, device_name or None)
        else:
            row.update(values)


def _legacy_mapping(rows: Iterable[Mapping[str, Any]]) -> list[Row]:
    """``block_device.legacy_mapping`` of the rows, as the EC2 layer reads them: an image's
    local device is left out (one copied to a volume or blanked by ``no_device`` stays, with
    no virtual name), a blank one is ``swap`` or ``ephemeralN`` (numbered again in order),
    and ``delete_on_termination`` goes through ``bool_from_string`` once more
    (``BlockDeviceDict._validate``: not for a ``no_device`` row).

    A row of a source type ``legacy()`` does not know (an image's new-format mapping may
    name any) gets no virtual name at all; Nova's renumbering then failed on it (KeyError)
    each time the instance was answered, so such rows are kept as they are, without a
    ``virtual_name`` key, for the EC2 layer's reading of them to fail on.
    """
    legacy: list[Row] = []
    readable = True
    for row in rows:
        source_type = row["source_type"]
        if source_type == "image" and row["destination_type"] != "volume" and not row["no_device"]:
            continue
        delete_on_termination = row["delete_on_termination"]
        if not row["no_device"]:
            delete_on_termination = bool_from_string(delete_on_termination)
        values: Row = {
            "device_name": row["device_name"],
            "delete_on_termination": delete_on_termination,
            "virtual_name": None,
            "snapshot_id": row["snapshot_id"],
            "volume_id": row["volume_id"],
            "volume_size": row["volume_size"],
            "no_device": row["no_device"],
        }
        if source_type == "blank":
            values["virtual_name"] = "swap" if row.get("guest_format") == "swap" else "ephemeral0"
        elif source_type not in ("volume", "snapshot", "image") and not row["no_device"]:
            del values["virtual_name"]
            readable = False
        legacy.append(values)
    if not readable:
        return legacy
    ephemerals = (
        row for row in legacy if row["virtual_name"] and is_ephemeral(row["virtual_name"])
    )
    for number, row in enumerate(ephemerals):
        row["virtual_name"] = f"ephemeral{number}"
    return legacy


@dataclass(frozen=True)
class NewFormatDevices:
    """One launch's converted mappings, shared by its instances as Nova's list is.

    ``converted`` is what ``_check_and_transform_bdm`` made of the request's and the image's
    mappings; ``image_mappings`` the image's ``mappings`` property.
    """

    instance_type: Mapping[str, Any]
    converted: list[NewBdm]
    image_mappings: Sequence[dict[str, Any]]

    def instance_rows(
        self, check_volumes: Callable[[Iterable[Mapping[str, Any]]], None]
    ) -> list[Row]:
        """``_populate_instance_for_bdm`` for the next instance: the checks of
        :func:`validate_bdm`, then ``_update_block_device_mapping`` of the image's blank
        devices and of the converted mappings (sizes filled in, size-0 devices skipped)."""
        prepared = _prepare_image_mapping(self.instance_type, self.image_mappings)
        validate_bdm(self.instance_type, [*self.converted, *prepared], check_volumes)
        rows = _Rows()
        for mapping in (prepared, self.converted):
            for bdm in mapping:
                bdm["volume_size"] = _volume_size(self.instance_type, bdm)
                if bdm["volume_size"] != 0:
                    rows.update_or_create(bdm)
        return _legacy_mapping(rows.rows)
