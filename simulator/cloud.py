"""``CloudController.run_instances``: Nova's EC2 launch, step by step, as its profile's release.

The order of the steps is part of the contract (the first failure wins): min_count (in
Icehouse max_count and their checks too), the ClientToken lookup (Havana on), kernel,
ramdisk, block device mappings (snapshot/volume lookups), the machine image, its state,
then the instance type and max_count while the create call's arguments are evaluated.
Errors are Nova's exceptions; the Executor table in :mod:`simulator.errors` names them.
What differs between releases is asked of :class:`~simulator.profiles.Profile`.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from simulator import ec2ids, id_mappings
from simulator.availability_zones import DEFAULT_AVAILABILITY_ZONE
from simulator.catalogue import FLAVOR_FORMS, CatalogueActions
from simulator.compute import RecordingComputeAPI
from simulator.compute_instances import Instance, column_text
from simulator.context import RequestContext
from simulator.ec2_bdm import parse_block_device_mapping
from simulator.errors import (
    ImageNotFound,
    InvalidEc2Id,
    InvalidInput,
    NotFound,
)
from simulator.id_prefixes import EC2_ID_PREFIXES
from simulator.images import Image, S3ImageService
from simulator.instances import DEFAULT_ROOT_DEV_NAME, InstanceActions, group_set
from simulator.lifecycle import state_description
from simulator.profiles import IpFields, Profile, get_profile
from simulator.py2re import py2_compile
from simulator.store import MappingStore, MappingTable

DEFAULT_INSTANCE_TYPE = "m1.small"
_KERNEL = EC2_ID_PREFIXES["kernels"]
_RAMDISK = EC2_ID_PREFIXES["ramdisks"]


_LITERAL = re.compile(r"[\w\-]*")
"""A token of word characters and dashes (what boto3 sends) is a pattern ``re`` accepts,
so it is not compiled: ``re``'s own cache holds only 512 patterns, and every launch brings
a new token."""


class ClientTokens:
    """Which reservation each ``ClientToken`` launched, and its instances' uuids: an index of
    Nova's ``EC2_client_token`` system metadata, which lives in the store's instance rows
    (:attr:`Instance.client_token <simulator.compute_instances.Instance.client_token>`,
    which ``_format_instance`` reads as ``_get_client_token`` did), so a token lasts as long
    as its instances' rows do, across a restart on the same store.

    The index is built from the rows on first use and kept in step with them by
    :meth:`remember` and :meth:`forget`, which write the rows; a launch without a token
    touches neither.

    Nova looked a token up with ``get_all_system_metadata``, whose value filter is
    ``re.match(token, value)``: once any instance carries a token, a token that is no
    regular expression to Python 2.7 (``(``, ``a*+``; :func:`~simulator.py2re.py2_compile`)
    or no string at all (``ClientToken=5`` converts to an int) fails there (``error``,
    ``TypeError``: HTTP 500 from Havana on); only an exact match is a hit. It reads only
    the instances the caller may see (``_get_instances_by_filters`` adds a plain user's
    project), so another project's tokens make no pattern fail.
    """

    def __init__(self, store: MappingStore) -> None:
        self._store = store
        self._launches: dict[str, dict[str, _Launch]] = {}
        """Per token, per project, the latest reservation it launched there; a token's
        projects are in the order of their latest launch (an admin sees the last)."""
        self._tokens: dict[str, tuple[str, str]] = {}
        """Per instance uuid, the token it carries and its project."""
        self._holders: Counter[str] = Counter()
        """Per project, how many of its instances carry a token."""
        self._loaded = False
        self._lock = threading.Lock()

    def reservation(self, context: RequestContext, token: Any) -> tuple[str, list[str]] | None:
        """``_resv_id_from_token``: the latest reservation ``token`` launched among the
        instances the caller sees (one of them still carrying it), and the uuids of all its
        instances, which ``_format_run_instances`` then lists as they are now."""
        with self._lock:
            self._load()
            if context.is_admin:
                holding = self._holders.total()
            else:
                holding = self._holders[context.project_id]
            if not holding:
                return None
            if not isinstance(token, str):
                re.compile(token)
            elif not _LITERAL.fullmatch(token):
                py2_compile(token)
            launches = self._launches.get(token)
            if not launches:
                return None
            launch: _Launch | None
            if context.is_admin:
                launch = next(reversed(launches.values()))
            else:
                launch = launches.get(context.project_id)
            return None if launch is None else (launch.reservation_id, list(launch.members))

    def remember(self, token: Any, reservation_id: str, instances: list[Instance]) -> None:
        """``_add_client_token``: the token as the database column stores it (text), written
        to each instance's row after the create."""
        text = column_text(token)
        rows = self._store.instances
        with self._lock:
            self._load()
            for instance in instances:
                instance.client_token = text
                row = rows.get(instance.ec2_int_id)
                if row is not None:
                    row["client_token"] = text
                    rows.put(instance.ec2_int_id, row)
                self._hold(text, reservation_id, instance.uuid, instance.project_id)
            if instances:
                launch = self._launches[text][instances[0].project_id]
                launch.members = [instance.uuid for instance in instances]

    def forget(self, instance_uuids: Iterable[str]) -> None:
        """``_remove_client_token`` (TerminateInstances): those instances no longer count,
        and their rows no longer carry a token."""
        rows = self._store.instances
        with self._lock:
            self._load()
            for uuid in instance_uuids:
                held = self._tokens.pop(uuid, None)
                if held is None:
                    continue
                token, project_id = held
                self._holders[project_id] -= 1
                row_id = self._store.mapping_id(MappingTable.INSTANCES, uuid)
                if row_id is not None and (row := rows.get(row_id)) is not None:
                    row.pop("client_token", None)
                    rows.put(row_id, row)
                launches = self._launches[token]
                launch = launches.get(project_id)
                if launch is not None and uuid in launch.uuids:
                    launch.uuids.remove(uuid)
                    if not launch.uuids:
                        del launches[project_id]
                        if not launches:
                            del self._launches[token]

    def _load(self) -> None:
        """The index of the rows that carry a token, in the order they were created (the
        lock held); a token that launched again (its earlier instances hidden from the
        caller) answers its latest reservation, as :meth:`remember` left it."""
        if self._loaded:
            return
        self._loaded = True
        instances = self._store.instances
        rows = instances.having("client_token", "reservation_id", "uuid", "project_id")
        for token, reservation_id, uuid, project_id in rows:
            self._hold(token, reservation_id, uuid, project_id)
        if not rows:
            return
        members: dict[str, list[str]] = {}
        for reservation_id, uuid in instances.having("reservation_id", "uuid"):
            members.setdefault(reservation_id, []).append(uuid)
        for launches in self._launches.values():
            for launch in launches.values():
                launch.members = members[launch.reservation_id]

    def _hold(self, token: str, reservation_id: str, uuid: str, project_id: str) -> None:
        """Index one instance carrying ``token``: its reservation becomes the latest the
        token launched in its project."""
        launches = self._launches.setdefault(token, {})
        launch = launches.pop(project_id, None)
        if launch is None or launch.reservation_id != reservation_id:
            launch = _Launch(reservation_id, [])
        launches[project_id] = launch
        launch.uuids.append(uuid)
        if uuid not in self._tokens:
            self._holders[project_id] += 1
        self._tokens[uuid] = (token, project_id)


@dataclass
class _Launch:
    """One reservation a token launched in one project, its instances still holding the
    token, and all of its instances (a terminated one gives the token up before it is gone)."""

    reservation_id: str
    uuids: list[str]
    members: list[str] = field(default_factory=list)


def _check_counts(min_count: int, max_count: int) -> None:
    """Icehouse's ``validate_integer(..., min_value=1)`` on both counts, then min <= max."""
    for value, name in ((min_count, "min_count"), (max_count, "max_count")):
        if value < 1:
            raise InvalidInput(reason=f"{name} must be >= 1")
    if min_count > max_count:
        raise InvalidInput(message="min_count must be <= max_count")


def _legacy_addresses(item: dict[str, Any], hostname: str) -> None:
    """Folsom's and Grizzly's fields for an instance without addresses: ``dnsName`` falls
    back to the private name."""
    item["privateDnsName"] = hostname
    item["privateIpAddress"] = None
    item["publicDnsName"] = None
    item["ipAddress"] = None
    item["dnsName"] = hostname


def _floating_only_addresses(item: dict[str, Any], hostname: str) -> None:
    """Havana's (050aa2bcbd): no ``publicDnsName``; ``ipAddress`` and ``dnsName`` come from a
    floating address only, which a new instance has none of."""
    item["privateDnsName"] = hostname
    item["privateIpAddress"] = None
    item["dnsName"] = None


_ADDRESSES: Mapping[IpFields, Callable[[dict[str, Any], str], None]] = {
    IpFields.LEGACY: _legacy_addresses,
    IpFields.FLOATING_ONLY: _floating_only_addresses,
}


class CloudController(InstanceActions, CatalogueActions):
    """The slice of ``nova.api.ec2.cloud.CloudController`` a launch goes through: RunInstances
    here, the actions around it in :mod:`simulator.instances` and :mod:`simulator.catalogue`."""

    def __init__(
        self,
        store: MappingStore,
        image_service: S3ImageService,
        compute_api: RecordingComputeAPI,
        profile: Profile | None = None,
    ) -> None:
        self.store = store
        self.image_service = image_service
        self.compute_api = compute_api
        self.profile = profile or get_profile()
        self.client_tokens = ClientTokens(store)
        self._addresses = _ADDRESSES[self.profile.response.ip_fields]
        self._flavor_form = FLAVOR_FORMS[self.profile.flavor.create_call_form]

    def run_instances(self, context: RequestContext, **kwargs: Any) -> dict[str, Any]:
        min_count = ec2ids.python2_int(kwargs.get("min_count", 1))
        if self.profile.count_checks:
            _check_counts(min_count, ec2ids.python2_int(kwargs.get("max_count", min_count)))
        client_token = kwargs.get("client_token") if self.profile.client_tokens else None
        if client_token:
            launched = self._launched_with(context, client_token)
            if launched is not None:
                return self._format_run_instances(context, *launched)
        if kwargs.get("kernel_id"):
            kwargs["kernel_id"] = self._launch_image(kwargs["kernel_id"])[1]
        if kwargs.get("ramdisk_id"):
            kwargs["ramdisk_id"] = self._launch_image(kwargs["ramdisk_id"])[1]
        snapshot_lookup = self.profile.snapshot_lookup
        for bdm in kwargs.get("block_device_mapping", []):
            parse_block_device_mapping(self.store, bdm, snapshot_lookup)
        image, image_uuid = self._launch_image(kwargs["image_id"])
        image_state = self._get_image_state(image)
        if image_state != "available":
            raise self.profile.image_unavailable()
        flavor = self._flavor_form(self.get_instance_type_by_name(kwargs.get("instance_type")))
        instances, reservation_id = self.compute_api.create(
            context,
            instance_type=flavor,
            image_href=image_uuid,
            max_count=ec2ids.python2_int(kwargs.get("max_count", min_count)),
            min_count=min_count,
            kernel_id=kwargs.get("kernel_id"),
            ramdisk_id=kwargs.get("ramdisk_id"),
            key_name=kwargs.get("key_name"),
            user_data=kwargs.get("user_data"),
            security_group=kwargs.get("security_group"),
            availability_zone=kwargs.get("placement", {}).get("availability_zone"),
            block_device_mapping=kwargs.get("block_device_mapping", {}),
        )
        answer = self._format_run_instances(context, reservation_id, instances)
        if client_token:
            self.client_tokens.remember(client_token, reservation_id, instances)
        return answer

    def _launched_with(
        self, context: RequestContext, token: Any
    ) -> tuple[str, list[Instance]] | None:
        """``_resv_id_from_token`` then ``_format_instances(reservation_id=...)``: the
        reservation ``token`` launched, with every instance of it as it is now
        (``cloud.py:1281-1288,1030-1033@2013.2.4``): one terminated since but not yet
        deleted is listed, token or not; a deleted one is gone; with none left the token is
        no hit."""
        found = self.client_tokens.reservation(context, token)
        if found is None:
            return None
        reservation_id, uuids = found
        live = []
        for uuid in uuids:
            try:
                live.append(self.compute_api.get(context, uuid))
            except NotFound:
                continue
        return (reservation_id, live) if live else None

    def _launch_image(self, ec2_id: Any) -> tuple[Image, str]:
        """:meth:`_get_image`, then the image's Glance uuid the create call is given,
        ``id_to_glance_id(image['id'])``: the uuid an image found by id brings along, else
        the one its s3 id maps to."""
        image, image_uuid = self._get_image(ec2_id)
        if image_uuid is None:
            image_uuid = id_mappings.id_to_glance_id(self.store, image["id"])
        return image, image_uuid

    def _get_image(self, ec2_id: Any) -> tuple[Image, str | None]:
        """By id, else by name (first match, no type check), then the id's type-prefix check.
        An image found by id comes with the uuid its s3 id was just looked up by
        (:meth:`S3ImageService.shown`), the one the row maps back to: a launch passes the
        image on by it, where Nova read the row again."""
        try:
            internal_id = ec2ids.ec2_id_to_id(ec2_id)
            image, image_uuid = self.image_service.shown(internal_id)
        except (InvalidEc2Id, ImageNotFound):
            images = self.image_service.detail(ec2_id)
            if not images:
                raise ImageNotFound(image_id=ec2_id) from None
            return images[0], None
        if ec2ids.image_type(image.get("container_format")) != ec2_id.split("-")[0]:
            raise ImageNotFound(image_id=ec2_id)
        return image, image_uuid

    @staticmethod
    def _get_image_state(image: Image) -> Any:
        """``properties.image_state`` wins over the status; ``active`` reads ``available``."""
        state = image.get("status")
        if state == "active":
            state = "available"
        return image["properties"].get("image_state", state)

    def get_instance_type_by_name(self, name: Any) -> dict[str, Any]:
        """Nova's ``instance_types.get_instance_type_by_name``: None means the default flavor,
        except in Icehouse (``Flavor.get_by_name``), where None is a name nobody has."""
        flavors = self.profile.flavor
        if name is None and flavors.default_when_omitted:
            name = self.default_instance_type_name()
        found = self.store.instance_type(name) if isinstance(name, str) else None
        if found is None:
            raise flavors.not_found_by_name(name)
        return found

    def default_instance_type_name(self) -> str:
        """``CONF.default_instance_type``: the seed's flavor marked default, else ``m1.small``."""
        name = self.store.default_instance_type()
        return DEFAULT_INSTANCE_TYPE if name is None else name

    def _format_run_instances(
        self, context: RequestContext, reservation_id: str, instances: list[Instance]
    ) -> dict[str, Any]:
        """One reservation of ``_format_instances``: its owner and groups are its first
        instance's; no instance at all fails RunInstances' assert. Its instances are
        formatted in a loop, not a list comprehension, which on Python 3.11 is a function
        called (a frame) for every reservation, and a launch's has one instance."""
        assert instances, "no instance in reservation"
        first = instances[0]
        reservation: dict[str, Any] = {
            "reservationId": reservation_id,
            "ownerId": first.project_id,
            "groupSet": group_set(first.security_groups),
        }
        items: list[dict[str, Any]] = []
        reservation["instancesSet"] = items
        for instance in instances:
            items.append(self._format_instance(context, instance))
        return reservation

    def _format_instance(self, context: RequestContext, instance: Instance) -> dict[str, Any]:
        item: dict[str, Any] = {
            "instanceId": ec2ids.id_to_ec2_id(instance.ec2_int_id),
            "imageId": id_mappings.glance_id_to_ec2_id(self.store, instance.image_ref),
        }
        if instance.kernel_id:
            item["kernelId"] = id_mappings.glance_id_to_ec2_id(
                self.store, instance.kernel_id, _KERNEL
            )
        if instance.ramdisk_id:
            item["ramdiskId"] = id_mappings.glance_id_to_ec2_id(
                self.store, instance.ramdisk_id, _RAMDISK
            )
        item["instanceState"] = state_description(instance.vm_state)
        rules = self.profile.response
        self._addresses(item, instance.hostname)
        key_name = instance.key_name
        if context.is_admin:
            key_name = f"{key_name} ({instance.project_id}, {instance.host})"
        item["keyName"] = key_name
        if rules.tag_set:
            item["tagSet"] = []
        if rules.client_token and instance.client_token:
            item["clientToken"] = instance.client_token
        root_device_name = instance.root_device_name or DEFAULT_ROOT_DEV_NAME
        item["productCodesSet"] = None
        item["instanceType"] = instance.instance_type["name"]
        item["launchTime"] = instance.created_at
        item["amiLaunchIndex"] = instance.launch_index
        item["rootDeviceName"] = root_device_name
        self._format_instance_bdm(instance, root_device_name, item)
        zone = rules.unscheduled_zone if instance.host is None else DEFAULT_AVAILABILITY_ZONE
        item["placement"] = {"availabilityZone": zone}
        return item

    def _format_instance_bdm(
        self, instance: Instance, root_device_name: Any, item: dict[str, Any]
    ) -> None:
        """Only rows with a volume show; a snapshot or a volume on the root device makes it ``ebs``.
        Written into ``item`` (an instance's or an attribute's answer), as the address fields
        are: a dict of them merged into it was a dict and a call more for every instance.

        The mappings (when any) come before ``rootDeviceType``, the order in which Nova's
        ``_format_instance_bdm`` wrote its result (``cloud:1041-1070@2013.1.5``, the same at
        every tag), in DescribeInstances' items and DescribeInstanceAttribute alike.

        Nova's loop skipped volume-less rows before its root check, so a root device backed
        by a snapshot alone read ``instance-store`` until compute had made the volume; the
        reference's rule (snapshot or volume) is what launch-sim answers. Nova rendered the
        volume's unset attach time as an empty ``<attachTime/>``, which boto3 cannot parse
        as a timestamp; launch-sim gives the launch time, and the volume status
        ``detached`` (there is no volume service to ask). Folsom named the volume by its
        uuid and gave the volume's own status (``available`` before it is attached).

        A row without a virtual name at all (Icehouse: an image's new-format mapping of a
        source type Nova's ``legacy()`` does not know) fails the answer (KeyError), as
        ``block_device.legacy_mapping``'s renumbering did each time the instance was read.
        """
        rules = self.profile.response
        root_device_type = "instance-store"
        mapping = []
        for bdm in instance.block_device_mapping:
            virtual_name = bdm["virtual_name"]
            if bdm["no_device"]:
                continue
            volume_id = bdm["volume_id"]
            if bdm["device_name"] == root_device_name and (bdm["snapshot_id"] or volume_id):
                if volume_id is not None:
                    assert not virtual_name, "a volume root device with a virtual name"
                root_device_type = "ebs"
            if volume_id is None:
                continue
            mapping.append(
                {
                    "deviceName": bdm["device_name"],
                    "ebs": {
                        "volumeId": (
                            id_mappings.id_to_ec2_vol_id(
                                volume_id, self.store, self.profile.uuid_like
                            )
                            if rules.ec2_volume_ids
                            else volume_id
                        ),
                        "deleteOnTermination": bdm["delete_on_termination"],
                        "attachTime": instance.created_at,
                        "status": rules.volume_status,
                    },
                }
            )
        if mapping:
            item["blockDeviceMapping"] = mapping
        item["rootDeviceType"] = root_device_type
