"""The WSGI app and ``launch-sim serve``: transports, malformed input, the hook, shutdown.

Requests are made with raw HTTP (``http.client``, sockets) or straight WSGI calls; the
real clients (boto3, the AWS CLI) are in ``test_clients.py``.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import io
import logging
import os
import re
import signal
import socket
import string
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import boto3
import botocore.exceptions
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from serve_helpers import serve_command
from unexpected_failures import only_nova_failures

from simulator import Simulator
from simulator.auth import SECRET_KEY_ENV, SignatureAuth
from simulator.cli import main
from simulator.httprequest import HttpRequest
from simulator.server import (
    MAX_BODY_BYTES,
    EC2App,
    Exchange,
    ServerHandle,
    request_from_environ,
    webob_bad_request,
)
from simulator.service import EC2Service
from simulator.store import MappingStore, MappingTable

EC2_NS = "{http://ec2.amazonaws.com/doc/2012-08-15/}"
FORM = "application/x-www-form-urlencoded"
LAUNCH = [("Action", "RunInstances"), ("ImageId", "ami-00000001"), ("MinCount", "1")]


def sigv2_keys(access_key: str, signature: str) -> list[tuple[str, str]]:
    """The keys Requestify wanted of a query-signed request (signature unchecked: auth none)."""
    return [
        ("Version", "2012-08-15"),
        ("AWSAccessKeyId", access_key),
        ("SignatureMethod", "HmacSHA256"),
        ("SignatureVersion", "2"),
        ("Timestamp", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("Signature", signature),
    ]


@pytest.fixture
def app(launch_sim: Simulator) -> EC2App:
    return EC2App(EC2Service(launch_sim))


@pytest.fixture(scope="module")
def fuzz_apps() -> tuple[EC2App, EC2App]:
    """One app per auth mode (``none``, ``sigv4``), shared by every fuzz example."""
    service = EC2Service(Simulator.from_seed())
    return EC2App(service), EC2App(service, authenticator=SignatureAuth({"fuzz": "fuzz-secret"}))


class ReadCounter(io.BytesIO):
    """A ``wsgi.input`` that remembers how many bytes the app asked for."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.requested = 0

    def read(self, size: int | None = -1) -> bytes:
        self.requested += len(self.getvalue()) if size is None or size < 0 else size
        return super().read(size)


def environ_for(
    method: str = "POST",
    path: str = "/",
    query: bytes = b"",
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    content_length: int | None = None,
) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query.decode("latin-1"),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8773",
        "wsgi.url_scheme": "http",
        "wsgi.input": ReadCounter(body),
        "CONTENT_TYPE": FORM,
        "CONTENT_LENGTH": str(len(body) if content_length is None else content_length),
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def call(app: EC2App, environ: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(app(environ, start_response))
    return int(answer["status"].split()[0]), answer["headers"], body


def error_code(body: bytes) -> str | None:
    return ET.fromstring(body).findtext("Errors/Error/Code")


def post(
    endpoint: str, body: bytes, path: str = "/", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    url = urlsplit(endpoint)
    connection = http.client.HTTPConnection(url.hostname or "", url.port)
    try:
        connection.request("POST", path, body, {"Content-Type": FORM, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


# --- transports ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/services/Cloud/", "/services/Cloud"])
def test_post_form_launches_on_both_paths(launch_sim_server: str, path: str) -> None:
    status, headers, body = post(launch_sim_server, urlencode(LAUNCH).encode(), path)
    assert (status, headers["Content-Type"]) == (200, "text/xml")
    root = ET.fromstring(body)
    assert root.tag == f"{EC2_NS}RunInstancesResponse"
    assert root.findtext(f"{EC2_NS}instancesSet/{EC2_NS}item/{EC2_NS}instanceId") == "i-00000001"


def test_get_query_string_launches(launch_sim_server: str) -> None:
    url = urlsplit(launch_sim_server)
    connection = http.client.HTTPConnection(url.hostname or "", url.port)
    connection.request("GET", "/services/Cloud/?" + urlencode(LAUNCH))
    response = connection.getresponse()
    assert response.status == 200
    assert b"<instanceId>i-00000001</instanceId>" in response.read()
    connection.close()


def test_repeated_parameter_keeps_the_last_value(app: EC2App, launch_sim: Simulator) -> None:
    body = urlencode([*LAUNCH, ("ImageId", "ami-000000ff"), ("ImageId", "ami-00000001")])
    status, _, _ = call(app, environ_for(body=body.encode()))
    assert status == 200
    assert launch_sim.compute.calls[-1].image_href == "70a599e0-31e7-49b7-b260-868f441e862b"


def test_query_and_body_parameters_are_merged(app: EC2App) -> None:
    environ = environ_for(query=b"Action=RunInstances", body=b"ImageId=ami-00000001")
    status, _, _ = call(app, environ)
    assert status == 200


@pytest.mark.parametrize(
    ("headers", "params", "owner"),
    [
        ({}, [], "admin"),
        ({}, [("AWSAccessKeyId", "bob:blue")], "blue"),
        ({}, [("AWSAccessKeyId", "carol")], "carol"),
        (
            {
                "Authorization": "AWS4-HMAC-SHA256 Credential=dave:green/20260101/nova/ec2/"
                "aws4_request, SignedHeaders=host, Signature=ab"
            },
            [],
            "green",
        ),
    ],
)
def test_the_access_key_gives_the_context_under_auth_none(
    app: EC2App, headers: dict[str, str], params: list[tuple[str, str]], owner: str
) -> None:
    body = urlencode([*LAUNCH, *params]).encode()
    status, _, answer = call(app, environ_for(body=body, headers=headers))
    assert status == 200
    assert ET.fromstring(answer).findtext(f"{EC2_NS}ownerId") == owner


# --- malformed requests never get a 5xx --------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "status", "code"),
    [
        (environ_for(path="/latest/meta-data/"), 404, "InvalidRequest"),
        (environ_for(body=b""), 400, "MissingParameter"),
        (environ_for(body=b"Action=DescribeInstanceTypes"), 400, "InvalidRequest"),
        (environ_for(body=b"Action=RunInstances"), 400, "UnknownError"),
        (environ_for(body=b"\x00\x01garbage\x7f==&&=="), 400, "MissingParameter"),
        (environ_for(body=b"Action=RunInstances&ImageId=\xff\xfe"), 400, "InvalidParameterValue"),
        (environ_for(body=b"Action=Run%FFInstances"), 400, "InvalidParameterValue"),
        (environ_for(query=b"%%%&&=&=%zz&Action"), 400, "InvalidRequest"),
        (environ_for(query=b"Action=RunInstances&ImageId.1.x.y=1&ImageId=2"), 400, "UnknownError"),
        (
            environ_for(body=b'{"Action": 1}', headers={"Content-Type": "application/json"}),
            400,
            "MissingParameter",
        ),
        (environ_for(method="DELETE", body=b"Action=RunInstances"), 400, "UnknownError"),
        (environ_for(body=b"x", content_length=-5), 400, "MissingParameter"),
    ],
    ids=[
        "other-path",
        "no-action",
        "unknown-action",
        "no-image",
        "garbage-body",
        "raw-non-utf8",
        "escaped-non-utf8",
        "weird-query",
        "nesting-below-value",
        "json-body",
        "delete",
        "negative-length",
    ],
)
def test_malformed_requests_get_an_ec2_error(
    app: EC2App, environ: dict[str, Any], status: int, code: str
) -> None:
    answer_status, headers, body = call(app, environ)
    assert (answer_status, error_code(body)) == (status, code)
    assert headers["Content-Type"] == "text/xml"


def test_a_huge_body_is_refused_without_reading_it(app: EC2App) -> None:
    environ = environ_for(body=b"A" * 10, content_length=50 * MAX_BODY_BYTES)
    status, _, body = call(app, environ)
    assert (status, error_code(body)) == (400, "RequestTooLarge")
    assert environ["wsgi.input"].requested == 0


def test_a_huge_body_over_http_is_refused(launch_sim_server: str) -> None:
    body = urlencode([*LAUNCH, ("UserData", "A" * (MAX_BODY_BYTES + 10))]).encode()
    status, _, answer = post(launch_sim_server, body)
    assert (status, error_code(answer)) == (400, "RequestTooLarge")


def raw_exchange(endpoint: str, raw: bytes) -> tuple[http.client.HTTPResponse, bytes]:
    """Send ``raw`` bytes as they are and read the whole answer (the server may stop reading
    early: a refusal does not wait for the rest of a request)."""
    url = urlsplit(endpoint)
    with socket.create_connection((url.hostname or "", url.port or 0), timeout=30) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(raw)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response, response.read()


def test_a_head_answer_has_headers_and_no_body_and_the_connection_goes_on(
    launch_sim_server: str,
) -> None:
    """A body after a HEAD answer would be read as the next answer's status line."""
    url = urlsplit(launch_sim_server)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
    try:
        connection.request("HEAD", "/?Action=DescribeAvailabilityZones")
        head = connection.getresponse()
        assert (head.status, head.read()) == (200, b"")
        length = int(head.getheader("Content-Length") or 0)
        connection.request("GET", "/?Action=DescribeAvailabilityZones")
        get = connection.getresponse()
        body = get.read()
        assert get.status == 200 and len(body) == length > 0
        assert ET.fromstring(body).tag.endswith("DescribeAvailabilityZonesResponse")
    finally:
        connection.close()


def test_a_gigantic_declared_body_is_refused_by_the_server_before_it_is_sent(
    launch_sim_server: str,
) -> None:
    url = urlsplit(launch_sim_server)
    with socket.create_connection((url.hostname or "", url.port or 0)) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\n")
        status_line = sock.makefile("rb").readline()
    assert int(status_line.split()[1]) == 413


SECRET = b"AKIDSECRET0123456789"
BAD_FRAMING = {
    "negative-length": (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
    "duplicate-length": (
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nAction",
        400,
    ),
    "length-not-a-number": (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n", 400),
    "bad-chunk-size": (
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        400,
    ),
    "unsupported-transfer-encoding": (
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
        400,
    ),
    "raw-bytes-in-url": (b"GET /\xff\xfe?Action=Run\xffInstances HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    "nul-in-header": (b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", 400),
    "header-without-colon": (b"GET / HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n", 400),
    "bare-cr-in-a-secret-header": (
        b"GET / HTTP/1.1\r\nAuthorization: AWS4-HMAC-SHA256 Credential=" + SECRET + b"\rx\r\n\r\n",
        400,
    ),
    "folded-first-header": (b"GET / HTTP/1.1\r\n Authorization: " + SECRET + b"\r\n\r\n", 400),
    "lowercase-method": (b"get" + SECRET + b" / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    "tls-hello": (b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n", 400),
    "300-kb-header": (b"GET / HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 300_000 + b"\r\n\r\n", 431),
    "gigantic-body": (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n", 413),
}


@pytest.mark.parametrize("case", BAD_FRAMING)
def test_malformed_http_framing_gets_an_ec2_error_document(
    launch_sim: Simulator, case: str
) -> None:
    """What waitress refuses before the app sees it is answered as the app answers: an EC2
    document (its 4xx status kept), the client's bytes never echoed."""
    raw, status = BAD_FRAMING[case]
    with ServerHandle(EC2App(EC2Service(launch_sim))) as server:
        response, body = raw_exchange(server.endpoint, raw)
    assert response.status == status
    assert response.getheader("Content-Type") == "text/xml"
    assert response.getheader("Connection") == "close"
    expected = "RequestTooLarge" if status in (413, 431) else "InvalidRequest"
    assert error_code(body) == expected
    assert SECRET not in body
    assert not launch_sim.compute.calls


@pytest.mark.parametrize(
    "raw",
    [
        b"GET /?Action=RunInstances&ImageId=%00%ff HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /?" + b"A" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nAct=1\r\n0\r\n\r\n",
        b"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    ],
    ids=["nul-ff", "long-query", "chunked", "brew", "http-9.9"],
)
def test_odd_but_parseable_http_reaches_the_app(launch_sim_server: str, raw: bytes) -> None:
    response, _ = raw_exchange(launch_sim_server, raw)
    assert 400 <= response.status < 500
    assert response.getheader("Content-Type") == "text/xml"


METHODS = st.sampled_from(["GET", "POST", "PUT", "HEAD", "OPTIONS", "\u00e9\u00e9"])
NAMES = st.sampled_from(
    [
        "Action",
        "ImageId",
        "MinCount",
        "MaxCount",
        "InstanceType",
        "UserData",
        "Version",
        "BlockDeviceMapping.1.DeviceName",
        "BlockDeviceMapping.1.Ebs.SnapshotId",
        "BlockDeviceMapping.2.NoDevice",
        "Placement.AvailabilityZone",
        "KernelId",
        "Timestamp",
        "Expires",
        "X-Amz-Date",
        "Signature",
        "SignatureVersion",
        "SignatureMethod",
        "AWSAccessKeyId",
        "a.b.c.d.e.f.g.h.i.j",
    ]
) | st.text(max_size=12)
VALUES = st.sampled_from(
    [
        "RunInstances",
        "ami-00000001",
        "snap-12345678",
        "vol-87654321",
        "010",
        "None",
        "",
        "-1",
        "1e400",
        "0x1f",
    ]
) | st.text(max_size=20)
FORMS = st.lists(st.tuples(NAMES, VALUES), max_size=8).map(lambda pairs: urlencode(pairs).encode())
HEADERS = st.dictionaries(
    st.sampled_from(
        ["Authorization", "X-Amz-Date", "X-Amz-Content-Sha256", "Host", "Expect", "Cookie"]
    )
    | st.text(alphabet=string.ascii_letters + "-", min_size=1, max_size=12),
    st.sampled_from(
        [
            "AWS4-HMAC-SHA256 Credential=fuzz/20260101/nova/ec2/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=00",
            "AWS4-HMAC-SHA256 Credential=////, Signature=",
            "AWS4-HMAC-SHA256 ",
            "20260101T000000Z",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "100-continue",
        ]
    )
    | st.text(alphabet=st.characters(max_codepoint=255), max_size=40),
    max_size=4,
)


@pytest.mark.fuzz
@settings(max_examples=3 * settings().max_examples)
@example(
    sigv4=False,
    method="POST",
    path="/",
    query=b"",
    body=b"Action=RunInstances&ImageId=ami-00000001",
    content_type=FORM,
    content_length=None,
    headers={},
)
@given(
    sigv4=st.booleans(),
    method=METHODS,
    path=st.sampled_from(["/", "/services/Cloud/"]) | st.text(max_size=10).map(lambda t: "/" + t),
    query=FORMS | st.binary(max_size=40),
    body=FORMS | st.binary(max_size=80),
    content_type=st.sampled_from([FORM, "", "text/plain", f"{FORM}; charset=utf-8", "\u00ff"]),
    content_length=st.none() | st.sampled_from(["", "-1", "x", "99999999999999999999"]),
    headers=HEADERS,
)
def test_no_request_gets_a_5xx(
    fuzz_apps: tuple[EC2App, EC2App],
    sigv4: bool,
    method: str,
    path: str,
    query: bytes,
    body: bytes,
    content_type: str,
    content_length: str | None,
    headers: dict[str, str],
) -> None:
    """Any method, path, query, body and headers, under either auth mode: an EC2 document,
    or the one page Grizzly answered a query-signed request missing a key Requestify pops;
    and no UnknownError hiding anything but Nova's own kind of failure (an always-failing
    launch path would pass "no 5xx" alone).

    ``nox -s fuzz`` runs it with the other fuzz tests (3x the profile's examples).
    """
    environ = environ_for(method, path, query, body, headers)
    environ["CONTENT_TYPE"] = content_type
    if content_length is not None:
        environ["CONTENT_LENGTH"] = content_length
    environ["PATH_INFO"] = path.encode("utf-8", "surrogatepass").decode("latin-1")
    with only_nova_failures():
        status, answer_headers, answer = call(fuzz_apps[sigv4], environ)
    assert status < 500
    if method == "HEAD":
        assert answer == b"" and int(answer_headers["Content-Length"]) > 0
        return
    if answer_headers["Content-Type"] != "text/xml":
        accept = [value for name, value in headers.items() if name.lower() == "accept"]
        page = webob_bad_request(accept[-1] if accept else "")
        assert (status, answer_headers["Content-Type"], answer) == (
            400,
            page.content_type,
            page.body,
        )
        return
    ET.fromstring(answer)


# --- the exchange hook -----------------------------------------------------------------------


def test_the_hook_sees_every_exchange_with_its_secrets(launch_sim: Simulator) -> None:
    exchanges: list[Exchange] = []
    app = EC2App(EC2Service(launch_sim), on_exchange=exchanges.append)
    params = [*LAUNCH, *sigv2_keys("k:p", "sig")]
    call(
        app,
        environ_for(body=urlencode(params).encode(), headers={"Authorization": "secret-header"}),
    )
    call(app, environ_for(path="/nope"))
    first, second = exchanges
    assert (first.method, first.path) == ("POST", "/")
    assert first.params == tuple(params)
    assert first.headers["authorization"] == "secret-header"
    assert first.outcome.status == 200
    assert first.outcome.instance_ids == ["i-00000001"]
    assert [call.image_href for call in first.outcome.create_calls] == [
        "70a599e0-31e7-49b7-b260-868f441e862b"
    ]
    assert (second.path, second.params) == ("/nope", ())
    assert second.outcome.error_code == "InvalidRequest"


def test_a_failing_hook_does_not_change_the_answer(
    launch_sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_hook(exchange: Exchange) -> None:
        raise RuntimeError(f"cannot record {exchange.params}")

    app = EC2App(EC2Service(launch_sim), on_exchange=broken_hook)
    body = urlencode([*LAUNCH, *sigv2_keys("k:p", "TOPSECRET")]).encode()
    with caplog.at_level(logging.ERROR):
        status, _, answer = call(app, environ_for(body=body))
    assert status == 200 and b"i-00000001" in answer
    assert "RuntimeError" in caplog.text
    assert "TOPSECRET" not in caplog.text


def test_an_unexpected_failure_is_unknown_error_and_logged_without_credentials(
    launch_sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    class BrokenAuth:
        def authenticate(self, request: HttpRequest, params: Any) -> str | None:
            raise KeyError(f"{params}")

        def credentials_hint(self) -> str:
            return "broken"

    app = EC2App(EC2Service(launch_sim), authenticator=BrokenAuth())
    body = urlencode([*LAUNCH, ("Signature", "TOPSECRET")]).encode()
    with caplog.at_level(logging.ERROR):
        status, _, answer = call(app, environ_for(body=body))
    assert (status, error_code(answer)) == (400, "UnknownError")
    assert "KeyError" in caplog.text and "TOPSECRET" not in caplog.text


def test_an_unusable_environ_is_still_an_ec2_answer(app: EC2App) -> None:
    status, _, body = call(app, {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": "3"})
    assert (status, error_code(body)) == (400, "UnknownError")


def test_request_from_environ_reads_headers_and_host() -> None:
    environ = environ_for(query=b"a=%C3%A9", body=b"x=1", headers={"X-Amz-Date": "d"})
    request = request_from_environ(environ, 100)
    assert request.headers == {"x-amz-date": "d", "content-type": FORM, "content-length": "3"}
    assert (request.host, request.url, request.query) == (
        "127.0.0.1:8773",
        "http://127.0.0.1:8773/",
        b"a=%C3%A9",
    )


# --- the server itself -----------------------------------------------------------------------


def test_server_handle_binds_a_free_loopback_port_and_stops(app: EC2App) -> None:
    with ServerHandle(app) as server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", server.endpoint)
        status, _, _ = post(server.endpoint, urlencode(LAUNCH).encode())
        assert status == 200
        server.stop()
    with pytest.raises(OSError):
        post(server.endpoint, urlencode(LAUNCH).encode())


def test_keep_alive_connection_serves_many_requests(launch_sim_server: str) -> None:
    url = urlsplit(launch_sim_server)
    connection = http.client.HTTPConnection(url.hostname or "", url.port)
    for number in range(1, 6):
        connection.request("POST", "/", urlencode(LAUNCH), {"Content-Type": FORM})
        response = connection.getresponse()
        assert f"i-{number:08x}".encode() in response.read()
    connection.close()


# --- launch-sim serve ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "0.0.0.0"], "--insecure-no-auth"),
        (["--host", "192.0.2.1"], "--insecure-no-auth"),
        (["--auth", "sigv4"], "--access-key K --secret-key S"),
        (["--auth", "sigv4", "--access-key", "k"], "--access-key K --secret-key S"),
        (["--auth", "sigv4", "--access-key", "k", "--secret-key", ""], "empty"),
        (["--access-key", "k", "--secret-key", "s"], "only used with --auth sigv4"),
        (["--port", "70000"], "cannot listen"),
    ],
)
def test_serve_refuses_bad_options_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["serve", "--store", str(tmp_path / "store.json"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.1", "example.com"])
@pytest.mark.parametrize(
    ("options", "allowed"),
    [
        ([], False),
        (["--insecure-no-auth"], True),
        (["--auth", "sigv4", "--access-key", "k", "--secret-key", "s"], True),
    ],
    ids=["no-auth", "insecure-no-auth", "sigv4"],
)
def test_only_loopback_may_serve_without_auth_unless_insecure_is_said(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    host: str,
    options: list[str],
    allowed: bool,
) -> None:
    """An allowed host gets as far as listening, on an impossible port, so nothing binds."""
    argv = ["serve", "--host", host, "--port", "70000", "--store", str(tmp_path / "s.json")]
    assert main([*argv, *options]) == 2
    err = capsys.readouterr().err
    assert ("cannot listen" in err) is allowed
    assert ("--insecure-no-auth" in err) is not allowed


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_serves_without_auth(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], host: str
) -> None:
    argv = ["serve", "--host", host, "--port", "70000", "--store", str(tmp_path / "s.json")]
    assert main(argv) == 2
    assert "cannot listen" in capsys.readouterr().err


def test_serve_refuses_a_port_in_use_and_says_what_to_give_instead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port), "--store", str(tmp_path / "s.json")]) == 2
    assert capsys.readouterr().err == (
        f"launch-sim: error: cannot listen on 127.0.0.1:{port}: "
        f"{os.strerror(errno.EADDRINUSE)}; give another --port, or --port 0 for a free one\n"
    )


def test_an_address_serve_cannot_bind_is_named_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not again in the words ``socket.create_server`` appends ("while attempting to bind
    on address ('192.0.2.1', 0)"); 192.0.2.1 is TEST-NET-1, no machine's own address."""
    argv = ["serve", "--host", "192.0.2.1", "--insecure-no-auth", "--port", "0"]
    assert main([*argv, "--store", str(tmp_path / "s.json")]) == 2
    assert capsys.readouterr().err == (
        f"launch-sim: error: cannot listen on 192.0.2.1:0: {os.strerror(errno.EADDRNOTAVAIL)}\n"
    )


@pytest.fixture
def serve_process(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[subprocess.Popen[str]]:
    """``launch-sim serve`` on a free port with the options given by indirect parametrization.

    The parameter is the extra arguments, or ``(arguments, environment variables)``.
    """
    param: list[str] | tuple[list[str], dict[str, str]] = getattr(request, "param", [])
    extra, variables = param if isinstance(param, tuple) else (param, {})
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **variables}
    process = subprocess.Popen(
        serve_command("--store", str(tmp_path / "store.json"), *extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=60)


@pytest.mark.parametrize(
    ("serve_process", "sig"),
    [([], signal.SIGTERM), ([], signal.SIGINT)],
    indirect=["serve_process"],
    ids=["sigterm", "sigint"],
)
def test_serve_shuts_down_cleanly_on_a_signal(
    serve_process: subprocess.Popen[str], sig: signal.Signals, tmp_path: Path
) -> None:
    assert serve_process.stdout is not None
    first_line = serve_process.stdout.readline()
    endpoint = re.search(r"http://127\.0\.0\.1:\d+/", first_line)
    assert endpoint, first_line
    assert "any access key" in credentials_hint(serve_process)
    for _ in range(3):
        assert post(endpoint.group(0), urlencode(LAUNCH).encode())[0] == 200
    serve_process.send_signal(sig)
    _, stderr = serve_process.communicate(timeout=60)
    assert serve_process.returncode == 0, stderr
    assert "Traceback" not in stderr
    with MappingStore.open(tmp_path / "store.json") as store:
        assert store.mapping_count(MappingTable.INSTANCES) == 3
        assert store.mapping_count(MappingTable.SNAPSHOTS) == 2, "seeded on first open"


def credentials_hint(serve_process: subprocess.Popen[str]) -> str:
    """The start-up line telling which credentials clients use (``launch-sim: auth ...``)."""
    assert serve_process.stdout is not None
    for line in serve_process.stdout:
        if line.startswith("launch-sim: auth "):
            return line
    raise AssertionError("serve printed no credentials hint")


def started(serve_process: subprocess.Popen[str]) -> tuple[str, str]:
    """The endpoint and the credentials hint ``serve`` prints on startup."""
    assert serve_process.stdout is not None
    endpoint = re.search(r"http://\S+/", serve_process.stdout.readline())
    assert endpoint
    return endpoint.group(0), credentials_hint(serve_process)


@pytest.mark.parametrize(
    "serve_process",
    [["--auth", "sigv4", "--access-key", "ops:lab", "--secret-key", "TOPSECRET-42"]],
    indirect=True,
)
def test_serve_prints_the_access_key_and_never_the_secret(
    serve_process: subprocess.Popen[str],
) -> None:
    endpoint, hint = started(serve_process)
    assert "ops:lab" in hint and "TOPSECRET-42" not in hint
    status, _, body = post(endpoint, urlencode(LAUNCH).encode())
    assert (status, error_code(body)) == (401, "AuthFailure")
    serve_process.send_signal(signal.SIGTERM)
    stdout, stderr = serve_process.communicate(timeout=60)
    assert serve_process.returncode == 0
    assert "TOPSECRET-42" not in stdout + stderr


@pytest.mark.parametrize(
    "serve_process",
    [(["--auth", "sigv4", "--access-key", "ops:lab"], {SECRET_KEY_ENV: "ENV-SECRET-7"})],
    indirect=True,
)
def test_serve_takes_the_secret_from_the_environment_out_of_the_process_list(
    serve_process: subprocess.Popen[str],
) -> None:
    endpoint, hint = started(serve_process)
    assert "ops:lab" in hint
    assert b"ENV-SECRET-7" not in Path(f"/proc/{serve_process.pid}/cmdline").read_bytes()

    def launch_with(secret: str) -> str:
        ec2 = boto3.session.Session().client(
            "ec2",
            region_name="nova",
            endpoint_url=endpoint,
            aws_access_key_id="ops:lab",
            aws_secret_access_key=secret,
        )
        try:
            ec2.run_instances(ImageId="ami-00000001", MinCount=1, MaxCount=1)
        except botocore.exceptions.ClientError as exc:
            return str(exc.response["Error"]["Code"])
        return "launched"

    assert launch_with("ENV-SECRET-7") == "launched"
    assert launch_with("not-it") == "SignatureDoesNotMatch"
    serve_process.send_signal(signal.SIGTERM)
    serve_process.communicate(timeout=60)
    assert serve_process.returncode == 0
