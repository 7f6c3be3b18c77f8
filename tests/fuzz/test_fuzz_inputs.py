"""Fuzzing every input surface: no 5xx, no traceback, only well-formed EC2 answers.

Run bounded in CI (``nox -s fuzz``) and longer with ``-- --hypothesis-profile=long``;
``--hypothesis-show-statistics`` reports the cases tried.
"""

from __future__ import annotations

import json
import string
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from fuzz_strategies import JSON
from hypothesis import given
from hypothesis import strategies as st

from simulator import EC2Error, Simulator
from simulator.contracts import default_registry
from simulator.errors import BadInput
from simulator.service import EC2Service

pytestmark = pytest.mark.fuzz

SIM = Simulator.from_seed()
SERVICE = EC2Service(SIM)
NAMES = [
    "Action",
    "Version",
    "ImageId",
    "MinCount",
    "MaxCount",
    "KernelId",
    "RamdiskId",
    "InstanceType",
    "KeyName",
    "UserData",
    "SecurityGroup.1",
    "SecurityGroup.2",
    "Placement.AvailabilityZone",
    "BlockDeviceMapping.1.DeviceName",
    "BlockDeviceMapping.1.Ebs.SnapshotId",
    "BlockDeviceMapping.1.Ebs.VolumeSize",
    "BlockDeviceMapping.1.Ebs.DeleteOnTermination",
    "BlockDeviceMapping.1.Ebs.NoDevice",
    "BlockDeviceMapping.1.VirtualName",
    "BlockDeviceMapping.10.DeviceName",
    "BlockDeviceMapping.2.Ebs.SnapshotId",
    "ClientToken",
    "image_id",
    "size",
    "user_data",
    "Timestamp",
    "Expires",
    "Signature",
    "AWSAccessKeyId",
]
VALUES = st.one_of(
    st.sampled_from(
        [
            "RunInstances",
            "ami-00000001",
            "aki-00000002",
            "ari-00000003",
            "snap-12345678",
            "vol-87654321",
            "snap-zz",
            "SNAP-1",
            "/dev/sda1",
            "ephemeral0",
            "swap",
            "m1.small",
            "None",
            "true",
            "FALSE",
            "010",
            "08",
            "0x1f",
            "-0x1",
            "1e-8",
            "nan",
            "inf",
            "",
            "cirros",
            "1",
            "2",
            "11",
            "-1",
            "0",
            "aGVsbG8=",
            "%%%",
            "DescribeImages",
        ]
    ),
    st.text(max_size=40),
    st.text(alphabet=string.digits + "xXbB.-e", max_size=12),
    st.just("A" * 70_000),
)
KEYS = st.one_of(
    st.sampled_from(NAMES),
    st.text(alphabet=string.ascii_letters + string.digits + "._-", min_size=1, max_size=30),
    st.lists(st.sampled_from(["Block", "Ebs", "1", "x", "Device"]), min_size=1, max_size=12).map(
        ".".join
    ),
    st.text(min_size=1, max_size=10),
)
PARAMS = st.lists(st.tuples(KEYS, VALUES), max_size=25).map(
    lambda pairs: [("Action", "RunInstances"), ("ImageId", "ami-00000001"), *pairs]
)


def check_answer(status: int, body: bytes) -> None:
    assert status < 500
    root = ET.fromstring(body)
    if status == 200:
        assert root.tag.endswith("Response") and root[0].tag.endswith("requestId")
        return
    assert root.tag == "Response"
    code, message = root.find("Errors/Error/Code"), root.find("Errors/Error/Message")
    assert code is not None and code.text and message is not None and message.text
    assert root.find("RequestID") is not None


@given(PARAMS)
def test_query_parameters(params: list[tuple[str, str]]) -> None:
    outcome = SERVICE.handle(params)
    check_answer(outcome.status, outcome.body)
    if outcome.status == 200:
        for call in outcome.create_calls:
            assert default_registry().validate("create_call", call.to_dict()) == []


@given(st.lists(st.tuples(KEYS, VALUES), max_size=25))
def test_query_parameters_without_the_usual_keys(params: list[tuple[str, str]]) -> None:
    outcome = SERVICE.handle(params)
    check_answer(outcome.status, outcome.body)


KWARG_NAMES = st.sampled_from(
    [
        "image_id",
        "min_count",
        "max_count",
        "kernel_id",
        "ramdisk_id",
        "instance_type",
        "key_name",
        "user_data",
        "security_group",
        "placement",
        "block_device_mapping",
    ]
)


@given(st.dictionaries(KWARG_NAMES, JSON, max_size=6))
def test_run_instances_kwargs(kwargs: dict[str, Any]) -> None:
    kwargs.setdefault("image_id", "ami-00000001")
    try:
        SIM.run_instances(**kwargs)
    except EC2Error as exc:
        assert exc.code and exc.message
        return
    assert default_registry().validate("create_call", SIM.compute.calls[-1].to_dict()) == []


SEED_SECTIONS = st.sampled_from(
    ["images", "snapshots", "volumes", "instances", "instance_types", "other"]
)
SEED_FIELDS = st.sampled_from(
    ["ec2_id", "uuid", "name", "status", "properties", "memory_mb", "vcpus", "root_gb"]
)
SEEDS = st.one_of(
    JSON,
    st.dictionaries(
        SEED_SECTIONS, st.lists(st.dictionaries(SEED_FIELDS, JSON), max_size=3), max_size=4
    ),
)


@given(SEEDS)
def test_seed_documents(tmp_path_factory: pytest.TempPathFactory, seed: Any) -> None:
    path: Path = tmp_path_factory.mktemp("seed") / "seed.json"
    path.write_text(json.dumps(seed))
    try:
        Simulator.from_seed(path)
    except BadInput as exc:
        assert "\n" not in str(exc) and str(path) in str(exc)


@given(st.binary(max_size=200))
def test_seed_files(tmp_path_factory: pytest.TempPathFactory, content: bytes) -> None:
    path: Path = tmp_path_factory.mktemp("seed") / "seed.json"
    path.write_bytes(content)
    try:
        Simulator.from_seed(path)
    except BadInput as exc:
        assert "\n" not in str(exc) and str(path) in str(exc)
    else:
        assert isinstance(json.loads(content), dict)
