"""The catalogue a client reads around a launch, as Nova's ``CloudController`` answers it:
DescribeImages, DescribeSnapshots, DescribeVolumes and DescribeAvailabilityZones
(``nova/api/ec2/cloud.py``).

Images come from the image service through Nova's S3 layer (listing one gives it an
``ami-`` id if it had none). Volumes and snapshots come from a stand-in for the volume
service (cinder): every row of the store's volume and snapshot mapping tables is a volume
or snapshot that exists, with the attributes :func:`_volume` and :func:`_snapshot` give,
owned by whoever asks; launch-sim does not attach or create volumes. Zones come from the
services of the one simulated host (the profile's, zoned by
:mod:`simulator.availability_zones`). Flavors are the store's rows; Icehouse hands them to
compute as its ``Flavor`` object's primitive
(:func:`flavor_primitive`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final

from simulator import id_mappings
from simulator.availability_zones import (
    DEFAULT_AVAILABILITY_ZONE,
    availability_zones,
    zone_of,
)
from simulator.compute_bdm import (
    is_swap_or_ephemeral,
    mappings_prepend_dev,
    named_swap_or_ephemeral,
    properties_root_device_name,
    strip_dev,
)
from simulator.context import RequestContext
from simulator.ec2ids import image_ec2_id, image_type
from simulator.errors import ImageNotFound, NotFound
from simulator.id_prefixes import EC2_ID_PREFIXES
from simulator.images import Image, S3ImageService, StoreImageBackend
from simulator.instances import DEFAULT_ROOT_DEV_NAME, validate_ec2_id
from simulator.lifecycle import SIMULATED_HOST
from simulator.profiles import FlavorForm, Profile, VolumeService
from simulator.py2dict import walked
from simulator.store import MappingStore, MappingTable

Result = dict[str, Any]

VOLUME_CREATED_AT: Final = datetime(2013, 6, 1, 12, 0, 0)
"""When every simulated volume and snapshot was made."""
VOLUME_SIZE: Final = 1
_IMAGE_TYPES: Final = {"aki": "kernel", "ari": "ramdisk", "ami": "machine"}
_SNAPSHOT_STATUSES: Final[dict[str, str | None]] = {
    "new": "pending",
    "creating": "pending",
    "available": "completed",
    "active": "completed",
    "deleting": "pending",
    "deleted": None,
    "error": "error",
}
_VOLUME_STATUSES: Final[dict[str, str]] = {"attaching": "in-use", "detaching": "in-use"}
"""Havana's ``valid_ec2_api_volume_status_map`` (``cloud:802-804@2013.2.4``)."""


def _created_at(service: VolumeService) -> Any:
    """:data:`VOLUME_CREATED_AT` as the volume service hands it to the EC2 layer:
    nova-volume's database row holds a datetime, which the renderer writes with
    milliseconds; cinder's API writes text (``2013-06-01T12:00:00.000000``), passed through."""
    if service is VolumeService.NOVA_VOLUME:
        return VOLUME_CREATED_AT
    return VOLUME_CREATED_AT.isoformat(timespec="microseconds")


def _volume(uuid: str, context: RequestContext, service: VolumeService) -> Result:
    """The volume service's record of a volume: available, detached, from no snapshot."""
    return {
        "id": uuid,
        "status": "available",
        "size": VOLUME_SIZE,
        "availability_zone": DEFAULT_AVAILABILITY_ZONE,
        "created_at": _created_at(service),
        "attach_status": "detached",
        "mountpoint": None,
        "snapshot_id": None,
        "project_id": context.project_id,
        "host": SIMULATED_HOST,
    }


def _snapshot(uuid: str, context: RequestContext, service: VolumeService) -> Result:
    """The volume service's record of a snapshot: available and complete. Which volume it
    was taken of is unknown (Nova always knew one)."""
    return {
        "id": uuid,
        "status": "available",
        "progress": "100%",
        "volume_id": None,
        "volume_size": VOLUME_SIZE,
        "created_at": _created_at(service),
        "project_id": context.project_id,
        "display_description": None,
    }


def _as_is(value: Any) -> Any:
    """A value passed on unchanged: a ``DateTimeField`` (launch-sim keeps a seed's time as
    its JSON text), and the flavor row itself where a release passes the row."""
    return value


_FLAVOR_FIELDS: Final[Mapping[str, tuple[Callable[[Any], Any], Any]]] = MappingProxyType(
    {
        "id": (int, None),
        "name": (str, None),
        "memory_mb": (int, None),
        "vcpus": (int, None),
        "root_gb": (int, None),
        "ephemeral_gb": (int, None),
        "flavorid": (str, None),
        "swap": (int, 0),
        "rxtx_factor": (float, 1),
        "vcpu_weight": (int, None),
        "disabled": (bool, False),
        "is_public": (bool, True),
        "created_at": (_as_is, None),
        "updated_at": (_as_is, None),
        "deleted_at": (_as_is, None),
        "deleted": (bool, 0),
    }
)
"""Icehouse's ``Flavor.fields`` and ``NovaPersistentObject.fields`` read from the row (all
but ``extra_specs`` and the unloaded ``projects``): each field's coercion (``fields.py``)
and the ``instance_types`` column default (``models.py``) a seed row that lacks the
column gets."""


def flavor_primitive(row: Mapping[str, Any]) -> Result:
    """``obj_to_primitive(Flavor.get_by_name(...))``: what Icehouse's ``run_instances``
    passes ``compute_api.create`` as ``instance_type``.

    ``_from_db_object`` reads every field from the row (a None integer becomes 0, the other
    None values stay None) and ``extra_specs`` (their values text); ``obj_to_primitive``
    gives the fields that are set. A seed row's keys that are no column (``default``) are
    not fields. launch-sim's flavor rows have no ``id`` (the seed schema has no such
    column), so it is 0, as a NULL integer column reads: the store's row number is no id,
    as a cassette's seed keeps only the rows read, numbered afresh on replay. A row without
    ``flavorid`` keeps None, where Nova's ``StringField`` would refuse it.
    """
    primitive: Result = {}
    for name, (coerce, default) in _FLAVOR_FIELDS.items():
        value = row.get(name, default)
        if value is None:
            primitive[name] = 0 if coerce is int else None
        else:
            primitive[name] = coerce(value)
    specs = row.get("extra_specs") or {}
    primitive["extra_specs"] = {key: str(value) for key, value in specs.items()}
    return primitive


FLAVOR_FORMS: Final[Mapping[FlavorForm, Callable[[Result], Result]]] = MappingProxyType(
    {FlavorForm.ROW: _as_is, FlavorForm.PRIMITIVE: flavor_primitive}
)
"""What ``compute_api.create`` gets as ``instance_type`` of the flavor row, per release."""


class CatalogueActions:
    """The catalogue actions of Nova's ``CloudController``, mixed into :class:`CloudController`."""

    store: MappingStore
    image_service: S3ImageService
    profile: Profile
    _get_image: Callable[[Any], tuple[Image, str | None]]
    _get_image_state: Callable[[Image], Any]

    def describe_images(
        self, context: RequestContext, image_id: Any = None, **kwargs: Any
    ) -> Result:
        """``describe_images``: each id found as RunInstances finds an image (a name works
        too), else every image; ``Owner``, ``ExecutableBy`` and ``Filter`` are ignored."""
        if image_id:
            images = []
            for ec2_id in walked(image_id):
                try:
                    images.append(self._get_image(ec2_id)[0])
                except NotFound:
                    raise ImageNotFound(image_id=ec2_id) from None
        else:
            images = self._all_images()
        return {"imagesSet": [self._format_image(image) for image in images]}

    def describe_snapshots(
        self,
        context: RequestContext,
        snapshot_id: Any = None,
        owner: Any = None,
        restorable_by: Any = None,
        **kwargs: Any,
    ) -> Result:
        """``describe_snapshots``: an id is not validated (``snap-zz`` fails unexpectedly);
        ``Owner``, ``RestorableBy`` and ``Filter`` are ignored."""
        if snapshot_id:
            uuids = [
                id_mappings.ec2_snap_id_to_uuid(self.store, ec2_id)
                for ec2_id in walked(snapshot_id)
            ]
        else:
            uuids = [uuid for _, uuid in self.store.mapping_rows(MappingTable.SNAPSHOTS)]
        service = self.profile.conversation.volume_service
        formatted = (self._format_snapshot(_snapshot(uuid, context, service)) for uuid in uuids)
        return {"snapshotSet": [snapshot for snapshot in formatted if snapshot is not None]}

    def describe_volumes(
        self, context: RequestContext, volume_id: Any = None, **kwargs: Any
    ) -> Result:
        """``describe_volumes``: each id validated as an *instance* id would be (so
        ``vol-zz`` is "Invalid id: vol-zz (expecting "i-...")"), then found."""
        if volume_id:
            uuids = []
            for ec2_id in walked(volume_id):
                validate_ec2_id(ec2_id, self.profile)
                uuids.append(id_mappings.ec2_vol_id_to_uuid(self.store, ec2_id))
        else:
            uuids = [uuid for _, uuid in self.store.mapping_rows(MappingTable.VOLUMES)]
        service = self.profile.conversation.volume_service
        volumes = [_volume(uuid, context, service) for uuid in uuids]
        return {"volumeSet": [self._format_volume(context, volume) for volume in volumes]}

    def describe_availability_zones(self, context: RequestContext, **kwargs: Any) -> Result:
        """``describe_availability_zones``: ``ZoneName`` only matters when it contains
        ``verbose`` (``ZoneName.1=verbose``, or any text containing it) and the context is
        admin: then every zone, host and service is listed; other names are ignored."""
        if "zone_name" in kwargs and "verbose" in kwargs["zone_name"] and context.is_admin:
            return {"availabilityZoneInfo": self._verbose_zones()}
        conversation = self.profile.conversation
        internal = conversation.internal_zone
        return {
            "availabilityZoneInfo": [
                {"zoneName": zone, "zoneState": "available"}
                for zone in availability_zones(conversation.services, internal)
                if zone != internal
            ]
        }

    # --- images ---

    def _all_images(self) -> list[Image]:
        """``S3ImageService.detail``: every image, oldest first, each given its s3 id (and its
        kernel's and ramdisk's) if it had none. Glance answers the whole listing first, every
        image's JSON properties read, and only then are ids given, so an image whose JSON is
        no JSON fails the listing before any image, earlier ones included, gets an id
        (``s3.py:143-144@2012.2.4``, ``glance.py:169-171@2012.2.4``; the same at each tag)."""
        backend = self.image_service.backend
        if not isinstance(backend, StoreImageBackend):
            raise NotImplementedError("launch-sim lists only the store's image catalogue")
        return self.image_service.translated(backend.every())

    def _format_image(self, image: Image) -> Result:
        """``_format_image``: an image as DescribeImages shows it."""
        properties = image["properties"]
        kind = image_type(image.get("container_format"))
        name = image.get("name")
        location = properties.get("image_location")
        item: Result = {"imageId": image_ec2_id(image.get("id"), kind)}
        if properties.get("kernel_id"):
            item["kernelId"] = image_ec2_id(properties["kernel_id"], EC2_ID_PREFIXES["kernels"])
        if properties.get("ramdisk_id"):
            item["ramdiskId"] = image_ec2_id(properties["ramdisk_id"], EC2_ID_PREFIXES["ramdisks"])
        root_device_name = properties_root_device_name(properties)
        item.update(
            {
                "imageOwnerId": image.get("owner"),
                "imageLocation": location or f"{location} ({name})",
                "name": location if not name and location else name,
                "imageState": self._get_image_state(image),
                "description": None,
                "imageType": _IMAGE_TYPES.get(kind),
                "isPublic": bool(image.get("is_public")),
                "architecture": properties.get("architecture"),
                "rootDeviceName": root_device_name or DEFAULT_ROOT_DEV_NAME,
                "rootDeviceType": _root_device_type(properties, root_device_name),
            }
        )
        mappings = self._format_mappings(properties)
        if mappings:
            item["blockDeviceMapping"] = mappings
        return item

    def _format_mappings(self, properties: dict[str, Any]) -> list[Result]:
        """``_format_mappings``: the swap and ephemeral ``mappings``, each replaced by a
        ``block_device_mapping`` entry of the same device; ``NoDevice`` entries dropped.
        Every entry is formatted before any is placed (``cloud:191-206@2013.2.4``), so a
        later entry that cannot be formatted fails before an earlier one without a device
        name does."""
        swap_or_ephemeral = (
            named_swap_or_ephemeral
            if self.profile.conversation.empty_virtual_names_skipped
            else is_swap_or_ephemeral
        )
        image_mappings = properties.get("mappings", [])
        mappings_prepend_dev(image_mappings, swap_or_ephemeral)
        mappings: list[Result] = [
            {"virtualName": mapping["virtual"], "deviceName": mapping["device"]}
            for mapping in image_mappings
            if swap_or_ephemeral(mapping["virtual"])
        ]
        formatted = [
            self._format_block_device_mapping(bdm)
            for bdm in properties.get("block_device_mapping", [])
        ]
        for item in formatted:
            for index, mapping in enumerate(mappings):
                if item["deviceName"] == mapping["deviceName"]:
                    del mappings[index]
                    break
            mappings.append(item)
        return [mapping for mapping in mappings if not mapping.get("noDevice", False)]

    def _format_block_device_mapping(self, bdm: dict[str, Any]) -> Result:
        """``_format_block_device_mapping``: a volume is shown as ``ebs.snapshotId`` too."""
        item: Result = {}
        for name, key in (("deviceName", "device_name"), ("virtualName", "virtual_name")):
            if key in bdm:
                item[name] = bdm[key]
        if bdm.get("no_device"):
            item["noDevice"] = True
        if "snapshot_id" in bdm or "volume_id" in bdm:
            ebs: Result = {}
            if "snapshot_id" in bdm:
                ebs["snapshotId"] = id_mappings.id_to_ec2_snap_id(
                    bdm["snapshot_id"], self.store, self.profile.uuid_like
                )
            if "volume_id" in bdm:
                ebs["snapshotId"] = id_mappings.id_to_ec2_vol_id(
                    bdm["volume_id"], self.store, self.profile.uuid_like
                )
            for name, key in (
                ("volumeSize", "volume_size"),
                ("deleteOnTermination", "delete_on_termination"),
            ):
                if key in bdm:
                    ebs[name] = bdm[key]
            item["ebs"] = ebs
        return item

    # --- volumes and snapshots ---

    def _format_snapshot(self, snapshot: Result) -> Result | None:
        """``_format_snapshot``: None for a deleted snapshot once statuses are mapped."""
        status = snapshot["status"]
        if self.profile.conversation.snapshot_statuses_mapped:
            status = _SNAPSHOT_STATUSES.get(status, status)
            if not status:
                return None
        return {
            "snapshotId": id_mappings.id_to_ec2_snap_id(
                snapshot["id"], self.store, self.profile.uuid_like
            ),
            "volumeId": None,
            "status": status,
            "startTime": snapshot["created_at"],
            "progress": snapshot["progress"],
            "ownerId": snapshot["project_id"],
            "volumeSize": snapshot["volume_size"],
            "description": snapshot["display_description"],
        }

    def _format_volume(self, context: RequestContext, volume: Result) -> Result:
        """``_format_volume``: a detached volume's ``attachmentSet`` is one empty item; from
        Havana on a volume attaching or detaching reads ``in-use``."""
        status = volume["status"]
        if self.profile.conversation.volume_statuses_mapped:
            status = _VOLUME_STATUSES.get(status, status)
        decorated = self.profile.conversation.volume_service is VolumeService.NOVA_VOLUME
        if decorated and context.is_admin:
            status = f"{status} ({volume['project_id']}, {volume['host']}, None, None)"
        return {
            "volumeId": id_mappings.id_to_ec2_vol_id(
                volume["id"], self.store, self.profile.uuid_like
            ),
            "status": status,
            "size": volume["size"],
            "availabilityZone": volume["availability_zone"],
            "createTime": volume["created_at"],
            "attachmentSet": [{}],
            "snapshotId": None,
        }

    # --- zones ---

    def _verbose_zones(self) -> list[Result]:
        """``_describe_availability_zones_verbose``: per zone its host, per host its services
        with their state and last heartbeat (now); the internal zone is not hidden."""
        heartbeat = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
        conversation = self.profile.conversation
        services, internal = conversation.services, conversation.internal_zone
        result: list[Result] = []
        for zone in availability_zones(services, internal):
            result.append({"zoneName": zone, "zoneState": "available"})
            result.append({"zoneName": f"|- {SIMULATED_HOST}", "zoneState": ""})
            for binary, topic in services:
                if zone_of(topic, internal) == zone:
                    result.append(
                        {"zoneName": f"| |- {binary}", "zoneState": f"enabled :-) {heartbeat}"}
                    )
        return result


def _root_device_type(properties: dict[str, Any], root_device_name: Any) -> str:
    """``ebs`` when an image mapping of the root device has a snapshot or a volume. Every
    mapping is asked, the ones after a match too, as ``_format_image`` asked them (no
    ``break``, ``cloud:1425-1430@2013.1.5``): a later one that is no dict, or whose device
    name is no text, still fails the answer."""
    root_device_type = "instance-store"
    for bdm in properties.get("block_device_mapping", []):
        if (
            strip_dev(bdm.get("device_name")) == strip_dev(root_device_name)
            and ("snapshot_id" in bdm or "volume_id" in bdm)
            and not bdm.get("no_device")
        ):
            root_device_type = "ebs"
    return root_device_type
