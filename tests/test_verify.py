"""``launch-sim verify``: recorded requests sent to live endpoints, their answers compared."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import requests
import responses
from moto.server import ThreadedMotoServer

from simulator.api import Simulator
from simulator.auth import SECRET_KEY_ENV, SignatureAuth
from simulator.cassette import load_cassette
from simulator.cli import main
from simulator.ec2query import render_error
from simulator.errors import SignatureDoesNotMatch
from simulator.httprequest import HttpRequest
from simulator.server import EC2App, ServerHandle
from simulator.service import EC2Service
from simulator.verify import Provider, answer_facts, verify_cassette

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "cassettes"
FAKE0 = CORPUS / "walkthrough-fake0.json"
ENDPOINT = "http://ec2.test/services/Cloud/"
SUCCESS = (
    b'<RunInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
    b"<instancesSet><item><instanceId>i-1</instanceId></item></instancesSet>"
    b"</RunInstancesResponse>"
)
STORE_CASSETTES = sorted(
    path
    for path in CORPUS.glob("*.json")
    if json.loads(path.read_text())["image_service"]["kind"] == "store"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def sent() -> Iterator[list[requests.PreparedRequest]]:
    """The requests verify sends to ``ENDPOINT``, each answered with a one-instance launch."""
    requests_sent: list[requests.PreparedRequest] = []

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        requests_sent.append(request)
        return 200, {}, SUCCESS

    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, ENDPOINT, callback=answer)
        yield requests_sent


def test_answer_facts_read_any_namespace_and_errors() -> None:
    assert answer_facts(200, SUCCESS) == {"status": 200, "error_code": None, "instance_count": 1}
    error = render_error("ImageNotFound", "gone", "req-1")
    assert answer_facts(400, error)["error_code"] == "ImageNotFound"
    assert answer_facts(502, b"<html>bad gateway") == {
        "status": 502,
        "error_code": None,
        "instance_count": 0,
    }


@pytest.mark.parametrize("secret_from", ["option", "environment"])
def test_matching_answers_verify_and_requests_are_sigv4_signed(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    sent: list[requests.PreparedRequest],
    secret_from: str,
) -> None:
    secret = ["--secret-key", "S"] if secret_from == "option" else []
    monkeypatch.setenv(SECRET_KEY_ENV, "S" if secret_from == "environment" else "not-this-one")
    keys = ["--access-key", "K", *secret, "--region", "nova"]
    code, out, _ = run(capsys, "verify", "--endpoint", ENDPOINT, *keys, str(FAKE0))
    assert code == 0, out
    [request] = sent
    assert str(request.headers["Authorization"]).startswith("AWS4-HMAC-SHA256 Credential=K/")
    body = request.body if isinstance(request.body, bytes) else str(request.body).encode()
    params = parse_qsl(body.decode())
    assert params == [tuple(pair) for pair in load_cassette(FAKE0).interactions[0].request.params]
    signed = HttpRequest(
        method="POST",
        scheme="http",
        host="ec2.test",
        path="/services/Cloud/",
        query=b"",
        headers={
            "host": "ec2.test",
            **{name.lower(): str(value) for name, value in request.headers.items()},
        },
        body=body,
    )
    assert SignatureAuth({"K": "S"}).authenticate(signed, params) == "K"
    with pytest.raises(SignatureDoesNotMatch):
        SignatureAuth({"K": "other"}).authenticate(signed, params)


@responses.activate
def test_differing_answers_are_reported_by_pointer(capsys: pytest.CaptureFixture[str]) -> None:
    responses.add(
        responses.POST,
        ENDPOINT,
        status=400,
        body=render_error("InvalidAMIID.NotFound", "no", "req-1"),
    )
    code, out, _ = run(capsys, "verify", "--endpoint", ENDPOINT, str(FAKE0))
    assert code == 1
    assert "/interactions/0/response/status: recorded 200, endpoint 400" in out
    assert (
        '/interactions/0/response/error_code: recorded null, endpoint "InvalidAMIID.NotFound"'
        in out
    )
    assert "/interactions/0/response/instance_count: recorded 1, endpoint 0" in out


@responses.activate
def test_an_endpoint_that_does_not_answer_is_a_failure_not_a_crash() -> None:
    responses.add(responses.POST, ENDPOINT, body=requests.ConnectionError("refused"))
    result = verify_cassette(load_cassette(FAKE0), str(FAKE0), Provider(ENDPOINT))
    [failure] = result.failures
    assert failure.note is not None and "no answer from" in failure.note


def test_a_bad_endpoint_or_half_a_key_pair_is_bad_input(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(capsys, "verify", "--endpoint", "ec2.test", str(FAKE0))[0] == 2
    code, _, err = run(capsys, "verify", "--endpoint", ENDPOINT, "--access-key", "K", str(FAKE0))
    assert code == 2
    assert f"--access-key needs --secret-key S or ${SECRET_KEY_ENV}" in err
    code, _, err = run(capsys, "verify", "--endpoint", ENDPOINT, "--secret-key", "S", str(FAKE0))
    assert code == 2
    assert "--secret-key needs --access-key K" in err


@pytest.mark.parametrize("cassette", STORE_CASSETTES, ids=[p.stem for p in STORE_CASSETTES])
def test_a_launch_sim_server_on_the_cassettes_seed_verifies(
    cassette: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = Simulator.from_seed(load_cassette(cassette).seed)
    app = EC2App(EC2Service(sim), authenticator=SignatureAuth({"ops:demo": "s3cret"}))
    with ServerHandle(app) as server:
        code, out, _ = run(
            capsys,
            "verify",
            "--endpoint",
            server.endpoint,
            "--access-key",
            "ops:demo",
            "--secret-key",
            "s3cret",
            str(cassette),
        )
    assert code == 0, out


@pytest.fixture
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}/"
    server.stop()


def test_moto_answers_differently_and_verify_says_where(
    moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        "verify",
        "--endpoint",
        moto_endpoint,
        "--access-key",
        "testing",
        "--secret-key",
        "testing",
        "--region",
        "us-east-1",
        "--format",
        "json",
        str(FAKE0),
        str(CORPUS / "errors-lookup.json"),
    )
    report = json.loads(out)
    assert code == 1
    assert report["ok"] is False
    pointers = {
        difference["pointer"]
        for cassette in report["cassettes"]
        for failure in cassette["failures"]
        for difference in failure["differences"]
    }
    assert "/interactions/0/response/error_code" in pointers
