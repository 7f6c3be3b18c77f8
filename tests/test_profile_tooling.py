"""Choosing the profile everywhere a simulator is chosen: cassettes, commands, plugin, steps.

A cassette names the profile it was recorded under and replays under it by default;
``--profile`` on ``launch``, ``serve``, ``replay`` and ``verify`` picks another, the pytest
plugin takes an option and a marker, and the step ``Given the "havana" profile`` switches
a scenario's simulator. An unknown name is always refused with the known ones.

The difference the tests lean on: an unknown flavor is HTTP 400 in Grizzly and 404 from
Havana on (Havana's Executor answers ``ex.code``); Icehouse names it ``FlavorNotFoundByName``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from xml.etree import ElementTree

import boto3
import pytest
from botocore.exceptions import ClientError
from serve_helpers import serving
from test_scaffold import FEATURE_TEST, run_pytest

from simulator import Simulator
from simulator.cassette import load_cassette, replay_cassette, use_cassette
from simulator.cassette.format import CassetteError
from simulator.cli import main
from simulator.contracts import default_registry
from simulator.mock import mock_ec2

ROOT = Path(__file__).resolve().parent.parent
FAKE0 = ROOT / "fixtures" / "cassettes" / "walkthrough-fake0.json"
UNKNOWN_FLAVOR = [
    ("Action", "RunInstances"),
    ("ImageId", "ami-00000001"),
    ("InstanceType", "m9.huge"),
]
STATUS = "/interactions/0/response/status"
KNOWN = "known profiles are folsom, grizzly, havana, icehouse"


def record(path: Path, profile: str | None, params: list[tuple[str, str]] = UNKNOWN_FLAVOR) -> Path:
    with use_cassette(path, "once", profile=profile) as use:
        use.handle(params)
        assert use.failure_report() is None
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- the cassette ---------------------------------------------------------------------------


def test_a_cassette_names_its_profile_and_reads_back_byte_for_byte(tmp_path: Path) -> None:
    path = record(tmp_path / "havana.json", "havana")
    data = json.loads(path.read_text())
    assert list(data)[:4] == ["format", "version", "recorded_at", "profile"]
    assert data["profile"] == "havana"
    assert data["interactions"][0]["response"]["status"] == 404
    cassette = load_cassette(path)
    assert (cassette.profile, cassette.recorded_under.name) == ("havana", "havana")
    assert cassette.to_bytes() == path.read_bytes()


def test_the_default_profile_is_recorded_by_name(tmp_path: Path) -> None:
    assert json.loads(record(tmp_path / "c.json", None).read_text())["profile"] == "grizzly"


def test_a_cassette_without_a_profile_is_grizzly_and_stays_without(tmp_path: Path) -> None:
    cassette = load_cassette(FAKE0)
    assert "profile" not in json.loads(FAKE0.read_text())
    assert (cassette.profile, cassette.recorded_under.name) == (None, "grizzly")
    assert cassette.to_bytes() == FAKE0.read_bytes()


def test_the_schema_knows_the_four_profiles_and_nothing_else() -> None:
    data = json.loads(FAKE0.read_text())
    registry = default_registry()
    for name in ("folsom", "grizzly", "havana", "icehouse"):
        assert registry.validate("cassette", {**data, "profile": name}) == []
    assert registry.validate("cassette", {**data, "profile": "diablo"}) != []
    assert registry.validate("cassette", {**data, "profile": None}) != []


# --- replay -----------------------------------------------------------------------------------


def test_replay_answers_as_the_cassettes_profile_unless_told_otherwise(tmp_path: Path) -> None:
    cassette = load_cassette(record(tmp_path / "havana.json", "havana"))
    assert not replay_cassette(cassette, "havana.json").result.failures
    other = replay_cassette(cassette, "havana.json", "grizzly").result
    ((difference, *_),) = [failure.differences for failure in other.failures]
    assert (difference.pointer, difference.recorded, difference.observed) == (STATUS, 404, 400)
    assert (other.profile, other.recorded_under, other.label) == (
        "grizzly",
        "havana",
        "havana.json [grizzly]",
    )


def test_replay_profile_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = record(tmp_path / "grizzly.json", "grizzly")
    code, out, _ = run(capsys, "replay", str(path))
    assert (code, out.splitlines()[0]) == (0, f"{path}: 1 interaction, all match")
    code, out, _ = run(capsys, "replay", "--profile", "havana", str(path))
    assert code == 1
    assert out.splitlines()[0] == (
        f"{path} [recorded under grizzly, replayed as havana]: 1 interaction, 1 mismatch"
    )
    assert f"{STATUS}: recorded 400, replayed 404" in out
    code, out, _ = run(capsys, "replay", "--format", "json", "--profile", "havana", str(path))
    (entry,) = json.loads(out)["cassettes"]
    assert (entry["profile"], entry["recorded_under"]) == ("havana", "grizzly")
    code, out, _ = run(capsys, "replay", "--format", "junit", "--profile", "havana", str(path))
    suite = ElementTree.fromstring(out).find("testsuite")
    assert suite is not None and suite.get("name") == f"{path} [havana]", "a CI's stable name"
    code, out, _ = run(capsys, "replay", "--format", "html", "--profile", "havana", str(path))
    assert "<p>1 interaction; recorded under grizzly; replayed under havana</p>" in out
    code, out, _ = run(capsys, "replay", "--profile", "grizzly", str(path))
    assert out.splitlines()[0] == f"{path}: 1 interaction, all match", "its own profile"


def test_rerecording_under_another_profile_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = record(tmp_path / "grizzly.json", "grizzly")
    code, _, err = run(capsys, "replay", "--record-mode", "all", "--profile", "havana", str(path))
    assert code == 0 and "re-recorded 1 interaction(s)" in err
    cassette = load_cassette(path)
    assert cassette.profile == "havana"
    assert cassette.interactions[0].response.status == 404
    assert run(capsys, "replay", str(path))[0] == 0


def test_new_episodes_never_mix_two_profiles_in_one_cassette(tmp_path: Path) -> None:
    path = record(tmp_path / "grizzly.json", "grizzly")
    with (
        pytest.raises(CassetteError, match="recorded under the grizzly profile, not havana"),
        use_cassette(path, "new_episodes", profile="havana"),
    ):
        pass
    with use_cassette(path, "none", profile="havana") as use:  # checking is comparing
        use.handle(UNKNOWN_FLAVOR)
        assert f"{STATUS}: recorded 400, now 404" in (use.failure_report() or "")


# --- the other commands -----------------------------------------------------------------------


def test_launch_as_a_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = tmp_path / "launch.json"
    request.write_text(json.dumps({"image_id": "ami-00000001", "instance_type": "m9.huge"}))
    codes = {}
    for profile in ("grizzly", "icehouse"):
        code, out, _ = run(capsys, "launch", "--memory", "--profile", profile, str(request))
        codes[profile] = (code, json.loads(out)["error"]["code"])
    assert codes == {
        "grizzly": (1, "InstanceTypeNotFoundByName"),
        "icehouse": (1, "FlavorNotFoundByName"),
    }


@pytest.mark.parametrize("command", ["launch", "serve", "replay", "verify"])
def test_an_unknown_profile_is_one_line_listing_the_known_ones(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = {
        "launch": ["launch", "--memory", "request.json"],
        "serve": ["serve"],
        "replay": ["replay", str(FAKE0)],
        "verify": ["verify", "--endpoint", "http://127.0.0.1:9/", str(FAKE0)],
    }[command]
    with pytest.raises(SystemExit) as stopped:
        main([*argv, "--profile", "diablo"])
    err = capsys.readouterr().err
    assert stopped.value.code == 2
    assert f"argument --profile: unknown profile 'diablo': {KNOWN}" in err
    assert err.count("\n") == 1


def test_serve_records_its_profile_and_verify_names_the_expected_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = tmp_path / "served.json"
    grizzly = record(tmp_path / "grizzly.json", "grizzly")
    with serving(
        "--store",
        str(tmp_path / "store.json"),
        "--profile",
        "havana",
        "--record",
        str(cassette),
    ) as served:
        code, out, _ = run(
            capsys,
            "verify",
            "--endpoint",
            served.endpoint,
            "--profile",
            "havana",
            "--format",
            "json",
            str(grizzly),
        )
        _, text, _ = run(
            capsys, "verify", "--endpoint", served.endpoint, "--profile", "havana", str(grizzly)
        )
    assert "answering as Nova Havana 2013.2.4 (profile havana)" in served.stdout
    assert text.splitlines()[0] == (
        f"{grizzly} [recorded under grizzly, endpoint as havana]: 1 interaction, 1 mismatch"
    )
    (entry,) = json.loads(out)["cassettes"]
    assert (entry["profile"], entry["recorded_under"]) == ("havana", "grizzly")
    assert code == 1  # recorded answers are compared as they are: Grizzly's 400, Havana's 404
    assert entry["failures"][0]["differences"] == [
        {"pointer": STATUS, "recorded": 400, "endpoint": 404}
    ]
    recorded = load_cassette(cassette)
    assert recorded.profile == "havana"
    assert recorded.interactions[0].response.status == 404


def _post(endpoint: str, params: list[tuple[str, str]]) -> int:
    """The HTTP status ``serve`` answers a form-encoded request with."""
    request = urllib.request.Request(endpoint, data=urllib.parse.urlencode(params).encode())
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


LONG_AGO = ("Timestamp", "2001-01-01T00:00:00Z")
"""Refused as RequestExpired from Grizzly on; Folsom checked no query time (and a cassette
keeps no Timestamp, so the recorded request matches one sent with it)."""


@pytest.mark.parametrize(
    ("profile", "params", "status"),
    [
        ("havana", UNKNOWN_FLAVOR, 404),
        ("folsom", [*UNKNOWN_FLAVOR, LONG_AGO], 400),
    ],
)
@pytest.mark.parametrize("mode", ["once", "none", "new_episodes"])
def test_serve_checks_a_cassette_as_the_profile_it_was_recorded_under(
    tmp_path: Path, profile: str, params: list[tuple[str, str]], status: int, mode: str
) -> None:
    """As replay and the pytest marker do: each answer is the recorded one (answered as
    Grizzly instead, the Havana cassette's 404 was a 400 and the Folsom one's request
    RequestExpired, and serve exited 1), and serve exits 0."""
    cassette = record(tmp_path / f"{profile}.json", profile, params)
    with serving("--memory", "--record", str(cassette), "--record-mode", mode) as served:
        assert _post(served.endpoint, params) == status
    assert served.returncode == 0, served.stderr
    assert f"(profile {profile})" in served.stdout
    assert "note:" not in served.stderr


def test_serve_told_another_profile_than_the_cassettes_answers_as_told_and_says_so(
    tmp_path: Path,
) -> None:
    cassette = record(tmp_path / "havana.json", "havana")
    with serving("--memory", "--profile", "grizzly", "--record", str(cassette)) as served:
        assert _post(served.endpoint, UNKNOWN_FLAVOR) == 400
    assert served.returncode == 1
    assert "answering as Nova Grizzly 2013.1.5 (profile grizzly)" in served.stdout
    note = f"launch-sim: note: {cassette} was recorded under havana; answering as grizzly\n"
    assert served.stderr.count(note) == 1, served.stderr
    assert f"{STATUS}: recorded 404, now 400" in served.stderr


def test_mock_ec2_answers_as_the_simulator_it_is_given() -> None:
    with mock_ec2(Simulator.from_seed(profile="havana")):
        client = boto3.client(
            "ec2", region_name="nova", aws_access_key_id="admin", aws_secret_access_key="admin"
        )
        with pytest.raises(ClientError) as refused:
            client.run_instances(
                ImageId="ami-00000001", MinCount=1, MaxCount=1, InstanceType="m9.huge"
            )
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


# --- pytest plugin and steps ----------------------------------------------------------------

PLUGIN_TESTS = """
import pytest


def test_default(launch_sim):
    assert launch_sim.profile.name == "{default}"


@pytest.mark.launch_sim_profile("folsom")
def test_marked(launch_sim):
    assert launch_sim.profile.name == "folsom"


@pytest.mark.launch_sim_profile("diablo")
def test_unknown(launch_sim):
    pass


@pytest.mark.launch_sim_cassette("recorded.json", record_mode="once")
@pytest.mark.launch_sim_profile("havana")
def test_cassette(launch_sim_cassette):
    assert launch_sim_cassette.sim.profile.name == "havana"
    launch_sim_cassette.handle([("Action", "RunInstances"), ("ImageId", "ami-00000001"),
                                ("InstanceType", "m9.huge")])
"""


@pytest.mark.parametrize("default", ["grizzly", "icehouse"])
def test_the_plugin_takes_an_option_and_a_marker(tmp_path: Path, default: str) -> None:
    (tmp_path / "test_profiles.py").write_text(PLUGIN_TESTS.format(default=default))
    options = [] if default == "grizzly" else ["--launch-sim-profile", default]
    result = run_pytest(tmp_path, *options)
    assert "3 passed, 1 error" in result.stdout, result.stdout
    assert f"unknown profile 'diablo': {KNOWN}" in result.stdout
    assert json.loads((tmp_path / "recorded.json").read_text())["profile"] == "havana"
    assert run_pytest(tmp_path, "--launch-sim-profile", "diablo").returncode == 4


MARKER_MISTAKES = """
import pytest


@pytest.mark.launch_sim_profile("havana", "folsom")
def test_two(launch_sim):
    pass


@pytest.mark.launch_sim_profile
def test_none(launch_sim):
    pass


@pytest.mark.launch_sim_profile(profile="havana")
def test_keyword(launch_sim_cassette):
    pass
"""


def test_a_profile_marker_naming_no_profile_or_several_is_refused(tmp_path: Path) -> None:
    """The first of two names was used silently, and a bare marker was ``unknown profile ''``."""
    (tmp_path / "test_markers.py").write_text(MARKER_MISTAKES)
    result = run_pytest(tmp_path)
    assert "3 errors" in result.stdout, result.stdout
    for given in ("'havana', 'folsom'", "nothing", "profile='havana'"):
        refusal = f"launch_sim_profile marker takes one profile name ({KNOWN}); it was given"
        assert f"{refusal} {given}" in result.stdout, result.stdout


FEATURE = """Feature: Profiles
  Scenario: Havana answers an unknown flavor with 404
    Given the default seed
    And the "havana" profile
    When I send the EC2 query:
      | Name         | Value        |
      | Action       | RunInstances |
      | ImageId      | ami-00000001 |
      | InstanceType | m9.huge      |
    Then the HTTP status is 404

  Scenario: The profile keeps the store
    Given a snapshot "snap-0000000a" with uuid aaaaaaaa-0000-4000-8000-00000000000a
    And the "icehouse" profile
    When I launch with:
      \"\"\"
      {"image_id": "ami-00000001", "instance_type": "m1.small",
       "block_device_mapping": [
         {"device_name": "/dev/vdb", "ebs": {"snapshot_id": "snap-0000000a"}}]}
      \"\"\"
    Then the launch succeeds

  Scenario: An unknown profile
    Given the "diablo" profile
"""


def test_the_profile_step(tmp_path: Path) -> None:
    (tmp_path / "profiles.feature").write_text(FEATURE)
    (tmp_path / "test_features.py").write_text(FEATURE_TEST)
    result = run_pytest(tmp_path)
    assert "1 failed, 2 passed" in result.stdout, result.stdout
    assert f"unknown profile 'diablo': {KNOWN}" in result.stdout
