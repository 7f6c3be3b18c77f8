"""The create-call contract: every recorded call is checked; violations name JSON pointers."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import ContractViolation, Simulator
from simulator.cli import main
from simulator.contracts import ContractRegistry, default_registry, validate

VALID_CALL: dict[str, Any] = {
    "instance_type": {
        "name": "m1.small",
        "flavorid": "2",
        "memory_mb": 2048,
        "vcpus": 1,
        "root_gb": 20,
    },
    "image_href": "70a599e0-31e7-49b7-b260-868f441e862b",
    "min_count": 1,
    "max_count": 1,
    "kernel_id": None,
    "ramdisk_id": None,
    "key_name": None,
    "user_data": None,
    "security_group": None,
    "availability_zone": None,
    "block_device_mapping": {},
}


def test_valid_call() -> None:
    assert default_registry().validate("create_call", VALID_CALL) == []


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"image_href": "ami-00000001"}, "/image_href"),
        ({"block_device_mapping": {"x": 1}}, "/block_device_mapping"),
        (
            {"block_device_mapping": [{"device_name": "/dev/vdb", "ebs": {}}]},
            "/block_device_mapping/0/ebs",
        ),
        (
            {"block_device_mapping": [{"device_name": "/dev/vdb", "snapshot_id": "snap-1"}]},
            "/block_device_mapping/0/snapshot_id",
        ),
        (
            {"block_device_mapping": [{"device_name": "/dev/vdb", "virtual_name": "ephemeral"}]},
            "/block_device_mapping/0/virtual_name",
        ),
        (
            {"block_device_mapping": [{"device_name": "not a device"}]},
            "/block_device_mapping/0/device_name",
        ),
        ({"kernel_id": "aki-1"}, "/kernel_id"),
        ({"min_count": 1.5}, "/min_count"),
        ({"surprise": 1}, ""),
    ],
)
def test_violations_name_the_pointer(change: dict[str, Any], pointer: str) -> None:
    call = {**copy.deepcopy(VALID_CALL), **change}
    violations = default_registry().validate("create_call", call)
    assert violations and any(v.pointer == pointer for v in violations), violations
    with pytest.raises(ContractViolation) as caught:
        default_registry().check("create_call", call)
    assert (pointer or "/") in str(caught.value)
    assert caught.value.code == "UnknownError"


def test_a_launch_that_breaks_the_contract_raises_contract_violation(sim: Simulator) -> None:
    with pytest.raises(ContractViolation) as caught:
        sim.run_instances(
            image_id="ami-00000001",
            block_device_mapping=[{"device_name": "/dev/vdb", "virtual_name": "scratch"}],
        )
    assert caught.value.violations[0].pointer == "/block_device_mapping/0/virtual_name"
    assert sim.compute.calls[-1].block_device_mapping[0]["virtual_name"] == "scratch"


def test_registry_lists_the_shipped_schemas() -> None:
    assert {"create_call", "seed"} <= set(ContractRegistry().names())


@pytest.mark.parametrize("name", ["createcall", "../schemas/seed"])
def test_a_schema_name_no_schema_has_is_a_value_error_listing_the_known_ones(name: str) -> None:
    known = "known schemas are cassette, compute_call, create_call, launch_request, seed"
    with pytest.raises(ValueError, match=f"^no schema named {re.escape(repr(name))}: {known}$"):
        validate(VALID_CALL, name)
    with pytest.raises(ValueError, match=known):
        default_registry().validate(name, VALID_CALL)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(sorted(VALID_CALL)), json_values, max_size=3))
def test_fast_and_reference_validators_agree(change: dict[str, Any]) -> None:
    contract = default_registry()["create_call"]
    call = {**VALID_CALL, **change}
    assert contract.fast_is_valid(call) == (contract.reference_violations(call) == [])


def test_validate_picks_the_schema_a_record_is_meant_for(sim: Simulator) -> None:
    sim.run_instances(image_id="ami-00000001")
    assert validate(sim.compute.calls[-1].to_dict()) == []
    broken = {**VALID_CALL, "image_href": "ami-00000001"}
    assert [v.pointer for v in validate(broken)] == ["/image_href"]
    del broken["image_href"]
    assert [v.reason for v in validate(broken)] == ["'image_href' is a required property"]
    assert validate({"snapshots": [{"ec2_id": "snap-1"}]})[0].pointer == "/snapshots/0"
    assert validate({"format": 1}, "cassette"), "a named schema is used as named"


@pytest.mark.parametrize(
    "document",
    [
        [{"interactions": ["x" * 1_000_000]}],
        {"format": "launch-sim-cassette", "version": 1, "seed": {}, "interactions": "y" * 10**6},
        {"format": "launch-sim-cassette", "version": 1, "seed": {}, "z" * 10**6: 1},
    ],
    ids=["list-of-a-document", "huge-string", "huge-key"],
)
def test_a_violation_quotes_a_huge_value_in_a_line_a_person_reads(document: Any) -> None:
    """jsonschema writes the failing value's repr into its message: a cassette saved as a
    list, whose value is the whole file (up to 256 MiB), made a one-line error that long."""
    violations = default_registry().validate("cassette", document)
    assert violations
    for violation in violations:
        assert len(str(violation)) <= 400, str(violation)[:400]
        assert (
            violation.reason.endswith(
                (
                    "is not of type 'object'",
                    "is not of type 'array'",
                    "were unexpected)",
                    "was unexpected)",
                )
            )
            or "is a required property" in violation.reason
        ), violation.reason[-200:]


@pytest.mark.parametrize("command", ["replay", "validate", "scaffold"])
def test_a_cassette_saved_as_a_list_is_one_short_line_of_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    cassette = tmp_path / "list.json"
    cassette.write_text(json.dumps([{"interactions": ["x" * 1_000_000]}]))
    assert main([command, str(cassette)]) == 2
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).splitlines()
    assert 1 <= len(lines) <= 2 and all(len(line) < 400 for line in lines), lines
    assert "(1,000,0" in lines[0] and "is not of type 'object'" in lines[0]
