"""docs/steps.md must show every Gherkin step launch-sim ships, and only steps that exist.

The page is the vocabulary users write scenarios from; a step missing there is unusable in
practice, and an example that no step matches sends users into "step not found" errors.
Both directions are checked by matching the page's examples with the steps' own parsers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_bdd.steps import StepFunctionContext, step_function_context_registry

import simulator.steps  # noqa: F401  (defining the steps registers them)

DOCS = Path(__file__).resolve().parent.parent / "docs" / "steps.md"
STEP_TYPES = {"Given": "given", "When": "when", "Then": "then"}
CONTINUATIONS = {"And", "But"}


def documented_steps() -> list[tuple[str, str]]:
    """``(type, text)`` of every step line in the page's ```` ```gherkin ```` blocks."""
    steps: list[tuple[str, str]] = []
    in_gherkin = False
    step_type = ""
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            in_gherkin = stripped == "```gherkin"
            continue
        keyword, _, text = stripped.partition(" ")
        if not in_gherkin or not (keyword in STEP_TYPES or keyword in CONTINUATIONS):
            continue
        step_type = STEP_TYPES.get(keyword, step_type)
        steps.append((step_type, text))
    return steps


def shipped_steps() -> list[StepFunctionContext]:
    """Every step definition of the ``simulator`` package, in a stable order."""
    contexts = [
        context
        for context in list(step_function_context_registry.values())
        if context.step_func.__module__.startswith("simulator.")
    ]
    return sorted(contexts, key=lambda context: context.step_func.__name__)


def matches(context: StepFunctionContext, step_type: str, text: str) -> bool:
    return context.type in (None, step_type) and context.parser.is_matching(text)


DOCUMENTED = documented_steps()
SHIPPED = shipped_steps()


def test_the_page_has_examples() -> None:
    assert len(DOCUMENTED) >= len(SHIPPED) > 0


@pytest.mark.parametrize("context", SHIPPED, ids=[c.step_func.__name__ for c in SHIPPED])
def test_every_step_has_an_example(context: StepFunctionContext) -> None:
    examples = [text for step_type, text in DOCUMENTED if matches(context, step_type, text)]
    assert examples, f"docs/steps.md shows no example of the step {context.parser.name!r}"


@pytest.mark.parametrize(("step_type", "text"), DOCUMENTED, ids=[text for _, text in DOCUMENTED])
def test_every_example_is_exactly_one_step(step_type: str, text: str) -> None:
    found = [c.step_func.__name__ for c in SHIPPED if matches(c, step_type, text)]
    assert len(found) == 1, f"{step_type} {text!r} matches the steps {found}, not exactly one"
