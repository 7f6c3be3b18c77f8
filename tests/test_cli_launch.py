"""``launch-sim launch`` and the ``Simulator.run_instances`` it calls: any request key and
any depth of nesting ends as an EC2 error (exit 1), never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simulator import Simulator
from simulator.api import refuse_deep_values
from simulator.cli import main
from simulator.context import RequestContext
from simulator.ec2query import parse_query
from simulator.errors import EC2Error, RequestTooLarge, UnknownError
from simulator.limits import DEFAULT_LIMITS

LIMIT = DEFAULT_LIMITS.max_key_dots


def nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("key", ["self", "context"])
def test_a_request_key_naming_a_python_parameter_fails_as_in_nova(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str
) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps({"image_id": "ami-00000001", key: 1}))
    assert main(["launch", "--memory", str(path)]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["error"]["code"] == "UnknownError"
    assert captured.err.count("\n") == 1
    assert "(cause: TypeError: " in captured.err and f"argument '{key}'" in captured.err


@pytest.mark.parametrize("value", [{}, None, RequestContext()])
def test_a_context_kwarg_is_never_taken_as_the_request_context(value: object) -> None:
    sim = Simulator.from_seed()
    with pytest.raises(UnknownError) as raised:
        sim.run_instances(image_id="ami-00000001", context=value)
    assert isinstance(raised.value.cause, TypeError)
    assert not sim.compute.calls


def test_the_request_context_is_still_passed_positionally() -> None:
    sim = Simulator.from_seed()
    result = sim.run_instances(RequestContext("alice", "web"), image_id="ami-00000001")
    assert result["ownerId"] == "web"


def test_a_value_nested_past_the_query_limit_is_request_too_large(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps({"image_id": "ami-00000001", "key_name": nested(600)}))
    assert main(["launch", "--memory", str(path)]) == 1
    captured = capsys.readouterr()
    error = json.loads(captured.out)["error"]
    assert error == {
        "code": "RequestTooLarge",
        "message": f"Parameter key_name is nested more than {LIMIT} levels deep; "
        f"at most {LIMIT} are accepted",
    }
    assert captured.err.count("\n") == 1


def test_the_python_api_allows_exactly_the_depth_a_query_parameter_can_reach() -> None:
    deepest = "BlockDeviceMapping.1" + ".Ebs" * (LIMIT - 1)
    kwargs = parse_query([("Action", "RunInstances"), (deepest, "x")]).kwargs
    refuse_deep_values(kwargs)
    refuse_deep_values({"key_name": nested(LIMIT), "placement": {"a": nested(LIMIT - 1)}})
    with pytest.raises(RequestTooLarge, match=f"nested more than {LIMIT} levels"):
        refuse_deep_values({"placement": {"a": nested(LIMIT)}})
    with pytest.raises(EC2Error):
        Simulator.from_seed().run_instances(image_id="ami-00000001", key_name=nested(100_000))
