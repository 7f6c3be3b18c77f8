"""A failing step says what it expected and what it found, values written as JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator import Simulator, steps
from simulator.contracts import ContractRegistry, default_registry
from simulator.launch_world import LaunchWorld

ROOT = Path(__file__).resolve().parent.parent


def test_values_are_shown_as_json() -> None:
    world = LaunchWorld(Simulator.from_seed())
    world.launch({"image_id": "ami-00000001"})
    with pytest.raises(
        AssertionError, match=r'^expected ipAddress = "é" in every instance, but found \[null\]$'
    ):
        steps.every_instance_field(world, "ipAddress", '"é"')


def test_a_datetime_is_shown_as_text() -> None:
    world = LaunchWorld(Simulator.from_seed())
    world.launch({"image_id": "ami-00000001"})
    with pytest.raises(
        AssertionError, match=r'^expected launchTime = "x" in every instance, but found \["\d{4}-'
    ):
        steps.every_instance_field(world, "launchTime", '"x"')


def test_an_unknown_error_shows_the_cause_launch_sim_launch_shows() -> None:
    world = LaunchWorld(Simulator.from_seed())
    world.launch(
        {
            "image_id": "ami-00000001",
            "block_device_mapping": [
                {"device_name": "/dev/vdb", "ebs": {"volume_id": "vol-87654321"}}
            ],
        }
    )
    with pytest.raises(AssertionError) as failure:
        steps.launch_succeeds(world)
    first, cause = str(failure.value).splitlines()
    assert "EC2 error 'UnknownError'" in first
    assert cause.startswith("  launch failed: UnknownError: ")
    assert "(cause: ContractViolation: create_call contract violated: " in cause
    assert "/block_device_mapping/0/volume_id: 'vol-87654321'" in cause


def test_a_query_step_shows_the_cause_too() -> None:
    """The same hidden cause after ``When I send the EC2 query:``, the HTTP path."""
    world = LaunchWorld(Simulator.from_seed())
    world.send_query(
        [
            ("Action", "RunInstances"),
            ("ImageId", "ami-00000001"),
            ("BlockDeviceMapping.1.DeviceName", "/dev/vdb"),
            ("BlockDeviceMapping.1.Ebs.VolumeId", "vol-87654321"),
        ]
    )
    with pytest.raises(AssertionError) as failure:
        steps.launch_succeeds(world)
    first, cause = str(failure.value).splitlines()
    assert "EC2 error 'UnknownError'" in first
    assert "(cause: ContractViolation: create_call contract violated: " in cause


def test_a_launch_without_an_unknown_error_has_no_cause_line() -> None:
    world = LaunchWorld(Simulator.from_seed())
    world.launch({"image_id": "ami-000000ff"})
    with pytest.raises(AssertionError) as failure:
        steps.launch_succeeds(world)
    assert "\n" not in str(failure.value)


@pytest.mark.parametrize("page", ["README.md", "docs/steps.md"])
def test_both_volume_forms_are_documented(page: str) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    assert '"ebs": {"snapshot_id": "vol-' in text
    assert "BlockDeviceMapping.1.Ebs.SnapshotId" in text
    assert '"ebs": {"volume_id": "vol-' in text


def test_the_schema_step_checks_the_shipped_contract_whatever_the_simulator_checks(
    tmp_path: Path,
) -> None:
    """A simulator given a permissive create-call schema lets a call outside the shipped
    contract through; the step, which checks the shipped one, fails on it."""
    shipped = default_registry().directory
    for schema in shipped.glob("*.schema.json"):
        (tmp_path / schema.name).write_bytes(schema.read_bytes())
    (tmp_path / "create_call.schema.json").write_text("{}", encoding="utf-8")
    world = LaunchWorld(Simulator.from_seed(contracts=ContractRegistry(tmp_path)))
    world.launch(
        {
            "image_id": "ami-00000001",
            "block_device_mapping": [{"device_name": 5, "virtual_name": "ephemeral0"}],
        }
    )
    steps.launch_succeeds(world)
    with pytest.raises(AssertionError, match="/block_device_mapping/0/device_name"):
        steps.create_call_schema(world)
