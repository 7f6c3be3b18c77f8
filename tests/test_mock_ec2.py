"""``mock_ec2``: boto3 answered in-process, per block, nestable, other services untouched."""

from __future__ import annotations

import io
import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.awsrequest import AWSPreparedRequest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.handlers import BUILTIN_HANDLERS

from simulator import Simulator, mock_ec2
from simulator.httprequest import HttpRequest
from simulator.mock import MOCK_CREDENTIALS, UNSIGNED_SIGNATURE, hook_client, http_request
from simulator.server import WAITRESS_BODY_LIMIT, EC2App, ServerHandle
from simulator.service import EC2Service

LAUNCH: dict[str, Any] = {"ImageId": "ami-00000001", "MinCount": 1, "MaxCount": 1}
STS_ANSWER = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/local</Arn>"
    b"<UserId>LOCAL</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
    b"<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
)


def ec2(endpoint_url: str | None = None, access_key: str = "admin") -> Any:
    return boto3.client(
        "ec2",
        region_name="nova",
        endpoint_url=endpoint_url,
        aws_access_key_id=access_key,
        aws_secret_access_key="secret",
    )


def calls(sim: Simulator) -> int:
    return len(sim.compute.calls)


@pytest.fixture
def elsewhere() -> Iterator[tuple[Simulator, str]]:
    """Another simulator behind a real local server: where unhooked requests end up."""
    sim = Simulator.from_seed()
    with ServerHandle(EC2App(EC2Service(sim))) as server:
        yield sim, server.endpoint


def test_a_launch_is_answered_in_process(launch_sim: Simulator) -> None:
    with mock_ec2(launch_sim) as sim:
        assert sim is launch_sim
        reservation = ec2(access_key="alice:web").run_instances(**LAUNCH)
    assert reservation["Instances"][0]["InstanceId"] == "i-00000001"
    assert reservation["OwnerId"] == "web", "the access key gives the context, as over HTTP"
    assert launch_sim.compute.calls[-1].image_href == "70a599e0-31e7-49b7-b260-868f441e862b"


def test_without_a_simulator_the_default_seed_is_used() -> None:
    with mock_ec2() as sim:
        ec2().run_instances(**LAUNCH)
    assert calls(sim) == 1


@pytest.fixture
def no_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)


@pytest.mark.usefixtures("no_aws_environment")
def test_clients_need_no_credentials_in_a_block(launch_sim: Simulator) -> None:
    with mock_ec2(launch_sim):
        reservation = boto3.client("ec2", region_name="nova").run_instances(**LAUNCH)
        with mock_ec2(Simulator.from_seed()):
            assert os.environ["AWS_ACCESS_KEY_ID"] == MOCK_CREDENTIALS["AWS_ACCESS_KEY_ID"]
    assert reservation["OwnerId"] == "admin"
    assert not [name for name in os.environ if name.startswith("AWS_")], "environment restored"


@pytest.mark.usefixtures("no_aws_environment")
def test_an_access_key_in_the_environment_is_kept(
    launch_sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "erin:ops")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    with mock_ec2(launch_sim):
        reservation = boto3.client("ec2", region_name="nova").run_instances(**LAUNCH)
    assert reservation["OwnerId"] == "ops"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "erin:ops"
    assert os.environ["AWS_SECRET_ACCESS_KEY"] == "x"


def test_errors_reach_boto3_as_client_errors(ec2_client: Any) -> None:
    with pytest.raises(ClientError) as caught:
        ec2_client.run_instances(**{**LAUNCH, "ImageId": "ami-000000ff"})
    assert caught.value.response["Error"] == {
        "Code": "ImageNotFound",
        "Message": "Image ami-000000ff could not be found.",
    }
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_the_block_beats_the_endpoint_and_ends_with_the_block(
    launch_sim: Simulator, elsewhere: tuple[Simulator, str]
) -> None:
    other, endpoint = elsewhere
    with mock_ec2(launch_sim):
        client = ec2(endpoint)
        client.run_instances(**LAUNCH)
    assert (calls(launch_sim), calls(other)) == (1, 0)
    client.run_instances(**LAUNCH)
    assert (calls(launch_sim), calls(other)) == (1, 1), "after the block: the real endpoint"


def test_clients_made_before_the_block_are_not_hooked(
    launch_sim: Simulator, elsewhere: tuple[Simulator, str]
) -> None:
    other, endpoint = elsewhere
    client = ec2(endpoint)
    with mock_ec2(launch_sim):
        client.run_instances(**LAUNCH)
    assert (calls(launch_sim), calls(other)) == (0, 1)


def test_nested_blocks_answer_with_the_innermost_and_restore(
    elsewhere: tuple[Simulator, str],
) -> None:
    other, endpoint = elsewhere
    outer, inner = Simulator.from_seed(), Simulator.from_seed()
    handlers_before = list(BUILTIN_HANDLERS)
    session_before = boto3.DEFAULT_SESSION
    with mock_ec2(outer):
        outer_client = ec2(endpoint)
        with mock_ec2(inner):
            inner_client = ec2(endpoint)
            inner_client.run_instances(**LAUNCH)
            outer_client.run_instances(**LAUNCH)
            assert (calls(outer), calls(inner)) == (0, 2), "the innermost block answers"
        inner_client.run_instances(**LAUNCH)
        assert (calls(outer), calls(inner)) == (1, 2), "then the outer block again"
    inner_client.run_instances(**LAUNCH)
    assert (calls(outer), calls(inner), calls(other)) == (1, 2, 1)
    assert handlers_before == BUILTIN_HANDLERS
    assert boto3.DEFAULT_SESSION is session_before


def test_blocks_in_concurrent_threads_keep_to_their_thread() -> None:
    sims = [Simulator.from_seed() for _ in range(4)]
    all_blocks_open = threading.Barrier(len(sims))
    handlers_before = list(BUILTIN_HANDLERS)

    def run(sim: Simulator) -> None:
        with mock_ec2(sim):
            client = boto3.session.Session().client(
                "ec2", region_name="nova", aws_access_key_id="a", aws_secret_access_key="b"
            )
            all_blocks_open.wait()
            for _ in range(10):
                client.run_instances(**LAUNCH)
            all_blocks_open.wait()

    threads = [threading.Thread(target=run, args=(sim,)) for sim in sims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [calls(sim) for sim in sims] == [10, 10, 10, 10]
    assert handlers_before == BUILTIN_HANDLERS


def test_blocks_overlapping_across_threads_keep_default_session_clients_answered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A block left while another thread's is still open: the default session made before
    any block (without the handlers) must not come back while a block is open, and must be
    the one in place once the last block is left."""
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", boto3.session.Session(region_name="nova"))
    session_before = boto3.DEFAULT_SESSION
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    sims = [Simulator.from_seed(), Simulator.from_seed()]

    def first() -> None:
        with mock_ec2(sims[0]):
            first_in.set()
            second_in.wait(timeout=30)
        first_out.set()

    def second() -> None:
        first_in.wait(timeout=30)
        with mock_ec2(sims[1]):
            second_in.set()
            first_out.wait(timeout=30)
            boto3.client(
                "ec2",
                region_name="nova",
                endpoint_url="http://127.0.0.1:9/",
                aws_access_key_id="a",
                aws_secret_access_key="b",
            ).run_instances(**LAUNCH)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [calls(sim) for sim in sims] == [0, 1]
    assert boto3.DEFAULT_SESSION is session_before


def test_a_default_session_made_inside_the_blocks_goes_with_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """boto3 first imported inside a block: the default session made there has the blocks'
    handlers and mock credentials, so it must not outlive them."""
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    monkeypatch.delitem(sys.modules, "boto3")
    with mock_ec2():
        sys.modules["boto3"] = boto3
        boto3.setup_default_session(region_name="nova")
        assert boto3.DEFAULT_SESSION is not None
    assert boto3.DEFAULT_SESSION is None


def test_the_block_is_left_clean_when_it_raises(launch_sim: Simulator) -> None:
    handlers_before = list(BUILTIN_HANDLERS)
    with pytest.raises(RuntimeError), mock_ec2(launch_sim):
        raise RuntimeError("test failure inside the block")
    assert handlers_before == BUILTIN_HANDLERS


def test_other_services_pass_through(launch_sim: Simulator) -> None:
    seen: list[str] = []

    def sts_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(environ["REQUEST_METHOD"])
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [STS_ANSWER]

    with ServerHandle(sts_app) as server, mock_ec2(launch_sim):
        sts = boto3.client(
            "sts",
            region_name="us-east-1",
            endpoint_url=server.endpoint,
            aws_access_key_id="a",
            aws_secret_access_key="b",
        )
        assert sts.get_caller_identity()["Account"] == "123456789012"
    assert seen == ["POST"]
    assert calls(launch_sim) == 0


def test_one_client_from_many_threads(launch_sim: Simulator) -> None:
    ids: list[str] = []
    lock = threading.Lock()
    with mock_ec2(launch_sim):
        client = ec2()

        def launch() -> None:
            for _ in range(25):
                instance_id = client.run_instances(**LAUNCH)["Instances"][0]["InstanceId"]
                with lock:
                    ids.append(instance_id)

        threads = [threading.Thread(target=launch) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(ids) == len(set(ids)) == 200


def test_hook_client_answers_one_client_with_its_app(launch_sim: Simulator) -> None:
    own = Simulator.from_seed()
    with mock_ec2(launch_sim):
        hooked, plain = ec2(), ec2()
        hook_client(hooked, EC2App(EC2Service(own)))
        hooked.run_instances(**LAUNCH)
        plain.run_instances(**LAUNCH)
    hooked.run_instances(**LAUNCH)
    assert (calls(own), calls(launch_sim)) == (2, 1), "only the hooked app, block or not"


@pytest.mark.parametrize(
    "body", [b"Action=RunInstances", "Action=RunInstances", io.BytesIO(b"Action=RunInstances")]
)
def test_the_botocore_request_becomes_an_http_request(body: Any) -> None:
    prepared = AWSPreparedRequest(
        "post",
        "https://ec2.nova.example:8773/services/Cloud/?X=%C3%A9",
        {"Content-Type": "application/x-www-form-urlencoded", "X-Bytes": b"v"},
        body,
        False,
    )
    request = http_request(prepared)
    assert (request.method, request.scheme, request.host, request.path) == (
        "POST",
        "https",
        "ec2.nova.example:8773",
        "/services/Cloud/",
    )
    assert request.params() == [("X", "\u00e9"), ("Action", "RunInstances")]
    assert request.headers["x-bytes"] == "v"


@pytest.fixture
def authorizations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ``Authorization`` header of every request an app answers."""
    seen: list[str] = []
    respond = EC2App.respond

    def recording(app: EC2App, request: HttpRequest) -> Any:
        seen.append(request.headers.get("authorization", ""))
        return respond(app, request)

    monkeypatch.setattr(EC2App, "respond", recording)
    return seen


def test_a_block_has_botocore_compute_no_signature(
    launch_sim: Simulator, authorizations: list[str]
) -> None:
    """Nothing in a block checks signatures, so none is computed; the access key still
    reaches the app (it picks the context), in a header of SigV4's shape."""
    with mock_ec2(launch_sim):
        assert ec2(access_key="alice:web").run_instances(**LAUNCH)["OwnerId"] == "web"
    [authorization] = authorizations
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=alice:web/")
    assert authorization.endswith(f"Signature={UNSIGNED_SIGNATURE}")


def test_a_presigned_url_is_still_signed_in_a_block(launch_sim: Simulator) -> None:
    with mock_ec2(launch_sim):
        url = ec2().generate_presigned_url("describe_instances", Params={})
    assert re.search(r"X-Amz-Signature=[0-9a-f]{64}", url), url


def test_a_hooked_client_signs_as_botocore_does(
    launch_sim: Simulator, authorizations: list[str]
) -> None:
    """A client with an app of its own (a recording session's, which may check signatures)
    is signed for real, block or not."""
    with mock_ec2(launch_sim):
        hooked = ec2()
        hook_client(hooked, EC2App(EC2Service(Simulator.from_seed())))
        hooked.run_instances(**LAUNCH)
    [authorization] = authorizations
    assert re.search(r"Signature=[0-9a-f]{64}$", authorization), authorization


def test_a_client_configured_unsigned_stays_unsigned_in_a_block(
    launch_sim: Simulator, authorizations: list[str]
) -> None:
    """Only a signature the block chose to skip is replaced by the access key's header: a
    client built with ``signature_version=UNSIGNED`` sends none, as before, and acts as the
    default context."""
    with mock_ec2(launch_sim):
        unsigned = boto3.client(
            "ec2", region_name="nova", config=Config(signature_version=UNSIGNED)
        )
        assert unsigned.run_instances(**LAUNCH)["OwnerId"] == "admin"
    assert authorizations == [""]


def _answer(client: Any) -> dict[str, Any]:
    """What a client sees of one DescribeAvailabilityZones call, answer or error."""
    try:
        response: dict[str, Any] = client.describe_availability_zones()
    except ClientError as error:
        response = error.response
    return response


@pytest.mark.parametrize("path", ["//", "//services/Cloud/", "///services/Cloud"])
def test_an_endpoint_path_is_read_as_the_server_reads_it(path: str) -> None:
    """waitress strips the extra slashes a path starts with (``task.py``'s
    ``get_environment``), so ``http://host:8773//`` reaches the API; a block must agree."""
    with ServerHandle(EC2App(EC2Service(Simulator.from_seed()))) as server:
        over_http = _answer(ec2(server.endpoint.rstrip("/") + path))
    with mock_ec2():
        in_process = _answer(ec2("http://127.0.0.1:8773" + path))
    assert "Error" not in over_http
    assert in_process.get("Error") == over_http.get("Error")


def test_the_response_metadata_is_the_server_s() -> None:
    """Status and headers as a client reads them over HTTP: an ``int`` status (not an
    ``HTTPStatus``, whose ``repr`` differs) and waitress's ``Date`` and ``Server``."""
    with ServerHandle(EC2App(EC2Service(Simulator.from_seed()))) as server:
        over_http = _answer(ec2(server.endpoint + "nowhere"))["ResponseMetadata"]
    with mock_ec2():
        in_process = _answer(ec2("http://127.0.0.1:8773/nowhere"))["ResponseMetadata"]
    assert type(in_process["HTTPStatusCode"]) is type(over_http["HTTPStatusCode"]) is int
    assert in_process["HTTPStatusCode"] == over_http["HTTPStatusCode"] == 404
    assert sorted(in_process["HTTPHeaders"]) == sorted(over_http["HTTPHeaders"])
    assert in_process["HTTPHeaders"]["server"] == over_http["HTTPHeaders"]["server"]
    http_date = r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT"
    assert re.fullmatch(http_date, in_process["HTTPHeaders"]["date"])


def test_a_body_beyond_waitress_s_limit_is_refused_as_the_server_refuses_it() -> None:
    """Past 16 MiB waitress answers 413 before the app reads the body; a block does too."""
    oversized = {**LAUNCH, "UserData": "x" * (WAITRESS_BODY_LIMIT + 1)}
    answers = []
    for transport in ("http", "in-process"):
        with ExitStack() as stack:
            if transport == "http":
                app = EC2App(EC2Service(Simulator.from_seed()))
                endpoint: str | None = stack.enter_context(ServerHandle(app)).endpoint
            else:
                endpoint = None
                stack.enter_context(mock_ec2())
            client = boto3.client(
                "ec2",
                region_name="nova",
                endpoint_url=endpoint,
                aws_access_key_id="admin",
                aws_secret_access_key="secret",
                config=Config(retries={"total_max_attempts": 1}),
            )
            with pytest.raises(ClientError) as refused:
                client.run_instances(**oversized)
        answers.append(
            (
                refused.value.response["Error"],
                refused.value.response["ResponseMetadata"]["HTTPStatusCode"],
            )
        )
    assert answers[0][1] == 413
    assert answers[1] == answers[0]
