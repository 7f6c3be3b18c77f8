"""Limits over real HTTP: oversized requests are refused before any work, slow clients time out.

"Before any work" is shown with the store's access log: a refused request reads no row and
creates none, and makes no create call. Nova's own user-data limit is the exception by design:
compute checks it after the lookups, and launch-sim keeps that order (docs/reliability.md).
"""

from __future__ import annotations

import http.client
import socket
import xml.etree.ElementTree as ET
from urllib.parse import urlencode, urlsplit

import pytest

from simulator import Simulator
from simulator.compute import MAX_USERDATA_SIZE
from simulator.limits import DEFAULT_LIMITS, MEMO_SIZE, SHORT_TEXT_CHARS, ShortTextMemo
from simulator.server import MAX_BODY_BYTES, EC2App, ServerHandle
from simulator.service import EC2Service

FORM = "application/x-www-form-urlencoded"
LAUNCH = [("Action", "RunInstances"), ("ImageId", "ami-00000001"), ("MinCount", "1")]
USER_DATA = "QUFB" * (MAX_USERDATA_SIZE // 4)
"""Valid base64 just under Nova's 65535 bytes: the largest user data Nova accepts."""


def post(endpoint: str, body: bytes, path: str = "/") -> tuple[int, str | None, str | None]:
    url = urlsplit(endpoint)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=60)
    try:
        connection.request("POST", path, body, {"Content-Type": FORM})
        response = connection.getresponse()
        root = ET.fromstring(response.read())
        return (
            response.status,
            root.findtext("Errors/Error/Code"),
            root.findtext("Errors/Error/Message"),
        )
    finally:
        connection.close()


OVERSIZED = {
    "body-over-1-MiB": (
        [*LAUNCH, ("KeyName", "k" * MAX_BODY_BYTES)],
        f"The request body is larger than {MAX_BODY_BYTES} bytes",
    ),
    "1001-parameters": (
        [*LAUNCH, *((f"Tag.{n}", "x") for n in range(1001 - len(LAUNCH)))],
        "The request has 1001 parameters; at most 1000 are accepted",
    ),
    "9-dots-deep": (
        [*LAUNCH, ("BlockDeviceMapping.1.Ebs.a.b.c.d.e.f.g", "1")],
        "is nested 9 levels deep; at most 8 dots are accepted",
    ),
    "value-over-64-KiB": (
        [*LAUNCH, ("KeyName", "k" * (DEFAULT_LIMITS.max_value_bytes + 1))],
        "The value of parameter KeyName is 65537 bytes; at most 65536 bytes are accepted",
    ),
}


@pytest.mark.parametrize(("params", "reason"), OVERSIZED.values(), ids=OVERSIZED.keys())
def test_an_oversized_request_is_refused_before_any_work(
    launch_sim: Simulator, launch_sim_server: str, params: list[tuple[str, str]], reason: str
) -> None:
    with launch_sim.store.access_log() as log:
        status, code, message = post(launch_sim_server, urlencode(params).encode())
    assert (status, code) == (400, "RequestTooLarge")
    assert reason in (message or "")
    assert (log.read, log.created, list(launch_sim.compute.calls)) == ({}, set(), [])


def test_nova_checks_user_data_size_after_the_lookups_as_it_did(
    launch_sim: Simulator, launch_sim_server: str
) -> None:
    """UserData is exempt from the 64 KiB value limit: Nova's compute answers for it."""
    assert post(launch_sim_server, urlencode([*LAUNCH, ("UserData", USER_DATA)]).encode())[0] == 200
    too_large = urlencode([*LAUNCH, ("UserData", USER_DATA + "QUFB")]).encode()
    with launch_sim.store.access_log() as log:
        status, code, _ = post(launch_sim_server, too_large)
    assert (status, code) == (400, "UnknownError")
    assert log.read and not log.created, "looked the image up, launched nothing"


def test_a_slow_client_holds_no_worker_and_is_cut_off_when_idle(launch_sim: Simulator) -> None:
    """One worker thread, two clients stalled mid-request: others are still served, and the
    stalled connections are closed once idle for ``channel_timeout``."""
    app = EC2App(EC2Service(launch_sim))
    with ServerHandle(app, threads=1, channel_timeout=1) as server:
        url = urlsplit(server.endpoint)
        address = (url.hostname or "", url.port or 0)
        stalled = [
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Le",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nAction=Run",
        ]
        sockets = [socket.create_connection(address) for _ in stalled]
        try:
            for sock, half_request in zip(sockets, stalled, strict=True):
                sock.sendall(half_request)
            for _ in range(3):
                assert post(server.endpoint, urlencode(LAUNCH).encode())[0] == 200
            for sock in sockets:
                sock.settimeout(60)  # a guard against a hang, not a measurement
                assert sock.recv(1) == b"", "closed by the server, with no answer"
        finally:
            for sock in sockets:
                sock.close()


def test_a_short_text_is_worked_out_once_a_long_one_each_time() -> None:
    seen: list[str] = []

    def upper(text: str) -> str:
        seen.append(text)
        return text.upper()

    remembered = ShortTextMemo(upper)
    short, long = "x" * SHORT_TEXT_CHARS, "y" * (SHORT_TEXT_CHARS + 1)
    assert [remembered(text) for text in (short, short, long, long)] == [
        short.upper(),
        short.upper(),
        long.upper(),
        long.upper(),
    ]
    assert seen == [short, long, long]


def test_a_memo_holds_at_most_its_size_and_forgets_no_failure() -> None:
    calls: list[str] = []

    def checked(text: str) -> int:
        """The length of a text that is not "bad"."""
        calls.append(text)
        if text == "bad":
            raise ValueError(text)
        return len(text)

    remembered = ShortTextMemo(checked)
    for number in range(MEMO_SIZE * 2 + 7):
        assert remembered[str(number)] == len(str(number))
        assert len(remembered) <= MEMO_SIZE
    for _ in range(2):
        with pytest.raises(ValueError):
            remembered("bad")
    assert calls.count("bad") == 2
    assert "bad" not in remembered
    assert remembered.__doc__ == checked.__doc__
