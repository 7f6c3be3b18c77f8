from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from simulator import Simulator

ROOT = Path(__file__).resolve().parent.parent
FIGURE = "launch-sim figure"
DEFAULT_SEED = json.loads((ROOT / "fixtures" / "seed" / "default.json").read_text())


@pytest.fixture
def seed() -> dict[str, Any]:
    """A private copy of the shipped default seed, for tests that add rows to it."""
    return copy.deepcopy(DEFAULT_SEED)


@pytest.fixture
def sim() -> Simulator:
    return Simulator.from_seed()


@pytest.fixture
def report_figure(record_property: Callable[[str, object], None]) -> Callable[[str], None]:
    """Report a measured figure (kills survived, soak errors...) in the terminal summary.

    It travels as a user property, so it also reaches the summary from pytest-xdist workers
    and lands in JUnit XML; docs/reliability.md quotes these lines.
    """

    def report(text: str) -> None:
        record_property(FIGURE, text)

    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    figures = [
        f"{report.nodeid}: {value}"
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for name, value in getattr(report, "user_properties", ())
        if name == FIGURE
    ]
    if figures:
        terminalreporter.write_sep("-", "launch-sim figures")
        for line in figures:
            terminalreporter.write_line(line)


settings.register_profile("long", max_examples=5_000, deadline=None)
settings.register_profile("ci", deadline=None)
# On CI (CI=true) the examples are derived from each test, so a run is reproducible: CI
# checks the change, and exploring new inputs is the job of local and `long` fuzz runs.
settings.register_profile("ci-reproducible", deadline=None, derandomize=True, database=None)
settings.load_profile("ci-reproducible" if os.environ.get("CI") else "ci")
