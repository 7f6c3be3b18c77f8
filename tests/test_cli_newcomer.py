"""What a newcomer meets first on the command line (issue 12): help that says what every
argument takes, ``--version``, and ``launch`` taking its request from a file, stdin or
boto3's shape and answering in one shape whether the launch succeeded or not."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator import __version__
from simulator.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent
LAUNCHES = ROOT / "fixtures" / "launches"
LAUNCH_KEYS = {"create_call", "reservation_id", "instance_ids", "error"}


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def test_every_argument_in_help_says_what_it_takes() -> None:
    for parser in _parsers(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction | argparse._VersionAction):
                continue
            where = f"{parser.prog} {action.dest}"
            if isinstance(action, argparse._SubParsersAction):
                assert all(choice.help for choice in action._choices_actions), where
                continue
            assert action.help and action.help != argparse.SUPPRESS, f"{where}: no help"
            if action.nargs != 0:
                assert action.metavar or action.choices, f"{where}: no metavar"


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        ("validate", "validate [-h] FILE [FILE ...]"),
        ("scaffold", "scaffold [-h] CASSETTE"),
        ("launch", "REQUEST|-"),
        ("replay", "PATH [PATH ...]"),
    ],
)
def test_usage_names_what_each_positional_takes(
    capsys: pytest.CaptureFixture[str], command: str, usage: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    assert usage in " ".join(capsys.readouterr().out.split())


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"launch-sim {__version__}\n"


def _written(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document))
    return path


def _launch(capsys: pytest.CaptureFixture[str], request: Path) -> tuple[int, dict[str, Any]]:
    code = main(["launch", "--memory", str(request)])
    output: dict[str, Any] = json.loads(capsys.readouterr().out)
    return code, output


def test_a_failed_launch_answers_in_the_shape_of_a_successful_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, failed = _launch(
        capsys, _written(tmp_path / "missing.json", {"image_id": "ami-000000ff"})
    )
    assert code == 1
    assert failed.keys() == LAUNCH_KEYS
    assert failed["create_call"] is None and failed["instance_ids"] == []
    assert failed["reservation_id"] is None
    assert failed["error"] == {
        "code": "ImageNotFound",
        "message": "Image ami-000000ff could not be found.",
    }
    code, launched = _launch(capsys, LAUNCHES / "walkthrough.json")
    assert code == 0
    assert launched.keys() == LAUNCH_KEYS
    assert launched["error"] is None and launched["instance_ids"] == ["i-00000001"]


def test_launch_reads_the_request_from_stdin() -> None:
    ran = subprocess.run(
        [sys.executable, "-m", "simulator", "launch", "--memory", "-"],
        input=(LAUNCHES / "walkthrough.json").read_text(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["instance_ids"] == ["i-00000001"]


def test_launch_takes_boto3_run_instances_parameters(capsys: pytest.CaptureFixture[str]) -> None:
    """The boto3 walkthrough becomes the kwargs walkthrough's create call, except fake4:
    boto3 has no ``Ebs.NoDevice`` and sends ``NoDevice=""``, which Nova keeps as ``''``."""
    code, boto3 = _launch(capsys, LAUNCHES / "walkthrough-boto3.json")
    assert code == 0
    _, kwargs = _launch(capsys, LAUNCHES / "walkthrough.json")
    expected = [
        {"device_name": "/dev/fake4", "no_device": ""}
        if mapping["device_name"] == "/dev/fake4"
        else mapping
        for mapping in kwargs["create_call"]["block_device_mapping"]
    ]
    assert boto3["create_call"]["block_device_mapping"] == expected
    assert boto3["instance_ids"] == ["i-00000001"]


def test_a_boto3_request_boto3_would_refuse_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"ImageId": "ami-00000001", "MinCount": "one", "MaxCount": 1}))
    assert main(["launch", "--memory", str(request)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"{request}: not a boto3 RunInstances request: Invalid type for parameter" in err


CASSETTE = ROOT / "fixtures" / "cassettes" / "walkthrough-fake0.json"
SEED = ROOT / "fixtures" / "seed" / "default.json"


@pytest.mark.parametrize(
    ("path", "said"),
    [
        (SEED, f"{SEED} is a seed, not a launch request: give it as --seed {SEED}, beside a"),
        (CASSETTE, f"{CASSETTE} is a cassette, not a launch request: replay its requests with "),
    ],
    ids=["seed", "cassette"],
)
def test_launch_given_a_seed_or_a_cassette_says_what_it_is_and_what_takes_it(
    capsys: pytest.CaptureFixture[str], path: Path, said: str
) -> None:
    """A user's mix-up, not Nova refusing a launch (the KeyError of a missing image_id)."""
    assert main(["launch", "--memory", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"launch-sim: error: {said}")
    assert captured.err.count("\n") == 1


def test_a_cassette_that_is_not_valid_is_still_named_a_cassette(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _written(tmp_path / "half.json", {"format": "launch-sim-cassette"})
    assert main(["launch", "--memory", str(path)]) == 2
    assert f"launch-sim replay {path}\n" in capsys.readouterr().err


def test_a_launch_request_with_a_mistyped_key_still_fails_as_nova_did(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``run_instances`` read ``kwargs['image_id']``: a KeyError, UnknownError over EC2."""
    typo = _written(tmp_path / "typo.json", {"image": "ami-00000001"})
    code, output = _launch(capsys, typo)
    assert (code, output["error"]["code"]) == (1, "UnknownError")
    assert main(["validate", str(typo)]) == 2
    assert capsys.readouterr().out == (
        f"{typo}: no schema knows its keys ('image'): expected one of seed, cassette, "
        "create_call, launch_request, compute_call\n"
    )


def test_validate_names_at_most_five_unknown_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _written(tmp_path / "many.json", {f"key{n}\n": n for n in range(7)})
    assert main(["validate", str(path)]) == 2
    out = capsys.readouterr().out
    assert "('key0\\n', 'key1\\n', 'key2\\n', 'key3\\n', 'key4\\n', ...)" in out
    assert out.count("\n") == 1


def test_validate_checks_launch_requests_against_the_launch_request_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    requests = [LAUNCHES / "walkthrough.json", LAUNCHES / "walkthrough-boto3.json"]
    assert main(["validate", *map(str, requests)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{path}: valid launch_request" for path in requests
    ]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"image_id": "ami-00000001", "min_count": 1, "max_count": []}))
    assert main(["validate", str(bad)]) == 2
    assert capsys.readouterr().out.startswith(f"{bad}: launch_request: /max_count: [] is not of")
