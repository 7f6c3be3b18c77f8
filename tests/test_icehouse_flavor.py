"""Icehouse's ``instance_type``: ``obj_to_primitive(Flavor.get_by_name(...))`` (cloud:1331@I).

The primitive's keys are the Flavor object's fields that ``_from_db_object`` sets, coerced
as its fields coerce, with the ``instance_types`` column defaults for what a seed's row
leaves out; the older releases pass the row itself. Compute reads the same values either way.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from simulator import Simulator
from simulator.catalogue import flavor_primitive
from simulator.compute import CreateCall
from simulator.contracts import validate
from simulator.errors import EC2Error
from simulator.profiles import PROFILES, FlavorForm, Profile

FLAVOR_FIELDS = {
    "id",
    "name",
    "memory_mb",
    "vcpus",
    "root_gb",
    "ephemeral_gb",
    "flavorid",
    "swap",
    "rxtx_factor",
    "vcpu_weight",
    "disabled",
    "is_public",
    "extra_specs",
}
PERSISTENT_FIELDS = {"created_at", "updated_at", "deleted_at", "deleted"}
TINY = {"name": "m1.tiny", "flavorid": "1", "memory_mb": 512, "vcpus": 1, "root_gb": 0}


def _create_call(sim: Simulator) -> dict[str, Any]:
    call = sim.compute.calls[-1]
    assert isinstance(call, CreateCall)
    return call.to_dict()


def _row_form(profile: Profile) -> Profile:
    return replace(profile, flavor=replace(profile.flavor, create_call_form=FlavorForm.ROW))


def test_only_icehouse_passes_the_primitive() -> None:
    forms = {name: profile.flavor.create_call_form for name, profile in PROFILES.items()}
    assert forms == {
        "folsom": FlavorForm.ROW,
        "grizzly": FlavorForm.ROW,
        "havana": FlavorForm.ROW,
        "icehouse": FlavorForm.PRIMITIVE,
    }


def test_the_primitive_has_the_fields_obj_to_primitive_gives() -> None:
    """Every Flavor field but ``projects`` (not loaded by ``get_by_name``), and the four of
    ``NovaPersistentObject``; the seed's ``default`` marker is no column."""
    assert set(flavor_primitive({**TINY, "default": True})) == FLAVOR_FIELDS | PERSISTENT_FIELDS


def test_a_sparse_row_takes_the_column_defaults() -> None:
    assert flavor_primitive(TINY) == {
        **TINY,
        "id": 0,
        "ephemeral_gb": 0,
        "swap": 0,
        "rxtx_factor": 1.0,
        "vcpu_weight": 0,
        "disabled": False,
        "is_public": True,
        "extra_specs": {},
        "created_at": None,
        "updated_at": None,
        "deleted_at": None,
        "deleted": False,
    }


def test_the_fields_coerce_their_values() -> None:
    row = {
        "name": "odd",
        "flavorid": 7,
        "memory_mb": "2048",
        "vcpus": 2.0,
        "root_gb": True,
        "ephemeral_gb": None,
        "rxtx_factor": 2,
        "disabled": 0,
        "is_public": "",
        "deleted": 0,
        "extra_specs": {"hw:cpu": 4},
        "created_at": "2014-04-17T00:00:00",
    }
    primitive = flavor_primitive(row)
    assert (primitive["flavorid"], primitive["memory_mb"], primitive["vcpus"]) == ("7", 2048, 2)
    assert (primitive["root_gb"], primitive["ephemeral_gb"], primitive["rxtx_factor"]) == (
        1,
        0,
        2.0,
    )
    assert (primitive["disabled"], primitive["is_public"], primitive["deleted"]) == (
        False,
        False,
        False,
    )
    assert primitive["extra_specs"] == {"hw:cpu": "4"}
    assert primitive["created_at"] == "2014-04-17T00:00:00"


def test_icehouse_create_call_carries_the_primitive_and_satisfies_the_schema() -> None:
    sim = Simulator.from_seed(profile="icehouse")
    sim.run_instances(image_id="ami-00000001", instance_type="m1.tiny")
    call = _create_call(sim)
    assert call["instance_type"] == flavor_primitive(TINY)
    assert json.loads(json.dumps(call)) == call
    assert validate(call, "create_call") == []


@pytest.mark.parametrize("profile", ["folsom", "grizzly", "havana"])
def test_the_older_releases_pass_the_row_unchanged(profile: str) -> None:
    sim = Simulator.from_seed(profile=profile)
    sim.run_instances(image_id="ami-00000001", instance_type="m1.small")
    call = _create_call(sim)
    assert call["instance_type"] == sim.store.instance_type("m1.small")
    assert validate(call, "create_call") == []


LAUNCHES: list[dict[str, Any]] = [
    {"image_id": "ami-00000001", "instance_type": "m1.tiny"},
    {"image_id": "ami-00000001", "instance_type": "m1.off"},
    {"image_id": "ami-00000042", "instance_type": "m1.tiny"},
    {"image_id": "ami-00000042", "instance_type": "m1.small"},
    {"image_id": "ami-00000043", "instance_type": "m1.small"},
    {"image_id": "ami-00000043", "instance_type": "m1.large"},
    {"image_id": "ami-00000001", "instance_type": "m1.xlarge", "min_count": 3},
    {"image_id": "ami-00000001", "instance_type": "m1.bare"},
]


def _outcome(sim: Simulator, launch: dict[str, Any]) -> tuple[Any, ...]:
    try:
        answer = sim.run_instances(**launch)
    except EC2Error as exc:
        return ("error", exc.code, str(exc))
    items = answer["instancesSet"]
    return ("ok", [item["instanceType"] for item in items], len(items))


@pytest.mark.parametrize("launch", LAUNCHES)
def test_compute_reads_the_same_values_from_either_form(
    seed: dict[str, Any], launch: dict[str, Any]
) -> None:
    """Disabled flavor, min_ram, min_disk/root disk, quota and the answer's instanceType
    decide alike whether compute gets the row or the primitive."""
    machine = seed["images"][0]
    seed["images"] += [
        {
            **machine,
            "uuid": "42424242-0000-0000-0000-000000000042",
            "ec2_id": "ami-00000042",
            "name": "needs-ram",
            "min_ram": 1024,
        },
        {
            **machine,
            "uuid": "43434343-0000-0000-0000-000000000043",
            "ec2_id": "ami-00000043",
            "name": "needs-disk",
            "min_disk": 40,
        },
    ]
    seed["instance_types"] += [
        {
            "name": "m1.off",
            "flavorid": "9",
            "memory_mb": 64,
            "vcpus": 1,
            "root_gb": 1,
            "disabled": True,
        },
        {"name": "m1.bare", "memory_mb": 64, "vcpus": 1, "root_gb": 1},
    ]
    icehouse = PROFILES["icehouse"]
    as_primitive = _outcome(Simulator.from_seed(seed, profile=icehouse), launch)
    as_row = _outcome(Simulator.from_seed(seed, profile=_row_form(icehouse)), launch)
    assert as_primitive == as_row
