"""The launch-sim pytest plugin: fixtures and Gherkin steps for any project that installs it.

pytest loads this module through the ``pytest11`` entry point, so a project that depends on
launch-sim gets the fixtures below and the whole step library of :mod:`simulator.steps`
without a conftest: its own ``.feature`` files and a ``scenarios(...)`` call are enough.
Every fixture is function-scoped, so each scenario starts from a fresh in-memory store and
no state leaks between scenarios (or between pytest-xdist workers).

Override ``launch_sim_seed`` in a conftest to start every scenario from another store.
``--launch-sim-profile NAME`` makes every simulator answer as another Nova release, and the
``launch_sim_profile(NAME)`` marker one test's (the marker wins: a test written for one
release keeps it whatever the run's default).
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import parsers
from pytest_bdd.parser import Step
from pytest_bdd.reporting import ReportContext, test_report_context_registry

from simulator.api import Simulator
from simulator.cassette import DEFAULT, CassetteUse, RecordMode, use_cassette
from simulator.errors import BadInput
from simulator.launch_world import LaunchWorld
from simulator.mock import mock_ec2
from simulator.profiles import KNOWN_PROFILES, PROFILES
from simulator.resources import default_seed_path
from simulator.server import EC2App, ServerHandle
from simulator.service import EC2Service
from simulator.step_args import DefinedStep, ScenarioMistake, nearest_steps, step_phrases

# Registering the step library as a plugin makes its step definitions visible to every test
# module; importing it alone would not, because pytest-bdd defines steps as fixtures of the
# module they are written in.
STEP_LIBRARY = "simulator.steps"
pytest_plugins = [STEP_LIBRARY]


@pytest.fixture
def launch_sim_seed() -> dict[str, Any]:
    """The seed every scenario's store starts from: the shipped default, freshly read.

    Reading the file per test hands each scenario its own dict, so a test may change it.
    """
    with default_seed_path().open(encoding="utf-8") as handle:
        seed: dict[str, Any] = json.load(handle)
    return seed


PROFILE_MARKER = "launch_sim_profile"


def _chosen_profile(request: pytest.FixtureRequest) -> str | None:
    """The test's ``launch_sim_profile`` marker, else ``--launch-sim-profile``, else None."""
    marker = request.node.get_closest_marker(PROFILE_MARKER)
    if marker is not None:
        return _marked_profile(marker)
    chosen: str | None = request.config.getoption("--launch-sim-profile")
    return chosen


def _marked_profile(marker: pytest.Mark) -> str:
    """The one name the profile marker gives, as ``(NAME)`` or ``(name=NAME)``; a name no
    profile has is refused as any unknown profile is. Anything else is refused here: the
    first of two names was used silently, and a bare marker was ``unknown profile ''``."""
    names = [*marker.args, *marker.kwargs.values()]
    if len(names) == 1 and set(marker.kwargs) <= {"name"}:
        return str(names[0])
    given = [*map(repr, marker.args), *(f"{key}={value!r}" for key, value in marker.kwargs.items())]
    raise BadInput(
        f"the {PROFILE_MARKER} marker takes one profile name (known profiles are "
        f"{KNOWN_PROFILES}); it was given {', '.join(given) or 'nothing'}"
    )


@pytest.fixture
def launch_sim(request: pytest.FixtureRequest, launch_sim_seed: dict[str, Any]) -> Simulator:
    """An in-memory simulator seeded from ``launch_sim_seed``, answering as the chosen
    profile (Grizzly unless the marker or the option names another)."""
    try:
        return Simulator.from_seed(launch_sim_seed, profile=_chosen_profile(request))
    except BadInput as exc:  # a marker naming no profile: say which exist, no traceback
        refusal = str(exc)
    pytest.fail(refusal, pytrace=False)


@pytest.fixture
def launch_world(launch_sim: Simulator) -> LaunchWorld:
    """The scenario's state: the simulator the steps act on and the last launch's outcome."""
    return LaunchWorld(launch_sim)


@pytest.fixture
def ec2_client(launch_sim: Simulator) -> Iterator[Any]:
    """A boto3 EC2 client answered in-process by ``launch_sim`` through ``mock_ec2``.

    The access key ``admin`` gives the same request context as the Python API's default.
    boto3 is imported here, not with the plugin, which every pytest run loads.
    """
    import boto3

    with mock_ec2(launch_sim):
        yield boto3.client(
            "ec2", region_name="nova", aws_access_key_id="admin", aws_secret_access_key="admin"
        )


@pytest.fixture
def launch_sim_server(launch_sim: Simulator) -> Iterator[str]:
    """``launch-sim serve`` (auth none) for ``launch_sim`` on a free 127.0.0.1 port: its URL."""
    with ServerHandle(EC2App(EC2Service(launch_sim))) as server:
        yield server.endpoint


# --- Cucumber JSON under pytest-xdist -----------------------------------------------------

_SCENARIO_REPORT = "launch_sim_bdd_scenario"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Carry pytest-bdd's scenario of a test report from an xdist worker to the controller.

    pytest-bdd keeps it in a registry beside the report, which pytest-xdist cannot send, so
    ``--cucumberjson`` with ``-n`` wrote ``[]``. A worker copies it into the report, whose
    attributes xdist sends; the controller puts it back before pytest-bdd writes the file.
    """
    context = test_report_context_registry.get(report)
    if context is not None:
        setattr(report, _SCENARIO_REPORT, {"scenario": context.scenario, "name": context.name})
        return
    carried = getattr(report, _SCENARIO_REPORT, None)
    if isinstance(carried, dict):
        test_report_context_registry[report] = ReportContext(carried["scenario"], carried["name"])


# --- a scenario its steps cannot run as written ------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Report a :class:`ScenarioMistake` (a doc string that is not JSON, a table with other
    columns, rows the store refuses) as its message alone, as a file step reports a file it
    cannot read: the writer acts on that line, and the frames of pytest-bdd calling the step
    and of launch-sim reading its argument, which a traceback shows, only bury it.
    ``--full-trace`` still shows them, for whoever debugs launch-sim itself.
    """
    report = yield
    if (
        call.excinfo is not None
        and call.excinfo.errisinstance(ScenarioMistake)
        and not item.config.getoption("fulltrace", False)
    ):
        report.longrepr = str(call.excinfo.value)
    return report


# --- a step no definition matches ----------------------------------------------------------


def pytest_bdd_step_func_lookup_error(step: Step, exception: Exception) -> None:
    """Add launch-sim's nearest steps to pytest-bdd's "Step definition is not found" error.

    A newcomer's step that almost is one of launch-sim's (a typo, an id without the quotes
    the step wants) otherwise fails with no hint of the step meant. pytest-bdd raises the
    exception it passes here once the hook returns, so the hint goes into that exception's
    message, after its own text: its type and wording stay as pytest-bdd's, and no second
    exception is chained to it.
    """
    try:
        hint = nearest_steps(step.type, step.name, library_steps())
    except Exception:
        return  # a hint is never worth hiding pytest-bdd's own error behind another
    if hint:
        exception.args = (f"{exception}{hint}",)


def library_steps() -> list[DefinedStep]:
    """The step definitions of :mod:`simulator.steps`, as phrases; none if they cannot be read.

    pytest-bdd has no public way to list step definitions: this reads the registry pytest-bdd
    8 and 9 keep of them (``pytest_bdd.steps.step_function_context_registry``, whose values
    have ``type``, ``parser`` and ``step_func``). Another version may not keep it so, and a
    hint is not worth failing the error it would add to, so anything else gives no steps.
    """
    try:
        from pytest_bdd.steps import step_function_context_registry

        return [
            DefinedStep(
                context.type,
                step_phrases(context.parser.name, isinstance(context.parser, parsers.re)),
            )
            for context in list(step_function_context_registry.values())
            if context.step_func.__module__ == STEP_LIBRARY
        ]
    except (ImportError, AttributeError):
        return []


# --- cassettes ----------------------------------------------------------------------------

CASSETTE_MARKER = "launch_sim_cassette"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--launch-sim-record-mode",
        choices=[mode.value for mode in RecordMode],
        default=None,
        help="record mode for every launch_sim_cassette test, over its marker's "
        "(default: the marker's, else none)",
    )
    parser.addoption(
        "--launch-sim-profile",
        choices=list(PROFILES),
        default=None,
        help="the Nova release launch-sim answers as, where a test's launch_sim_profile "
        "marker names none (default: grizzly; a replayed cassette's own)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{CASSETTE_MARKER}(path=None, record_mode='none', redact=()): record or replay the "
        "launches of the launch_sim_cassette fixture in a cassette "
        "(default path: cassettes/<module>/<test>.json beside the test file)",
    )
    config.addinivalue_line(
        "markers",
        f"{PROFILE_MARKER}(name): the Nova release ({KNOWN_PROFILES}) the test's "
        "simulator and cassette answer as, over --launch-sim-profile",
    )


def _cassette_path(request: pytest.FixtureRequest, marker: pytest.Mark | None) -> Path:
    """The marker's path (relative to the test file), else ``cassettes/<module>/<test>.json``."""
    here = request.path.parent
    given = None
    if marker is not None:
        given = marker.kwargs.get("path") or (marker.args[0] if marker.args else None)
    if given is not None:
        return here / str(given)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    return here / "cassettes" / request.path.stem / f"{name}.json"


@pytest.fixture
def launch_sim_cassette(
    request: pytest.FixtureRequest, launch_sim_seed: dict[str, Any]
) -> Iterator[CassetteUse]:
    """Launches checked against, or recorded into, the test's cassette.

    Use ``.client()`` for a boto3 client or ``.handle(params)`` for raw EC2 query parameters;
    ``.sim`` is the simulator (seeded from the cassette when replaying, else from
    ``launch_sim_seed``), answering as the chosen profile, else the cassette's own. A request
    that differs from its recording, or that the cassette lacks where the mode records
    nothing, fails the test when it ends.
    """
    marker = request.node.get_closest_marker(CASSETTE_MARKER)
    options = marker.kwargs if marker else {}
    refusal = _cassette_marker_refusal(options)
    if refusal is not None:
        pytest.fail(f"{CASSETTE_MARKER}: {refusal}", pytrace=False)
    mode = request.config.getoption("--launch-sim-record-mode") or options.get(
        "record_mode", DEFAULT.value
    )
    path = _cassette_path(request, marker)
    stack = ExitStack()
    try:
        use = stack.enter_context(
            use_cassette(
                path,
                mode,
                seed=launch_sim_seed,
                redact=options.get("redact", ()),
                profile=_chosen_profile(request),
            )
        )
    except BadInput as exc:  # a missing or broken cassette: say so, no traceback
        refusal = str(exc)
    if refusal is not None:
        pytest.fail(refusal, pytrace=False)
    yield use
    report = use.failure_report()
    try:
        stack.close()
    except BadInput as exc:  # a recording that cannot be saved
        report = f"{report}\n{exc}" if report else str(exc)
    if report is not None:
        pytest.fail(report, pytrace=False)


_CASSETTE_OPTIONS = frozenset({"path", "record_mode", "redact"})


def _cassette_marker_refusal(options: dict[str, Any]) -> str | None:
    """Why the cassette marker's keywords cannot be used, or None: a misspelt keyword or
    mode would otherwise be ignored or fail with a traceback."""
    unknown = sorted(set(options) - _CASSETTE_OPTIONS)
    if unknown:
        return (
            f"unknown keyword(s) {', '.join(unknown)}; use {', '.join(sorted(_CASSETTE_OPTIONS))}"
        )
    modes = [mode.value for mode in RecordMode]
    if "record_mode" in options and options["record_mode"] not in modes:
        return f"record_mode {options['record_mode']!r} is none of {', '.join(modes)}"
    redact = options.get("redact", ())
    if not isinstance(redact, list | tuple | set | frozenset) or not all(
        isinstance(name, str) for name in redact
    ):
        return f"redact must be a list of parameter names, not {redact!r}"
    return None
