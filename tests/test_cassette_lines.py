"""JSON Lines cassettes (``*.jsonl``): the same cassette a line at a time, streamed by replay,
matrix and validate, refused by scaffold past its limit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import responses
from cassette_helpers import default_on_termination

from simulator import cloud, jsonio, scaffold
from simulator.cassette import load_cassette, use_cassette
from simulator.cassette.format import read_header, stream_interactions
from simulator.cli import main

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "fixtures" / "cassettes").glob("*.json"))
LAUNCH = [("Action", "RunInstances"), ("ImageId", "ami-00000001")]
UNKNOWN_FLAVOR = [*LAUNCH, ("InstanceType", "m9.huge")]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def as_lines(source: Path, folder: Path) -> Path:
    """``source`` saved in the JSON Lines form (the suffix picks it)."""
    target = folder / f"{source.stem}.jsonl"
    load_cassette(source).save(target)
    return target


@pytest.fixture
def launches(tmp_path: Path) -> Path:
    """A launch and an unknown flavor recorded straight into a JSON Lines cassette."""
    path = tmp_path / "launches.jsonl"
    with use_cassette(path, "once", profile="grizzly") as use:
        for params in (LAUNCH, UNKNOWN_FLAVOR, LAUNCH):
            use.handle(params)
    return path


def report(
    capsys: pytest.CaptureFixture[str], fmt: str, path: Path, label: Path
) -> tuple[int, Any]:
    """``replay``'s exit code and report on ``path``, named as ``label`` and without timings."""
    code, out, _ = run(capsys, "replay", "--format", fmt, str(path))
    out = out.replace(str(path), str(label))
    if fmt == "json":
        document = json.loads(out)
        for cassette in document["cassettes"]:
            del cassette["seconds"]
        return code, document
    return code, out


@pytest.mark.parametrize("source", CORPUS, ids=[path.stem for path in CORPUS])
def test_every_corpus_cassette_reads_and_replays_the_same_as_lines(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = as_lines(source, tmp_path)
    whole = load_cassette(source)
    assert load_cassette(lines).to_bytes() == whole.to_bytes()
    assert [*stream_interactions(lines)] == whole.interactions
    for fmt in ("text", "json"):
        assert report(capsys, fmt, lines, source) == report(capsys, fmt, source, source)


def test_a_lines_file_is_a_header_then_one_interaction_per_line(launches: Path) -> None:
    rows = [json.loads(line) for line in launches.read_text().splitlines()]
    assert rows[0]["format"] == "launch-sim-cassette" and "interactions" not in rows[0]
    assert [row["response"]["status"] for row in rows[1:]] == [200, 400, 200]
    assert read_header(launches).interactions == []


def test_a_streamed_difference_is_reported_as_for_the_whole_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = ROOT / "fixtures" / "cassettes" / "walkthrough-fake0.json"
    lines = as_lines(whole, tmp_path)
    monkeypatch.setattr(cloud, "parse_block_device_mapping", default_on_termination(False))
    expected = report(capsys, "text", whole, whole)
    assert expected[0] == 1
    assert report(capsys, "text", lines, whole) == expected


def test_matrix_of_a_lines_cassette_lists_only_the_rows_that_differ(
    launches: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "matrix", "--profiles", "grizzly,havana", str(launches))
    assert code == 1
    rows = [line for line in out.splitlines() if line.startswith("| 1 ")]
    assert len(rows) == 1 and "recorded 400, havana 404" in rows[0]
    assert not any(line.startswith(("| 0 ", "| 2 ")) for line in out.splitlines())
    assert "(2 more interactions the same under every profile)" in out
    assert out.splitlines()[-1] == "1 cassette, 3 interactions: grizzly all same, havana 1 differ"


def test_junit_of_a_lines_cassette_still_lists_every_interaction(
    launches: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "replay", "--format", "junit", str(launches))
    assert code == 0
    assert out.count("<testcase ") == 3


def test_a_folder_holds_lines_cassettes_too(
    launches: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "replay", str(launches.parent))
    assert code == 0
    assert out.splitlines()[-1] == "1 cassette, 3 interactions: OK"


def test_validate_streams_and_names_the_bad_line(
    launches: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "validate", str(launches)) == (0, f"{launches}: valid cassette\n", "")
    lines = launches.read_text().splitlines()
    lines[2] = lines[2].replace('"status": 400', '"status": 4000')
    launches.write_text("\n".join(lines) + "\n")
    code, out, err = run(capsys, "validate", str(launches))
    assert code == 2
    assert out.startswith(f"{launches}: line 3: not a valid cassette interaction: /response/status")
    code, _, err = run(capsys, "replay", str(launches))
    assert code == 2 and f"{launches}: line 3: not a valid cassette interaction" in err


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty: a JSON Lines cassette starts with its header line"),
        ('{"format": "launch-sim-cassette"}\n', "line 1: not a valid cassette header"),
        ("{\n", "line 1: not JSON"),
    ],
)
def test_a_bad_header_is_one_line(
    text: str, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(text)
    code, _, err = run(capsys, "replay", str(path))
    assert code == 2
    assert f"{path}: {reason}" in err


def test_each_line_is_capped_not_the_file(
    launches: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    longest = max(len(line) for line in launches.read_bytes().splitlines(keepends=True))
    monkeypatch.setattr(jsonio, "MAX_INPUT_BYTES", longest)
    assert launches.stat().st_size > longest
    assert run(capsys, "validate", str(launches))[0] == 0
    monkeypatch.setattr(jsonio, "MAX_INPUT_BYTES", longest - 1)
    code, out, _ = run(capsys, "validate", str(launches))
    assert code == 2 and "longer than the" in out


def test_scaffold_refuses_a_cassette_past_its_limit(
    launches: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scaffold, "SCAFFOLD_LIMIT", 2)
    code, out, err = run(capsys, "scaffold", str(launches))
    assert (code, out) == (2, "")
    assert f"{launches}: more than 2 interactions, too many for this command" in err
    monkeypatch.setattr(scaffold, "SCAFFOLD_LIMIT", 3)
    assert run(capsys, "scaffold", str(launches))[0] == 0


def test_lines_cassettes_replay_alike_in_worker_processes(
    launches: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    as_lines(ROOT / "fixtures" / "cassettes" / "walkthrough-fake0.json", tmp_path)
    serial = run(capsys, "replay", "--format", "text", str(tmp_path))
    assert serial[0] == 0 and serial[1].endswith("2 cassettes, 4 interactions: OK\n")
    assert run(capsys, "replay", "-j", "2", str(tmp_path)) == serial


def test_verify_sends_every_interaction_of_a_lines_cassette(
    launches: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoint = "http://ec2.test/services/Cloud/"
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, endpoint, status=400, body=b"")
        code, out, _ = run(capsys, "verify", "--endpoint", endpoint, str(launches))
        assert len(mock.calls) == 3
    assert code == 1 and "3 interactions" in out
