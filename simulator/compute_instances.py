"""The compute API's calls on instances that exist: ``get``, ``get_all``, ``delete``, ``stop``,
``start`` and ``reboot`` (``nova/compute/api.py``), over the store's instances table.

Every call that changes an instance is recorded as the EC2 layer made it, in
``compute.calls`` beside the create calls, and checked against
``schemas/compute_call.schema.json``; like a create call it is recorded before compute's
own checks run, so a call compute refuses is in the record too. Then the checks of the
method's decorators run, in Nova's order and on the instance *as the EC2 layer passed it*
(read before any of the request's calls ran), and the update applies to the row as it is
now, refused (``UnexpectedTaskStateError``) if its task_state is not the one expected. The
compute manager's half of the work is :func:`simulator.lifecycle.finish`, run when a later
request reads the row. Reads (``get``, ``get_all``) are not recorded.

An :class:`Instance` is one of Nova's instance rows with the columns the EC2 layer and
these checks read; the store keeps it as a JSON row keyed by its EC2 integer id, plus the
stamp of the work compute has yet to finish.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from simulator import lifecycle
from simulator.context import RequestContext
from simulator.contracts import ContractRegistry
from simulator.ec2ids import id_to_ec2_id
from simulator.errors import (
    InstanceInvalidState,
    InstanceNotFound,
    InstanceNotReady,
    InvalidParameterValue,
    SecurityGroupNotFoundForProject,
    UnexpectedTaskStateError,
)
from simulator.profiles import ConversationRules, GroupList
from simulator.py2text import py2_str
from simulator.store import MappingStore, MappingTable


def column_text(value: Any) -> Any:
    """What a text column of Nova's database reads back of ``value`` written to it: the
    driver's text of a value that is not text (MySQLdb's ``Float2Str`` writes a float with
    ``'%.15g'``, ``Bool2Str`` a bool as ``1``/``0``; other values as Python 2 wrote them).
    ``key_name`` and the client token's system metadata are such columns, and the EC2 layer
    reads the instance back before answering, so a float ``KeyName`` is answered as text."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.15g}"
    return py2_str(value)


_WRAPPED = GroupList.WRAPPED
_OBJECT_NAMES = GroupList.OBJECT_NAMES
"""Read off the Enum class once: each read on it goes through Python 3.11's
``EnumType.__getattr__`` hook (see :mod:`simulator.id_mappings`), and every launch asks."""


def security_group_names(groups: Any, form: GroupList) -> Any:
    """What ``instance_create`` is handed of the groups ``create`` was given (never empty:
    ``security_group or ['default']``), in the release's :class:`GroupList` form."""
    if form is _WRAPPED:
        return groups if isinstance(groups, list) else [groups]
    if form is _OBJECT_NAMES:
        return [py2_str(name) for name in groups]
    return groups


def refuse_unnamed_group(name: Any, project_id: str) -> None:
    """A false group name (``''``, None, 0) names no group: both compute's lookup (Grizzly
    on: ``SecurityGroupAPI.get`` looks up only a true name) and Folsom's database
    (``name IN (NULL)``) refuse it so."""
    if not name:
        raise SecurityGroupNotFoundForProject(project_id=project_id, security_group_id=name)


def security_group_models(names: Any, project_id: str) -> list[Any]:
    """The groups ``instance_create`` gives a new instance (``_get_sec_group_models``,
    ``db/sqlalchemy/api.py:1451-1461@2012.2.4``, ``1458-1468@2013.1.5``, the same in Havana
    and Icehouse): ``default`` first, once however often it is named (``'default' in
    names``: in a text, a substring), then the others as the database finds them by name,
    one row each. A false name finds no row (``name IN (NULL)``; no group is named ``''``):
    ``SecurityGroupNotFoundForProject``, as Folsom's database answered it (later releases
    refused it before, ``_check_requested_secgroups``). Another group named twice makes
    that lookup find fewer rows than names and none missing, so it returns None, which the
    caller extends its list with: TypeError. Both come before the instance's row exists.
    Every group with a true name exists here (docs/fidelity.md); with no groups table, the
    others keep the order sent. A launch that names no group asks for ``['default']``, which
    is answered without those walks."""
    if names == ["default"]:
        return ["default"]
    others = [name for name in names if name != "default"]
    for name in others:
        refuse_unnamed_group(name, project_id)
    distinct: list[Any] = []
    for name in others:
        if name not in distinct:
            distinct.append(name)
    if len(distinct) != len(others):
        raise TypeError("'NoneType' object is not iterable")
    return ["default", *others] if "default" in names else others


@dataclass
class Instance:
    """An instance as the EC2 layer formats it (the fields Nova's ``_format_instances`` reads)."""

    uuid: str
    ec2_int_id: int
    reservation_id: str
    launch_index: int
    project_id: str
    user_id: str
    image_ref: str
    kernel_id: str | None
    ramdisk_id: str | None
    instance_type: dict[str, Any]
    key_name: Any
    security_groups: list[Any]
    availability_zone: Any
    hostname: str
    created_at: datetime
    block_device_mapping: list[dict[str, Any]] = field(default_factory=list)
    vm_state: str = lifecycle.BUILDING
    host: str | None = None
    root_device_name: Any = None
    task_state: str | None = lifecycle.SCHEDULING
    user_data: Any = None
    disable_terminate: bool = False
    shutdown_terminate: bool = False
    deleted: bool = False
    client_token: str | None = None
    """Nova's ``EC2_client_token`` system metadata (Havana on): the ``ClientToken`` the
    instance was launched with, as text; written after the create and removed on terminate
    (:class:`simulator.cloud.ClientTokens`). A row without one holds no such column."""

    def to_row(self, work: list[Any] | None) -> dict[str, Any]:
        """The store's row: every field but the EC2 id (the row's key), and ``work``; it
        shares this record's values (the store copies what it keeps). A record's attributes
        are exactly its fields, so its ``__dict__`` is the row's start: no per-field lookup
        on every launch; copied by ``dict.copy``, which copies an instance's shared-key
        ``__dict__`` whole where ``dict()`` inserted its fields one by one (0.5% of a replayed
        launch). A row carries ``client_token`` only when the instance has one, as rows
        written before the column existed do not."""
        row = self.__dict__.copy()
        del row["ec2_int_id"]
        if self.client_token is None:
            del row["client_token"]
        row["created_at"] = self.created_at.isoformat()
        row["work"] = work
        return row

    @classmethod
    def from_row(cls, ec2_int_id: int, row: dict[str, Any]) -> Instance:
        values = {name: row[name] for name in _ROW_FIELDS if name in row}
        values["created_at"] = datetime.fromisoformat(row["created_at"])
        return cls(ec2_int_id=ec2_int_id, **values)


_ROW_FIELDS = tuple(f.name for f in fields(Instance) if f.name != "ec2_int_id")


def check_string_fields(values: Iterable[Any]) -> None:
    """Icehouse's ``Instance().update(base_options)``: each ``StringField`` coerces its value
    (``fields.String.coerce``, ``nova/objects/fields.py:209-218@2014.1.5``): text, a number
    (a boolean among them) or a date is written as text, None stays, anything else (a list,
    a dict) is ``ValueError`` "A string is required here, not list". Havana's
    ``str_or_none`` took any value (``unicode(val)``)."""
    for value in values:
        if value is not None and not isinstance(value, str | int | float | datetime):
            raise ValueError(f"A string is required here, not {type(value).__name__}")


class ComputeCall:
    """A recorded ``compute_api`` call of any method: what ``compute.calls`` holds.

    Each method's record has its own fields (a create call's ``block_device_mapping``, a
    stop call's ``instance``), and each has its ``method``; readers pick records by
    ``method`` and read fields by name.
    """

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable copy the caller may change freely."""
        raise NotImplementedError

    if TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any: ...


@dataclass(frozen=True)
class InstanceCall(ComputeCall):
    """One ``compute_api.<method>(context, instance[, reboot_type])`` call of the EC2 layer.

    ``instance`` holds what compute reads of the instance it is handed (its uuid, states
    and host, as the EC2 layer read them) and its EC2 id, for people reading the record.
    """

    method: str
    instance: dict[str, Any]
    reboot_type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable copy: ``reboot_type`` only for reboot, where Nova passed it."""
        record: dict[str, Any] = {"method": self.method, "instance": dict(self.instance)}
        if self.method == "reboot":
            record["reboot_type"] = self.reboot_type
        return record

    @classmethod
    def of(cls, method: str, instance: Instance, reboot_type: str | None = None) -> InstanceCall:
        return cls(
            method,
            {
                "uuid": instance.uuid,
                "ec2_id": id_to_ec2_id(instance.ec2_int_id),
                "vm_state": instance.vm_state,
                "task_state": instance.task_state,
                "host": instance.host,
            },
            reboot_type,
        )


class InstanceOperations:
    """``compute_api``'s calls on existing instances, mixed into the recording compute API."""

    store: MappingStore
    contracts: ContractRegistry
    calls: deque[ComputeCall]
    clock: lifecycle.RequestClock
    conversation: ConversationRules

    # --- reads ---

    def get(self, context: RequestContext, instance_uuid: Any) -> Instance:
        """``compute_api.get``: a live instance the context may see, else InstanceNotFound.

        The row is Nova's ``instance_get_by_uuid``: ``read_deleted='no'`` (a destroyed
        instance is not found) and ``project_only`` (another project's instance is not
        found unless the context is admin).
        """
        row_id = (
            self.store.mapping_id(MappingTable.INSTANCES, instance_uuid)
            if isinstance(instance_uuid, str)
            else None
        )
        row = None if row_id is None else self._settled_row(row_id)
        if row_id is None or row is None or not _visible(context, row):
            raise InstanceNotFound(instance_id=instance_uuid if row_id is None else row_id)
        return Instance.from_row(row_id, row)

    def get_all(self, context: RequestContext, search_opts: dict[str, Any]) -> list[Instance]:
        """``compute_api.get_all(search_opts={..., 'deleted': False}, sort_dir='asc')``.

        Live instances oldest first, every project's for an admin context. The EC2
        layer's ``filter`` option reaches the database, where Grizzly ignores it (not a
        column) and Havana applies its tag filters (``tag_filter``).
        """
        if self.conversation.tag_filters and _tag_filtered(search_opts.get("filter")):
            return []
        instances = []
        for row_id in self.store.instances.ids():
            row = self._settled_row(row_id)
            if row is not None and _visible(context, row):
                instances.append(Instance.from_row(row_id, row))
        return instances

    # --- calls that change an instance ---

    def delete(self, context: RequestContext, instance: Instance) -> None:
        """``compute_api.delete``: no state check at all; task ``deleting``.

        An instance no host runs yet is destroyed at once (``instance_destroy``); an
        instance already gone is Nova's "race condition" and passes silently.
        """
        self._record(InstanceCall.of("delete", instance))
        if instance.disable_terminate:
            return
        row = self._settled_row(instance.ec2_int_id)
        if row is None or row["deleted"]:
            return
        row["task_state"] = lifecycle.DELETING
        if row["host"]:
            row["work"] = self.clock.stamp()
        else:
            row["deleted"] = True
        self.store.instances.put(instance.ec2_int_id, row)

    def stop(self, context: RequestContext, instance: Instance) -> None:
        """``compute_api.stop``: host, then vm_state, then task_state None; ``powering-off``."""
        rules = self.conversation
        self._record(InstanceCall.of("stop", instance))
        if rules.power_needs_host:
            _check_host(instance)
        _check_state(instance, "stop", rules.stop_vm_states, (None,))
        self._update(instance, rules.power_expected_tasks, task_state=rules.stop_task)

    def start(self, context: RequestContext, instance: Instance) -> None:
        """``compute_api.start``: host, then vm_state ``stopped``, task None; ``powering-on``."""
        rules = self.conversation
        self._record(InstanceCall.of("start", instance))
        if rules.power_needs_host:
            _check_host(instance)
        _check_state(instance, "start", (lifecycle.STOPPED,), (None,))
        self._update(instance, rules.power_expected_tasks, task_state=rules.start_task)

    def reboot(self, context: RequestContext, instance: Instance, reboot_type: str) -> None:
        """``compute_api.reboot``: no host check; a second reboot of the same kind refused."""
        rules = self.conversation
        self._record(InstanceCall.of("reboot", instance, reboot_type))
        _check_state(instance, "reboot", rules.reboot_vm_states, rules.reboot_task_states)
        task = {"SOFT": lifecycle.REBOOTING, "HARD": lifecycle.REBOOTING_HARD}[reboot_type]
        if instance.task_state == task:
            raise InstanceInvalidState(
                attr="task_state", instance_uuid=instance.uuid, state=task, method="reboot"
            )
        changes: dict[str, Any] = {"task_state": task}
        if rules.reboot_sets_active:
            changes["vm_state"] = lifecycle.ACTIVE
        self._update(instance, (None, lifecycle.REBOOTING), **changes)

    # --- internals ---

    def _record(self, call: InstanceCall) -> None:
        self.calls.append(call)
        self.contracts.check("compute_call", call.to_dict())

    def _settled_row(self, row_id: int) -> dict[str, Any] | None:
        """The row as compute has left it by now: work that is due is finished first."""
        row = self.store.instances.get(row_id)
        if row is not None and row.get("work") is not None and self.clock.is_due(row["work"]):
            lifecycle.finish(row)
            self.store.instances.put(row_id, row)
        return row

    def _update(
        self, instance: Instance, expected: tuple[str | None, ...] | None, **changes: Any
    ) -> None:
        """``compute_api.update(..., expected_task_state=...)`` on the row as it is now
        (``expected`` None: no check, as Havana's ``Instance.save`` read None)."""
        row = self._settled_row(instance.ec2_int_id)
        if row is None or row["deleted"]:
            raise InstanceNotFound(instance_id=instance.ec2_int_id)
        if expected is not None and row["task_state"] not in expected:
            raise UnexpectedTaskStateError(
                expected=py2_str(list(expected), native_strings=True), actual=row["task_state"]
            )
        row.update(changes)
        row["work"] = self.clock.stamp()
        self.store.instances.put(instance.ec2_int_id, row)


def _visible(context: RequestContext, row: dict[str, Any]) -> bool:
    return not row["deleted"] and (context.is_admin or row["project_id"] == context.project_id)


def _check_host(instance: Instance) -> None:
    """``check_instance_host``: an instance no host runs yet is not ready."""
    if not instance.host:
        raise InstanceNotReady(instance_id=instance.uuid)


def _check_state(
    instance: Instance,
    method: str,
    vm_states: Iterable[str],
    task_states: Iterable[str | None],
) -> None:
    """``check_instance_state``: the vm_state, then the task_state, of the instance passed."""
    for attr, state, allowed in (
        ("vm_state", instance.vm_state, vm_states),
        ("task_state", instance.task_state, task_states),
    ):
        if state not in allowed:
            raise InstanceInvalidState(
                attr=attr, instance_uuid=instance.uuid, state=state, method=method
            )


def _tag_filtered(filters: Any) -> bool:
    """Havana's ``tag_filter``: whether the filters name a tag, which no instance has here.

    ``tag-key``, ``tag-value`` and ``tag:<key>`` select instances by their metadata; any
    other ``tag-`` name is refused; every other filter (``instance-state-name``...) is
    ignored, as before. Instances carry no tags in launch-sim (it does not simulate
    CreateTags), so a tag filter matches nothing.
    """
    if filters is None:
        return False
    tagged = False
    for block in filters:
        if not isinstance(block, dict) or block.get("name") is None:
            continue
        name = block["name"]
        tag_name = name[4:]
        if name.startswith("tag-"):
            if tag_name not in ("key", "value"):
                raise InvalidParameterValue(err=f"Invalid field name: {tag_name}")
            tagged = True
        elif name.startswith("tag:"):
            tagged = True
    return tagged
