"""``launch-sim scaffold``: features that read well and pass when run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from simulator.cassette import load_cassette, use_cassette
from simulator.cli import main

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "cassettes"
FEATURE_TEST = 'from pytest_bdd import scenarios\n\nscenarios(".")\n'


def scaffold_into(directory: Path, cassette: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["scaffold", str(cassette)]) == 0
    feature = capsys.readouterr().out
    (directory / f"{cassette.stem.replace('-', '_')}.feature").write_text(feature)
    (directory / "test_scaffolded.py").write_text(FEATURE_TEST)
    return feature


def record(cassette: Path, *requests: list[tuple[str, str]]) -> Path:
    """A cassette of launches of ami-00000001 with these parameters more, on the default seed."""
    with use_cassette(cassette, "once") as use:
        for params in requests:
            use.handle([("Action", "RunInstances"), ("ImageId", "ami-00000001"), *params])
    return cassette


def run_pytest(directory: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """pytest run in ``directory`` as another project would run it, the plugin loaded."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "name",
    [
        "walkthrough-all-seven",
        "errors-lookup",
        "multi-instance",
        "conversation-boto3",
        "conversation-cli",
        "profile-havana-conversation-boto3",
    ],
)
def test_a_scaffolded_corpus_cassette_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    cassette = CORPUS / f"{name}.json"
    feature = scaffold_into(tmp_path, cassette, capsys)
    scenarios = feature.count("Scenario:")
    assert scenarios == len(load_cassette(cassette).interactions)
    result = run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout
    assert f"{scenarios} passed" in result.stdout


def test_the_walkthrough_mapping_reads_as_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scaffold", str(CORPUS / "walkthrough-all-seven.json")]) == 0
    feature = capsys.readouterr().out
    assert "| device_name | delete_on_termination | no_device | snapshot_id |" in feature
    assert "| /dev/fake4 |  | true |" in feature
    assert "When I send the EC2 query:" in feature


def test_an_interaction_that_needs_earlier_ones_sends_them_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], seed: dict[str, Any]
) -> None:
    seed["images"].append(
        {
            "uuid": "30000000-0000-4000-8000-000000000001",
            "name": "fresh",
            "status": "active",
            "container_format": "ami",
            "properties": {},
        }
    )
    cassette = tmp_path / "dependent.json"
    with use_cassette(cassette, "once", seed=seed) as use:
        use.handle([("Action", "RunInstances"), ("ImageId", "fresh")])  # gives it ami-00000004
        use.handle([("Action", "RunInstances"), ("ImageId", "ami-00000004")])
    feature = scaffold_into(tmp_path, cassette, capsys)
    assert (
        "Interaction 1: RunInstances ImageId=ami-00000004 -> succeeds after interactions 0"
        in feature
    )
    result = run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("profile", "not_found"), [(None, "InstanceNotFound"), ("havana", "InvalidInstanceID.NotFound")]
)
def test_a_conversation_scaffolds_under_its_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], profile: str | None, not_found: str
) -> None:
    cassette = tmp_path / "conversation.json"
    instance = ("InstanceId.1", "i-00000001")
    with use_cassette(cassette, "once", profile=profile) as use:
        use.handle([("Action", "RunInstances"), ("ImageId", "ami-00000001")])
        for action in ("Describe", "Stop", "Start", "Reboot", "Terminate", "Describe"):
            use.handle([("Action", f"{action}Instances"), instance])
    feature = scaffold_into(tmp_path, cassette, capsys)
    assert ('And the "havana" profile' in feature) == (profile == "havana")
    assert f'And the request fails with EC2 error "{not_found}"' in feature
    assert "And the request succeeds" in feature
    result = run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout
    assert "7 passed" in result.stdout


def test_a_glance_cassette_cannot_be_scaffolded(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scaffold", str(CORPUS / "glance.json")]) == 2
    assert "only store cassettes" in capsys.readouterr().err


def test_values_that_look_like_json_stay_strings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = record(
        tmp_path / "odd.json",
        [
            ("KeyName", "null"),
            ("BlockDeviceMapping.1.DeviceName", "/dev/vdb"),
            ("BlockDeviceMapping.1.Ebs.VolumeSize", "null"),
            ("BlockDeviceMapping.2.DeviceName", "/dev/a|b\\c"),
        ],
    )
    [call] = json.loads(cassette.read_text())["interactions"][0]["create_calls"]
    assert call["block_device_mapping"][0]["volume_size"] == "null"
    feature = scaffold_into(tmp_path, cassette, capsys)
    assert '| /dev/vdb | "null" |' in feature
    assert "| /dev/a\\|b\\\\c |" in feature
    result = run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout


def test_values_a_table_cell_would_trim_are_sent_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = record(
        tmp_path / "spaces.json",
        [("Placement.AvailabilityZone", "   "), ("KeyName", " key\u2028 ")],
        [("KeyName", "a\nb")],
    )
    feature = scaffold_into(tmp_path, cassette, capsys)
    doc_string = (
        'When I send the EC2 query as JSON:\n      """\n      [["Action", "RunInstances"],\n'
    )
    assert doc_string in feature
    assert '["Placement.AvailabilityZone", "   "]' in feature
    assert 'And the create call has "availability_zone" equal to "   "' in feature
    assert "| KeyName | a\\nb |" in feature
    assert "Interaction 1: RunInstances ImageId=ami-00000001, KeyName=a b -> succeeds" in feature
    result = run_pytest(tmp_path)
    assert "2 passed" in result.stdout, result.stdout
