"""Seeing what ``serve`` does (issue 12, item 9): one access-log line per request on stderr
(UTC time, action, HTTP status, EC2 code, milliseconds), nothing a client sent beyond a plain
action name, and ``--quiet`` to silence it."""

from __future__ import annotations

import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from serve_helpers import serving

from simulator import Simulator
from simulator.httprequest import HttpRequest
from simulator.server import ACCESS_LOG, EC2App
from simulator.service import EC2Service

LINE = re.compile(
    r"launch-sim: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (?P<action>\S+) (?P<status>\d{3}) "
    r"(?P<code>\S+) \d+\.\dms"
)
SECRET = "access-log-secret-9c1f"
SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seed" / "default.json"


def _send(endpoint: str, params: list[tuple[str, str]], path: str = "") -> None:
    body = urllib.parse.urlencode(params).encode()
    try:
        with urllib.request.urlopen(endpoint + path, data=body, timeout=60) as answer:
            answer.read()
    except urllib.error.HTTPError as error:
        error.read()


def _entries(stderr: str) -> list[tuple[str, str, str]]:
    found = [LINE.fullmatch(line) for line in stderr.splitlines()]
    return [(m["action"], m["status"], m["code"]) for m in found if m is not None]


def test_serve_logs_one_line_per_request_and_no_credential(tmp_path: Path) -> None:
    launch = [("Action", "RunInstances"), ("ImageId", "ami-00000001")]
    with serving("--store", str(tmp_path / "store.json"), "--seed", str(SEED)) as served:
        _send(served.endpoint, launch)
        _send(served.endpoint, [("Action", "RunInstances"), ("ImageId", "ami-000000ff")])
        # query-signed but without Requestify's keys: Grizzly's bare WebOb 400 page
        _send(served.endpoint, [*launch, ("AWSAccessKeyId", SECRET), ("Signature", SECRET)])
        _send(served.endpoint, [("Action", f"Run{SECRET}\nInstances")])
        _send(served.endpoint, launch, path="elsewhere")
    entries = _entries(served.stderr)
    assert entries[0] == ("-", "400", "MissingParameter"), "serving()'s own first GET"
    assert entries[1:] == [
        ("RunInstances", "200", "-"),
        ("RunInstances", "400", "ImageNotFound"),
        ("-", "400", "-"),
        ("?", "400", "InvalidRequest"),
        ("-", "404", "InvalidRequest"),
    ]
    assert SECRET not in served.stderr


def test_quiet_silences_the_access_log(tmp_path: Path) -> None:
    with serving("--quiet", "--store", str(tmp_path / "store.json")) as served:
        _send(served.endpoint, [("Action", "RunInstances"), ("ImageId", "ami-00000001")])
    assert _entries(served.stderr) == []
    assert served.returncode == 0


def test_the_app_logs_through_python_logging(caplog: pytest.LogCaptureFixture) -> None:
    app = EC2App(EC2Service(Simulator.from_seed()))
    request = HttpRequest(
        method="POST",
        scheme="http",
        host="127.0.0.1",
        path="/",
        query=b"",
        headers={"content-type": "application/x-www-form-urlencoded"},
        body=b"Action=RunInstances&ImageId=ami-00000001",
    )
    with caplog.at_level(logging.INFO, logger=ACCESS_LOG):
        app.respond(request)
    [record] = caplog.records
    assert record.name == ACCESS_LOG
    assert re.fullmatch(r"RunInstances 200 - \d+\.\dms", record.getMessage())
