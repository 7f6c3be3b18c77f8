"""A failing step says what it expected and what it found, values written as JSON."""

from __future__ import annotations

import pytest

from simulator import Simulator, steps
from simulator.launch_world import LaunchWorld


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
