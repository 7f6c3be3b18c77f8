"""``RecordingComputeAPI``: the fake ``compute_api.create`` at the end of the launch path.

It records each call exactly as Nova's cloud controller made it (that is the contract
launch-sim exists to expose), checks the record against ``create_call.schema.json``, then
applies the compute-side defaults and checks of Grizzly's ``_validate_and_provision_instance``
that can fail a launch, and builds instances deterministically enough to replay.
"""

from __future__ import annotations

import base64
import binascii
import copy
import random
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, ClassVar

from simulator.availability_zones import availability_zones
from simulator.compute_bdm import (
    DeviceRows,
    Row,
    populate_instance_devices,
    properties_root_device_name,
)
from simulator.compute_bdm_v2 import (
    DEFAULT_ROOT_DEVICE,
    NewFormatDevices,
    from_legacy_mapping,
    image_defined_mappings,
)
from simulator.compute_instances import (
    ComputeCall,
    Instance,
    InstanceOperations,
    check_string_fields,
    column_text,
    refuse_unnamed_group,
    security_group_models,
    security_group_names,
)
from simulator.context import RequestContext
from simulator.contracts import ContractRegistry
from simulator.ec2ids import uuid4_text
from simulator.errors import (
    ImageNotActive,
    InstanceUserDataMalformed,
    InstanceUserDataTooLarge,
    InvalidBDM,
    InvalidBDMImage,
    InvalidBDMSnapshot,
    InvalidBDMVolume,
    InvalidInput,
    InvalidRequest,
    PolicyNotAuthorized,
    TooManyInstances,
)
from simulator.frozen import filled
from simulator.image_properties import check_system_metadata_text
from simulator.images import ImageBackend
from simulator.lifecycle import RequestClock
from simulator.profiles import ComputeCheck, FlavorRules, Profile, get_profile
from simulator.py2text import py2_str
from simulator.scoped import Scoped
from simulator.store import MappingStore, MappingTable

MAX_USERDATA_SIZE = 65535
NULL_KERNEL = "nokernel"
RESERVATION_ID_CHARS = "01234567890abcdefghijklmnopqrstuvwxyz"
_RESERVATION_ID_BASE = float(len(RESERVATION_ID_CHARS))
"""``random.choices``' ``n``: the float it multiplies each ``random()`` by."""
MULTI_INSTANCE_DISPLAY_NAME_TEMPLATE = "%(name)s-%(uuid)s"
"""``CONF.multi_instance_display_name_template``'s default (Grizzly on)."""
HOSTNAME_PREFIX = "server-"
"""The hostname of an instance's display name ``Server <uuid>``: :func:`sanitize_hostname`
of it is this before the uuid, which it leaves as it is (lower-case hex digits and dashes),
so a launch of one instance takes its hostname without sanitizing it (a third of a percent
of a replayed launch)."""
C_LONG_LIMIT = 2**63
"""Python 2's ``xrange`` takes a C long: the count of instances to build (a negative one
the quota let through) beyond it failed there (``capi:756@2013.2.4``)."""
FORCED_HOST_POLICY = "compute:create:forced_host"
"""The policy rule a forced host needs (``check_policy``'s ``compute:`` scope added)."""
_HOSTNAME_DASHES = bytes.maketrans(b" _", b"--")
_NOT_HOSTNAME = bytes(c for c in range(128) if not (chr(c).isalnum() or chr(c) in " ._-"))
"""``bytes.translate``'s table and deletions for ASCII text: space and underscore to ``-``,
every other character but ``[A-Za-z0-9_.-]`` deleted. Bytes, not a ``str.translate`` table:
that looks each character up in a dict, 0.4% of a replayed launch for its hostname."""
_QUOTA_RESOURCES = ("cores", "instances", "ram")
"""The resources a launch is held to, in name order: the order Nova lists those over quota
in (``sorted(overs)``), without sorting them for each launch."""
_INSTANCES = MappingTable.INSTANCES
_SNAPSHOTS = MappingTable.SNAPSHOTS
_VOLUMES = MappingTable.VOLUMES
"""The tables a launch names, read off the Enum class once (as :mod:`simulator.id_mappings`
does: each read on the class goes through Python 3.11's ``EnumType.__getattr__`` hook)."""


@dataclass(frozen=True)
class CreateCall(ComputeCall):
    """One ``compute_api.create(context, ...)`` call: the keyword arguments as Nova passed them.

    The values are the request's own objects, not copies: nothing on the launch path changes
    them after the call, and copying them cost more than the rest of the launch.
    """

    method: ClassVar[str] = "create"

    instance_type: dict[str, Any]
    image_href: Any
    min_count: Any
    max_count: Any
    kernel_id: Any
    ramdisk_id: Any
    key_name: Any
    user_data: Any
    security_group: Any
    availability_zone: Any
    block_device_mapping: Any

    def fields(self) -> dict[str, Any]:
        """The keyword arguments as a dict sharing the recorded values (read-only use): the
        record's ``__dict__`` copied, as its attributes are exactly those arguments."""
        return dict(self.__dict__)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable copy the caller may change freely."""
        return copy.deepcopy(self.fields())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CreateCall:
        return cls(**data)

    @classmethod
    def of(cls, **arguments: Any) -> CreateCall:
        """The record of ``create``'s arguments, exactly this class's fields, made by
        :func:`~simulator.frozen.filled` (its ``__init__`` cost 1.5% of a replayed launch)."""
        return filled(cls, arguments)


CREATE_CALL_KEYS = tuple(f.name for f in fields(CreateCall))


@dataclass(frozen=True)
class Quotas:
    """Nova's default quotas, applied per request (usage is not tracked across launches)."""

    instances: int = 10
    cores: int = 20
    ram: int = 51200


@dataclass
class _Provisioning:
    """One create call on its way through compute's checks: what the checks found so far."""

    call: CreateCall
    context: RequestContext
    min_count: int
    max_count: int
    bdms: list[dict[str, Any]]
    num_instances: int = 0
    availability_zone: Any = None
    """The zone the row stores: the one asked for without its ``:host`` part, None for
    none (``CONF.default_schedule_zone``)."""
    forced_host: str | None = None
    """The ``:host`` part of the zone asked for (Folsom, Grizzly), for the policy to allow."""
    root_device_name: Any = None
    """The image's root device (``properties_root_device_name``), read in the release's
    order among the checks: a malformed ``mappings`` fails there."""
    image: dict[str, Any] = field(default_factory=dict)
    kernel_id: str | None = None
    ramdisk_id: str | None = None
    converted: list[dict[str, Any]] | None = None
    """The mappings in the new format, once the format check made them (Havana on)."""

    @property
    def security_groups(self) -> Any:
        """The groups as ``create`` takes them: ``security_group or ['default']``."""
        return self.call.security_group or ["default"]


def object_text(value: Any) -> Any:
    """What a text column of an ``Instance`` object (Havana on) reads back: its
    ``unicode()``, None staying None (``objects/instance.py:86,128@2013.2.4``,
    ``objects/fields.py:209-218@2014.1.5``)."""
    return None if value is None else py2_str(value)


def sanitize_hostname(name: str) -> str:
    """Nova's ``utils.sanitize_hostname`` (the same at all four tags): spaces and
    underscores to dashes, anything but ``[A-Za-z0-9_.-]`` deleted, lower case, dots and
    dashes stripped from both ends. Its latin-1 encoding and the byte-string word class drop
    every non-ASCII character, as encoding to ASCII does here. No length limit: a multi-instance
    hostname is 80 characters long."""
    hostname = name.encode("ascii", "ignore").translate(_HOSTNAME_DASHES, _NOT_HOSTNAME)
    return hostname.lower().strip(b".-").decode("ascii")


class RecordingComputeAPI(InstanceOperations):
    """Records every compute call, validates it against its contract, builds instances.

    ``calls`` holds every call in order, each with its ``method``: the ``create`` calls as
    :class:`CreateCall` records, the calls on existing instances as
    :class:`~simulator.compute_instances.InstanceCall` records. ``settle_after`` is how many
    requests compute takes to finish what a call started (:mod:`simulator.lifecycle`).
    """

    def __init__(
        self,
        store: MappingStore,
        images: ImageBackend,
        contracts: ContractRegistry,
        *,
        quotas: Quotas | None = None,
        rng: random.Random | None = None,
        keep_calls: int | None = None,
        profile: Profile | None = None,
        settle_after: int = 1,
    ) -> None:
        self.store = store
        self.images = images
        self._confirm_image: Callable[[str], object] = getattr(images, "confirm", images.show)
        """``images.show`` for an image only checked, by the backend's cheaper ``confirm``
        when it has one (:meth:`StoreImageBackend.confirm
        <simulator.images.StoreImageBackend.confirm>`)."""
        self.contracts = contracts
        profile = profile or get_profile()
        self.rules = profile.compute
        self._checks = tuple(self._CHECKS[check] for check in self.rules.checks)
        self._text_column: Callable[[Any], Any] = (
            object_text if self.rules.object_text else column_text
        )
        """What a text column of the instance's row (``key_name``, ``root_device_name``)
        reads back: :func:`object_text` from Havana on, else as the database driver wrote it
        (:func:`~simulator.compute_instances.column_text`); the answers read the row back.
        Chosen once: a method asking the rule cost a frame per column of every launch."""
        self._zones = availability_zones(
            profile.conversation.services, profile.conversation.internal_zone
        )
        self.flavors: FlavorRules = profile.flavor
        self.conversation = profile.conversation
        self.clock = RequestClock(settle_after)
        self.quotas = quotas or Quotas()
        self.rng = rng or random.Random()
        self.calls: deque[ComputeCall] = deque(maxlen=keep_calls)
        self._rng_lock = threading.Lock()
        self._capture: ContextVar[list[CreateCall] | None] = ContextVar("capture", default=None)

    def capture(self) -> Scoped[list[CreateCall]]:
        """Collect the create calls made by this thread/context only (what a cassette records
        of a request): ``with compute.capture() as calls``."""
        return Scoped(self._capture, [])

    def create(
        self,
        context: RequestContext,
        instance_type: dict[str, Any],
        image_href: Any,
        kernel_id: Any = None,
        ramdisk_id: Any = None,
        min_count: Any = None,
        max_count: Any = None,
        key_name: Any = None,
        user_data: Any = None,
        security_group: Any = None,
        availability_zone: Any = None,
        block_device_mapping: Any = None,
    ) -> tuple[list[Instance], str]:
        call = CreateCall.of(
            instance_type=instance_type,
            image_href=image_href,
            min_count=min_count,
            max_count=max_count,
            kernel_id=kernel_id,
            ramdisk_id=ramdisk_id,
            key_name=key_name,
            user_data=user_data,
            security_group=security_group,
            availability_zone=availability_zone,
            block_device_mapping=block_device_mapping,
        )
        self.calls.append(call)
        captured = self._capture.get()
        if captured is not None:
            captured.append(call)
        self.contracts.check("create_call", call.fields())
        instances, reservation_id = self._provision(context, call)
        work = self.clock.stamp()
        for instance in instances:
            self.store.instances.put(instance.ec2_int_id, instance.to_row(work))
        return instances, reservation_id

    def _provision(self, context: RequestContext, call: CreateCall) -> tuple[list[Instance], str]:
        """``_create_instance``: the profile's checks in its order, then the instances.

        Each instance takes its id before its devices are checked (Havana's
        ``_validate_bdm`` runs once the instance row exists): a refusal uses the id, and the
        instances made before it are destroyed, as Nova's rollback does, by never storing them.
        """
        instance_type = call.instance_type
        min_count = call.min_count or 1
        launch = _Provisioning(
            call, context, min_count, call.max_count or min_count, call.block_device_mapping or []
        )
        for check in self._checks:
            check(self, launch)
        security_groups = security_group_names(launch.security_groups, self.rules.group_list)
        properties = launch.image.get("properties", {})
        device_rows = self._instance_devices(launch, properties)
        reservation_id = self._generate_reservation_id()
        created_at = datetime.now(UTC)
        renamed = self.rules.multi_instance_name_template and launch.num_instances > 1
        instances = []
        if not -C_LONG_LIMIT <= launch.num_instances < C_LONG_LIMIT:
            raise OverflowError("Python int too large to convert to C long")
        for launch_index in range(launch.num_instances):
            if self.rules.string_fields:
                check_string_fields(
                    (
                        call.key_name,
                        *map(properties.get, ("os_type", "architecture", "vm_mode")),
                        launch.root_device_name,
                    )
                )
            instance_uuid = self._generate_uuid()
            if self.rules.image_properties_as_str:
                check_system_metadata_text(properties)
            if renamed:
                hostname = sanitize_hostname(
                    MULTI_INSTANCE_DISPLAY_NAME_TEMPLATE
                    % {"name": f"Server {instance_uuid}", "uuid": instance_uuid}
                )
            else:
                hostname = HOSTNAME_PREFIX + instance_uuid
            groups = security_group_models(security_groups, context.project_id)
            instance = Instance(
                uuid=instance_uuid,
                ec2_int_id=self.store.get_or_add_mapping(_INSTANCES, instance_uuid),
                reservation_id=reservation_id,
                launch_index=launch_index if self.rules.launch_index else 0,
                project_id=context.project_id,
                user_id=context.user_id,
                image_ref=call.image_href,
                kernel_id=launch.kernel_id,
                ramdisk_id=launch.ramdisk_id,
                instance_type=instance_type,
                key_name=self._text_column(call.key_name),
                security_groups=groups,
                availability_zone=launch.availability_zone,
                hostname=hostname,
                created_at=created_at,
                root_device_name=self._text_column(launch.root_device_name),
                user_data=call.user_data,
            )
            instance.block_device_mapping = device_rows(instance, launch_index)
            instances.append(instance)
        return instances, reservation_id

    def _instance_devices(
        self, launch: _Provisioning, properties: Mapping[str, Any]
    ) -> Callable[[Instance, int], list[Row]]:
        """Each instance's device rows, by its index in the launch, asked once its id is
        taken: from Havana on the converted mappings' rows, which ``_validate_bdm`` checks
        for each instance; before, the rows built for the first instance and copied for
        each further one, their volumes and snapshots checked per instance where the
        release's ``_validate_bdm`` does (Folsom, Grizzly).

        Before Havana a failure while the rows are made (an ``assert 'device_name' in
        bdm``, a malformed image mapping) leaves the first instance behind: Nova had
        created its row (``create_db_entry_for_new_instance``) but not yet listed it for
        the rollback (``capi:612-631@2013.1.5``, ``503-524@2012.2.4``). From Havana on
        ``_populate_instance_for_bdm`` destroys its instance for an ``InvalidBDM`` only; any
        other failure (an image mapping ``mappings_prepend_dev`` cannot read) leaves that
        instance behind the same way (``capi:1141-1158,764-777@2013.2.4``,
        ``1277-1294,821-834@2014.1.5``).
        """
        instance_type = launch.call.instance_type
        if launch.converted is not None:
            devices = NewFormatDevices(
                instance_type, launch.converted, properties.get("mappings", [])
            )
            image_ref = launch.call.image_href

            def new_format_rows(instance: Instance, _index: int) -> list[Row]:
                try:
                    return devices.instance_rows(
                        lambda mappings: self._check_volumes(mappings, image_ref)
                    )
                except InvalidBDM:
                    raise
                except Exception:
                    self._leave_unscheduled(instance)
                    raise

            return new_format_rows
        first = DeviceRows(scrubs_empty_size=self.rules.empty_volume_size_scrubbed)

        def legacy_rows(instance: Instance, index: int) -> list[Row]:
            if index == 0:
                try:
                    populate_instance_devices(first, instance_type, properties, launch.bdms)
                except Exception:
                    instance.block_device_mapping = first.rows
                    self._leave_unscheduled(instance)
                    raise
                instance_rows = first.rows
            else:
                instance_rows = copy.deepcopy(first.rows)
            if self.rules.validate_bdm:
                self._check_volumes(instance_rows)
            return instance_rows

        return legacy_rows

    def _leave_unscheduled(self, instance: Instance) -> None:
        """Store an instance Nova created and never sent to the scheduler: it stays
        ``building`` (no work that compute will finish), its id used."""
        self.store.instances.put(instance.ec2_int_id, instance.to_row(None))

    def _check_security_groups(self, launch: _Provisioning) -> None:
        """``_check_requested_secgroups`` (``capi:335-346,520@2013.1.5``,
        ``417-428,681@2013.2.4``, ``445-455,731@2014.1.5``): the groups as given walked (a
        number is TypeError, a text its characters), each but ``default`` looked up by name;
        ``SecurityGroupAPI.get`` looks up only a name that is true, so an empty, zero or
        false one is ``SecurityGroupNotFoundForProject``. Every other name exists here."""
        for group in launch.security_groups:
            if group != "default":
                refuse_unnamed_group(group, launch.context.project_id)

    def _check_multi_volume(self, launch: _Provisioning) -> None:
        if (launch.min_count > 1 or launch.max_count > 1) and any(
            "volume_id" in bdm for bdm in launch.bdms
        ):
            raise InvalidRequest("Cannot attach one or more volumes to multiple instances")

    def _check_disabled_flavor(self, launch: _Provisioning) -> None:
        instance_type = launch.call.instance_type
        if instance_type.get("disabled"):
            raise self.flavors.not_found(instance_type.get("flavorid"))

    def _check_user_data_of(self, launch: _Provisioning) -> None:
        self._check_user_data(launch.call.user_data)

    def _check_quota(self, launch: _Provisioning) -> None:
        launch.num_instances = self._check_num_instances_quota(
            launch.call.instance_type, launch.min_count, launch.max_count
        )

    def _show_image(self, launch: _Provisioning) -> None:
        launch.image = self.images.show(launch.call.image_href)

    def _check_image_active(self, launch: _Provisioning) -> None:
        if launch.image.get("status") != "active":
            raise ImageNotActive(image_id=launch.call.image_href)

    def _check_min_ram(self, launch: _Provisioning) -> None:
        if launch.call.instance_type["memory_mb"] < int(launch.image.get("min_ram") or 0):
            raise self.flavors.memory_too_small()

    def _check_min_disk(self, launch: _Provisioning) -> None:
        if launch.call.instance_type["root_gb"] < int(launch.image.get("min_disk") or 0):
            raise self.flavors.disk_too_small()

    def _check_root_disk(self, launch: _Provisioning) -> None:
        """Havana's ``_check_requested_image``: a root_gb of 0 means "do not check"."""
        root_gb = launch.call.instance_type["root_gb"]
        if root_gb and (
            int(launch.image.get("size") or 0) > root_gb * 1024**3
            or int(launch.image.get("min_disk") or 0) > root_gb
        ):
            raise self.flavors.disk_too_small()

    def _kernel_and_ramdisk(self, launch: _Provisioning) -> None:
        launch.kernel_id, launch.ramdisk_id = self._handle_kernel_and_ramdisk(
            launch.call, launch.image
        )

    def _split_zone_host(self, launch: _Provisioning) -> None:
        """Folsom's and Grizzly's ``_handle_availability_zone``: ``zone:host`` unpacked into
        two, so more colons fail (ValueError) and a zone ``_try_convert`` made a bool or a
        number has no ``in`` (TypeError), both unexpected; the host is left for the policy
        (:meth:`_check_forced_host`). No zone is checked: the scheduler refused one the
        cloud lacks."""
        zone = launch.call.availability_zone
        if zone and ":" in zone:
            zone, launch.forced_host = zone.split(":")
        launch.availability_zone = zone or None

    def _read_root_device(self, launch: _Provisioning) -> None:
        """``block_device.properties_root_device_name`` of the image, where each release
        reads it: after the kernel and ramdisk, before the zone is split (Folsom, Grizzly,
        ``capi:441-442@2012.2.4``, ``557-558@2013.1.5``) or the image's options are read
        (``capi:695-696@2013.2.4``, ``750-751@2014.1.5``)."""
        launch.root_device_name = properties_root_device_name(launch.image.get("properties", {}))

    def _check_forced_host(self, launch: _Provisioning) -> None:
        """Folsom's and Grizzly's forced host, after the image's options are read
        (``capi:496-497@2012.2.4``, ``605-607@2013.1.5``)."""
        if launch.forced_host:
            self._authorize_forced_host(launch.context)

    def _inherit_properties_from_image(self, launch: _Provisioning) -> None:
        """``_inherit_properties_from_image``: of the options it takes from the image only
        ``auto_disk_config`` can fail, read by the release's rule when it is set (``os_type``,
        ``architecture`` and ``vm_mode`` are copied as they are)."""
        value = launch.image.get("properties", {}).get("auto_disk_config")
        if value is not None:
            self.rules.auto_disk_config(value)

    def _check_availability_zone(self, launch: _Provisioning) -> None:
        """Havana's ``_handle_availability_zone`` then its zone check: ``zone:host[:node]``
        or ``zone::node`` force a host or node (the policy's to allow), more than two colons
        do not parse; a zone with no forced host must be one of ``get_availability_zones``
        (every enabled service's, ``internal`` included)."""
        zone = launch.call.availability_zone
        forced_host = forced_node = None
        if zone and ":" in zone:
            colons = zone.count(":")
            if colons == 1:
                zone, forced_host = zone.split(":")
            elif colons == 2 and "::" in zone:
                zone, forced_node = zone.split("::")
            elif colons == 2:
                zone, forced_host, forced_node = zone.split(":")
            else:
                raise InvalidInput(reason="Unable to parse availability_zone")
        launch.availability_zone = zone or None
        if forced_host or forced_node:
            self._authorize_forced_host(launch.context)
        if zone and forced_host is None and zone not in self._zones:
            raise InvalidRequest("The requested availability zone is not available")

    def _authorize_forced_host(self, context: RequestContext) -> None:
        """``check_policy(context, 'create:forced_host', {})``: ``is_admin:True`` in
        ``etc/nova/policy.json`` (Grizzly on; Folsom ignored the host for a non-admin)."""
        if self.rules.forced_host_policy and not context.is_admin:
            raise PolicyNotAuthorized(action=FORCED_HOST_POLICY)

    def _check_bdm_format(self, launch: _Provisioning) -> None:
        """Havana's ``_check_and_transform_bdm``: ``block_device.from_legacy_mapping`` of the
        request's mappings and the image's, on the image's root device (``vda`` when it
        names none): each row must be a swap/ephemeral disk, a snapshot, a volume or a device
        blanked by a truthy ``no_device`` (``VirtualName=NoDevice`` no longer counts), then
        ``BlockDeviceDict._validate`` checks the device name and volume size. Icehouse reads
        the mappings of an image whose ``bdm_v2`` property is truthy in the new format
        (:func:`~simulator.compute_bdm_v2.image_defined_mappings`)."""
        properties = launch.image.get("properties", {})
        root_device_name = launch.root_device_name or DEFAULT_ROOT_DEVICE
        if self.rules.image_bdm_v2 and properties.get("bdm_v2", False):
            launch.converted = image_defined_mappings(
                launch.bdms, properties, launch.call.image_href, root_device_name
            )
            return
        launch.converted = from_legacy_mapping(
            [*launch.bdms, *properties.get("block_device_mapping", [])],
            launch.call.image_href,
            root_device_name,
        )

    def _check_volume_source(self, launch: _Provisioning) -> None:
        if (launch.min_count > 1 or launch.max_count > 1) and any(
            bdm["source_type"] == "volume" for bdm in launch.converted or ()
        ):
            raise InvalidRequest("Cannot attach one or more volumes to multiple instances")

    _CHECKS: ClassVar[
        Mapping[ComputeCheck, Callable[[RecordingComputeAPI, _Provisioning], None]]
    ] = {
        ComputeCheck.MULTI_VOLUME: _check_multi_volume,
        ComputeCheck.DISABLED_FLAVOR: _check_disabled_flavor,
        ComputeCheck.USER_DATA: _check_user_data_of,
        ComputeCheck.QUOTA: _check_quota,
        ComputeCheck.IMAGE: _show_image,
        ComputeCheck.IMAGE_ACTIVE: _check_image_active,
        ComputeCheck.MIN_RAM: _check_min_ram,
        ComputeCheck.MIN_DISK: _check_min_disk,
        ComputeCheck.ROOT_DISK: _check_root_disk,
        ComputeCheck.KERNEL_RAMDISK: _kernel_and_ramdisk,
        ComputeCheck.ROOT_DEVICE: _read_root_device,
        ComputeCheck.ZONE_HOST: _split_zone_host,
        ComputeCheck.IMAGE_OPTIONS: _inherit_properties_from_image,
        ComputeCheck.FORCED_HOST: _check_forced_host,
        ComputeCheck.AVAILABILITY_ZONE: _check_availability_zone,
        ComputeCheck.BDM_FORMAT: _check_bdm_format,
        ComputeCheck.VOLUME_SOURCE: _check_volume_source,
        ComputeCheck.SECURITY_GROUPS: _check_security_groups,
    }

    def _check_volumes(self, mappings: Iterable[Mapping[str, Any]], image_ref: Any = None) -> None:
        """``_validate_bdm`` of Folsom (317cc0af38) and Grizzly (``capi:774-794@2013.1.5``),
        run for each instance once its row exists, and the same loop in Havana's: every
        mapped volume and snapshot must be one the volume service has, which for launch-sim
        means a uuid of the store's volume or snapshot table (every one of them available
        and detached, so Grizzly's and Havana's ``check_attach`` passes).

        Havana's loop looks at a mapped image first: one that is not the instance's own
        (``image_ref``) must be one Glance shows, else ``InvalidBDMImage``, and Icehouse
        wants a size for an image copied to a volume. Only Icehouse's new-format image
        mappings can name another image (``capi:1112-1124@2014.1.5``)."""
        for row in mappings:
            image_id, volume_id = row.get("image_id"), row.get("volume_id")
            if image_id is not None and image_id != image_ref:
                self._check_mapped_image(row, image_id)
            elif volume_id is not None:
                if self.store.mapping_id(_VOLUMES, volume_id) is None:
                    raise InvalidBDMVolume(id=volume_id)
            else:
                snapshot_id = row.get("snapshot_id")
                if (
                    snapshot_id is not None
                    and self.store.mapping_id(_SNAPSHOTS, snapshot_id) is None
                ):
                    raise InvalidBDMSnapshot(id=snapshot_id)

    def _check_mapped_image(self, row: Mapping[str, Any], image_id: Any) -> None:
        """``_get_image`` of a mapped image: any failure is ``InvalidBDMImage``; then an
        image copied to a volume needs a size that is not 0 (``InvalidBDM``)."""
        try:
            self.images.show(image_id)
        except Exception:
            raise InvalidBDMImage(id=image_id) from None
        if (
            row["source_type"] == "image"
            and row["destination_type"] == "volume"
            and not row.get("volume_size")
        ):
            raise InvalidBDM(
                "Images with destination_type 'volume' need to have a non-zero size specified"
            )

    @staticmethod
    def _check_user_data(user_data: Any) -> None:
        """``compute_api.create``'s length check, then ``base64.decodestring``, whose
        Python 2 ``binascii`` first encoded a unicode text as ASCII: text beyond ASCII
        raised UnicodeEncodeError, which its ``except binascii.Error`` let through."""
        if not user_data:
            return
        length = len(user_data)
        if length > MAX_USERDATA_SIZE:
            raise InstanceUserDataTooLarge(length=length, maxsize=MAX_USERDATA_SIZE)
        if isinstance(user_data, str):
            user_data = user_data.encode("ascii")
        try:
            base64.b64decode(user_data)
        except binascii.Error:
            raise InstanceUserDataMalformed() from None

    def _check_num_instances_quota(
        self, instance_type: dict[str, Any], min_count: int, max_count: int
    ) -> int:
        """``_check_num_instances_quota``: the instances, cores and ram ``max_count`` would
        take against the quotas (usage not tracked), a quota of -1 being unlimited (the
        database's ``quotas[res] >= 0`` before it compares); over one, as many instances as
        every headroom allows if that is at least ``min_count``, else ``TooManyInstances``."""
        vcpus = int(instance_type.get("vcpus") or 0)
        memory_mb = int(instance_type.get("memory_mb") or 0)
        requested = {
            "instances": max_count,
            "cores": max_count * vcpus,
            "ram": max_count * memory_mb,
        }
        limits = {
            "instances": self.quotas.instances,
            "cores": self.quotas.cores,
            "ram": self.quotas.ram,
        }
        overs = [name for name in _QUOTA_RESOURCES if 0 <= limits[name] < requested[name]]
        if not overs:
            return max_count
        headroom = self._headroom(limits, requested)
        allowed = headroom["instances"]
        if vcpus:
            allowed = min(allowed, headroom["cores"] // vcpus)
        if memory_mb:
            allowed = min(allowed, headroom["ram"] // memory_mb)
        if allowed > 0 and min_count <= allowed <= max_count:
            return self._check_num_instances_quota(instance_type, min_count, allowed)
        resource = overs[0]
        # Nova reserves max_count but reports min_count instances as the request (from
        # Havana "min-max" when they differ).
        instances: int | str = min_count
        if self.rules.quota_requested_range and min_count != max_count:
            instances = f"{min_count}-{max_count}"
        reported = {**requested, "instances": instances}
        raise TooManyInstances(
            overs=",".join(overs),
            req=reported[resource],
            used=0,
            allowed=limits[resource],
            resource=resource,
        )

    def _headroom(self, limits: dict[str, int], requested: dict[str, int]) -> dict[str, int]:
        """What each quota leaves (nothing is in use); from Havana an unlimited cores or ram
        quota leaves what the instances headroom does, in its units (``hc / deltas`` of
        Python 2's integer division)."""
        headroom = dict(limits)
        if self.rules.quota_unlimited_headroom:
            for name in ("cores", "ram"):
                if limits[name] == -1:
                    headroom[name] = (
                        headroom["instances"] * requested[name] // requested["instances"]
                        if requested[name]
                        else headroom["instances"]
                    )
        return headroom

    def _handle_kernel_and_ramdisk(
        self, call: CreateCall, image: dict[str, Any]
    ) -> tuple[str | None, str | None]:
        kernel_id, ramdisk_id = call.kernel_id, call.ramdisk_id
        properties = image["properties"]
        if kernel_id is None:
            kernel_id = properties.get("kernel_id")
        if ramdisk_id is None:
            ramdisk_id = properties.get("ramdisk_id")
        if kernel_id == NULL_KERNEL:
            kernel_id = ramdisk_id = None
        for image_uuid in (kernel_id, ramdisk_id):
            if image_uuid is not None:
                self._confirm_image(image_uuid)
        return kernel_id, ramdisk_id

    def _generate_reservation_id(self) -> str:
        """``'r-'`` and 8 of ``rng.choices(RESERVATION_ID_CHARS, k=8)``, drawn as ``choices``
        draws them (``population[floor(random() * n)]``, one ``random()`` each), so a seeded
        rng gives the same ids; written out, as that call's frame and argument handling were
        half the id's cost. The lock is taken without ``with`` (see
        :class:`~simulator.store.MappingStore`)."""
        random = self.rng.random
        self._rng_lock.acquire()
        try:
            return "r-" + "".join(
                [RESERVATION_ID_CHARS[int(random() * _RESERVATION_ID_BASE)] for _ in range(8)]
            )
        finally:
            self._rng_lock.release()

    def _generate_uuid(self) -> str:
        self._rng_lock.acquire()
        try:
            return uuid4_text(self.rng.getrandbits(128))
        finally:
            self._rng_lock.release()
