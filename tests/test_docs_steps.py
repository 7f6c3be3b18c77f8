"""docs/steps.md must show every Gherkin step launch-sim ships, only steps that exist, and
examples that run as printed.

The page is the vocabulary users write scenarios from; a step missing there is unusable in
practice, an example that no step matches sends users into "step not found" errors, and an
example that fails on the store a scenario starts from (the default seed) teaches a step
wrongly. Matching uses the steps' own parsers; running writes the examples into a feature
file and runs it with pytest, the way a project using the plugin would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_bdd.steps import StepFunctionContext, step_function_context_registry
from test_scaffold import FEATURE_TEST, run_pytest

import simulator.steps  # noqa: F401  (defining the steps registers them)

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "steps.md"
STEP_TYPES = {"Given": "given", "When": "when", "Then": "then"}
CONTINUATIONS = {"And", "But"}
DOC_STRING = '"""'


@dataclass
class Step:
    """One step line of a ```` ```gherkin ```` block, with its doc string or table."""

    step_type: str
    keyword: str
    text: str
    line: int
    indent: int
    arguments: list[str]

    def gherkin(self, indent: str) -> list[str]:
        """The step and its argument lines, indented by ``indent``."""
        return [f"{indent}{self.keyword} {self.text}", *(indent + line for line in self.arguments)]


def gherkin_blocks(page: str) -> list[list[Step]]:
    """The steps of every ```` ```gherkin ```` block, each step's lines dedented to its own."""
    blocks: list[list[Step]] = []
    steps: list[Step] = []
    in_gherkin = in_doc_string = False
    step_type = ""
    for number, line in enumerate(page.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("```") and not in_doc_string:
            in_gherkin = stripped == "```gherkin"
            steps = []
            if in_gherkin:
                blocks.append(steps)
            continue
        if not in_gherkin:
            continue
        if steps and (in_doc_string or stripped.startswith((DOC_STRING, "|"))):
            steps[-1].arguments.append(line[steps[-1].indent :])
            in_doc_string ^= stripped == DOC_STRING
            continue
        keyword, _, text = stripped.partition(" ")
        if keyword in STEP_TYPES or keyword in CONTINUATIONS:
            step_type = STEP_TYPES.get(keyword, step_type)
            indent = len(line) - len(line.lstrip())
            steps.append(Step(step_type, keyword, text, number, indent, []))
    return blocks


def runnable_examples(blocks: list[list[Step]]) -> list[list[Step]]:
    """The scenarios the examples make: a step with its own keyword and the And/But steps
    after it are one example; a Given or When example runs alone on the default store, a
    Then example after the Given or When example before it in its block (with none, it
    has nothing to check and is only matched)."""
    scenarios: list[list[Step]] = []
    for block in blocks:
        examples: list[list[Step]] = []
        for step in block:
            if step.keyword in CONTINUATIONS and examples:
                examples[-1].append(step)
            else:
                examples.append([step])
        setup: list[Step] = []
        for example in examples:
            if example[0].step_type != "then":
                setup = example
                scenarios.append(example)
            elif setup:
                scenarios.append(setup + example)
    return scenarios


def example_feature(scenarios: list[list[Step]]) -> str:
    """The examples as one feature, a scenario each, named after their line on the page."""
    lines = ["Feature: The examples of docs/steps.md"]
    for steps in scenarios:
        lines.append(f"  Scenario: docs/steps.md lines {steps[0].line} to {steps[-1].line}")
        lines += [line for step in steps for line in step.gherkin("    ")]
    return "\n".join(lines) + "\n"


def run_examples(page: str, directory: Path) -> tuple[int, str]:
    """Run the page's examples with pytest from the project's root: how many, and the output."""
    scenarios = runnable_examples(gherkin_blocks(page))
    (directory / "examples.feature").write_text(example_feature(scenarios), encoding="utf-8")
    (directory / "test_examples.py").write_text(FEATURE_TEST, encoding="utf-8")
    result = run_pytest(directory, "--rootdir", str(ROOT))
    return len(scenarios), result.stdout


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


PAGE = DOCS.read_text(encoding="utf-8")
DOCUMENTED = [(step.step_type, step.text) for block in gherkin_blocks(PAGE) for step in block]
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


def test_every_example_runs_on_the_default_store(tmp_path: Path) -> None:
    count, output = run_examples(PAGE, tmp_path)
    assert f"{count} passed" in output, output


def test_an_example_that_fails_fails_the_check(tmp_path: Path) -> None:
    page = """```gherkin
Given the instance types:
  | name    | memory_mb | vcpus | root_gb |
  | m1.tiny | 1         | 1     | 0       |
```
"""
    count, output = run_examples(page, tmp_path)
    assert count == 1
    assert "m1.tiny already exists with other values" in output
    assert "1 failed" in output


def test_every_fixture_of_the_plugin_is_in_the_fixtures_table() -> None:
    """The page says "The plugin provides these fixtures": a fixture missing from its table
    is one a reader of ``pytest --fixtures`` finds and the page does not explain."""
    import simulator.pytest_plugin as plugin

    fixtures = sorted(
        name
        for name, value in vars(plugin).items()
        if getattr(value, "_fixture_function_marker", None) is not None
        or type(value).__name__ == "FixtureFunctionDefinition"
    )
    section = PAGE.split("\n## Fixtures\n", 1)[1].split("\n## ", 1)[0]
    listed = sorted(re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE))
    assert fixtures == listed
