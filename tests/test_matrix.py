"""``launch-sim matrix``: every interaction replayed under every profile, as a table.

The matrix answers "which releases accept this launch conversation": a cell is ``same``
when the profile gives the recorded answer and create calls, else the first JSON pointer
where it does not, with both values. The exit code says whether every interaction behaves
the same under the profiles asked for.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from simulator.cassette import use_cassette
from simulator.cli import main
from simulator.profiles import PROFILES

ROOT = Path(__file__).resolve().parent.parent
LAUNCH = [("Action", "RunInstances"), ("ImageId", "ami-00000001")]
UNKNOWN_FLAVOR = [*LAUNCH, ("InstanceType", "m9.huge")]
NOT_FOUND = [("Action", "RunInstances"), ("ImageId", "ami-000000ff")]
FLAVOR_STATUS = "/interactions/1/response/status"
"""Grizzly answers an unknown flavor with HTTP 400, Havana with 404 (``ex.code``)."""


def record(path: Path, profile: str, *requests: list[tuple[str, str]]) -> Path:
    """Record ``requests`` (EC2 query parameters) into a new cassette under ``profile``."""
    with use_cassette(path, "once", profile=profile) as use:
        for params in requests:
            use.handle(params)
        assert use.failure_report() is None
    return path


@pytest.fixture
def grizzly(tmp_path: Path) -> Path:
    """A launch, then an unknown flavor: 400 in Grizzly, 404 from Havana on."""
    return record(tmp_path / "grizzly.json", "grizzly", LAUNCH, UNKNOWN_FLAVOR)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["matrix", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def table_row(out: str, index: int | str) -> list[str]:
    """The cells of interaction ``index``'s row of the (one cassette) table (``#``: the
    header)."""
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if cells[0] == str(index):
            return cells
    raise AssertionError(f"no row {index} in\n{out}")


def test_a_table_has_a_row_per_interaction_and_a_column_per_profile(
    grizzly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, str(grizzly))
    assert (code, err) == (1, "")
    assert f"{grizzly} (recorded under grizzly)" in out
    assert table_row(out, "#") == ["#", "request", *PROFILES]
    havana = list(PROFILES).index("havana") + 2
    assert table_row(out, 1)[list(PROFILES).index("grizzly") + 2] == "same"
    assert table_row(out, 1)[havana].startswith(f"{FLAVOR_STATUS}: recorded 400, havana 404")
    assert table_row(out, 1)[1] == "ImageId=ami-00000001 InstanceType=m9.huge"
    last = out.splitlines()[-1]
    assert last.startswith("1 cassette, 2 interactions: folsom ")
    assert "grizzly all same, havana 1 differ, icehouse " in last


def test_profiles_narrow_the_columns_and_the_exit_code(
    grizzly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--profiles", "grizzly", str(grizzly))
    assert code == 0
    assert out.splitlines()[-1] == "1 cassette, 2 interactions: grizzly all same"
    assert "havana" not in out
    code, out, _ = run(capsys, "--profiles", "havana,grizzly,havana", str(grizzly))
    assert code == 1
    assert table_row(out, "#") == ["#", "request", "havana", "grizzly"]


def test_the_baseline_is_the_profile_the_cassette_was_recorded_under(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    havana = record(tmp_path / "havana.json", "havana", LAUNCH, UNKNOWN_FLAVOR)
    code, out, _ = run(capsys, "--profiles", "havana,grizzly", str(havana))
    assert code == 1
    assert f"{havana} (recorded under havana)" in out
    assert table_row(out, 1)[2:] == [
        "same",
        f"{FLAVOR_STATUS}: recorded 404, grizzly 400",
    ]


def test_json_names_each_profile_and_every_difference(
    grizzly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--format", "json", "--profiles", "grizzly,havana", str(grizzly))
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    by_profile = {entry["profile"]: entry for entry in report["cassettes"]}
    assert list(by_profile) == ["grizzly", "havana"]
    assert all(entry["recorded_under"] == "grizzly" for entry in by_profile.values())
    assert by_profile["grizzly"]["failures"] == []
    (failure,) = by_profile["havana"]["failures"]
    assert failure["interaction"] == 1
    assert {"pointer": FLAVOR_STATUS, "recorded": 400, "replayed": 404} in failure["differences"]


def test_junit_has_a_suite_per_cassette_and_profile(
    grizzly: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "matrix.xml"
    code, out, _ = run(capsys, "--format", "junit", "--output", str(output), str(grizzly))
    assert (code, out) == (1, "")
    root = ET.parse(output).getroot()
    assert root.get("name") == "launch-sim matrix"
    suites = root.findall("testsuite")
    assert [suite.get("name") for suite in suites] == [
        str(grizzly) if name == "grizzly" else f"{grizzly} [{name}]" for name in PROFILES
    ]
    havana = suites[list(PROFILES).index("havana")]
    properties = {p.get("name"): p.get("value") for p in havana.iter("property")}
    assert properties == {"profile": "havana", "recorded_under": "grizzly"}
    assert havana.get("failures") == "1"
    assert root.get("tests") == str(2 * len(PROFILES))


def test_a_folder_runs_every_cassette_in_it(
    grizzly: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record(tmp_path / "found.json", "grizzly", NOT_FOUND)
    code, out, _ = run(capsys, "--profiles", "grizzly", str(tmp_path))
    assert code == 0
    assert out.splitlines()[-1] == "2 cassettes, 3 interactions: grizzly all same"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--profiles", "grizzly,diablo"],
            "argument --profiles: unknown profile 'diablo': known profiles are "
            "folsom, grizzly, havana, icehouse",
        ),
        (["--profiles", "grizzly,"], "is not a comma-separated list of profiles"),
        (["--format", "xml"], "argument --format: invalid choice"),
    ],
    ids=["unknown-profile", "empty-name", "unknown-format"],
)
def test_a_bad_option_is_one_line_and_exit_2(
    grizzly: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["matrix", *argv, str(grizzly)])
    err = capsys.readouterr().err
    assert stopped.value.code == 2
    assert message in err
    assert err.count("\n") == 1


def test_a_bad_cassette_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "broken.json").write_text("{not json")
    code, out, err = run(capsys, str(tmp_path / "broken.json"))
    assert (code, out) == (2, "")
    assert "not JSON" in err and err.count("\n") == 1
    code, _, err = run(capsys, str(tmp_path / "missing.json"))
    assert code == 2 and "no such cassette file or folder" in err


def test_output_never_overwrites_an_input_cassette(
    grizzly: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = grizzly.read_bytes()
    code, _, err = run(capsys, "--output", str(grizzly), str(grizzly))
    assert code == 2 and "refusing to overwrite it" in err
    assert grizzly.read_bytes() == before


def test_docs_profiles_shows_the_matrix_of_the_corpus(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/profiles.md prints the command's real output on the committed corpus; after a
    change of behaviour or of the corpus, paste the new output there."""
    command = "$ launch-sim matrix fixtures/cassettes\n"
    page = (ROOT / "docs" / "profiles.md").read_text(encoding="utf-8")
    printed = page.split("## The matrix", 1)[1].split(command, 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    code, out, _ = run(capsys, "fixtures/cassettes")
    assert code == 1
    assert out == printed, f"docs/profiles.md shows another matrix: run {command[2:]}"
