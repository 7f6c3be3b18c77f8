"""Option values ``launch-sim`` refuses while parsing, before any work starts."""

from __future__ import annotations

from pathlib import Path

import pytest

import simulator.cli
import simulator.server
from simulator import Simulator
from simulator.cli import build_parser, main
from simulator.server import ServerHandle
from simulator.service import EC2Service

ROOT = Path(__file__).resolve().parent.parent
CASSETTE = str(ROOT / "fixtures" / "cassettes" / "errors-compute.json")
TIMEOUT_OPTIONS = {
    "verify --timeout": ["verify", "--endpoint", "http://127.0.0.1:1/", CASSETTE, "--timeout"],
    "serve --image-service-timeout": [
        "serve",
        "--image-service",
        "http://127.0.0.1:1/",
        "--image-service-timeout",
    ],
}


@pytest.mark.parametrize("value", ["0", "-3", "nan", "inf", "1e999", "soon", ""])
@pytest.mark.parametrize("option", TIMEOUT_OPTIONS)
def test_a_timeout_is_a_finite_number_of_seconds_above_zero(
    capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*TIMEOUT_OPTIONS[option], value])
    assert exited.value.code == 2
    command = option.split()[0]
    assert capsys.readouterr().err == (
        f"launch-sim {command}: error: argument {option.split()[1]}: {value!r} is not a "
        f"{'' if value in ('soon', '') else 'finite '}number of seconds"
        f"{'' if value in ('soon', '') else ' above 0'} (see launch-sim {command} --help)\n"
    )


@pytest.mark.parametrize("option", TIMEOUT_OPTIONS)
def test_a_positive_timeout_is_accepted(option: str) -> None:
    args = build_parser().parse_args([*TIMEOUT_OPTIONS[option], "0.25"])
    assert 0.25 in vars(args).values()


USAGE_ERRORS = {
    "no command": ([], "launch-sim", "the following arguments are required: COMMAND"),
    "unknown command": (["bogus"], "launch-sim", "argument COMMAND: invalid choice: 'bogus'"),
    "serve --port abc": (
        ["serve", "--port", "abc"],
        "launch-sim serve",
        "argument --port: invalid int value: 'abc'",
    ),
    "serve --auth basic": (
        ["serve", "--auth", "basic"],
        "launch-sim serve",
        "argument --auth: invalid choice: 'basic' (choose from 'none', 'sigv4')",
    ),
    "replay --format xml": (
        ["replay", "--format", "xml", CASSETTE],
        "launch-sim replay",
        "argument --format: invalid choice: 'xml'",
    ),
    "verify without --endpoint": (
        ["verify", CASSETTE],
        "launch-sim verify",
        "the following arguments are required: --endpoint",
    ),
    "store without a subcommand": (
        ["store"],
        "launch-sim store",
        "the following arguments are required: COMMAND",
    ),
    "store import without a seed": (
        ["store", "import"],
        "launch-sim store import",
        "the following arguments are required: SEED",
    ),
    "unrecognized argument": (
        ["validate", CASSETTE, "--strict"],
        "launch-sim validate",
        "unrecognized arguments: --strict",
    ),
    "unrecognized argument of a nested command": (
        ["store", "--store", "s.json", "export", "extra"],
        "launch-sim store export",
        "unrecognized arguments: extra",
    ),
}


@pytest.mark.parametrize("case", USAGE_ERRORS)
def test_a_usage_error_is_one_line_naming_the_command_and_its_help(
    capsys: pytest.CaptureFixture[str], case: str
) -> None:
    argv, prog, reason = USAGE_ERRORS[case]
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{prog}: error: {reason}")
    assert err.endswith(f" (see {prog} --help)\n") and err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["store", "--store", "STORE", "export"],
        ["store", "export", "--store", "STORE"],
        ["store", "--store", "elsewhere.json", "export", "--store", "STORE"],
    ],
)
def test_store_takes_its_store_option_before_or_after_the_subcommand(
    tmp_path: Path, argv: list[str]
) -> None:
    store = tmp_path / "store.json"
    args = build_parser().parse_args([str(store) if arg == "STORE" else arg for arg in argv])
    assert args.store == store


def test_serve_keeps_a_bounded_number_of_compute_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long-running server keeps only the last SERVE_KEPT_CALLS calls in memory; the
    recorder takes each request's calls as they happen, so none is lost to a cassette."""
    served: list[Simulator] = []

    def service(sim: Simulator) -> EC2Service:
        served.append(sim)
        return EC2Service(sim)

    monkeypatch.setattr(simulator.cli, "EC2Service", service)
    monkeypatch.setattr(simulator.server, "serve_until_signalled", ServerHandle.stop)
    store = str(tmp_path / "s.json")
    assert simulator.cli.main(["serve", "--port", "0", "--store", store]) == 0
    (sim,) = served
    assert sim.compute.calls.maxlen == simulator.cli.SERVE_KEPT_CALLS
