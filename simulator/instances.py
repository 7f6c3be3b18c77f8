"""The EC2 actions on instances around a launch, as Nova's ``CloudController`` answers them:
DescribeInstances, TerminateInstances, StopInstances, StartInstances, RebootInstances and
DescribeInstanceAttribute (``nova/api/ec2/cloud.py``).

They reach instances as Nova did: the EC2 id through the instance mapping table to a uuid
(a mapping row outlives its instance), then ``compute_api.get``, which does not find a
destroyed instance. The mutating actions resolve *every* id before the first compute call
("to prevent partial executions") but compute checks states call by call, so a refusal on
the third instance leaves the first two acted on. Nova's oddities are kept: an instance id
is validated only where Nova called ``validate_ec2_id`` (not in DescribeInstances), its
prefix is never checked, TerminateInstances echoes ids as sent, and filters reach no code
that reads them (before Havana).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from simulator import id_mappings
from simulator.compute import RecordingComputeAPI
from simulator.compute_instances import Instance
from simulator.context import RequestContext
from simulator.ec2ids import ec2_id_to_id
from simulator.errors import InvalidEc2Id, InvalidInstanceIDMalformed, NotFound
from simulator.id_prefixes import EC2_ID_PREFIXES
from simulator.lifecycle import TERMINATED, state_description
from simulator.profiles import Profile
from simulator.py2dict import walked
from simulator.store import MappingStore, MappingTable

if TYPE_CHECKING:
    from simulator.cloud import ClientTokens

DEFAULT_ROOT_DEV_NAME = "/dev/sda1"
"""``block_device.DEFAULT_ROOT_DEV_NAME``: the root device of an image that names none."""

Result = dict[str, Any]

RETURN_TRUE: Mapping[str, Any] = MappingProxyType({"return": True})
"""The answer of the actions where Nova returned ``True``: what ``_render_response`` made of
it (``<return>true</return>``), as a result like every other action's."""


def validate_ec2_id(value: Any, profile: Profile) -> None:
    """``validate_ec2_id``: a string whose part after the last dash is hex, whatever its
    prefix (``ami-00000001`` passes as an instance id, ``vol-zz`` fails as one)."""
    if isinstance(value, str):
        try:
            ec2_id_to_id(value)
        except InvalidEc2Id:
            pass
        else:
            return
    if profile.conversation.malformed_id_is_raw:
        raise InvalidInstanceIDMalformed(value)
    raise InvalidInstanceIDMalformed(val=value)


def group_set(security_groups: list[Any]) -> list[dict[str, Any]] | None:
    """``_format_group_set``: each security group *name* as a ``groupId``; none is None.
    A loop, not a list comprehension, which on Python 3.11 is a call (every answer has one)."""
    groups = []
    for name in security_groups:
        groups.append({"groupId": name})
    return groups or None


class InstanceActions:
    """The instance actions of Nova's ``CloudController``, mixed into :class:`CloudController`."""

    store: MappingStore
    compute_api: RecordingComputeAPI
    profile: Profile
    client_tokens: ClientTokens
    _format_run_instances: Callable[[RequestContext, str, list[Instance]], Result]
    _format_instance_bdm: Callable[[Instance, Any, Result], None]

    def describe_instances(self, context: RequestContext, **kwargs: Any) -> Result:
        """``describe_instances``: the ids asked for (all of them must exist), else every
        live instance the context may see; ``MaxResults``/``NextToken`` are ignored.

        An id is not validated (``i-zz`` is an unexpected InvalidEc2Id) and its prefix is
        not checked; duplicates give duplicate items. Filters go to the database with the
        id-less listing only (:meth:`RecordingComputeAPI.get_all`). Folsom skips an id
        nothing is found for instead of refusing the request.
        """
        instance_ids = kwargs.get("instance_id")
        if instance_ids:
            instances = []
            for ec2_id in walked(instance_ids):
                try:
                    instances.append(self._instance(context, ec2_id))
                except NotFound:
                    if not self.profile.conversation.unknown_ids_skipped:
                        raise
        else:
            instances = self.compute_api.get_all(
                context, {"filter": kwargs.get("filter"), "deleted": False}
            )
        reservations: dict[str, list[Instance]] = {}
        for instance in instances:
            reservations.setdefault(instance.reservation_id, []).append(instance)
        return {
            "reservationSet": [
                self._format_run_instances(context, reservation_id, members)
                for reservation_id, members in reservations.items()
            ]
        }

    def terminate_instances(
        self, context: RequestContext, instance_id: Any, **kwargs: Any
    ) -> Result:
        """``terminate_instances``: ``compute_api.delete`` for each, then each id as sent with
        its state before and its state now.

        Delete only starts the work (task ``deleting``), so ``currentState`` is usually the
        state before (``running``); an instance no host ran yet is destroyed at once and
        reads ``terminated``, the only place Nova ever shows that state.
        """
        previous = self._ec2_ids_to_instances(context, instance_id)
        if self.profile.client_tokens:
            self.client_tokens.forget(instance.uuid for instance in previous)
        for instance in previous:
            self.compute_api.delete(context, instance)
        items = []
        for ec2_id, before in zip(walked(instance_id), previous, strict=False):
            try:
                current = state_description(self._instance(context, ec2_id).vm_state)
            except NotFound:
                current = TERMINATED
            items.append(
                {
                    "instanceId": ec2_id,
                    "previousState": state_description(before.vm_state),
                    "currentState": current,
                }
            )
        return {"instancesSet": items}

    def stop_instances(self, context: RequestContext, instance_id: Any, **kwargs: Any) -> Result:
        """``stop_instances``: ``compute_api.stop`` for each, then ``<return>true</return>``."""
        for instance in self._ec2_ids_to_instances(context, instance_id):
            self.compute_api.stop(context, instance)
        return dict(RETURN_TRUE)

    def start_instances(self, context: RequestContext, instance_id: Any, **kwargs: Any) -> Result:
        """``start_instances``: ``compute_api.start`` for each, then ``<return>true</return>``."""
        for instance in self._ec2_ids_to_instances(context, instance_id):
            self.compute_api.start(context, instance)
        return dict(RETURN_TRUE)

    def reboot_instances(self, context: RequestContext, instance_id: Any, **kwargs: Any) -> Result:
        """``reboot_instances``: a ``HARD`` reboot for each (an EC2 reboot is a soft one)."""
        for instance in self._ec2_ids_to_instances(context, instance_id):
            self.compute_api.reboot(context, instance, "HARD")
        return dict(RETURN_TRUE)

    def describe_instance_attribute(
        self, context: RequestContext, instance_id: Any, attribute: Any, **kwargs: Any
    ) -> Result:
        """``describe_instance_attribute``: the attribute is checked before the id.

        The value is the bare element (``<instanceType>m1.small</instanceType>``), not
        AWS's ``<instanceType><value>...</value></instanceType>``, so boto3 reads it as empty.
        """
        formatter = _ATTRIBUTES.get(attribute)
        if formatter is None:
            raise self.profile.conversation.unsupported_attribute(attribute)
        validate_ec2_id(instance_id, self.profile)
        instance = self._instance(context, instance_id)
        result: Result = {"instance_id": instance_id}
        formatter(self, instance, result)
        return result

    # --- resolving ids ---

    def _instance(self, context: RequestContext, ec2_id: Any) -> Instance:
        """``ec2_inst_id_to_uuid`` then ``compute_api.get``: InstanceNotFound when either
        finds nothing (a non-string id fails unexpectedly, as Nova's ``split`` did)."""
        uuid = id_mappings.mapping_uuid(self.store, MappingTable.INSTANCES, ec2_id_to_id(ec2_id))
        return self.compute_api.get(context, uuid)

    def _ec2_ids_to_instances(self, context: RequestContext, instance_id: Any) -> list[Instance]:
        """Every id validated and found before the first compute call."""
        instances = []
        for ec2_id in walked(instance_id):
            validate_ec2_id(ec2_id, self.profile)
            instances.append(self._instance(context, ec2_id))
        return instances

    # --- DescribeInstanceAttribute's formatters ---

    def _attribute_block_device_mapping(self, instance: Instance, result: Result) -> None:
        self._format_instance_bdm(
            instance, instance.root_device_name or DEFAULT_ROOT_DEV_NAME, result
        )

    def _attribute_kernel(self, instance: Instance, result: Result) -> None:
        if instance.kernel_id:
            result["kernel"] = id_mappings.glance_id_to_ec2_id(
                self.store, instance.kernel_id, EC2_ID_PREFIXES["kernels"]
            )

    def _attribute_ramdisk(self, instance: Instance, result: Result) -> None:
        if instance.ramdisk_id:
            result["ramdisk"] = id_mappings.glance_id_to_ec2_id(
                self.store, instance.ramdisk_id, EC2_ID_PREFIXES["ramdisks"]
            )

    def _attribute_unsupported(self, instance: Instance, result: Result) -> None:
        """``sourceDestCheck`` has a formatter, which refuses once the instance is found."""
        raise self.profile.conversation.unsupported_attribute("sourceDestCheck")


def _user_data(instance: Instance) -> str:
    """``base64.b64decode(instance['user_data'])``: None fails (TypeError), and so does text
    that is not ASCII, which Nova's renderer could not join to the answer."""
    return base64.b64decode(instance.user_data).decode("ascii")


_ATTRIBUTES: Mapping[str, Callable[[InstanceActions, Instance, Result], None]] = MappingProxyType(
    {
        "blockDeviceMapping": InstanceActions._attribute_block_device_mapping,
        "disableApiTermination": lambda _, instance, result: result.update(
            disableApiTermination=instance.disable_terminate
        ),
        "groupSet": lambda _, instance, result: result.update(
            groupSet=group_set(instance.security_groups)
        ),
        "instanceInitiatedShutdownBehavior": lambda _, instance, result: result.update(
            instanceInitiatedShutdownBehavior=(
                "terminate" if instance.shutdown_terminate else "stop"
            )
        ),
        "instanceType": lambda _, instance, result: result.update(
            instanceType=instance.instance_type["name"]
        ),
        "kernel": InstanceActions._attribute_kernel,
        "ramdisk": InstanceActions._attribute_ramdisk,
        "rootDeviceName": lambda _, instance, result: result.update(
            rootDeviceName=instance.root_device_name or DEFAULT_ROOT_DEV_NAME
        ),
        "sourceDestCheck": InstanceActions._attribute_unsupported,
        "userData": lambda _, instance, result: result.update(userData=_user_data(instance)),
    }
)
"""``attribute_formatter``: the attributes Nova answers, by their exact (case-sensitive) name."""
