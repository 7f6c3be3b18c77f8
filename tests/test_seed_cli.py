"""The shipped default seed, visible (issue 12, item 3): ``launch-sim seed --path`` and
``--show`` name it from any project, and docs/steps.md tables every id and UUID it holds."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from simulator.cli import main
from simulator.resources import default_seed_path

ROOT = Path(__file__).resolve().parent.parent
STEPS_PAGE = ROOT / "docs" / "steps.md"


def test_seed_path_prints_the_shipped_seed_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["seed", "--path"]) == 0
    printed = Path(capsys.readouterr().out.strip())
    assert printed.is_absolute() and printed == default_seed_path()


def test_seed_show_prints_the_shipped_seed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["seed", "--show"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(default_seed_path().read_text())


def test_seed_wants_path_or_show(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["seed"])
    assert exited.value.code == 2
    assert "one of the arguments --path --show is required" in capsys.readouterr().err


def test_a_project_elsewhere_names_the_shipped_seed_by_seed_path(tmp_path: Path) -> None:
    def launch_sim(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "simulator", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )

    path = launch_sim("seed", "--path").stdout.strip()
    request = tmp_path / "launch.json"
    request.write_text(json.dumps({"image_id": "ami-00000001"}))
    launched = launch_sim("launch", "--store", "store.json", "--seed", path, "launch.json")
    assert launched.returncode == 0, launched.stderr
    assert json.loads(launched.stdout)["create_call"]["instance_type"]["name"] == "m1.small"


def _table(heading: str) -> list[list[str]]:
    """The cells of the first table on the steps page whose header row starts ``| heading``."""
    lines = STEPS_PAGE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {heading} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip().strip("`") for cell in line.strip("|").split("|")])
    return rows


def test_the_steps_page_tables_every_row_of_the_default_seed() -> None:
    seed: dict[str, Any] = json.loads(default_seed_path().read_text())
    rows = {
        (kind, row["ec2_id"], row["uuid"])
        for kind, section in (("image", "images"), ("snapshot", "snapshots"), ("volume", "volumes"))
        for row in seed[section]
    }
    assert {(kind, ec2_id, uuid) for kind, ec2_id, uuid, _ in _table("row")} == rows
    for image in seed["images"]:
        [described] = [what for _, ec2_id, _, what in _table("row") if ec2_id == image["ec2_id"]]
        assert described.startswith(f"{image['name']}`, ")
    flavors = [
        [
            row["name"] + (" (default)" if row.get("default") else ""),
            *(str(row[key]) for key in ("flavorid", "memory_mb", "vcpus", "root_gb")),
        ]
        for row in seed["instance_types"]
    ]
    documented = [[re.sub(r"`", "", cell) for cell in row] for row in _table("instance type")]
    assert documented == flavors
