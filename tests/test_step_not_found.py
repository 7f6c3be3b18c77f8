"""A step no definition matches fails with pytest-bdd's error and, when one of launch-sim's
steps is near it, that step's phrase and where every step is listed.

A newcomer's first scenario often has a step that almost is one of launch-sim's (a typo, an
id without the quotes the step wants); the hint must name the step meant, and say nothing
where no step is near, since a wrong hint misleads more than none.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import pytest_bdd.steps
from pytest_bdd.exceptions import StepDefinitionNotFoundError
from pytest_bdd.parser import Step
from test_scaffold import FEATURE_TEST, run_pytest

from simulator.pytest_plugin import library_steps, pytest_bdd_step_func_lookup_error
from simulator.step_args import DefinedStep, nearest_steps, step_phrases

FEATURE = """\
Feature: A newcomer's steps
  Scenario: A misspelt step
    Given the default seed
    When I lauch the image "ami-00000001"

  Scenario: An id without its quotes
    When I launch the image ami-00000001

  Scenario: A sentence no step is written for
    Given the moon is made of green cheese

  Scenario: A Then step written as When
    When the launch succeeds
"""
STEPS_PAGE = Path(__file__).resolve().parent.parent / "docs" / "steps.md"
NOT_FOUND = "StepDefinitionNotFoundError: Step definition is not found: "


def failures(directory: Path) -> dict[str, str]:
    """Run the feature with pytest as a project using the plugin would: each test's failure."""
    (directory / "newcomer.feature").write_text(FEATURE, encoding="utf-8")
    (directory / "test_newcomer.py").write_text(FEATURE_TEST, encoding="utf-8")
    output = run_pytest(directory).stdout
    sections = re.split(r"^_+ (test_\w+) _+$", output, flags=re.MULTILINE)
    return dict(zip(sections[1::2], sections[2::2], strict=True))


@pytest.fixture(scope="module")
def failed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return failures(tmp_path_factory.mktemp("newcomer"))


def test_a_misspelt_step_names_the_step_meant_and_the_step_reference(
    failed: dict[str, str],
) -> None:
    failure = failed["test_a_misspelt_step"]
    assert f'{NOT_FOUND}When "I lauch the image "ami-00000001"". Line 4 in scenario' in failure
    hint = failure[failure.index("The nearest launch-sim steps:") :].splitlines()
    assert hint[1].strip() == 'When I launch the image "<image_id>"'
    assert "launch-sim's docs/steps.md lists every step, with an example." in failure


def test_an_id_without_its_quotes_is_shown_the_quoted_form_as_the_step_reference_shows(
    failed: dict[str, str],
) -> None:
    page = STEPS_PAGE.read_text(encoding="utf-8")
    section = page[page.index("## A step that is not found") :]
    start = section.index("```text\n") + len("```text\n")
    first, *hint = section[start : section.index("```", start)].splitlines()
    failure = failed["test_an_id_without_its_quotes"]
    assert first[: first.index(" Line ")] in failure
    lines = [line.strip() for line in failure.splitlines()]
    at = lines.index(hint[0])
    assert lines[at : at + len(hint)] == [line.strip() for line in hint]


def test_a_step_near_no_launch_sim_step_gets_no_hint(failed: dict[str, str]) -> None:
    failure = failed["test_a_sentence_no_step_is_written_for"]
    assert f'{NOT_FOUND}Given "the moon is made of green cheese"' in failure
    assert "launch-sim" not in failure


def test_a_step_of_another_type_is_offered_when_its_own_type_has_none_near(
    failed: dict[str, str],
) -> None:
    assert "    Then the launch succeeds" in failed["test_a_then_step_written_as_when"]


# --- the nearest steps, from the phrases of step definitions ------------------------------

DEFINED = [
    DefinedStep("given", ["the launch succeeds"]),
    DefinedStep("then", ["the launch succeeded", "the launch was refused"]),
    DefinedStep("then", ["the request succeeded"]),
    DefinedStep("then", ["the launch proceeded"]),
    DefinedStep("then", ["the lunch succeeded"]),
]


def hinted(step_type: str, text: str) -> list[str]:
    return [line.strip() for line in nearest_steps(step_type, text, DEFINED).splitlines()[2:-1]]


def test_steps_of_the_same_type_come_first_however_near_another_type_is() -> None:
    assert "Given the launch succeeds" not in hinted("then", "the launch succeeds")


def test_at_most_three_steps_are_offered_the_nearest_first_each_once() -> None:
    assert hinted("then", "the launch succeeds") == [
        "Then the launch succeeded",
        "Then the lunch succeeded",
        "Then the launch proceeded",
    ]


def test_a_step_of_another_type_must_be_nearer_to_be_offered() -> None:
    assert hinted("given", "the launch was stopped") == ["Given the launch succeeds"]
    assert hinted("when", "the launch was stopped") == ["Then the launch was refused"]


# --- a step's pattern as phrases ----------------------------------------------------------


def test_a_named_argument_is_written_by_its_name() -> None:
    assert step_phrases(r'I launch the image "(?P<image_id>[^"]+)"', regex=True) == [
        'I launch the image "<image_id>"'
    ]


def test_every_choice_a_pattern_offers_is_a_phrase() -> None:
    pattern = r"I (?P<verb>stop|start) (?:it|them)(?: now)? \(\d+ times?\)"
    assert step_phrases(pattern, regex=True) == [
        "I stop it now (... times)",
        "I stop it now (... time)",
        "I stop it (... times)",
        "I stop it (... time)",
        "I stop them now (... times)",
        "I stop them now (... time)",
        "I stop them (... times)",
        "I stop them (... time)",
        "I start it now (... times)",
        "I start it now (... time)",
        "I start it (... times)",
        "I start it (... time)",
        "I start them now (... times)",
        "I start them now (... time)",
        "I start them (... times)",
        "I start them (... time)",
    ]


def test_a_plain_step_is_its_text() -> None:
    assert step_phrases("the store (all of it) is seeded with:", regex=False) == [
        "the store (all of it) is seeded with:"
    ]


def test_no_phrase_of_a_shipped_step_shows_regular_expression_syntax() -> None:
    shipped = library_steps()
    phrases = [phrase for step in shipped for phrase in step.phrases]
    assert len(shipped) > 30
    assert [phrase for phrase in phrases if re.search(r"[\\()\[\]|?*+]|\.\.\.", phrase)] == []


# --- the hook ------------------------------------------------------------------------------


def lookup_error(text: str) -> str:
    """The message of pytest-bdd's error for a When step ``text``, once the hook has run."""
    exception = StepDefinitionNotFoundError(f'Step definition is not found: When "{text}".')
    step = Step(name=text, type="when", indent=4, line_number=4, keyword="When")
    pytest_bdd_step_func_lookup_error(step=step, exception=exception)
    return str(exception)


def test_the_hint_follows_pytest_bdds_message() -> None:
    message = lookup_error('I lauch the image "ami-00000001"')
    assert message.startswith(
        'Step definition is not found: When "I lauch the image "ami-00000001"".\n'
        "The nearest launch-sim steps:\n"
    )


@pytest.mark.parametrize(
    "registry", [None, {lookup_error: object()}], ids=["no registry", "another shape"]
)
def test_step_definitions_that_cannot_be_read_give_no_hint_and_no_other_error(
    monkeypatch: pytest.MonkeyPatch, registry: dict[object, object] | None
) -> None:
    if registry is None:
        monkeypatch.delattr(pytest_bdd.steps, "step_function_context_registry")
    else:
        monkeypatch.setattr(pytest_bdd.steps, "step_function_context_registry", registry)
    assert lookup_error('I lauch the image "ami-00000001"') == (
        'Step definition is not found: When "I lauch the image "ami-00000001"".'
    )


def test_a_hint_that_fails_leaves_pytest_bdds_error_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise TypeError("not a pattern")

    monkeypatch.setattr("simulator.pytest_plugin.nearest_steps", broken)
    assert lookup_error('I lauch the image "ami-00000001"') == (
        'Step definition is not found: When "I lauch the image "ami-00000001"".'
    )


def test_a_pattern_of_many_optional_parts_is_written_out_in_bounded_phrases() -> None:
    phrases = step_phrases("(?:a)?" * 40 + "b", True)
    assert 0 < len(phrases) <= 64 and all(phrase.endswith("b") for phrase in phrases)
