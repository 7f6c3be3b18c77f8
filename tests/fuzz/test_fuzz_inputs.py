"""Fuzzing every input surface: no 5xx, no traceback, only well-formed EC2 answers, and the
answer the input should get.

The service answers every failure as an EC2 document by construction (an unexpected
exception is ``UnknownError``), so "no 5xx" alone would pass with a launch path that always
fails. Two oracles close that gap: launches generated from the seed's rows (valid ones must
succeed with the create call worked out here from Nova's rules; ones with a single defect
must get that defect's code and message), and the unexpected exceptions the simulator logs
(``launch_sim.api``), which may only be Python's own errors where Nova's code meets a value
of the wrong shape, as in Nova.

Run bounded in CI (``nox -s fuzz``) and longer with ``-- --hypothesis-profile=long``;
``--hypothesis-show-statistics`` reports the cases tried.
"""

from __future__ import annotations

import io
import json
import string
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from controller_kwargs import RUN_INSTANCES_KWARGS
from fuzz_strategies import JSON
from hypothesis import given
from hypothesis import strategies as st
from unexpected_failures import only_nova_failures

from simulator import EC2Error, Simulator
from simulator.contracts import default_registry
from simulator.errors import BadInput, UnknownError
from simulator.server import EC2App
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
    with only_nova_failures():
        outcome = SERVICE.handle(params)
    check_answer(outcome.status, outcome.body)
    if outcome.status == 200:
        for call in outcome.create_calls:
            assert default_registry().validate("create_call", call.to_dict()) == []


@given(st.lists(st.tuples(KEYS, VALUES), max_size=25))
def test_query_parameters_without_the_usual_keys(params: list[tuple[str, str]]) -> None:
    with only_nova_failures():
        outcome = SERVICE.handle(params)
    check_answer(outcome.status, outcome.body)


KWARG_NAMES = st.sampled_from(RUN_INSTANCES_KWARGS)


@given(st.dictionaries(KWARG_NAMES, JSON, max_size=6))
def test_run_instances_kwargs(kwargs: dict[str, Any]) -> None:
    kwargs.setdefault("image_id", "ami-00000001")
    try:
        with only_nova_failures() as unexpected:
            SIM.run_instances(**kwargs)
    except UnknownError as exc:
        assert exc.cause is not None and unexpected == [type(exc.cause).__name__]
        return
    except EC2Error as exc:
        assert exc.code and exc.message and unexpected == []
        return
    assert default_registry().validate("create_call", SIM.compute.calls[-1].to_dict()) == []


# --- the oracle: launches built from the seed's rows, and what they must get ------------------

SEED = json.loads((Path(__file__).resolve().parents[2] / "fixtures/seed/default.json").read_text())
IMAGES = {image["ec2_id"]: image["uuid"] for image in SEED["images"]}
SNAPSHOTS = {row["ec2_id"]: row["uuid"] for row in SEED["snapshots"]}
VOLUMES = {row["ec2_id"]: row["uuid"] for row in SEED["volumes"]}
FLAVORS = {flavor["name"]: flavor for flavor in SEED["instance_types"]}
DEFAULT_FLAVOR = next(flavor for flavor in SEED["instance_types"] if flavor.get("default"))
SMALL_FLAVORS = ["m1.tiny", "m1.small", "m1.medium"]
"""Three instances of any fit the default quotas, so a valid launch gets all it asked for."""
DEVICES = ["/dev/vdb", "/dev/vdc", "/dev/sdb", "/dev/fake0", "xvdd", "/dev/vdz"]


@dataclass
class Launch:
    """A launch as run_instances kwargs and as query parameters, with the create call and
    instance count Nova's rules give it (worked out here, not by the simulator)."""

    kwargs: dict[str, Any]
    params: list[tuple[str, str]]
    create_call: dict[str, Any]
    instances: int


def _query_value(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _query(kwargs: dict[str, Any]) -> list[tuple[str, str]]:
    """The EC2 query a client sends for ``kwargs`` (Nova's dotted keys, CamelCase)."""
    names = {
        "image_id": "ImageId",
        "min_count": "MinCount",
        "max_count": "MaxCount",
        "instance_type": "InstanceType",
        "kernel_id": "KernelId",
        "key_name": "KeyName",
        "user_data": "UserData",
    }
    params = [("Action", "RunInstances")]
    params += [(names[key], str(value)) for key, value in kwargs.items() if key in names]
    for number, mapping in enumerate(kwargs.get("block_device_mapping", []), start=1):
        prefix = f"BlockDeviceMapping.{number}."
        params.append((prefix + "DeviceName", mapping["device_name"]))
        for key, value in mapping.get("ebs", {}).items():
            camel = "".join(part.title() for part in key.split("_"))
            params.append((f"{prefix}Ebs.{camel}", _query_value(value)))
        if "virtual_name" in mapping:
            params.append((prefix + "VirtualName", mapping["virtual_name"]))
        if "no_device" in mapping:
            params.append((prefix + "NoDevice", "true"))
    return params


@st.composite
def mappings(draw: st.DrawFn, volumes: bool) -> tuple[list[Any], list[Any]]:
    """Block device mappings of the seed's snapshots and volumes, ephemerals and no-devices,
    and what Nova's ``_parse_block_device_mapping`` makes of each: an EC2 id becomes its
    uuid (``snapshot_id`` or ``volume_id``), ``delete_on_termination`` defaults to True."""
    request: list[dict[str, Any]] = []
    expected: list[dict[str, Any]] = []
    kinds = ["snapshot", "ephemeral", "no_device", *(["volume"] if volumes else [])]
    for device in draw(st.lists(st.sampled_from(DEVICES), unique=True, max_size=4)):
        kind = draw(st.sampled_from(kinds))
        if kind in ("snapshot", "volume"):
            rows = SNAPSHOTS if kind == "snapshot" else VOLUMES
            ec2_id = draw(st.sampled_from(sorted(rows)))
            ebs: dict[str, Any] = {"snapshot_id": ec2_id}
            result: dict[str, Any] = {"device_name": device, f"{kind}_id": rows[ec2_id]}
            if draw(st.booleans()):
                ebs["volume_size"] = result["volume_size"] = draw(st.integers(1, 100))
            delete = draw(st.none() | st.booleans())
            if delete is not None:
                ebs["delete_on_termination"] = delete
            result["delete_on_termination"] = True if delete is None else delete
            request.append({"device_name": device, "ebs": ebs})
            expected.append(result)
        elif kind == "ephemeral":
            virtual = draw(st.sampled_from(["ephemeral0", "ephemeral1", "swap"]))
            request.append({"device_name": device, "virtual_name": virtual})
            expected.append({"device_name": device, "virtual_name": virtual})
        else:
            request.append({"device_name": device, "no_device": True})
            expected.append({"device_name": device, "no_device": True})
    return request, expected


@st.composite
def valid_launches(draw: st.DrawFn) -> Launch:
    max_count = draw(st.integers(1, 3))
    min_count = draw(st.integers(1, max_count))
    request, expected = draw(mappings(volumes=max_count == 1))
    kwargs: dict[str, Any] = {
        "image_id": "ami-00000001",
        "min_count": min_count,
        "max_count": max_count,
    }
    call: dict[str, Any] = {
        "instance_type": DEFAULT_FLAVOR,
        "image_href": IMAGES["ami-00000001"],
        "min_count": min_count,
        "max_count": max_count,
        "kernel_id": None,
        "ramdisk_id": None,
        "key_name": None,
        "user_data": None,
        "security_group": None,
        "availability_zone": None,
        "block_device_mapping": expected or {},
    }
    if request:
        kwargs["block_device_mapping"] = request
    flavor = draw(st.none() | st.sampled_from(SMALL_FLAVORS))
    if flavor is not None:
        kwargs["instance_type"] = flavor
        call["instance_type"] = FLAVORS[flavor]
    if draw(st.booleans()):
        kwargs["kernel_id"] = "aki-00000002"
        call["kernel_id"] = IMAGES["aki-00000002"]
    key = draw(st.none() | st.text(string.ascii_letters + string.digits, max_size=8))
    if key is not None:
        # "key-" keeps Nova's query parsing from reading it as a number, a bool or None.
        kwargs["key_name"] = call["key_name"] = f"key-{key}"
    return Launch(kwargs, _query(kwargs), call, max_count)


def _absent(rows: dict[str, str], prefix: str) -> st.SearchStrategy[str]:
    return (
        st.integers(1, 2**32 - 1).map(lambda n: f"{prefix}-{n:08x}").filter(lambda i: i not in rows)
    )


@st.composite
def defective_launches(draw: st.DrawFn) -> tuple[Launch, str, str, int]:
    """A valid one-instance launch with one defect, its EC2 code and message as Nova words
    them (nova/exception.py), and the create calls made before it is found (only the
    volume check is compute's own, after the call)."""
    launch = draw(valid_launches().filter(lambda launch: launch.instances == 1))
    kwargs = launch.kwargs
    defect = draw(st.sampled_from(["image", "kernel", "snapshot", "volume", "flavor", "shared"]))
    calls = 0
    if defect == "image":
        kwargs["image_id"] = draw(_absent(IMAGES, "ami").filter(lambda i: int(i[4:], 16) > 3))
        code, message = "ImageNotFound", f"Image {kwargs['image_id']} could not be found."
    elif defect == "kernel":
        kwargs["kernel_id"] = draw(_absent(IMAGES, "aki").filter(lambda i: int(i[4:], 16) > 3))
        code, message = "ImageNotFound", f"Image {kwargs['kernel_id']} could not be found."
    elif defect in ("snapshot", "volume"):
        prefix = "snap" if defect == "snapshot" else "vol"
        missing = draw(_absent(SNAPSHOTS if defect == "snapshot" else VOLUMES, prefix))
        bad = {"device_name": "/dev/vdy", "ebs": {"snapshot_id": missing}}
        kwargs["block_device_mapping"] = [*kwargs.get("block_device_mapping", []), bad]
        code = "SnapshotNotFound" if defect == "snapshot" else "VolumeNotFound"
        message = f"{defect.title()} {missing} could not be found."
    elif defect == "flavor":
        # "m9." keeps Nova's query parsing from reading the name as a number (INFINITY, 1e5).
        name = "m9." + draw(st.text(string.ascii_letters + ".", max_size=12))
        kwargs["instance_type"] = name
        code = "InstanceTypeNotFoundByName"
        message = f"Instance type with name {name} could not be found."
    else:
        volume = {"device_name": "/dev/vdy", "ebs": {"snapshot_id": "vol-87654321"}}
        kwargs["block_device_mapping"] = [*kwargs.get("block_device_mapping", []), volume]
        kwargs["max_count"] = draw(st.integers(2, 3))
        code, message = "InvalidRequest", "Cannot attach one or more volumes to multiple instances"
        calls = 1
    return Launch(kwargs, _query(kwargs), {}, 0), code, message, calls


@given(valid_launches())
def test_a_valid_launch_gets_its_create_call_and_instances(launch: Launch) -> None:
    sim = Simulator.from_seed()
    with only_nova_failures() as unexpected:
        reservation = sim.run_instances(**launch.kwargs)
    assert unexpected == []
    assert [call.to_dict() for call in sim.compute.calls] == [launch.create_call]
    ids = [item["instanceId"] for item in reservation["instancesSet"]]
    assert ids == [f"i-{n:08x}" for n in range(1, launch.instances + 1)]


@given(defective_launches())
def test_a_launch_with_one_defect_gets_its_error(case: tuple[Launch, str, str, int]) -> None:
    launch, code, message, calls = case
    sim = Simulator.from_seed()
    with only_nova_failures() as unexpected, pytest.raises(EC2Error) as raised:
        sim.run_instances(**launch.kwargs)
    assert (raised.value.code, raised.value.message) == (code, message)
    assert (len(sim.compute.calls), unexpected) == (calls, [])


def over_http(sim: Simulator, params: list[tuple[str, str]]) -> tuple[int, ET.Element]:
    """POST ``params`` to the WSGI app the server runs, as a form."""
    body = urllib.parse.urlencode(params).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8773",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
    }
    status: list[str] = []
    answer = b"".join(EC2App(EC2Service(sim))(environ, lambda s, h: status.append(s)))
    return int(status[0].split()[0]), ET.fromstring(answer)


@given(valid_launches())
def test_a_valid_launch_over_http_gets_its_create_call_and_instances(launch: Launch) -> None:
    sim = Simulator.from_seed()
    with only_nova_failures() as unexpected:
        status, answer = over_http(sim, launch.params)
    assert (status, unexpected) == (200, [])
    ids = [
        item.text for item in answer.iter("{http://ec2.amazonaws.com/doc/2012-08-15/}instanceId")
    ]
    assert ids == [f"i-{n:08x}" for n in range(1, launch.instances + 1)]
    assert [call.to_dict() for call in sim.compute.calls] == [launch.create_call]


@given(defective_launches())
def test_a_launch_with_one_defect_over_http_gets_its_error(
    case: tuple[Launch, str, str, int],
) -> None:
    launch, code, message, calls = case
    sim = Simulator.from_seed()
    with only_nova_failures() as unexpected:
        status, answer = over_http(sim, launch.params)
    assert (status, answer.findtext("Errors/Error/Code")) == (400, code)
    assert answer.findtext("Errors/Error/Message") == message
    assert (len(sim.compute.calls), unexpected) == (calls, [])


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
