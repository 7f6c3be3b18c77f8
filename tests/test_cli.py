"""The ``launch-sim`` command: the main job, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from simulator import Simulator
from simulator.cli import main

ROOT = Path(__file__).resolve().parent.parent
WALKTHROUGH = ROOT / "fixtures" / "launches" / "walkthrough.json"


def run(*args: str, env_store: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(env_store.parent if env_store else ROOT)}
    if env_store is not None:
        env["LAUNCH_SIM_STORE"] = str(env_store)
    return subprocess.run(
        [sys.executable, "-m", "simulator", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_launch_walkthrough_on_the_default_file_store(tmp_path: Path) -> None:
    store = tmp_path / "store.json"
    first = run("launch", str(WALKTHROUGH), env_store=store)
    assert first.returncode == 0, first.stderr
    output = json.loads(first.stdout)
    assert output["instance_ids"] == ["i-00000001"]
    mappings = output["create_call"]["block_device_mapping"]
    assert mappings[0] == {
        "device_name": "/dev/fake0",
        "snapshot_id": "00000000-1111-2222-3333-444444444444",
        "volume_size": 1,
        "delete_on_termination": True,
    }
    second = run("launch", str(WALKTHROUGH), env_store=store)
    assert json.loads(second.stdout)["instance_ids"] == ["i-00000002"], "the file store persists"


def test_failed_launch_exits_1_with_the_ec2_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = tmp_path / "bad.json"
    request.write_text(
        json.dumps(
            {
                "image_id": "ami-00000001",
                "block_device_mapping": [
                    {"device_name": "/dev/vdb", "ebs": {"snapshot_id": "snap-zz"}}
                ],
            }
        )
    )
    assert main(["launch", "--memory", str(request)]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["error"]["code"] == "UnknownError"
    assert captured.err.strip() == (
        "launch-sim: launch failed: UnknownError: An unknown error has occurred. Please try your "
        "request again. (cause: InvalidEc2Id: Ec2 id snap-zz is unacceptable.)"
    )


@pytest.mark.parametrize(
    ("content", "fragment"),
    [("{", "not JSON"), ("[1]", "a launch request is a JSON object")],
)
def test_bad_request_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, fragment: str
) -> None:
    request = tmp_path / "request.json"
    request.write_text(content)
    assert main(["launch", "--memory", str(request)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err


def test_bad_seed_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"snapshots": [{"ec2_id": "snap-x", "uuid": "nope"}]}))
    assert main(["launch", "--memory", "--seed", str(seed), str(WALKTHROUGH)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(seed) in err and "/snapshots/0/" in err


def test_bad_store_file_is_never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store.json"
    store.write_text('{"snapshot_id_mappings": {"1": ')
    before = store.read_bytes()
    assert main(["launch", "--store", str(store), str(WALKTHROUGH)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(store) in err
    assert store.read_bytes() == before


CORRUPTIONS = {
    "snapshot": ('{"snapshot_id_mappings": {"1": ', "", "store snapshot {} is corrupt at byte 31"),
    "journal": (
        "{}",
        '["snapshot_id_mappings",1,{"uuid":"a"}]\n{oops}\n',
        "store journal {}.journal is corrupt at line 2 (byte 40)",
    ),
}
SEED = str(ROOT / "fixtures" / "seed" / "default.json")
COMMANDS = {
    "launch": ["launch", "--store", "STORE", str(WALKTHROUGH)],
    "serve": ["serve", "--port", "0", "--store", "STORE"],
    "store-export": ["store", "--store", "STORE", "export"],
    "store-import": ["store", "--store", "STORE", "import", SEED],
}


@pytest.mark.parametrize("corruption", CORRUPTIONS)
@pytest.mark.parametrize("command", COMMANDS)
def test_no_command_resets_or_rewrites_a_corrupt_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, corruption: str
) -> None:
    """A corrupt snapshot or journal is reported (file and place, one line, what to do) and
    left as is."""
    snapshot, journal, message = CORRUPTIONS[corruption]
    memory = " or --memory" if command in ("launch", "serve") else ""
    store = tmp_path / "store.json"
    store.write_text(snapshot)
    Path(f"{store}.journal").write_text(journal)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert main([str(store) if arg == "STORE" else arg for arg in COMMANDS[command]]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"launch-sim: error: {message.format(store)}") and err.count("\n") == 1
    assert err.endswith(
        f"; launch-sim never repairs a store: move it aside, or give --store PATH{memory}\n"
    )
    after = {path.name: path.read_bytes() for path in tmp_path.iterdir() if path.suffix != ".lock"}
    assert after == before


def test_store_import_and_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "store.json"
    seed = tmp_path / "seed.json"
    seed.write_text(
        json.dumps(
            {
                "snapshots": [
                    {"ec2_id": "snap-0000000a", "uuid": "aaaaaaaa-0000-0000-0000-000000000000"}
                ]
            }
        )
    )
    assert main(["store", "--store", str(store), "import", str(seed)]) == 0
    capsys.readouterr()
    assert main(["store", "--store", str(store), "export"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported == json.loads(seed.read_text()), "a seed-only store exports as that seed"


def test_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = ROOT / "fixtures" / "seed" / "default.json"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"images": [{"uuid": "x", "name": "y"}]}))
    assert main(["validate", str(good)]) == 0
    assert main(["validate", str(good), str(bad)]) == 2
    assert f"{bad}: seed: /images/0/uuid" in capsys.readouterr().out


def create_call() -> dict[str, Any]:
    sim = Simulator.from_seed()
    sim.run_instances(image_id="ami-00000001")
    return sim.compute.calls[-1].to_dict()


def cassette() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (ROOT / "fixtures" / "cassettes" / "walkthrough-fake0.json").read_text()
    )
    return data


@pytest.mark.parametrize(
    ("document", "line"),
    [
        (
            {k: v for k, v in create_call().items() if k != "image_href"},
            "create_call: /: 'image_href' is a required property",
        ),
        (
            {k: v for k, v in cassette().items() if k != "format"},
            "cassette: /: 'format' is a required property",
        ),
        ({**create_call(), "images": []}, "create_call: /: Additional properties"),
        ([], "seed: /: [] is not of type 'object'"),
        (
            {"flavors": [], "images": []},
            "seed: /: Additional properties are not allowed ('flavors' was unexpected)",
        ),
        (
            {"flavors": []},
            "no schema knows its keys ('flavors'): expected one of seed, cassette, "
            "create_call, launch_request, compute_call",
        ),
        ({}, "valid seed"),
    ],
)
def test_validate_checks_a_document_against_the_schema_most_of_its_keys_belong_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: Any, line: str
) -> None:
    path = tmp_path / "document.json"
    path.write_text(json.dumps(document))
    assert main(["validate", str(path)]) == (0 if line.startswith("valid") else 2)
    assert capsys.readouterr().out.startswith(f"{path}: {line}")


def test_validate_reports_every_file_on_its_own_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = ROOT / "fixtures" / "seed" / "default.json"
    call = tmp_path / "call.json"
    call.write_text(json.dumps(create_call()))
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps({"images": [{"uuid": "x"}]}))
    missing = tmp_path / "missing.json"
    files = [seed, missing, call, broken, invalid, tmp_path]
    assert main(["validate", *map(str, files)]) == 2
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"{seed}: valid seed",
        f"{missing}: no such JSON file",
        f"{call}: valid create_call",
        f"{broken}: not JSON: Expecting property name enclosed in double quotes at line 1 column 2",
        f"{invalid}: seed: /images/0: 'name' is a required property (and 1 more)",
        f"{tmp_path}: is a directory, not a JSON file",
    ]
    assert captured.err == "launch-sim: error: 4 of 6 file(s) failed validation\n"


HUGE_INT = "1" * 4301


@pytest.mark.parametrize("subcommand", ["replay", "validate", "scaffold", "launch", "matrix"])
def test_a_file_name_a_terminal_would_act_on_stays_on_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], subcommand: str
) -> None:
    """A name holding a line break split the one line of bad input in two, and one holding
    an escape sequence (``ESC [31m``) turned the user's terminal red; each is shown as its
    Python escape, as a name that is no UTF-8 already was."""
    name = tmp_path / "no\nsuch\x1b[31m.json"
    assert main([subcommand, str(name)]) == 2
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).splitlines()
    assert all(line.isprintable() for line in lines), lines
    assert len(lines) == (2 if subcommand == "validate" else 1), lines
    assert f"{tmp_path}/no\\nsuch\\x1b[31m.json: " in lines[0]


@pytest.mark.parametrize(
    "command",
    [
        ["replay", "FILE"],
        ["validate", "FILE"],
        ["scaffold", "FILE"],
        ["launch", "--memory", "--seed", "FILE", str(WALKTHROUGH)],
        ["launch", "--memory", "FILE"],
        ["launch", "--store", "FILE", str(WALKTHROUGH)],
    ],
)
def test_an_integer_past_pythons_digit_limit_is_bad_input_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    path = tmp_path / "huge.json"
    path.write_text(f'{{"images": {{"1": {{"id": "a", "name": "b", "min_ram": {HUGE_INT}}}}}}}')
    before = path.read_bytes()
    assert main([str(path) if arg == "FILE" else arg for arg in command]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and captured.err.startswith("launch-sim: error: ")
    assert f"{path}" in captured.out + captured.err
    assert "an integer has more than 4300 digits" in captured.out + captured.err
    assert path.read_bytes() == before


def test_memory_and_store_together_are_refused_and_create_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store.json"
    assert main(["launch", "--memory", "--store", str(store), str(WALKTHROUGH)]) == 2
    assert (
        capsys.readouterr().err
        == "launch-sim: error: --memory and --store name two stores: give one\n"
    )
    assert not store.exists()
