"""The replay steps, used from another project: its paths, its failures' messages."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from test_scaffold import FEATURE_TEST, run_pytest

from simulator.errors import BadInput
from simulator.step_args import recorded_and_replayed, set_at_pointer

ROOT = Path(__file__).resolve().parent.parent
FAKE0 = ROOT / "fixtures" / "cassettes" / "walkthrough-fake0.json"
DELETE_ON_TERMINATION = (
    "/interactions/0/create_calls/0/block_device_mapping/0/delete_on_termination"
)
CHANGED = f'"recorded/fake0.json" with "{DELETE_ON_TERMINATION}" set to false'

FAILING = {
    "not_every_interaction_matches": f"""
    When I replay the cassette {CHANGED}
    Then every interaction matches""",
    "no_difference_at_the_pointer": f"""
    When I replay the cassette {CHANGED}
    Then the replay differs at "/interactions/0/response/status\"""",
    "other_values_at_the_pointer": f"""
    When I replay the cassette {CHANGED}
    Then the replay differs at "{DELETE_ON_TERMINATION}": recorded true, replayed false""",
    "another_number_differs": f"""
    When I replay the cassette {CHANGED}
    Then 0 interactions differ""",
    "a_good_cassette_is_not_refused": """
    When I try to replay the cassette "recorded/fake0.json"
    Then the cassette is refused because "not JSON\"""",
    "a_missing_cassette": """
    When I replay the cassette "recorded/missing.json"
    Then every interaction matches""",
    "a_refused_cassette_has_no_verdicts": """
    When I try to replay the cassette "recorded/missing.json"
    Then every interaction matches""",
    "nothing_replayed_yet": """
    Then every interaction matches""",
}
MESSAGES = {
    "not_every_interaction_matches": [
        "expected every interaction to match, but",
        f"{DELETE_ON_TERMINATION}: recorded false, replayed true",
    ],
    "no_difference_at_the_pointer": [
        "expected a difference at /interactions/0/response/status, but",
        "1 interaction, 1 mismatch",
    ],
    "other_values_at_the_pointer": [
        f"expected {DELETE_ON_TERMINATION}: recorded true, replayed false, "
        f"but it is {DELETE_ON_TERMINATION}: recorded false, replayed true"
    ],
    "another_number_differs": ["expected 0 differing interaction(s), but"],
    "a_good_cassette_is_not_refused": [
        "expected the cassette recorded/fake0.json to be refused because 'not JSON', "
        "but it was replayed"
    ],
    "a_missing_cassette": [
        "cannot replay the cassette recorded/missing.json: ",
        "recorded/missing.json: no such cassette file",
    ],
    "a_refused_cassette_has_no_verdicts": [
        "the cassette recorded/missing.json was refused: ",
    ],
    "nothing_replayed_yet": ["no cassette was replayed yet: a When step must come first"],
}


def project(directory: Path, scenarios: dict[str, str]) -> Path:
    """Another project using the plugin: a cassette of its own, a feature, a test module."""
    (directory / "recorded").mkdir()
    shutil.copy(FAKE0, directory / "recorded" / "fake0.json")
    features = directory / "features"
    features.mkdir()
    text = "Feature: replaying\n" + "".join(
        f"\n  Scenario: {name}{steps}\n" for name, steps in scenarios.items()
    )
    (features / "replaying.feature").write_text(text, encoding="utf-8")
    (features / "test_replaying.py").write_text(FEATURE_TEST, encoding="utf-8")
    return directory


def test_paths_are_relative_to_the_projects_rootdir_or_absolute(tmp_path: Path) -> None:
    scenarios = {
        "relative": """
    When I replay the cassette "recorded/fake0.json"
    Then every interaction matches""",
        "absolute": f"""
    When I replay the cassette "{FAKE0}"
    Then every interaction matches""",
        "changed": f"""
    When I replay the cassette {CHANGED}
    Then the replay differs at "{DELETE_ON_TERMINATION}": recorded false, replayed true""",
    }
    result = run_pytest(project(tmp_path, scenarios))
    assert "3 passed" in result.stdout, result.stdout


@pytest.fixture(scope="module")
def failures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each failing scenario's failure message, from one pytest run of them all."""
    directory = project(tmp_path_factory.mktemp("failing"), FAILING)
    report = directory / "report.xml"
    run_pytest(directory, f"--junitxml={report}")
    messages: dict[str, str] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        failure = case.find("failure")
        messages[case.get("name", "")] = "" if failure is None else failure.text or ""
    return messages


@pytest.mark.parametrize("name", sorted(FAILING))
def test_a_failing_step_says_what_it_expected_and_found(
    failures: dict[str, str], name: str
) -> None:
    message = failures[f"test_{name}"]
    for part in MESSAGES[name]:
        assert part in message, message


def test_a_cassette_that_cannot_be_replayed_fails_without_a_traceback(
    failures: dict[str, str],
) -> None:
    message = failures["test_a_missing_cassette"]
    assert "Traceback" not in message and "seed.py" not in message, message


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        ("/a~1b/0", {"a/b": [2], "a~b": [1], "list": [1, 1]}),
        ("/a~0b/0", {"a/b": [1], "a~b": [2], "list": [1, 1]}),
        ("/list/1", {"a/b": [1], "a~b": [1], "list": [1, 2]}),
        ("/new", {"a/b": [1], "a~b": [1], "list": [1, 1], "new": 2}),
    ],
)
def test_set_at_pointer(pointer: str, expected: dict[str, Any]) -> None:
    document: dict[str, Any] = {"a/b": [1], "a~b": [1], "list": [1, 1]}
    set_at_pointer(document, pointer, 2)
    assert document == expected


@pytest.mark.parametrize(
    "pointer", ["list/0", "/list/2", "/list/-1", "/list/01", "/no/0", "/list/0/x"]
)
def test_set_at_pointer_refuses_a_place_the_document_lacks(pointer: str) -> None:
    with pytest.raises(BadInput, match=r"JSON pointer|no such place"):
        set_at_pointer({"list": [1]}, pointer, 2)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ("false, replayed true", ("false", "true")),
        ('(absent), replayed "i-00000003"', ("(absent)", '"i-00000003"')),
        ('"/dev/a, replayed x", replayed "/dev/fake0"', ('"/dev/a, replayed x"', '"/dev/fake0"')),
    ],
)
def test_a_reported_difference_splits_after_a_whole_recorded_value(
    values: str, expected: tuple[str, str]
) -> None:
    assert recorded_and_replayed(values) == expected
