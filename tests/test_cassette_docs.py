"""docs/cassettes.md's examples run as printed: the JSON is a valid cassette that replays green,
the Python runs, the pytest example passes (recording, then replaying), the commands succeed."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.cassette import Cassette, replay_cassette
from simulator.cli import main
from simulator.contracts import default_registry

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "cassettes.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", PAGE, re.DOTALL)
OFFLINE_COMMANDS = ("replay", "scaffold", "validate")


def blocks(kind: str) -> list[str]:
    return [text for language, text in BLOCKS if language == kind]


def commands() -> list[str]:
    return [
        line[2:]
        for text in blocks("console")
        for line in text.splitlines()
        if line.startswith("$ launch-sim ") and line.split()[2] in OFFLINE_COMMANDS
    ]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory holding a copy of the corpus, as the examples expect."""
    shutil.copytree(ROOT / "fixtures" / "cassettes", tmp_path / "fixtures" / "cassettes")
    (tmp_path / "features").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_json_example_is_a_cassette_that_replays_green() -> None:
    [example] = blocks("json")
    data = json.loads(example)
    assert default_registry().validate("cassette", data) == []
    assert not replay_cassette(Cassette.from_dict(data), "docs").result.failures


@pytest.mark.parametrize("command", commands())
def test_the_commands_succeed(
    workdir: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = shlex.split(command)[1:]
    target = None
    if ">" in argv:
        argv, target = argv[: argv.index(">")], argv[argv.index(">") + 1]
    assert main(argv) == 0
    if target is not None:
        (workdir / target).write_text(capsys.readouterr().out)


def test_the_python_examples_run(workdir: Path) -> None:
    [pytest_example, python_example] = blocks("python")
    exec(compile(python_example, "docs/cassettes.md", "exec"), {"__name__": "docs_example"})
    (workdir / "test_docs_example.py").write_text(pytest_example)
    for _ in ("record", "replay"):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "test_docs_example.py",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout
    assert (workdir / "cassettes" / "boto3_launch.json").exists()
