"""Launch benchmark: boto3 against launch-sim and against moto, side by side, same request.

Four paths, each the same walkthrough ``RunInstances`` with seven block device mappings:
in process (launch-sim's ``mock_ec2`` vs moto's ``mock_aws``) and over HTTP on 127.0.0.1
(``launch-sim serve``'s server vs moto's ``ThreadedMotoServer``). moto rejects the
walkthrough's ``VirtualName``-only mappings, so its request gives those two entries a dummy
``Ebs``; launch-sim gets the walkthrough request exactly. A canned-answer responder measures
boto3's own client-side work, the floor under every boto3 path.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Callable, Iterator
from importlib.metadata import version
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.handlers import BUILTIN_HANDLERS
from moto import mock_aws
from moto.server import ThreadedMotoServer

from bench.timing import Figure, rate, ratio_line
from bench.walkthrough import WALKTHROUGH
from simulator import Simulator
from simulator.mock import mock_ec2
from simulator.server import EC2App, ServerHandle
from simulator.service import EC2Service

LAUNCHES = 200
WARMUP = 20
CREDENTIALS = {"aws_access_key_id": "bench:bench", "aws_secret_access_key": "secret"}


def moto_mappings(snapshot_id: str) -> list[dict[str, Any]]:
    """The walkthrough for moto: its snapshot ids, a dummy Ebs on the VirtualName entries."""
    mappings = []
    for mapping in WALKTHROUGH:
        entry = {**mapping}
        if "Ebs" in entry:
            entry["Ebs"] = {**entry["Ebs"], "SnapshotId": snapshot_id}
        elif "VirtualName" in entry:
            entry["Ebs"] = {"VolumeSize": 1}
        mappings.append(entry)
    return mappings


def launches(client: Any, image_id: str, mappings: list[dict[str, Any]]) -> Callable[[], int]:
    def run() -> int:
        for _ in range(LAUNCHES):
            client.run_instances(
                ImageId=image_id, MinCount=1, MaxCount=1, BlockDeviceMappings=mappings
            )
        return LAUNCHES

    for _ in range(WARMUP):
        client.run_instances(ImageId=image_id, MinCount=1, MaxCount=1, BlockDeviceMappings=mappings)
    return run


def client(endpoint: str | None = None, region: str = "nova") -> Any:
    """A client of its own session: boto3's cached default session was built before a
    handler such as the canned responder was inserted, and would never call it."""
    session = boto3.session.Session()
    return session.client("ec2", region_name=region, endpoint_url=endpoint, **CREDENTIALS)


def moto_fixture(ec2: Any) -> tuple[str, list[dict[str, Any]]]:
    image_id = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"]
    snapshot = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    return image_id, moto_mappings(snapshot)


@contextlib.contextmanager
def canned_responder(body: bytes) -> Iterator[None]:
    """A before-send hook that answers every EC2 call with the same bytes: boto3's floor."""

    def answer(request: Any, **kwargs: Any) -> AWSResponse:
        raw = _Raw(body)
        return AWSResponse(request.url, 200, {"Content-Type": "text/xml"}, raw)

    handler = ("before-send.ec2", answer)
    BUILTIN_HANDLERS.insert(0, handler)
    try:
        yield
    finally:
        BUILTIN_HANDLERS.remove(handler)


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self.body


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def in_process() -> tuple[Figure, Figure, Figure]:
    with mock_ec2(Simulator.from_seed(keep_calls=1)) as sim:
        ours = rate(
            "boto3 -> launch-sim mock_ec2 (in process)",
            launches(client(), "ami-00000001", WALKTHROUGH),
            unit="launches/s",
        )
        body = (
            EC2Service(sim).handle([("Action", "RunInstances"), ("ImageId", "ami-00000001")]).body
        )
    with canned_responder(body):
        floor = rate(
            "floor: boto3 with a canned in-process answer",
            launches(client(), "ami-00000001", WALKTHROUGH),
            unit="launches/s",
        )
    with mock_aws():
        ec2 = client(region="us-east-1")
        image_id, mappings = moto_fixture(ec2)
        peer = rate(
            f"peer: boto3 -> moto {version('moto')} mock_aws (in process)",
            launches(ec2, image_id, mappings),
            unit="launches/s",
        )
    return ours, peer, floor


def over_http() -> tuple[Figure, Figure]:
    with ServerHandle(EC2App(EC2Service(Simulator.from_seed(keep_calls=1)))) as server:
        ours = rate(
            "boto3 -> launch-sim server (HTTP, 127.0.0.1)",
            launches(client(server.endpoint), "ami-00000001", WALKTHROUGH),
            unit="launches/s",
        )
    port = free_port()
    moto_server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto_server.start()
    try:
        ec2 = client(f"http://127.0.0.1:{port}", region="us-east-1")
        image_id, mappings = moto_fixture(ec2)
        peer = rate(
            f"peer: boto3 -> moto {version('moto')} ThreadedMotoServer (HTTP)",
            launches(ec2, image_id, mappings),
            unit="launches/s",
        )
    finally:
        moto_server.stop()
    return ours, peer


def run() -> None:
    print(
        f"== launches: boto3 {version('boto3')}, 7-mapping walkthrough RunInstances, "
        f"{LAUNCHES} launches per run, medians of 5 runs =="
    )
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # HTTP first: moto's server finds no images once mock_aws has run in the same process.
    ours_http, peer_http = over_http()
    for figure in (ours_http, peer_http):
        print(figure.line())
    print(ratio_line("HTTP server vs moto server", ours_http, peer_http, 5))
    ours, peer, floor = in_process()
    for figure in (ours, peer, floor):
        print(figure.line())
    print(ratio_line("in-process hook vs moto mock_aws", ours, peer, 8))
    print(ratio_line("boto3 floor vs moto mock_aws (the ceiling of any boto3 path)", floor, peer))


if __name__ == "__main__":
    run()
