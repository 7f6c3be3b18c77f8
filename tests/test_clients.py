"""Real EC2 clients against launch-sim: boto3 over HTTP and in-process, and the AWS CLI.

The ``ec2`` fixture runs each test twice, over a real server on a free 127.0.0.1 port and
through ``mock_ec2``: the two transports must agree on everything a client can see.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import boto3
import botocore
import pytest
from aws_cli import aws_cli, run_aws
from botocore.config import Config
from botocore.exceptions import ClientError
from test_launch_path import WALKTHROUGH

from simulator import Simulator, mock_ec2
from simulator.auth import SignatureAuth
from simulator.errors import UNKNOWN_ERROR_MESSAGE
from simulator.server import EC2App, ServerHandle
from simulator.service import EC2Service
from simulator.store import MappingStore, MappingTable

ROOT = Path(__file__).resolve().parent.parent
KEY, SECRET = "ops:lab", "lab-secret"

# The walkthrough's seven mappings as boto3 sends them. boto3 has no ``Ebs.NoDevice``: it
# sends ``NoDevice=""``, which Nova's value conversion leaves as ``''``, so the normalized
# fake4 mapping carries ``no_device: ''`` where the walkthrough's kwargs (``no_device: True``)
# carry ``True``; every other mapping normalizes exactly as in the walkthrough.
BOTO3_WALKTHROUGH: list[dict[str, Any]] = json.loads(
    (
        Path(__file__).resolve().parent.parent / "fixtures/launches/walkthrough-boto3.json"
    ).read_text()
)["BlockDeviceMappings"]
NORMALIZED = [
    {"device_name": "/dev/fake4", "no_device": ""}
    if normalized["device_name"] == "/dev/fake4"
    else normalized
    for _, normalized in cast(list[tuple[Any, dict[str, Any]]], WALKTHROUGH)
]


def launch(ec2: Any, **params: Any) -> dict[str, Any]:
    reservation: dict[str, Any] = ec2.run_instances(
        **{"ImageId": "ami-00000001", "MinCount": 1, "MaxCount": 1, **params}
    )
    return reservation


def client(
    endpoint: str | None = None, key: str = "admin", secret: str = "admin", **config: Any
) -> Any:
    return boto3.session.Session().client(
        "ec2",
        region_name="nova",
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(**config) if config else None,
    )


@pytest.fixture
def launch_sim_seed(launch_sim_seed: dict[str, Any]) -> dict[str, Any]:
    """The default seed plus a queued image, for Nova's ``EC2APIError``."""
    launch_sim_seed["images"].append(
        {
            "ec2_id": "ami-00000010",
            "uuid": "0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f",
            "name": "queued",
            "status": "queued",
            "container_format": "ami",
            "properties": {},
        }
    )
    return launch_sim_seed


@pytest.fixture(params=["http", "in-process"])
def ec2(request: pytest.FixtureRequest) -> Any:
    if request.param == "http":
        return client(request.getfixturevalue("launch_sim_server"))
    return request.getfixturevalue("ec2_client")


@pytest.fixture
def sigv4_server(launch_sim: Simulator) -> Iterator[Callable[..., str]]:
    """Start ``--auth sigv4`` servers for ``launch_sim``, their clock off by ``skew``."""

    def start(skew: timedelta = timedelta(0)) -> str:
        authenticator = SignatureAuth({KEY: SECRET}, clock=lambda: datetime.now(UTC) + skew)
        app = EC2App(EC2Service(launch_sim), authenticator=authenticator)
        return stack.enter_context(ServerHandle(app)).endpoint

    with ExitStack() as stack:
        yield start


# --- launches ----------------------------------------------------------------------------------


def test_the_seven_walkthrough_mappings(ec2: Any, launch_sim: Simulator) -> None:
    reservation = launch(ec2, BlockDeviceMappings=BOTO3_WALKTHROUGH)
    assert launch_sim.compute.calls[-1].block_device_mapping == NORMALIZED
    shown = reservation["Instances"][0]["BlockDeviceMappings"]
    assert [
        (m["DeviceName"], m["Ebs"]["VolumeId"], m["Ebs"]["DeleteOnTermination"]) for m in shown
    ] == [("/dev/fake2", "vol-87654321", True), ("/dev/fake3", "vol-98765432", False)]


def test_boto3_parses_the_reservation(ec2: Any) -> None:
    reservation = launch(ec2, InstanceType="m1.tiny", MinCount=2, MaxCount=2)
    assert re.fullmatch(r"r-[a-z0-9]{8}", reservation["ReservationId"])
    assert reservation["OwnerId"] == "admin"
    assert reservation["Groups"] == [{"GroupId": "default"}]
    instances = reservation["Instances"]
    assert [i["InstanceId"] for i in instances] == ["i-00000001", "i-00000002"]
    assert [i["AmiLaunchIndex"] for i in instances] == [0, 1]
    first = instances[0]
    assert (first["ImageId"], first["KernelId"], first["RamdiskId"]) == (
        "ami-00000001",
        "aki-00000002",
        "ari-00000003",
    )
    assert first["State"] == {"Code": 0, "Name": "pending"}
    assert (first["InstanceType"], first["Placement"]) == ("m1.tiny", {"AvailabilityZone": "nova"})
    assert first["RootDeviceName"] == "/dev/sda1"
    assert isinstance(first["LaunchTime"], datetime)


ERRORS = [
    ({"ImageId": "ami-000000ff"}, "ImageNotFound", "Image ami-000000ff could not be found."),
    (
        {
            "BlockDeviceMappings": [
                {"DeviceName": "/dev/vdb", "Ebs": {"SnapshotId": "snap-000000ff"}}
            ]
        },
        "SnapshotNotFound",
        "Snapshot snap-000000ff could not be found.",
    ),
    (
        {"BlockDeviceMappings": [{"DeviceName": "/dev/vdb", "Ebs": {"SnapshotId": "vol-5"}}]},
        "VolumeNotFound",
        "Volume vol-00000005 could not be found.",
    ),
    ({"ImageId": "ami-00000010"}, "EC2APIError", "Image must be available"),
    (
        {"InstanceType": "m9.huge"},
        "InstanceTypeNotFoundByName",
        "Instance type with name m9.huge could not be found.",
    ),
    (
        {
            "MinCount": 2,
            "MaxCount": 2,
            "BlockDeviceMappings": [
                {"DeviceName": "/dev/vdb", "Ebs": {"SnapshotId": "vol-87654321"}}
            ],
        },
        "InvalidRequest",
        "Cannot attach one or more volumes to multiple instances",
    ),
    (
        {"BlockDeviceMappings": [{"DeviceName": "/dev/vdb", "Ebs": {"SnapshotId": "snap-zz"}}]},
        "UnknownError",
        UNKNOWN_ERROR_MESSAGE,
    ),
    (
        {"MinCount": 11, "MaxCount": 11},
        "TooManyInstances",
        "Quota exceeded for instances: Requested 11, but already used 0 of 10 instances",
    ),
]


@pytest.mark.parametrize(("params", "code", "message"), ERRORS, ids=[e[1] for e in ERRORS])
def test_every_error_path_is_a_client_error(
    ec2: Any, params: dict[str, Any], code: str, message: str
) -> None:
    with pytest.raises(ClientError) as caught:
        launch(ec2, **params)
    assert caught.value.response["Error"] == {"Code": code, "Message": message}
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert caught.value.response["ResponseMetadata"]["RequestId"].startswith("req-")


@pytest.mark.launch_sim_profile("havana")
@pytest.mark.parametrize("transport", ["http", "in-process"])
def test_boto3_retries_a_havana_500_and_each_attempt_launches(
    transport: str, launch_sim: Simulator, request: pytest.FixtureRequest
) -> None:
    """From Havana on an unexpected failure is HTTP 500, which botocore's default (standard)
    retry mode sends twice more (as it would to Nova): a launch failing after its create
    call makes one call per attempt (docs/clients.md)."""
    with ExitStack() as stack:
        if transport == "http":
            endpoint: str | None = request.getfixturevalue("launch_sim_server")
        else:
            endpoint = None
            stack.enter_context(mock_ec2(launch_sim))
        ec2 = client(endpoint, retries={"mode": "standard", "total_max_attempts": 3})
        with pytest.raises(ClientError) as caught:
            launch(ec2, BlockDeviceMappings=[{"DeviceName": "/dev/vdb", "VirtualName": "bogus"}])
    metadata = caught.value.response["ResponseMetadata"]
    assert caught.value.response["Error"]["Code"] == "ContractViolation"
    assert (metadata["HTTPStatusCode"], metadata["RetryAttempts"]) == (500, 2)
    assert len(launch_sim.compute.calls) == 3


# --- signatures --------------------------------------------------------------------------------


def client_error(call: Callable[[], object]) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize("signature_version", ["v4", "v2"])
def test_the_right_secret_is_accepted(
    sigv4_server: Callable[..., str], signature_version: str
) -> None:
    endpoint = sigv4_server()
    reservation = launch(client(endpoint, KEY, SECRET, signature_version=signature_version))
    assert reservation["OwnerId"] == "lab"


@pytest.mark.parametrize("signature_version", ["v4", "v2"])
def test_a_wrong_secret_is_refused(
    sigv4_server: Callable[..., str], signature_version: str
) -> None:
    wrong = client(sigv4_server(), KEY, "not-it", signature_version=signature_version)
    assert client_error(lambda: launch(wrong)) == ("SignatureDoesNotMatch", 403)


@pytest.mark.parametrize("signature_version", ["v4", "v2"])
def test_an_unknown_key_is_refused(
    sigv4_server: Callable[..., str], signature_version: str
) -> None:
    stranger = client(sigv4_server(), "mallory", SECRET, signature_version=signature_version)
    assert client_error(lambda: launch(stranger)) == ("AuthFailure", 401)


def test_an_unsigned_request_is_refused(sigv4_server: Callable[..., str]) -> None:
    unsigned = client(sigv4_server(), signature_version=botocore.UNSIGNED)
    assert client_error(lambda: launch(unsigned)) == ("AuthFailure", 401)


@pytest.mark.parametrize("signature_version", ["v4", "v2"])
def test_a_stale_request_is_expired(
    sigv4_server: Callable[..., str], signature_version: str
) -> None:
    late = client(
        sigv4_server(timedelta(minutes=10)), KEY, SECRET, signature_version=signature_version
    )
    assert client_error(lambda: launch(late)) == ("RequestExpired", 403)


def test_refused_requests_launch_nothing(
    sigv4_server: Callable[..., str], launch_sim: Simulator
) -> None:
    endpoint = sigv4_server()
    for attempt in (client(endpoint, KEY, "x"), client(endpoint, "nobody", SECRET)):
        with pytest.raises(ClientError):
            launch(attempt)
    assert list(launch_sim.compute.calls) == []


# --- the AWS CLI ---------------------------------------------------------------------------------


@pytest.mark.skipif(aws_cli() is None, reason="the AWS CLI is not installed")
def test_a_presigned_url_launches_as_its_access_key(launch_sim_server: str) -> None:
    """With ``--auth none`` the access key picks the context wherever the request names it:
    a presigned URL names it in ``X-Amz-Credential``."""
    url = client(launch_sim_server, key="alice:web").generate_presigned_url(
        "run_instances", Params={"ImageId": "ami-00000001", "MinCount": 1, "MaxCount": 1}
    )
    with urllib.request.urlopen(url, timeout=60) as answer:
        body = answer.read().decode()
    assert "<ownerId>web</ownerId>" in body


def test_the_aws_cli_launches_with_sigv4(
    sigv4_server: Callable[..., str], launch_sim: Simulator, tmp_path: Path
) -> None:
    endpoint = sigv4_server()
    mappings = json.dumps(BOTO3_WALKTHROUGH)
    args = ("--image-id", "ami-00000001", "--count", "1", "--block-device-mappings", mappings)
    result = run_aws(tmp_path, endpoint, "run-instances", *args, access_key=KEY, secret=SECRET)
    assert result.returncode == 0, result.stderr
    reservation = json.loads(result.stdout)
    assert reservation["Instances"][0]["InstanceId"] == "i-00000001"
    assert launch_sim.compute.calls[-1].block_device_mapping == NORMALIZED
    refused = run_aws(
        tmp_path, endpoint, "run-instances", *args, access_key=KEY, secret="wrong-secret"
    )
    assert refused.returncode != 0
    assert "SignatureDoesNotMatch" in refused.stderr


# --- docs/clients.md ---------------------------------------------------------------------------


def test_the_documented_boto3_example_runs(
    launch_sim_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = (ROOT / "docs" / "clients.md").read_text(encoding="utf-8")
    first_python_block = re.search(r"```python\n(.*?)```", docs, re.DOTALL)
    assert first_python_block is not None
    code = first_python_block.group(1).replace("http://127.0.0.1:8773/", launch_sim_server)
    exec(compile(code, "docs/clients.md", "exec"), {"__name__": "docs_example"})
    assert capsys.readouterr().out == "web i-00000001 pending\n"


def test_the_documented_mock_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    docs = (ROOT / "docs" / "clients.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", docs, re.DOTALL)
    exec(compile(blocks[1], "docs/clients.md", "exec"), {"__name__": "docs_example"})
    assert capsys.readouterr().out == "{}\n"


# --- concurrency -------------------------------------------------------------------------------


def test_eight_threads_of_250_launches_on_a_file_store(tmp_path: Path) -> None:
    store_path = tmp_path / "store.json"
    threads, launches = 8, 250
    answers: list[list[dict[str, Any]]] = [[] for _ in range(threads)]
    sim = Simulator.open(store_path)
    try:
        with ServerHandle(EC2App(EC2Service(sim)), threads=threads) as server:

            def work(number: int) -> None:
                ec2 = client(server.endpoint)
                for _ in range(launches):
                    answers[number].append(launch(ec2, BlockDeviceMappings=BOTO3_WALKTHROUGH))

            workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
        calls = list(sim.compute.calls)
    finally:
        sim.close()
    reservations = [answer for per_thread in answers for answer in per_thread]
    assert len(reservations) == threads * launches
    instances = [r["Instances"] for r in reservations]
    assert all(len(i) == 1 and i[0]["ImageId"] == "ami-00000001" for i in instances)
    instance_ids = {i[0]["InstanceId"] for i in instances}
    assert len(instance_ids) == threads * launches
    assert len({r["ReservationId"] for r in reservations}) == threads * launches
    assert len(calls) == threads * launches
    assert all(call.block_device_mapping == NORMALIZED for call in calls)
    with MappingStore.open(store_path) as reopened:
        rows = list(reopened.mapping_rows(MappingTable.INSTANCES))
    assert len(rows) == len({uuid for _, uuid in rows}) == threads * launches
    assert {f"i-{row_id:08x}" for row_id, _ in rows} == instance_ids
