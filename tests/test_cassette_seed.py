"""A cassette as a seed (issue 12, item 8): ``--seed`` of ``serve`` and ``launch`` applies the
store rows a cassette recorded, so ``verify`` needs no script to put an endpoint in the
cassette's state (Pact's provider state, in one flag)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from serve_helpers import serving

from simulator.cassette import load_cassette
from simulator.cli import main
from simulator.seed import apply_seed
from simulator.store import MappingStore

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "fixtures" / "cassettes"


@pytest.mark.parametrize("memory", [False, True], ids=["store", "memory"])
def test_serve_seeded_with_a_cassette_passes_verify_of_that_cassette(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], memory: bool
) -> None:
    cassette = CASSETTES / "kernel-ramdisk.json"
    store = ["--memory"] if memory else ["--store", str(tmp_path / "store.json")]
    with serving(*store, "--seed", str(cassette)) as served:
        code = main(["verify", "--endpoint", served.endpoint, str(cassette)])
        report = capsys.readouterr().out
    assert code == 0, report
    assert served.returncode == 0, served.stderr


def test_launch_seeded_with_a_cassette_makes_its_recorded_create_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = CASSETTES / "walkthrough-fake0.json"
    [interaction] = load_cassette(cassette).interactions
    request = tmp_path / "fake0.json"
    request.write_text(
        json.dumps(
            {
                "image_id": "ami-00000001",
                "block_device_mapping": [
                    {
                        "device_name": "/dev/fake0",
                        "ebs": {"snapshot_id": "snap-12345678", "volume_size": 1},
                    }
                ],
            }
        )
    )
    assert main(["launch", "--memory", "--seed", str(cassette), str(request)]) == 0
    launched = json.loads(capsys.readouterr().out)
    assert launched["create_call"] == interaction.create_calls[0]
    assert launched["instance_ids"] == list(interaction.response.instance_ids)


def test_a_glance_cassette_as_a_seed_needs_an_image_service(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = CASSETTES / "glance.json"
    store = str(tmp_path / "store.json")
    assert main(["serve", "--port", "0", "--store", store, "--seed", str(cassette)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"{cassette}: a cassette recorded against Glance holds no images" in err
    assert "--image-service URL" in err
    assert not Path(store).exists()


def test_a_broken_cassette_as_a_seed_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.json"
    data = json.loads((CASSETTES / "walkthrough-fake0.json").read_text())
    data["interactions"] = "none"
    broken.write_text(json.dumps(data))
    walkthrough = str(ROOT / "fixtures" / "launches" / "walkthrough.json")
    assert main(["launch", "--memory", "--seed", str(broken), walkthrough]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(broken) in err and "/interactions" in err


@pytest.mark.parametrize("command", ["import", "add"])
def test_store_import_and_add_take_a_cassette_as_its_seed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """As ``--seed`` does: the store commands once refused a cassette as a seed with its
    schema's violations, naming none of the keys a seed has."""
    cassette = CASSETTES / "walkthrough-fake0.json"
    store = tmp_path / "store.json"
    code = main(["store", "--store", str(store), command, str(cassette)])
    assert code == 0, capsys.readouterr().err
    expected = MappingStore.in_memory()
    apply_seed(expected, load_cassette(cassette).seed)
    with MappingStore.open(store) as imported:
        assert imported.rows() == expected.rows()
