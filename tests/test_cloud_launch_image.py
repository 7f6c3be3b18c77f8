"""RunInstances passes its images on by the uuid their s3 id was just looked up by: the same
uuid as reading the s3 row again (``id_to_glance_id(image['id'])``), as Nova did."""

from __future__ import annotations

from typing import Any

import pytest

from simulator import id_mappings
from simulator.api import Simulator
from simulator.errors import ImageNotFound
from simulator.images import Image, S3ImageService
from simulator.store import MappingTable

MACHINE = "70a599e0-31e7-49b7-b260-868f441e862b"
KERNEL = "155d900f-4e14-4e4c-a73d-069cbf4541e6"


def _simulator() -> Simulator:
    return Simulator.from_seed(
        {
            "images": [
                {"ec2_id": "ami-00000001", "uuid": MACHINE, "name": "cirros", "status": "active",
                 "container_format": "ami", "properties": {"kernel_id": KERNEL}},
                {"ec2_id": "aki-00000002", "uuid": KERNEL, "name": "cirros-kernel",
                 "status": "active", "container_format": "aki", "properties": {}},
            ],
            "instance_types": [{"name": "m1.small", "flavorid": "2", "memory_mb": 2048,
                                "root_gb": 20, "vcpus": 1}],
        }
    )  # fmt: skip


@pytest.mark.parametrize(
    ("ec2_id", "by_id"),
    [("ami-00000001", True), ("aki-00000002", True), ("cirros", False), ("cirros-kernel", False)],
)
def test_the_uuid_an_image_brings_is_the_one_its_s3_row_maps_back_to(
    ec2_id: str, by_id: bool
) -> None:
    sim = _simulator()
    image, uuid = sim.cloud._get_image(ec2_id)
    assert (uuid is not None) is by_id
    launched, launched_uuid = sim.cloud._launch_image(ec2_id)
    assert launched_uuid == id_mappings.id_to_glance_id(sim.store, launched["id"])
    assert launched_uuid == (uuid or id_mappings.id_to_glance_id(sim.store, image["id"]))


def test_a_second_s3_row_for_an_image_still_passes_on_its_uuid() -> None:
    sim = _simulator()
    sim.store.add_mapping(MappingTable.S3_IMAGES, MACHINE, 9)
    image, uuid = sim.cloud._launch_image("ami-00000009")
    assert image["id"] == 1 and uuid == MACHINE


class _NumberedGlance:
    """A Glance answering a number for an image's id (Glance v1 only ever held text)."""

    def show(self, image_uuid: str) -> Image:
        return {"id": 5, "container_format": "ami", "status": "active", "properties": {}}

    def detail(self, name: str) -> list[Image]:
        return []


def test_an_image_whose_glance_id_is_no_text_is_passed_on_by_its_row() -> None:
    sim = _simulator()
    cloud: Any = sim.cloud
    cloud.image_service = S3ImageService(sim.store, _NumberedGlance())
    image, uuid = cloud._get_image("ami-00000001")
    assert uuid is None
    assert (
        cloud._launch_image("ami-00000001")[1]
        == "5"
        == sim.store.mapping_uuid(MappingTable.S3_IMAGES, image["id"])
    )


def test_an_unknown_image_is_not_found_either_way() -> None:
    sim = _simulator()
    with pytest.raises(ImageNotFound):
        sim.cloud._launch_image("ami-000000ff")
