"""Where cassettes and reports are written: only where the user said, never where data says.

Paths come from the command line (``--record``, ``--output``, the cassettes named) or from
the test that carries the pytest marker; nothing inside a cassette or a request becomes a
path. The rules checked here: re-recording writes each cassette in place, replacing a symlink
rather than writing through it; a folder argument is not left through symlinked folders; the
marker's default file name cannot climb out of ``cassettes/<module>/``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cassette_helpers import default_on_termination
from test_cassette import run_pytest

from simulator import cloud
from simulator.cassette import load_cassette
from simulator.cassette_cli import cassette_paths
from simulator.cli import main

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "cassettes"
FAKE0 = CORPUS / "walkthrough-fake0.json"


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(path): path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file()}


def test_rerecording_replaces_a_symlink_and_leaves_its_target_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    chosen, elsewhere = tmp_path / "chosen", tmp_path / "elsewhere"
    chosen.mkdir()
    elsewhere.mkdir()
    shutil.copy(FAKE0, chosen / "own.json")
    shutil.copy(FAKE0, elsewhere / "target.json")
    (chosen / "link.json").symlink_to(elsewhere / "target.json")
    before = snapshot(elsewhere)
    monkeypatch.setattr(cloud, "parse_block_device_mapping", default_on_termination(False))
    assert main(["replay", "--record-mode", "all", str(chosen)]) == 0
    assert "re-recorded 1 interaction(s)" in capsys.readouterr().err
    assert snapshot(elsewhere) == before
    assert not (chosen / "link.json").is_symlink()
    rerecorded = load_cassette(chosen / "link.json").interactions[0].create_calls[0]
    assert rerecorded["block_device_mapping"][0]["delete_on_termination"] is False
    assert sorted(path.name for path in chosen.iterdir()) == ["link.json", "own.json"]


def test_a_folder_argument_is_not_left_through_a_symlinked_folder(tmp_path: Path) -> None:
    chosen, elsewhere = tmp_path / "chosen", tmp_path / "elsewhere"
    chosen.mkdir()
    elsewhere.mkdir()
    shutil.copy(FAKE0, chosen / "own.json")
    shutil.copy(FAKE0, elsewhere / "other.json")
    (chosen / "outside").symlink_to(elsewhere, target_is_directory=True)
    assert cassette_paths([chosen]) == [chosen / "own.json"]


def test_a_cassette_cannot_name_where_it_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Path-like values anywhere in a cassette are data: re-recording writes only the file."""
    document = json.loads(FAKE0.read_text())
    request = document["interactions"][0]["request"]
    request["path"] = "/../../../escaped.json"
    request["params"].append(["KeyName", "../../escaped.json"])
    chosen = tmp_path / "chosen"
    chosen.mkdir()
    (chosen / "cassette.json").write_text(json.dumps(document))
    monkeypatch.setattr(cloud, "parse_block_device_mapping", default_on_termination(False))
    assert main(["replay", "--record-mode", "all", str(chosen / "cassette.json")]) == 0
    assert [path.relative_to(tmp_path) for path in tmp_path.rglob("*")] == [
        Path("chosen"),
        Path("chosen/cassette.json"),
    ]


MARKED = """
import pytest

@pytest.mark.parametrize("where", ["../../../escaped", "/etc/escaped", "..", "a/../../b"])
@pytest.mark.launch_sim_cassette(record_mode="once")
def test_launch(launch_sim_cassette, where):
    launch_sim_cassette.client().run_instances(ImageId="ami-00000001", MinCount=1, MaxCount=1)
"""


def test_the_markers_default_cassette_names_stay_in_their_folder(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_user.py").write_text(MARKED)
    result = run_pytest(project)
    assert result.returncode == 0, result.stdout
    written = sorted(
        str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*.json") if path.is_file()
    )
    assert len(written) == 4
    assert all(name.startswith("project/cassettes/test_user/test_launch_") for name in written)
