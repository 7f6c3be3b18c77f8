"""Credentials never leak: a whole session with a distinctive key pair, then a scan.

The session is what a user does: ``serve --auth sigv4 --record`` answering boto3 (SigV4 and
SigV2, right and wrong secrets, unsigned), ``replay`` writing text, JSON and JUnit reports,
and ``verify`` against a second signed server. Every file written under the test's
directory, every line the commands printed and every log record is then searched for the
secret, the access key and every signature and Authorization header that was sent.

The access key may appear in exactly one place: the line ``serve`` prints at start-up to tell
the operator which key clients must use.
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from serve_helpers import serving

from simulator.cli import main

KEY, SECRET = "leakcheck-key-7f3a9c:leakproj", "leakcheck-SECRET-5b1e0d42a8"
SNAPSHOT_MISSING = [{"DeviceName": "/dev/vdb", "Ebs": {"SnapshotId": "snap-000000ff"}}]


def ec2(endpoint: str, secret: str | None, sent: list[str], version: str = "v4") -> Any:
    """A boto3 client that also notes every Authorization header and Signature it sends."""
    signing = {"signature_version": botocore.UNSIGNED if secret is None else version}
    client = boto3.client(
        "ec2",
        endpoint_url=endpoint,
        region_name="nova",
        aws_access_key_id=KEY,
        aws_secret_access_key=secret or "unused",
        config=Config(retries={"max_attempts": 1}, **signing),
    )

    def note(request: Any, **_: Any) -> None:
        authorization = request.headers.get("Authorization")
        if authorization:
            header = authorization.decode() if isinstance(authorization, bytes) else authorization
            sent.extend([header, header.rpartition("Signature=")[2]])
        body = request.body.decode() if isinstance(request.body, bytes) else request.body or ""
        sent.extend(value for name, value in parse_qsl(body) if name == "Signature")

    client.meta.events.register("before-send.ec2.*", note)
    return client


def launch(client: Any, **params: Any) -> None:
    with contextlib.suppress(ClientError):
        client.run_instances(ImageId="ami-00000001", MinCount=1, MaxCount=1, **params)


def cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "simulator", *argv], capture_output=True, text=True, timeout=120
    )


def test_a_signed_recording_session_leaks_no_credential(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    report_figure: Callable[[str], None],
) -> None:
    caplog.set_level(logging.DEBUG)
    cassette = tmp_path / "session.json"
    auth = ["--auth", "sigv4", "--access-key", KEY, "--secret-key", SECRET]
    sent: list[str] = []
    printed: list[str] = []
    with serving(
        "--store", str(tmp_path / "store.json"), "--record", str(cassette), *auth
    ) as server:
        for version in ("v4", "v2"):
            launch(ec2(server.endpoint, SECRET, sent, version))
            launch(
                ec2(server.endpoint, SECRET, sent, version), BlockDeviceMappings=SNAPSHOT_MISSING
            )
            launch(ec2(server.endpoint, "not-the-secret", sent, version))
        launch(ec2(server.endpoint, None, sent))
    assert server.returncode == 0, server.stderr
    assert "4 interaction(s) recorded" in server.stderr
    printed += [server.stdout, server.stderr]

    for fmt, output in (("text", None), ("json", "report.json"), ("junit", "report.xml")):
        to_file = ["--output", str(tmp_path / output)] if output else []
        replayed = cli("replay", str(cassette), "--format", fmt, *to_file)
        assert replayed.returncode == 0, replayed.stderr
        printed += [replayed.stdout, replayed.stderr]

    with serving("--store", str(tmp_path / "verified.json"), *auth) as live:
        verify = [
            "verify",
            "--endpoint",
            live.endpoint,
            "--access-key",
            KEY,
            "--secret-key",
            SECRET,
            "--format",
            "junit",
            "--output",
            str(tmp_path / "verify.xml"),
            str(cassette),
        ]
        assert main(verify) == 0
    printed += [live.stdout, live.stderr, *capsys.readouterr()]

    signatures = sorted(set(sent))
    assert len(signatures) >= 8, "SigV4 headers, their signatures and SigV2 signatures noted"
    files = sorted(path for path in tmp_path.rglob("*") if path.is_file())
    ours = [
        r.getMessage() for r in caplog.records if r.name.startswith(("launch_sim", "simulator"))
    ]
    everyone = [r.getMessage() for r in caplog.records]
    report_figure(
        f"secret scan: {len(files)} files, {len(printed)} outputs, {len(caplog.records)} log "
        f"records searched for the secret, the key and {len(signatures)} signatures"
    )

    for path in files:
        content = path.read_bytes()
        for value in (SECRET, KEY, *signatures, "AWS4-HMAC-SHA256", "X-Amz-"):
            assert value.encode() not in content, (path.name, value)
    for text in printed + ours:
        for value in (SECRET, *signatures):
            assert value not in text
    assert [line for text in printed + ours for line in text.splitlines() if KEY in line] == [
        f"launch-sim: auth sigv4: sign (SigV4 or SigV2) with access key {KEY} and its secret"
    ] * 2, "only each server's start-up hint names the key"
    assert not any(SECRET in message for message in everyone), "not even botocore's debug log"
