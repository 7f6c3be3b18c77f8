"""docs/steps.md's "Quick start for your own project", followed literally in a fresh folder.

A newcomer copies the section's files and runs its commands; if that does not end in a
passing scenario, the page teaches a broken setup. Every file block of the section (fenced
as ```` ```LANGUAGE PATH ````) is written where it says, and every ``pytest`` command is
run where it says, with this environment's pytest: the install step is this environment.
Running from a subfolder is part of it, since steps read their files from the rootdir.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "steps.md").read_text(encoding="utf-8")
TITLE = "## Quick start for your own project\n"
FENCE = re.compile(r"^ *```(?P<info>[^\n]*)\n(?P<body>.*?)^ *```$", re.MULTILINE | re.DOTALL)
COMMAND = re.compile(r"^(?:cd (?P<folder>\S+) && )?pytest(?P<options>(?: \S+)*)$")


@dataclass(frozen=True)
class Block:
    language: str
    path: str | None
    text: str


def section(page: str) -> str:
    start = page.index(TITLE)
    end = page.find("\n## ", start + len(TITLE))
    return page[start : end if end != -1 else len(page)]


def blocks(text: str) -> list[Block]:
    """The section's code blocks, dedented to their fence."""
    found = []
    for match in FENCE.finditer(text):
        indent = len(match.group(0)) - len(match.group(0).lstrip(" "))
        language, _, path = match.group("info").strip().partition(" ")
        body = "".join(line[indent:] for line in match.group("body").splitlines(keepends=True))
        found.append(Block(language, path or None, body))
    return found


QUICK_START = blocks(section(PAGE))
FOLDER = "my-launches"


def commands() -> list[tuple[str | None, list[str]]]:
    """The ``pytest`` lines of the section's shell blocks: (folder, options)."""
    found = []
    for block in QUICK_START:
        if block.language != "sh":
            continue
        for line in block.text.splitlines():
            match = COMMAND.match(line.split("#")[0].strip())
            if match:
                found.append((match.group("folder"), match.group("options").split()))
    return found


def pytest_in(folder: Path, *options: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", *options],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The quick start's folder with every file the section shows, written as shown."""
    folder = tmp_path / FOLDER
    for block in QUICK_START:
        if block.path is not None:
            target = folder / block.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text, encoding="utf-8")
    return folder


def test_the_section_shows_the_folder_the_config_a_feature_and_a_test_module() -> None:
    paths = [block.path for block in QUICK_START if block.path is not None]
    assert "pytest.ini" in paths
    assert [path for path in paths if path.endswith(".feature")] == ["features/boot.feature"]
    assert [path for path in paths if path.startswith("tests/test_")] == ["tests/test_features.py"]
    assert f"mkdir {FOLDER} && cd {FOLDER}" in section(PAGE)
    assert {folder for folder, _ in commands()} == {None, "tests"}


def test_every_command_passes_where_the_section_runs_it(project: Path) -> None:
    for folder, options in commands():
        result = pytest_in(project / folder if folder else project, *options)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "1 passed" in result.stdout, result.stdout


def test_without_a_config_file_a_subfolder_run_fails_in_one_line(project: Path) -> None:
    (project / "pytest.ini").unlink()
    result = pytest_in(project / "tests")
    assert result.returncode == 1
    launch_file = str(project / "tests" / "launches" / "boot-with-volume.json")
    # The failure's own line; pytest's summary repeats it after "FAILED ... - " (whole on CI).
    (line,) = [line for line in result.stdout.splitlines() if line.startswith(launch_file)]
    assert "no such launch file" in line
    assert "a step reads a relative path from the pytest rootdir" in line
    assert "put a pytest.ini in the project's root folder" in line
    assert "Traceback" not in result.stdout
    assert "FileNotFoundError" not in result.stdout


def test_the_launch_file_is_the_volume_form_the_page_documents() -> None:
    (launch,) = [block for block in QUICK_START if block.language == "json"]
    mapping = json.loads(launch.text)["block_device_mapping"][0]
    assert mapping["ebs"] == {"snapshot_id": "vol-87654321"}


FAILING = """Feature: Failing
  Scenario: A volume named by volume_id
    Given the default seed
    When I launch as described in "launches/volume-id.json"
    Then the launch succeeds
    And there is 1 create call
"""


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_cucumber_json_reports_the_plugins_steps(project: Path, workers: list[str]) -> None:
    assert "--cucumberjson=cucumber.json" in section(PAGE)
    launch = (project / "launches" / "boot-with-volume.json").read_text(encoding="utf-8")
    (project / "launches" / "volume-id.json").write_text(
        launch.replace('"snapshot_id"', '"volume_id"'), encoding="utf-8"
    )
    (project / "features" / "failing.feature").write_text(FAILING, encoding="utf-8")
    result = pytest_in(project / "tests", "--cucumberjson=cucumber.json", *workers)
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads((project / "tests" / "cucumber.json").read_text(encoding="utf-8"))
    features = {feature["name"]: feature for feature in report}
    assert sorted(features) == ["Booting with a volume attached", "Failing"]
    (passed,) = features["Booting with a volume attached"]["elements"]
    assert passed["name"] == "The volume reaches compute by its UUID"
    assert [(step["keyword"], step["result"]["status"]) for step in passed["steps"]] == [
        ("Given", "passed"),
        ("When", "passed"),
        ("Then", "passed"),
        ("And", "passed"),
    ]
    assert passed["steps"][1]["name"] == 'I launch as described in "launches/boot-with-volume.json"'
    (failed,) = features["Failing"]["elements"]
    statuses = [step["result"]["status"] for step in failed["steps"]]
    assert statuses[:3] == ["passed", "passed", "failed"]
    assert "launch failed: UnknownError" in failed["steps"][2]["result"]["error_message"]
