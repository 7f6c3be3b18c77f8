"""``launch-sim verify``: recorded requests sent to live endpoints, their answers compared."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
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
from simulator.verify import Provider, SigningKeys, answer_facts, shown_url, verify_cassette

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


@pytest.mark.parametrize("key", ["a\nb", "a b", "a/b", "a,b", "ключ", ""])
@pytest.mark.parametrize("command", ["verify", "serve"])
def test_an_access_key_no_signed_header_can_carry_is_bad_input(
    capsys: pytest.CaptureFixture[str], key: str, command: str
) -> None:
    """Refused before any request, without echoing it; else every request signed with it
    fails (verify: ``InvalidHeader`` per interaction) or is refused (serve: 403s)."""
    options = {
        "verify": ["--endpoint", ENDPOINT, str(FAKE0)],
        "serve": ["--memory", "--port", "0", "--auth", "sigv4"],
    }[command]
    code, _, err = run(capsys, command, *options, "--access-key", key, "--secret-key", "S")
    assert code == 2
    assert err.count("\n") == 1
    empty = {"verify": "--secret-key needs --access-key K", "serve": "is empty"}[command]
    assert (empty if not key else "holds a character a signed header cannot carry") in err
    assert not key or key not in err


@pytest.mark.parametrize("cassette", STORE_CASSETTES, ids=[p.stem for p in STORE_CASSETTES])
def test_a_launch_sim_server_on_the_cassettes_seed_verifies(
    cassette: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recorded = load_cassette(cassette)
    sim = Simulator.from_seed(recorded.seed, profile=recorded.recorded_under)
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


def test_interactions_recorded_in_any_method_verify_against_the_server_that_answered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cassette may hold any method the server answers; each is sent as recorded, and a
    HEAD's answer, which has no body, is compared by its status alone."""
    recorded = load_cassette(FAKE0)
    launch = recorded.interactions[0]
    recorded.interactions = [
        replace(launch, request=replace(launch.request, method=method))
        for method in ("POST", "PUT", "DELETE", "HEAD", "OPTIONS")
    ]
    cassette = tmp_path / "methods.json"
    recorded.save(cassette)
    sim = Simulator.from_seed(recorded.seed, profile=recorded.recorded_under)
    with ServerHandle(EC2App(EC2Service(sim))) as server:
        code, out, _ = run(capsys, "verify", "--endpoint", server.endpoint, str(cassette))
    assert code == 0, out
    assert "5 interactions, all match" in out


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


def _closed_port() -> int:
    """A loopback port nothing listens on (connecting to it is refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        (
            "http://127.0.0.1:{closed}/",
            "cannot reach http://127.0.0.1:{closed}/: connection refused",
        ),
        ("http://127.0.0.1:99999/", "port must be a number from 1 to 65535"),
        ("http://127.0.0.1:abc/", "port must be a number from 1 to 65535"),
        ("http://127.0.0.1:0/", "port must be a number from 1 to 65535"),
        ("http://[::1/", "http://[::1/: not a valid URL"),
        ("http://a b/", "http://a b/: not a valid URL"),
        ("http:///services/Cloud/", "names no host"),
        ("http://127.0.0.1:{closed}/?Action=x", "may not carry a query"),
    ],
)
def test_an_unreachable_or_malformed_endpoint_is_one_line_of_bad_input(
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    endpoint: str,
    expected: str,
    signed: bool,
) -> None:
    closed = _closed_port()
    keys = ["--access-key", "K", "--secret-key", "S"] if signed else []
    endpoint, expected = endpoint.format(closed=closed), expected.format(closed=closed)
    with caplog.at_level(logging.DEBUG, logger="urllib3"):
        code, out, err = run(capsys, "verify", "--endpoint", endpoint, *keys, str(FAKE0))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("launch-sim: error: "), err
    assert expected in err
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_the_command_prints_one_line_for_an_unreachable_endpoint() -> None:
    closed = _closed_port()
    command = [sys.executable, "-m", "simulator", "verify", "--endpoint"]
    done = subprocess.run(
        [*command, f"http://127.0.0.1:{closed}/", str(CORPUS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert (
        done.stderr
        == f"launch-sim: error: cannot reach http://127.0.0.1:{closed}/: connection refused\n"
    )


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A loopback port that accepts connections and never answers."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"


def test_credentials_written_in_the_endpoint_are_never_shown(
    capsys: pytest.CaptureFixture[str], silent_endpoint: str
) -> None:
    with_userinfo = silent_endpoint.replace("//", "//alice:pa55word@")
    for argv in (
        ["--endpoint", with_userinfo.replace(silent_endpoint[-6:], ":1/")],
        ["--endpoint", with_userinfo + "?x"],
        ["--endpoint", with_userinfo, "--access-key", "K", "--secret-key", "S"],
        ["--endpoint", with_userinfo, "--timeout", "0.2"],
        ["--endpoint", with_userinfo, "--timeout", "0.2", "--format", "json"],
        ["--endpoint", with_userinfo, "--timeout", "0.2", "--format", "junit"],
    ):
        code, out, err = run(capsys, "verify", *argv, str(FAKE0))
        assert code in (1, 2)
        assert "pa55word" not in out + err and "alice" not in out + err
    code, out, _ = run(
        capsys, "verify", "--endpoint", with_userinfo, "--timeout", "0.2", str(FAKE0)
    )
    assert code == 1
    assert f"no answer from {silent_endpoint}: no answer within 0.2 s" in out


def test_a_provider_shows_neither_the_secret_nor_the_endpoints_password() -> None:
    provider = Provider("https://alice:pa55word@ec2.test/")
    assert provider.shown == "https://ec2.test/"
    assert "pa55word" not in repr(provider)
    assert "s3cret" not in repr(Provider("https://ec2.test/", SigningKeys("K", "s3cret")))
    assert shown_url("http://[::1/") == "http://[::1/"
    assert shown_url("http://a:b@c@host:1/x@y") == "http://host:1/x@y"
