"""Behaviour profiles: which Nova release the simulator answers as.

The same launch is answered differently by Folsom, Grizzly, Havana and Icehouse. A profile
is a frozen description of one release, the final stable point release of its series (the
code clouds ran), holding the few hooks where the releases differ; the launch path asks
its profile instead of testing a release name, so adding a release is adding a row here.
Each hook is data (a flag, an enum, an ordered tuple) or a small function building the
release's exception; the modules that act on them say which Nova code each one mirrors,
and ``docs/profiles.md`` gives the commit or file of every difference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import Enum
from types import MappingProxyType
from typing import Any, Final

from simulator.availability_zones import DEFAULT_AVAILABILITY_ZONE
from simulator.ec2ids import is_uuid_like, parses_as_uuid
from simulator.errors import (
    FOLSOM_EXECUTOR,
    GRIZZLY_EXECUTOR,
    HAVANA_EXECUTOR,
    ICEHOUSE_EXECUTOR,
    BadInput,
    EC2APIError,
    EC2Error,
    ErrorEnvelope,
    FlavorDiskTooSmall,
    FlavorMemoryTooSmall,
    FlavorNotFound,
    FlavorNotFoundByName,
    ImageNotActive,
    InstanceTypeDiskTooSmall,
    InstanceTypeMemoryTooSmall,
    InstanceTypeNotFound,
    InstanceTypeNotFoundByName,
    InvalidAttribute,
)
from simulator.image_properties import auto_disk_config_disabled, bool_from_str
from simulator.py2text import py2_str


class UnknownProfile(BadInput):
    """A profile name that is not one of :data:`PROFILES` (one-line bad input)."""


class QueryTime(Enum):
    """Whether Requestify checks a query's ``Timestamp``/``Expires`` (Grizzly's
    ``is_ec2_timestamp_expired``, which Folsom did not have: it only popped ``Timestamp``)."""

    CHECKED = "checked"
    NOT_CHECKED = "not checked"


class PublicIpCheck(Enum):
    """How the Validator reads a ``public_ip`` argument."""

    NETADDR = "utils.is_valid_ipv4: netaddr inside except Exception (Grizzly on)"
    INET_ATON = "validate_ipv4: socket.inet_aton under except (socket.error, TypeError)"


class SnapshotLookup(Enum):
    """How ``_parse_block_device_mapping`` turns ``Ebs.SnapshotId`` into a uuid."""

    BY_PREFIX = "by prefix"
    """``snap-`` in the snapshot table, ``vol-`` in the volume table, anything else dropped."""
    VOLUME_TABLE_FIRST = "volume table first"
    """Folsom's LP #1089371: every id is looked up in the volume table before the prefix test."""


class XmlStyle(Enum):
    """How ``APIRequest._render_response`` serialises an answer."""

    MINIDOM = "minidom"
    """``minidom.toxml()``: an XML declaration, then the document on one line."""
    LXML_PRETTY = "lxml pretty"
    """Havana's ``etree.tostring(root, pretty_print=True)``: no declaration, two-space
    indentation, ASCII with character references, a trailing newline."""


class IpFields(Enum):
    """Which address fields ``_format_instances`` writes for an instance."""

    LEGACY = "legacy"
    """``publicDnsName``, ``ipAddress`` (floating or fixed), ``dnsName`` (public or private)."""
    FLOATING_ONLY = "floating only"
    """Havana's: no ``publicDnsName``, ``ipAddress`` only for a floating address,
    ``dnsName`` the floating address (empty without one)."""


class ComputeCheck(Enum):
    """One check of ``compute_api.create`` after the call is made; a profile orders them."""

    IMAGE = "the image is shown"
    IMAGE_ACTIVE = "the image is active"
    MIN_RAM = "the flavor has the image's min_ram"
    MIN_DISK = "the flavor has the image's min_disk"
    ROOT_DISK = "a sized root disk holds the image and its min_disk"
    DISABLED_FLAVOR = "the flavor is not disabled"
    USER_DATA = "user data is small enough and base64"
    QUOTA = "the instances fit the quota"
    MULTI_VOLUME = "no volume goes to several instances"
    KERNEL_RAMDISK = "kernel and ramdisk are shown"
    ROOT_DEVICE = "the image's root device name is read"
    ZONE_HOST = "a zone asked for as zone:host splits in two"
    IMAGE_OPTIONS = "the image's auto_disk_config property is read"
    FORCED_HOST = "a host forced by zone:host is the admin's to force"
    AVAILABILITY_ZONE = "the zone asked for parses and is one the cloud has"
    BDM_FORMAT = "every mapping converts to the new block device format"
    VOLUME_SOURCE = "no volume-sourced mapping goes to several instances"
    SECURITY_GROUPS = "every group asked for but default is looked up by name"


class VolumeService(Enum):
    """Which volume service the cloud's ``volume_api`` talks to, as a release deployed it."""

    NOVA_VOLUME = "nova.volume.api.API"
    """Folsom's default ``volume_api_class``: the API hands out the database rows, so times
    are datetimes (rendered with milliseconds) and a row knows its project and host, which
    an admin's DescribeVolumes status spells out (``available (project, host, None,
    None)``, gone with c18519501a). A ``nova-volume`` service runs on the host."""
    CINDER = "nova.volume.cinder.API"
    """Grizzly on: cinder's summaries through ``nova/volume/cinder.py``, times as cinder's
    text, the plain status."""


class FlavorForm(Enum):
    """What ``run_instances`` passes ``compute_api.create`` as ``instance_type``."""

    ROW = "the flavor's row"
    """``get_instance_type_by_name``'s answer: the database row as a dict."""
    PRIMITIVE = "obj_to_primitive(Flavor)"
    """Icehouse's ``obj_base.obj_to_primitive(flavor)`` of the ``Flavor`` object
    ``Flavor.get_by_name`` built: every field read from the row, coerced, with the row's
    column defaults (:func:`simulator.catalogue.flavor_primitive`)."""


class GroupList(Enum):
    """How ``compute_api.create``'s ``security_group`` reaches ``instance_create``, whose
    ``_get_sec_group_models`` asks ``'default' in groups`` and walks the rest."""

    WRAPPED = "a value that is no list, as a list of one"
    """Folsom's ``_populate_instance_for_create`` (``capi:723-728@2012.2.4``)."""
    AS_GIVEN = "the value as given"
    """Grizzly's ``populate_security_groups`` (``capi:3190-3191@2013.1.5``): a text is walked
    character by character, and ``'default' in`` it is a substring test."""
    OBJECT_NAMES = "each item the unicode() name of a SecurityGroup object"
    """Havana's ``make_secgroup_list`` (``objects/security_group.py:106-118@2013.2.4``): the
    value walked, each item through the name field's ``unicode()``."""


@dataclass(frozen=True)
class FlavorRules:
    """The flavor lookup of ``run_instances`` and the flavor errors compute raises."""

    default_when_omitted: bool
    """``get_instance_type_by_name(None)`` gave the default; Icehouse's ``Flavor.get_by_name``
    looks up the name None."""
    create_call_form: FlavorForm
    not_found_by_name: Callable[[Any], EC2Error]
    not_found: Callable[[Any], EC2Error]
    memory_too_small: Callable[[], EC2Error]
    disk_too_small: Callable[[], EC2Error]


@dataclass(frozen=True)
class ResponseRules:
    """What ``_format_instances`` writes for each instance of the reservation."""

    unscheduled_zone: str
    """``placement`` of an instance no host runs yet. Nova never shows the zone asked for:
    ``get_availability_zone_by_host(instance['host'])`` gives a host's zone (launch-sim's
    one host: the default zone, ``nova``), and for no host Grizzly on finds no aggregate
    of host None, so ``CONF.default_availability_zone``, while Folsom found no service
    row of it and said ``unknown zone``."""
    ip_fields: IpFields
    tag_set: bool
    """``tagSet`` (the instance metadata) is written, empty when there is none."""
    ec2_volume_ids: bool
    """``blockDeviceMapping`` names volumes ``vol-%08x`` (Folsom: the raw volume uuid)."""
    volume_status: str
    """``ebs.status`` of a mapped volume at launch: the attach status ``detached`` from
    Grizzly on, the volume's own ``available`` in Folsom."""
    client_token: bool
    """Each item carries ``clientToken`` when its instance has one (Icehouse)."""


@dataclass(frozen=True)
class ComputeRules:
    """What ``compute_api.create`` checks after the call is made, and in which order."""

    checks: tuple[ComputeCheck, ...]
    group_list: GroupList
    launch_index: bool
    """Each instance's ``launch_index`` is its index (d2cd7164c8); Folsom stored 0 for all."""
    quota_requested_range: bool
    """``TooManyInstances`` says "Requested 2-5" when min and max differ (Havana), else
    the min_count."""
    quota_unlimited_headroom: bool
    """An unlimited (-1) cores or ram quota leaves the headroom of the instances quota
    times the flavor's (Havana's ``quota_reserve``, ``db/sqlalchemy/api.py:3205-3220@2013.2.4``);
    before, its headroom was -1 less what is used, so it allowed no instance."""
    validate_bdm: bool
    """Each instance's mapped volumes and snapshots are fetched after its row is made
    (``_validate_bdm``: Folsom's 317cc0af38, Grizzly's with ``check_attach``); launch-sim
    knows the store's uuids."""
    multi_instance_name_template: bool
    """With several instances, each is renamed by ``_apply_instance_name_template`` with
    ``multi_instance_display_name_template`` (``%(name)s-%(uuid)s``), its hostname made of
    the new name (Grizzly on); Folsom names every instance ``Server <uuid>``."""
    forced_host_policy: bool
    """A host forced by ``zone:host`` needs the policy ``compute:create:forced_host``,
    admin only (Grizzly on); Folsom ignored the host for anyone else."""
    auto_disk_config: Callable[[Any], bool] = auto_disk_config_disabled
    """What ``_inherit_properties_from_image`` asks of a set ``auto_disk_config`` property:
    ``utils.bool_from_str`` (Folsom, Grizzly) or ``utils.is_auto_disk_config_disabled``
    (Havana on); only what it raises shows."""
    image_properties_as_str: bool = False
    """Each instance's system metadata holds ``str(value)`` of every image property (Folsom,
    Grizzly): text beyond ASCII fails the launch before the first instance's row is made;
    from Havana on ``unicode(value)``."""
    object_text: bool = False
    """An instance's text fields pass through the ``Instance`` object before the database
    (Havana on: ``str_or_none``, Icehouse's ``StringField``), which writes a value that is
    no text with ``unicode()`` (``KeyName=true`` is ``True``, ``1.2345678901234`` keeps 12
    digits); before, the database driver wrote it (``1``, ``'%.15g'``)."""
    string_fields: bool = False
    """Each instance is first an ``Instance`` object whose string fields refuse a list or a
    dict (``key_name``, and of the image's properties ``os_type``, ``architecture``,
    ``vm_mode``, ``root_device_name``): ValueError after the quota, before any row
    (Icehouse)."""
    empty_volume_size_scrubbed: bool = True
    """The database deletes an empty ``volume_size`` from the values of each mapping row it
    writes (``_scrub_empty_str_values``, Grizzly on: ``db/sqlalchemy/api.py:2939-2946,
    2951,2959,2967@2013.1.5``): a new row gets none, an existing one keeps its own. Folsom's
    writes the ``''`` (``db/sqlalchemy/api.py:3341-3370@2012.2.4``). From Havana on the
    new-format rows are always scrubbed (:mod:`simulator.compute_bdm_v2`)."""
    image_bdm_v2: bool = False
    """An image whose ``bdm_v2`` property is truthy lists its ``block_device_mapping`` in
    the new format, read as such by the mapping format check (Icehouse); before, every
    image's mappings were legacy ones."""


@dataclass(frozen=True)
class ConversationRules:
    """The actions around a launch (DescribeInstances, Terminate/Stop/Start/RebootInstances,
    DescribeInstanceAttribute, the catalogue's Describe* calls) and the compute calls they
    make, where releases differ. State names are Nova's ``vm_states``/``task_states``."""

    unknown_ids_skipped: bool
    """DescribeInstances leaves out an id nothing is found for (Folsom, which had no
    ``_enforce_valid_instance_ids``), else answers InstanceNotFound."""
    tag_filters: bool
    """The database applies DescribeInstances' ``tag-key``/``tag-value``/``tag:`` filters
    and refuses other ``tag-`` names (Havana's ``tag_filter``); before, filters reach no
    code that reads them."""
    malformed_id_is_raw: bool
    """``validate_ec2_id`` raised ``InvalidInstanceIDMalformed(val)`` positionally, so its
    message is the id alone, or for a falsy id the unformatted template (Folsom)."""
    unsupported_attribute: Callable[[Any], EC2Error]
    """DescribeInstanceAttribute's error for an attribute it has no formatter for."""
    stop_vm_states: frozenset[str]
    """The vm_states ``compute_api.stop`` accepts (Folsom also ``stopped``; Icehouse
    dropped ``rescued``)."""
    power_needs_host: bool
    """``stop``/``start`` are decorated ``check_instance_host`` (Grizzly on)."""
    stop_task: str
    start_task: str
    power_expected_tasks: tuple[str | None, ...] | None
    """The task states ``stop``/``start`` save the row expecting: ``(None,)``, or None for no
    check at all, as Havana's ``Instance.save`` read ``expected_task_state=None``
    (``objects/instance.py:439-440@2013.2.4``): an instance named twice in one request passes
    the second time on its stale object (84a797ec8c gave Icehouse ``[None]``); before, the
    database checked None itself."""
    reboot_vm_states: frozenset[str]
    reboot_task_states: frozenset[str | None]
    reboot_sets_active: bool
    """Folsom's ``reboot`` set vm_state ``active`` in the API call, before compute ran."""
    internal_zone: str | None
    """The zone of the services that are not compute (``internal``, hidden from the plain
    DescribeAvailabilityZones but a zone compute's check accepts), or None where every
    service has a zone of its own row (Folsom: ``nova``)."""
    snapshot_statuses_mapped: bool
    """DescribeSnapshots maps cinder's statuses to EC2's (``available`` -> ``completed``)
    and leaves ``deleted`` snapshots out (Grizzly on); Folsom shows the raw status."""
    volume_statuses_mapped: bool
    """DescribeVolumes reads ``attaching`` and ``detaching`` as ``in-use`` (Havana on)."""
    empty_virtual_names_skipped: bool
    """DescribeImages' ``_format_mappings`` skips an image mapping of an empty or missing
    ``virtual`` name (Havana's ``is_swap_or_ephemeral``); before, None failed its pattern."""
    volume_service: VolumeService
    services: tuple[tuple[str, str], ...]
    """The services (binary, topic) running on the one simulated host, in the order of
    their rows, all enabled and up: what DescribeAvailabilityZones lists. ``nova-conductor``
    arrived in Grizzly; Folsom's host runs ``nova-volume`` instead."""
    controller_attributes: frozenset[str]
    """The controller's attributes that are no action (its service APIs): dispatch finds
    ``Action=ImageService`` all the same, and calling it fails unexpectedly."""


@dataclass(frozen=True)
class Profile:
    """One Nova release as the EC2 launch path behaves in it."""

    name: str
    series: str
    release: str
    errors: ErrorEnvelope
    """The Executor: codes, HTTP statuses and messages of every error."""
    query_time: QueryTime
    public_ip_check: PublicIpCheck
    """Folsom's own ``validate_ipv4`` let Python 2's UnicodeEncodeError of an address beyond
    ASCII escape to FaultWrapper; from Grizzly on ``utils.is_valid_ipv4`` says False."""
    unicode_names: bool
    """webob decodes parameter names to unicode (1.2.3, Grizzly on), so a name beyond ASCII
    fails ``dict_from_dotted_str``'s ``str()``; Folsom's webob 1.0.8 kept them bytes."""
    xml: XmlStyle
    count_checks: bool
    """Icehouse's ``validate_integer`` on MinCount and MaxCount, then min <= max, first."""
    client_tokens: bool
    """``ClientToken`` makes a launch idempotent (Havana on); before, it is ignored."""
    snapshot_lookup: SnapshotLookup
    image_unavailable: Callable[[], EC2Error]
    """The error for an image whose state is not ``available``."""
    image_states: Mapping[str, str]
    """``S3ImageService.image_state_map``: the EC2 state each ``image_state`` property of an
    image reads as (Havana on, a977294b86; a state it lacks stays as it is). Before, none."""
    flavor: FlavorRules
    response: ResponseRules
    compute: ComputeRules
    conversation: ConversationRules
    memoized_ids: bool = True
    """``ec2utils``' ``@memoize`` (Grizzly on) keys its cache with ``str("%s:%s" % (name, id))``:
    a Glance id beyond ASCII (an image's ``kernel_id`` or ``ramdisk_id`` property) fails
    every lookup of its image (UnicodeEncodeError); Folsom had no cache."""
    uuid_like: Callable[[Any], bool] = is_uuid_like
    """``is_uuid_like`` where an answer writes the EC2 id of a mapped snapshot or volume:
    from Grizzly on ``uuidutils``' (the canonical form only), Folsom's ``utils`` one (all
    ``uuid.UUID`` reads: :func:`~simulator.ec2ids.parses_as_uuid`)."""


def _ec2_api_error() -> EC2Error:
    return EC2APIError("Image must be available")


def _image_not_active() -> EC2Error:
    return ImageNotActive(message="Image must be available")


def _instance_type_by_name(name: Any) -> EC2Error:
    return InstanceTypeNotFoundByName(instance_type_name=name)


def _instance_type(flavor_id: Any) -> EC2Error:
    return InstanceTypeNotFound(instance_type_id=flavor_id)


def _flavor_by_name(name: Any) -> EC2Error:
    return FlavorNotFoundByName(flavor_name=name)


def _flavor(flavor_id: Any) -> EC2Error:
    return FlavorNotFound(flavor_id=flavor_id)


_INSTANCE_TYPES = FlavorRules(
    default_when_omitted=True,
    create_call_form=FlavorForm.ROW,
    not_found_by_name=_instance_type_by_name,
    not_found=_instance_type,
    memory_too_small=InstanceTypeMemoryTooSmall,
    disk_too_small=InstanceTypeDiskTooSmall,
)
_FLAVORS = FlavorRules(
    default_when_omitted=False,
    create_call_form=FlavorForm.PRIMITIVE,
    not_found_by_name=_flavor_by_name,
    not_found=_flavor,
    memory_too_small=FlavorMemoryTooSmall,
    disk_too_small=FlavorDiskTooSmall,
)

_GRIZZLY_RESPONSE = ResponseRules(
    unscheduled_zone=DEFAULT_AVAILABILITY_ZONE,
    ip_fields=IpFields.LEGACY,
    tag_set=False,
    ec2_volume_ids=True,
    volume_status="detached",
    client_token=False,
)
_FOLSOM_RESPONSE = replace(
    _GRIZZLY_RESPONSE,
    unscheduled_zone="unknown zone",
    ec2_volume_ids=False,
    volume_status="available",
)
_HAVANA_RESPONSE = replace(_GRIZZLY_RESPONSE, ip_fields=IpFields.FLOATING_ONLY, tag_set=True)
_ICEHOUSE_RESPONSE = replace(_HAVANA_RESPONSE, client_token=True)

_C = ComputeCheck
_FOLSOM_COMPUTE = ComputeRules(
    checks=(
        _C.DISABLED_FLAVOR,
        _C.QUOTA,
        _C.IMAGE,
        _C.MIN_RAM,
        _C.MIN_DISK,
        _C.KERNEL_RAMDISK,
        _C.ROOT_DEVICE,
        _C.ZONE_HOST,
        _C.USER_DATA,
        _C.IMAGE_OPTIONS,
        _C.FORCED_HOST,
    ),
    group_list=GroupList.WRAPPED,
    launch_index=False,
    quota_requested_range=False,
    quota_unlimited_headroom=False,
    validate_bdm=True,
    multi_instance_name_template=False,
    forced_host_policy=False,
    auto_disk_config=bool_from_str,
    image_properties_as_str=True,
    empty_volume_size_scrubbed=False,
)
_GRIZZLY_COMPUTE = ComputeRules(
    checks=(
        _C.MULTI_VOLUME,
        _C.DISABLED_FLAVOR,
        _C.USER_DATA,
        _C.QUOTA,
        _C.SECURITY_GROUPS,
        _C.IMAGE,
        _C.IMAGE_ACTIVE,
        _C.MIN_RAM,
        _C.MIN_DISK,
        _C.KERNEL_RAMDISK,
        _C.ROOT_DEVICE,
        _C.ZONE_HOST,
        _C.IMAGE_OPTIONS,
        _C.FORCED_HOST,
    ),
    group_list=GroupList.AS_GIVEN,
    launch_index=True,
    quota_requested_range=False,
    quota_unlimited_headroom=False,
    validate_bdm=True,
    multi_instance_name_template=True,
    forced_host_policy=True,
    auto_disk_config=bool_from_str,
    image_properties_as_str=True,
)
_HAVANA_COMPUTE = ComputeRules(
    checks=(
        _C.IMAGE,
        _C.AVAILABILITY_ZONE,
        _C.DISABLED_FLAVOR,
        _C.USER_DATA,
        _C.IMAGE_ACTIVE,
        _C.MIN_RAM,
        _C.ROOT_DISK,
        _C.SECURITY_GROUPS,
        _C.KERNEL_RAMDISK,
        _C.ROOT_DEVICE,
        _C.IMAGE_OPTIONS,
        _C.BDM_FORMAT,
        _C.VOLUME_SOURCE,
        _C.QUOTA,
    ),
    group_list=GroupList.OBJECT_NAMES,
    launch_index=True,
    quota_requested_range=True,
    quota_unlimited_headroom=True,
    validate_bdm=False,
    multi_instance_name_template=True,
    forced_host_policy=True,
    object_text=True,
)


def _ec2_attribute_error(attribute: Any) -> EC2Error:
    return EC2APIError(f"attribute not supported: {py2_str(attribute)}")


def _invalid_attribute(attribute: Any) -> EC2Error:
    return InvalidAttribute(attr=attribute)


_REBOOT_TASKS = frozenset(
    {None, "rebooting", "rebooting_hard", "resuming", "unpausing", "pausing", "suspending"}
)
_HOST_SERVICES: Final = (
    ("nova-compute", "compute"),
    ("nova-cert", "cert"),
    ("nova-network", "network"),
    ("nova-scheduler", "scheduler"),
    ("nova-consoleauth", "consoleauth"),
)
_FOLSOM_CONVERSATION = ConversationRules(
    unknown_ids_skipped=True,
    tag_filters=False,
    malformed_id_is_raw=True,
    unsupported_attribute=_ec2_attribute_error,
    stop_vm_states=frozenset({"active", "rescued", "error", "stopped"}),
    power_needs_host=False,
    stop_task="stopping",
    start_task="starting",
    power_expected_tasks=(None,),
    reboot_vm_states=frozenset({"active", "stopped", "rescued"}),
    reboot_task_states=frozenset({None, "rebooting"}),
    reboot_sets_active=True,
    internal_zone=None,
    snapshot_statuses_mapped=False,
    volume_statuses_mapped=False,
    empty_virtual_names_skipped=False,
    volume_service=VolumeService.NOVA_VOLUME,
    services=(*_HOST_SERVICES, ("nova-volume", "volume")),
    controller_attributes=frozenset(
        {
            "image_service",
            "network_api",
            "volume_api",
            "security_group_api",
            "compute_api",
            "keypair_api",
        }
    ),
)
_GRIZZLY_CONVERSATION = ConversationRules(
    unknown_ids_skipped=False,
    tag_filters=False,
    malformed_id_is_raw=False,
    unsupported_attribute=_ec2_attribute_error,
    stop_vm_states=frozenset({"active", "rescued", "error"}),
    power_needs_host=True,
    stop_task="powering-off",
    start_task="powering-on",
    power_expected_tasks=(None,),
    reboot_vm_states=frozenset({"active", "stopped", "paused", "suspended"}),
    reboot_task_states=_REBOOT_TASKS,
    reboot_sets_active=False,
    internal_zone="internal",
    snapshot_statuses_mapped=True,
    volume_statuses_mapped=False,
    empty_virtual_names_skipped=False,
    volume_service=VolumeService.CINDER,
    services=(("nova-conductor", "conductor"), *_HOST_SERVICES),
    controller_attributes=_FOLSOM_CONVERSATION.controller_attributes | {"servicegroup_api"},
)
_HAVANA_CONVERSATION = replace(
    _GRIZZLY_CONVERSATION,
    tag_filters=True,
    unsupported_attribute=_invalid_attribute,
    reboot_vm_states=frozenset({"active", "stopped", "paused", "suspended", "error"}),
    volume_statuses_mapped=True,
    empty_virtual_names_skipped=True,
    power_expected_tasks=None,
)
_ICEHOUSE_CONVERSATION = replace(
    _HAVANA_CONVERSATION,
    stop_vm_states=frozenset({"active", "error"}),
    power_expected_tasks=(None,),
)

_GRIZZLY = Profile(
    name="grizzly",
    series="Grizzly",
    release="2013.1.5",
    errors=GRIZZLY_EXECUTOR,
    query_time=QueryTime.CHECKED,
    public_ip_check=PublicIpCheck.NETADDR,
    unicode_names=True,
    xml=XmlStyle.MINIDOM,
    count_checks=False,
    client_tokens=False,
    snapshot_lookup=SnapshotLookup.BY_PREFIX,
    image_unavailable=_ec2_api_error,
    image_states=MappingProxyType({}),
    flavor=_INSTANCE_TYPES,
    response=_GRIZZLY_RESPONSE,
    compute=_GRIZZLY_COMPUTE,
    conversation=_GRIZZLY_CONVERSATION,
)
_FOLSOM = replace(
    _GRIZZLY,
    name="folsom",
    series="Folsom",
    release="2012.2.4",
    errors=FOLSOM_EXECUTOR,
    query_time=QueryTime.NOT_CHECKED,
    public_ip_check=PublicIpCheck.INET_ATON,
    unicode_names=False,
    snapshot_lookup=SnapshotLookup.VOLUME_TABLE_FIRST,
    memoized_ids=False,
    uuid_like=parses_as_uuid,
    response=_FOLSOM_RESPONSE,
    compute=_FOLSOM_COMPUTE,
    conversation=_FOLSOM_CONVERSATION,
)
_HAVANA = replace(
    _GRIZZLY,
    name="havana",
    series="Havana",
    release="2013.2.4",
    errors=HAVANA_EXECUTOR,
    xml=XmlStyle.LXML_PRETTY,
    client_tokens=True,
    image_unavailable=_image_not_active,
    image_states=MappingProxyType(
        {
            "downloading": "pending",
            "failed_download": "failed",
            "decrypting": "pending",
            "failed_decrypt": "failed",
            "untarring": "pending",
            "failed_untar": "failed",
            "uploading": "pending",
            "failed_upload": "failed",
            "available": "available",
        }
    ),
    response=_HAVANA_RESPONSE,
    compute=_HAVANA_COMPUTE,
    conversation=_HAVANA_CONVERSATION,
)
_ICEHOUSE = replace(
    _HAVANA,
    name="icehouse",
    series="Icehouse",
    release="2014.1.5",
    errors=ICEHOUSE_EXECUTOR,
    count_checks=True,
    flavor=_FLAVORS,
    response=_ICEHOUSE_RESPONSE,
    compute=replace(_HAVANA_COMPUTE, image_bdm_v2=True, string_fields=True),
    conversation=_ICEHOUSE_CONVERSATION,
)
PROFILES: Final[Mapping[str, Profile]] = MappingProxyType(
    {profile.name: profile for profile in (_FOLSOM, _GRIZZLY, _HAVANA, _ICEHOUSE)}
)
"""Each release as Grizzly (the reference page's release) plus what differs in it."""
DEFAULT_PROFILE: Final = "grizzly"
KNOWN_PROFILES: Final = ", ".join(PROFILES)
"""The profile names, as every refusal of an unknown one lists them."""


def get_profile(profile: str | Profile | None = None) -> Profile:
    """The profile named (or given); None is the default, Grizzly."""
    if isinstance(profile, Profile):
        return profile
    name = DEFAULT_PROFILE if profile is None else profile
    try:
        return PROFILES[name]
    except (KeyError, TypeError):
        raise UnknownProfile(
            f"unknown profile {name!r}: known profiles are {KNOWN_PROFILES}"
        ) from None
