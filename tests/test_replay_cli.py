"""``launch-sim replay`` and ``serve --record``: reports, exit codes, and crash safety."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import botocore.config
import pytest
from cassette_helpers import default_on_termination
from serve_helpers import serve_command

from simulator import cloud
from simulator.cassette import load_cassette, replay_cassette
from simulator.cli import main
from simulator.contracts import default_registry

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "cassettes"
FAKE0 = CORPUS / "walkthrough-fake0.json"
POINTER = "/interactions/0/create_calls/0/block_device_mapping/0/delete_on_termination"


@pytest.fixture
def cassette(tmp_path: Path) -> Path:
    """A private copy of a corpus cassette (a snapshot without DeleteOnTermination)."""
    return Path(shutil.copy(FAKE0, tmp_path / "fake0.json"))


@pytest.fixture
def changed_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """One normalization rule changed: delete_on_termination now defaults to False."""
    monkeypatch.setattr(cloud, "parse_block_device_mapping", default_on_termination(False))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_matching_cassette_exits_0(cassette: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "replay", str(cassette))
    assert code == 0
    assert "1 interaction, all match" in out


@pytest.mark.usefixtures("changed_default")
def test_a_changed_rule_exits_1_with_the_pointer_and_both_values(
    cassette: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = cassette.read_bytes()
    code, out, _ = run(capsys, "replay", str(cassette))
    assert code == 1
    assert f"{POINTER}: recorded true, replayed false" in out
    assert "interaction 0: Action=RunInstances" in out
    assert cassette.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not JSON"),
        ('{"format": "launch-sim-cassette", "version": 2}', "not a valid cassette"),
        ('{"images": []}', "not a valid cassette"),
        ("[" * 100_000 + "]" * 100_000, "not JSON this reader accepts: nested too deeply"),
        ('{"format": "launch-sim-cassette", "x": "\\ud800"}', "not Unicode text"),
        (
            FAKE0.read_text().rstrip()[:-1] + ', "interactions": []}',
            "not JSON this reader accepts: the key 'interactions' appears twice in one object",
        ),
        (
            '{"format": "launch-sim-cassette", "format": "x", "interactions": []}',
            "not JSON this reader accepts: the key 'format' appears twice in one object",
        ),
        (
            FAKE0.read_text().replace('"method": "POST"', '"method": "GET", "method": "POST"'),
            "not JSON this reader accepts: the key 'method' appears twice in one object",
        ),
    ],
    ids=[
        "not-json",
        "version-2",
        "a-seed",
        "nested-too-deeply",
        "lone-surrogate",
        "interactions-twice",
        "a-header-key-twice",
        "a-key-twice-in-an-interaction",
    ],
)
def test_bad_cassettes_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, reason: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    code, out, err = run(capsys, "replay", str(FAKE0), str(path))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"launch-sim: error: {path}: {reason}")


@pytest.mark.parametrize("name", ["missing.json", "empty-folder"])
def test_missing_inputs_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    (tmp_path / "empty-folder").mkdir()
    code, _, err = run(capsys, "replay", str(tmp_path / name))
    assert code == 2
    assert err.count("\n") == 1
    assert str(tmp_path / name) in err


def test_a_folder_replays_every_cassette_below_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "nested").mkdir()
    shutil.copy(FAKE0, tmp_path / "a.json")
    shutil.copy(CORPUS / "kernel-ramdisk.json", tmp_path / "nested" / "b.json")
    (tmp_path / "notes.txt").write_text("not a cassette")
    code, out, _ = run(capsys, "replay", str(tmp_path))
    assert code == 0
    assert "2 cassettes, 8 interactions: OK" in out


@pytest.mark.usefixtures("changed_default")
def test_json_report(cassette: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "replay", "--format", "json", str(cassette))
    report = json.loads(out)
    assert code == 1
    assert report["ok"] is False
    [failure] = report["cassettes"][0]["failures"]
    assert failure["differences"] == [{"pointer": POINTER, "recorded": True, "replayed": False}]


@pytest.mark.usefixtures("changed_default")
def test_junit_report_to_a_file(
    cassette: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "report.xml"
    code, out, _ = run(
        capsys,
        "replay",
        "--format",
        "junit",
        "--output",
        str(output),
        str(cassette),
        str(CORPUS / "kernel-ramdisk.json"),
    )
    assert (code, out) == (1, "")
    suites = ET.parse(output).getroot()
    assert suites.tag == "testsuites"
    assert (suites.get("tests"), suites.get("failures")) == ("8", "1")
    [failure] = suites.iter("failure")
    assert POINTER in (failure.text or "")
    assert [suite.get("name") for suite in suites] == [
        str(cassette),
        str(CORPUS / "kernel-ramdisk.json"),
    ]


def test_a_junit_report_stays_xml_whatever_a_recorded_value_holds(
    cassette: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A client may send ``%01``; the recorder keeps it, XML cannot carry it."""
    document = json.loads(cassette.read_text())
    document["interactions"][0]["request"]["params"].insert(0, ["KeyName", "\u0001\ufffe"])
    document["interactions"][0]["response"]["instance_ids"] = ["i-00000009"]
    cassette.write_text(json.dumps(document))
    code, out, _ = run(capsys, "replay", "--format", "junit", str(cassette))
    assert code == 1
    [case] = ET.fromstring(out).iter("testcase")
    assert "KeyName=\ufffd\ufffd" in (case.get("name") or "")


def test_output_never_overwrites_an_input_cassette(
    cassette: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = cassette.read_bytes()
    code, _, err = run(capsys, "replay", "--output", str(cassette), str(cassette))
    assert code == 2
    assert "refusing to overwrite" in err
    assert cassette.read_bytes() == before


@pytest.mark.usefixtures("changed_default")
def test_record_mode_all_rewrites_what_changed_and_only_that(
    cassette: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "replay", "--record-mode", "once", str(cassette))[0] == 1
    code, _, err = run(capsys, "replay", "--record-mode", "all", str(cassette))
    assert code == 0
    assert "re-recorded 1 interaction(s)" in err
    assert run(capsys, "replay", str(cassette))[0] == 0
    mapping = load_cassette(cassette).interactions[0].create_calls[0]["block_device_mapping"][0]
    assert mapping["delete_on_termination"] is False


def test_validate_checks_cassettes(cassette: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", str(cassette))
    assert (code, out) == (0, f"{cassette}: valid cassette\n")


# --- a real recording server, killed -----------------------------------------------------------


def start_server(tmp_path: Path, cassette: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    """``launch-sim serve --record`` in a subprocess on a free port; returns it and its URL."""
    process = subprocess.Popen(
        serve_command("--store", str(tmp_path / "store.json"), "--record", str(cassette), *extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if "EC2 API at " in line:
            return process, line.split("EC2 API at ", 1)[1].split()[0]
    raise AssertionError(f"serve did not start: {process.communicate()}")


@pytest.fixture
def traffic() -> Iterator[threading.Event]:
    """Set it to stop the client threads a test started."""
    stop = threading.Event()
    yield stop
    stop.set()


@dataclass
class Load:
    """What the client threads saw: the instance ids answered, and any error before the kill
    (after it, a failed request is the point)."""

    killed: threading.Event = field(default_factory=threading.Event)
    answered: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def launch_until(endpoint: str, stop: threading.Event, load: Load) -> None:
    """Launch one instance after another (with BDM and user data) until told to stop."""
    client = boto3.client(
        "ec2",
        endpoint_url=endpoint,
        region_name="nova",
        aws_access_key_id="a",
        aws_secret_access_key="s",
        config=botocore.config.Config(
            retries={"max_attempts": 1}, connect_timeout=5, read_timeout=5
        ),
    )
    while not stop.is_set():
        try:
            reservation = client.run_instances(
                ImageId="ami-00000001",
                MinCount=1,
                MaxCount=2,
                UserData="x",
                BlockDeviceMappings=[{"DeviceName": "/dev/fake5", "VirtualName": "ephemeral0"}],
            )
        except Exception as exc:
            if not load.killed.is_set():
                load.errors.append(repr(exc))
            return
        load.answered.extend(item["InstanceId"] for item in reservation["Instances"])


def interactions_in(path: Path) -> int:
    try:
        return len(json.loads(path.read_text())["interactions"])
    except (OSError, ValueError, KeyError):
        return -1


@pytest.mark.parametrize("kill_after", [1, 5, 20])
def test_kill_9_while_recording_leaves_a_valid_cassette(
    tmp_path: Path, traffic: threading.Event, kill_after: int
) -> None:
    """Every launch a client was answered (fewer than 256) is in the cassette, checked by the
    instance ids the clients got; no client saw an error before the kill."""
    cassette = tmp_path / "killed.json"
    process, endpoint = start_server(tmp_path, cassette, "--redact", "UserData")
    load = Load()
    clients = [
        threading.Thread(target=launch_until, args=(endpoint, traffic, load), daemon=True)
        for _ in range(3)
    ]
    for client in clients:
        client.start()
    try:
        while process.poll() is None and (
            interactions_in(cassette) < kill_after or len(load.answered) < kill_after
        ):
            threading.Event().wait(0.005)
    finally:
        load.killed.set()
        os.kill(process.pid, signal.SIGKILL)
        process.communicate()
        traffic.set()
        for client in clients:
            client.join()
    assert (process.returncode, load.errors) == (-signal.SIGKILL, [])
    data = json.loads(cassette.read_text())
    assert default_registry().validate("cassette", data) == []
    recorded = load_cassette(cassette)
    kept = {ec2_id for i in recorded.interactions for ec2_id in i.response.instance_ids}
    assert len(load.answered) < 256
    assert set(load.answered) - kept == set()
    assert not replay_cassette(recorded, str(cassette)).result.failures


def _launches(endpoint: str, count: int) -> None:
    for number in range(count):
        body = f"Action=RunInstances&ImageId=ami-00000001&ClientToken=t{number}".encode()
        with urllib.request.urlopen(urllib.request.Request(endpoint, data=body), timeout=60) as r:
            assert b"<instanceId>" in r.read()


@contextmanager
def _hangups_inherited_as(disposition: signal.Handlers) -> Iterator[None]:
    """SIGHUP set to ``disposition`` in this process for the block, so that a server started
    in it inherits that (an ignored signal stays ignored across ``exec``, a default one
    default); the test's own disposition is restored after."""
    previous = signal.signal(signal.SIGHUP, disposition)
    try:
        yield
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_a_hangup_stops_a_recording_server_as_sigterm_does(tmp_path: Path) -> None:
    """Closing the terminal (or an ssh session) sends SIGHUP, which killed the server where
    it stood: a recording past 256 interactions lost the ones not saved yet (11 of 300), and
    a checking server its summary and exit status."""
    cassette = tmp_path / "hup.json"
    with _hangups_inherited_as(signal.SIG_DFL):  # this suite may itself run under nohup
        process, endpoint = start_server(tmp_path, cassette, "--quiet")
    _launches(endpoint, 300)
    process.send_signal(signal.SIGHUP)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert (
        err.splitlines()[-1]
        == f"launch-sim: {cassette}: 300 interaction(s) recorded, 0 difference(s)"
    )
    assert len(load_cassette(cassette).interactions) == 300


def test_a_server_started_with_hangups_ignored_keeps_ignoring_them(tmp_path: Path) -> None:
    """``nohup launch-sim serve`` means: survive the terminal closing."""
    cassette = tmp_path / "nohup.json"
    with _hangups_inherited_as(signal.SIG_IGN):  # as nohup starts it
        process, endpoint = start_server(tmp_path, cassette, "--quiet")
    process.send_signal(signal.SIGHUP)
    _launches(endpoint, 2)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert len(load_cassette(cassette).interactions) == 2


def test_a_server_records_boto3_and_the_aws_cli_and_replay_is_green(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = tmp_path / "served.json"
    process, endpoint = start_server(
        tmp_path, cassette, "--auth", "sigv4", "--access-key", "user:proj", "--secret-key", "s3cret"
    )
    try:
        client = boto3.client(
            "ec2",
            endpoint_url=endpoint,
            region_name="nova",
            aws_access_key_id="user:proj",
            aws_secret_access_key="s3cret",
        )
        client.run_instances(ImageId="ami-00000001", MinCount=1, MaxCount=1)
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": "user:proj",
            "AWS_SECRET_ACCESS_KEY": "s3cret",
            "AWS_DEFAULT_REGION": "nova",
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        }
        aws = Path(sys.executable).parent / "aws"
        result = subprocess.run(
            [
                str(aws),
                "--endpoint-url",
                endpoint,
                "ec2",
                "run-instances",
                "--image-id",
                "ami-000000ff",
                "--count",
                "1",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert "ImageNotFound" in result.stderr
        wrong = boto3.client(
            "ec2",
            endpoint_url=endpoint,
            region_name="nova",
            aws_access_key_id="user:proj",
            aws_secret_access_key="wrong",
        )
        with pytest.raises(wrong.exceptions.ClientError):
            wrong.run_instances(ImageId="ami-00000001", MinCount=1, MaxCount=1)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate()
    assert process.returncode == 0
    assert "2 interaction(s) recorded" in err
    text = cassette.read_text()
    assert "s3cret" not in text and "user:proj" not in text
    code, out, _ = run(capsys, "replay", str(cassette))
    assert (code, out.splitlines()[-1]) == (0, "1 cassette, 2 interactions: OK")


def test_serve_refuses_recording_options_without_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "serve", "--store", str(tmp_path / "s.json"), "--redact", "X")
    assert code == 2
    assert "only apply with --record" in err


def test_serve_refuses_to_record_as_non_admin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cassette keeps no requester: replayed as admin, one project's instances are
    another's, and the recording's own replay and scaffold failed on it."""
    cassette = tmp_path / "c.json"
    code, out, err = run(
        capsys, "serve", "--memory", "--non-admin", "--record", str(cassette), "--port", "0"
    )
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "--non-admin" in err and "--record" in err
    assert not cassette.exists()


def test_serve_in_mode_none_needs_an_existing_cassette(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys,
        "serve",
        "--store",
        str(tmp_path / "s.json"),
        "--record",
        str(tmp_path / "c.json"),
        "--record-mode",
        "none",
    )
    assert code == 2
    assert "no such cassette" in err
