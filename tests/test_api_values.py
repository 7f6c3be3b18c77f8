"""Whatever a Python caller passes to ``run_instances``, only an EC2Error leaves it."""

from __future__ import annotations

import contextlib
import copy
import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest
from controller_kwargs import RUN_INSTANCES_KWARGS

from simulator import EC2Error, Simulator
from simulator.errors import UnknownError


class NoCopy:
    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        raise RuntimeError("no copy")


class Unlistable(list[Any]):
    def __iter__(self) -> Any:
        raise OSError("no items")


VALUES: dict[str, Callable[[], Any]] = {
    "lock": threading.Lock,
    "generator": lambda: (n for n in range(3)),
    "memoryview": lambda: memoryview(b"ami-00000001"),
    "in-a-list": lambda: [{"device_name": "/dev/vdb", "ebs": threading.Lock()}],
    "in-a-dict": lambda: {"availability_zone": (n for n in range(1))},
    "no-deepcopy": NoCopy,
    "unlistable": lambda: Unlistable([1]),
}


@pytest.mark.parametrize("value", VALUES.values(), ids=VALUES.keys())
@pytest.mark.parametrize("name", RUN_INSTANCES_KWARGS)
def test_a_value_that_cannot_be_copied_is_an_ec2_error(
    sim: Simulator, name: str, value: Callable[[], Any]
) -> None:
    kwargs = {"image_id": "ami-00000001", name: value()}
    with contextlib.suppress(EC2Error):
        sim.run_instances(**kwargs)


def test_a_lock_is_unknown_error_caused_by_the_copy(
    sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, "launch_sim.api"), pytest.raises(UnknownError) as raised:
        sim.run_instances(image_id="ami-00000001", key_name=threading.Lock())
    assert isinstance(raised.value.cause, TypeError)
    assert raised.value.code == "UnknownError"
    assert not sim.compute.calls
    assert [record.getMessage() for record in caplog.records] == [
        "launch-sim: unexpected TypeError became UnknownError"
    ]
    with pytest.raises(TypeError):
        copy.deepcopy(threading.Lock())
