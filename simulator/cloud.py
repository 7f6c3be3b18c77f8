"""``CloudController.run_instances``: Nova Grizzly 2013.1's EC2 launch, step by step.

The order of the steps is part of the contract (the first failure wins): min_count, kernel,
ramdisk, block device mappings (snapshot/volume lookups), the machine image, its state,
then the instance type and max_count while the create call's arguments are evaluated.
Errors are Nova's exceptions; the Executor table in :mod:`simulator.errors` names them.
"""

from __future__ import annotations

from typing import Any

from simulator import ec2ids, id_mappings
from simulator.compute import Instance, RecordingComputeAPI
from simulator.context import RequestContext
from simulator.ec2_bdm import parse_block_device_mapping
from simulator.errors import (
    EC2APIError,
    ImageNotFound,
    ImageNotFoundEC2,
    InstanceTypeNotFoundByName,
    InvalidEc2Id,
)
from simulator.id_prefixes import EC2_ID_PREFIXES
from simulator.images import Image, S3ImageService
from simulator.store import MappingStore

DEFAULT_INSTANCE_TYPE = "m1.small"
DEFAULT_ROOT_DEV_NAME = "/dev/sda1"
DEFAULT_AVAILABILITY_ZONE = "nova"


class CloudController:
    """The slice of ``nova.api.ec2.cloud.CloudController`` a launch goes through."""

    def __init__(
        self, store: MappingStore, image_service: S3ImageService, compute_api: RecordingComputeAPI
    ) -> None:
        self.store = store
        self.image_service = image_service
        self.compute_api = compute_api

    def run_instances(self, context: RequestContext, **kwargs: Any) -> dict[str, Any]:
        min_count = int(kwargs.get("min_count", 1))
        if kwargs.get("kernel_id"):
            kernel = self._get_image(kwargs["kernel_id"])
            kwargs["kernel_id"] = id_mappings.id_to_glance_id(self.store, kernel["id"])
        if kwargs.get("ramdisk_id"):
            ramdisk = self._get_image(kwargs["ramdisk_id"])
            kwargs["ramdisk_id"] = id_mappings.id_to_glance_id(self.store, ramdisk["id"])
        for bdm in kwargs.get("block_device_mapping", []):
            parse_block_device_mapping(self.store, bdm)
        image = self._get_image(kwargs["image_id"])
        image_uuid = id_mappings.id_to_glance_id(self.store, image["id"])
        if not image:
            raise ImageNotFoundEC2(image_id=kwargs["image_id"])
        image_state = self._get_image_state(image)
        if image_state != "available":
            raise EC2APIError("Image must be available")
        instances, reservation_id = self.compute_api.create(
            context,
            instance_type=self.get_instance_type_by_name(kwargs.get("instance_type")),
            image_href=image_uuid,
            max_count=int(kwargs.get("max_count", min_count)),
            min_count=min_count,
            kernel_id=kwargs.get("kernel_id"),
            ramdisk_id=kwargs.get("ramdisk_id"),
            key_name=kwargs.get("key_name"),
            user_data=kwargs.get("user_data"),
            security_group=kwargs.get("security_group"),
            availability_zone=kwargs.get("placement", {}).get("availability_zone"),
            block_device_mapping=kwargs.get("block_device_mapping", {}),
        )
        return self._format_run_instances(context, reservation_id, instances)

    def _get_image(self, ec2_id: Any) -> Image:
        """By id, else by name (first match, no type check), then the id's type-prefix check."""
        try:
            internal_id = ec2ids.ec2_id_to_id(ec2_id)
            image = self.image_service.show(internal_id)
        except (InvalidEc2Id, ImageNotFound):
            images = self.image_service.detail(ec2_id)
            if not images:
                raise ImageNotFound(image_id=ec2_id) from None
            return images[0]
        if ec2ids.image_type(image.get("container_format")) != ec2_id.split("-")[0]:
            raise ImageNotFound(image_id=ec2_id)
        return image

    @staticmethod
    def _get_image_state(image: Image) -> Any:
        """``properties.image_state`` wins over the status; ``active`` reads ``available``."""
        state = image.get("status")
        if state == "active":
            state = "available"
        return image["properties"].get("image_state", state)

    def get_instance_type_by_name(self, name: Any) -> dict[str, Any]:
        """Nova's ``instance_types.get_instance_type_by_name``; None means the default flavor."""
        if name is None:
            return self.get_instance_type_by_name(self.default_instance_type_name())
        found = self.store.instance_type(name) if isinstance(name, str) else None
        if found is None:
            raise InstanceTypeNotFoundByName(instance_type_name=name)
        return found

    def default_instance_type_name(self) -> str:
        """``CONF.default_instance_type``: the seed's flavor marked default, else ``m1.small``."""
        name = self.store.default_instance_type()
        return DEFAULT_INSTANCE_TYPE if name is None else name

    def _format_run_instances(
        self, context: RequestContext, reservation_id: str, instances: list[Instance]
    ) -> dict[str, Any]:
        """The single reservation of ``_format_instances``; no instance at all fails its assert."""
        assert instances, "no instance in reservation"
        first = instances[0]
        group_set = [{"groupId": name} for name in first.security_groups] or None
        return {
            "reservationId": reservation_id,
            "ownerId": context.project_id,
            "groupSet": group_set,
            "instancesSet": [self._format_instance(context, instance) for instance in instances],
        }

    def _format_instance(self, context: RequestContext, instance: Instance) -> dict[str, Any]:
        item: dict[str, Any] = {
            "instanceId": ec2ids.id_to_ec2_id(instance.ec2_int_id),
            "imageId": id_mappings.glance_id_to_ec2_id(self.store, instance.image_ref),
        }
        if instance.kernel_id:
            item["kernelId"] = id_mappings.glance_id_to_ec2_id(
                self.store, instance.kernel_id, EC2_ID_PREFIXES["kernels"]
            )
        if instance.ramdisk_id:
            item["ramdiskId"] = id_mappings.glance_id_to_ec2_id(
                self.store, instance.ramdisk_id, EC2_ID_PREFIXES["ramdisks"]
            )
        item["instanceState"] = {"code": 0, "name": "pending"}
        key_name = instance.key_name
        if context.is_admin:
            key_name = f"{key_name} ({instance.project_id}, {instance.host})"
        root_device_name = instance.root_device_name or DEFAULT_ROOT_DEV_NAME
        item.update(
            {
                "privateDnsName": instance.hostname,
                "privateIpAddress": None,
                "publicDnsName": None,
                "ipAddress": None,
                "dnsName": instance.hostname,
                "keyName": key_name,
                "productCodesSet": None,
                "instanceType": instance.instance_type["name"],
                "launchTime": instance.created_at,
                "amiLaunchIndex": instance.launch_index,
                "rootDeviceName": root_device_name,
            }
        )
        item.update(self._format_instance_bdm(instance, root_device_name))
        item["placement"] = {
            "availabilityZone": instance.availability_zone or DEFAULT_AVAILABILITY_ZONE
        }
        return item

    def _format_instance_bdm(self, instance: Instance, root_device_name: Any) -> dict[str, Any]:
        """Only rows with a volume show; a snapshot or a volume on the root device makes it ``ebs``.

        Nova's loop skipped volume-less rows before its root check, so a root device backed
        by a snapshot alone read ``instance-store`` until compute had made the volume; the
        reference's rule (snapshot or volume) is what launch-sim answers. Nova rendered the
        volume's unset attach time as an empty ``<attachTime/>``, which boto3 cannot parse
        as a timestamp; launch-sim gives the launch time, and the volume status
        ``detached`` (there is no volume service to ask).
        """
        root_device_type = "instance-store"
        mapping = []
        for bdm in instance.block_device_mapping:
            if bdm["no_device"]:
                continue
            volume_id = bdm["volume_id"]
            if bdm["device_name"] == root_device_name and (bdm["snapshot_id"] or volume_id):
                if volume_id is not None:
                    assert not bdm["virtual_name"], "a volume root device with a virtual name"
                root_device_type = "ebs"
            if volume_id is None:
                continue
            mapping.append(
                {
                    "deviceName": bdm["device_name"],
                    "ebs": {
                        "volumeId": id_mappings.id_to_ec2_vol_id(volume_id, self.store),
                        "deleteOnTermination": bdm["delete_on_termination"],
                        "attachTime": instance.created_at,
                        "status": "detached",
                    },
                }
            )
        result: dict[str, Any] = {"rootDeviceType": root_device_type}
        if mapping:
            result["blockDeviceMapping"] = mapping
        return result
