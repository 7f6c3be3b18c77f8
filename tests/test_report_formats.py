"""The reports people read (text, JUnit for CI, HTML kept as an artifact) say everything a
difference needs to be understood: the request in full, and both values."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
import xmlschema

from simulator.cli import main
from simulator.report import (
    CassetteResult,
    Difference,
    InteractionResult,
    render_junit,
    render_table,
    render_text,
    summarize_params,
)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "cassettes"
ALL_SEVEN = CORPUS / "walkthrough-all-seven.json"
JUNIT_XSD = xmlschema.XMLSchema(ROOT / "tests" / "schemas" / "junit-10.xsd")


@pytest.fixture
def changed_all_seven(tmp_path: Path) -> Path:
    """The all-seven walkthrough with its last mapping's recorded device name changed."""
    cassette = json.loads(ALL_SEVEN.read_text(encoding="utf-8"))
    cassette["interactions"][0]["create_calls"][0]["block_device_mapping"][-1]["device_name"] = (
        "/dev/changed"
    )
    path = tmp_path / "all-seven.json"
    path.write_text(json.dumps(cassette), encoding="utf-8")
    return path


def replay_report(path: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["replay", str(path), "--format", fmt]) == 1
    return capsys.readouterr().out


def request_params(path: Path) -> list[tuple[str, str]]:
    cassette = json.loads(path.read_text(encoding="utf-8"))
    return [(name, value) for name, value in cassette["interactions"][0]["request"]["params"]]


def test_the_text_report_shows_every_mapping_parameter_in_full(
    changed_all_seven: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = replay_report(changed_all_seven, "text", capsys)
    (line,) = [line for line in report.splitlines() if line.startswith("  interaction 0: ")]
    for name, value in request_params(changed_all_seven):
        if name not in ("Version", "ClientToken"):
            assert f" {name}={value}" in f" {line}", name
    assert "…" not in line
    assert "BlockDeviceMapping.5.Ebs.NoDevice=true" in line


def test_the_junit_report_names_each_case_by_its_full_request(
    changed_all_seven: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = replay_report(changed_all_seven, "junit", capsys)
    (case,) = ET.fromstring(report).iter("testcase")
    for name, value in request_params(changed_all_seven):
        if name not in ("Version", "ClientToken"):
            assert f" {name}={value}" in f" {case.get('name')}", name


ODD_PARAMS = [
    ("Action", "RunInstances"),
    ("k\n", "v\r"),
    ("\x00", "\x1b[2J"),
    ("KeyName", "a\u2028b\u00a0c\x7f"),
]


@pytest.mark.parametrize("render", [render_text, render_table])
def test_a_text_report_keeps_each_line_whatever_a_recorded_parameter_holds(
    render: Callable[..., str],
) -> None:
    """A client may send ``%0a`` in a name or ``%1b`` in a value, and the recorder keeps
    them: a text report printed them raw, splitting its lines and handing the terminal an
    escape sequence (``ESC [2J`` clears it). Each is shown as its Python escape."""
    result = CassetteResult(
        "odd\nname.json",
        [
            InteractionResult(
                0, ODD_PARAMS, (Difference("/interactions/0/response/status", 400, 200),)
            )
        ],
    )
    report = render([result], "replayed") if render is render_text else render([result])
    assert all(line.isprintable() for line in report.splitlines()), report
    if render is render_text:
        assert "k\\n=v\\r \\x00=\\x1b[2J KeyName=a\\u2028b\\xa0c\\x7f" in report
    else:
        assert "k\\n=v\\r \\x00=\\x1b[2J" in report
    assert "odd\\nname.json" in report


def test_a_value_too_long_to_read_is_shortened_with_its_length() -> None:
    summary = summarize_params([("Action", "RunInstances"), ("UserData", "A" * 65536)])
    assert summary == "Action=RunInstances UserData=" + "A" * 32 + "…(65536 characters)"


def test_a_replay_junit_report_is_schema_valid_junit(
    changed_all_seven: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "replay.xml"
    assert (
        main(
            [
                "replay",
                str(CORPUS / "walkthrough-fake1.json"),
                str(changed_all_seven),
                "--format",
                "junit",
                "--output",
                str(output),
            ]
        )
        == 1
    )
    JUNIT_XSD.validate(str(output))
    suites = ET.parse(output).getroot()
    assert int(suites.get("failures", "")) == 1
    assert int(suites.get("tests", "")) == 2


def test_every_junit_report_shape_is_schema_valid_junit() -> None:
    """A slow interaction, a note, a value XML cannot carry, an unrecorded request, a
    profile, an empty cassette: the schema holds for each."""
    results = [
        CassetteResult(
            "odd\x01path.json",
            [
                InteractionResult(0, [("Action", "RunInstances")], seconds=1234.56789),
                InteractionResult(
                    1,
                    [("Action", "RunInstances"), ("ImageId", "ami-\x02")],
                    (Difference("/interactions/1/response/status", 400, 200),),
                    seconds=0.0004,
                ),
                InteractionResult(
                    None, [("Action", "Nope")], note="the cassette holds no such request"
                ),
            ],
            seconds=1234.5678,
            profile="havana",
            recorded_under="grizzly",
        ),
        CassetteResult("empty.json"),
    ]
    JUNIT_XSD.validate(render_junit(results, "replayed", "launch-sim replay"))
    assert ET.fromstring(render_junit(results, "replayed", "x")).get("time") == "1234.568"


@pytest.mark.parametrize(
    ("profile", "recorded_under", "heading"),
    [
        (None, "havana", "c.json"),
        ("havana", "havana", "c.json"),
        ("grizzly", "havana", "c.json [recorded under havana, replayed as grizzly]"),
        ("grizzly", None, "c.json [replayed as grizzly]"),
    ],
)
def test_the_text_heading_names_both_profiles_when_they_differ(
    profile: str | None, recorded_under: str | None, heading: str
) -> None:
    result = CassetteResult("c.json", profile=profile, recorded_under=recorded_under)
    assert result.heading("replayed") == heading
