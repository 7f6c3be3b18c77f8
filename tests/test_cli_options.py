"""Option values ``launch-sim`` refuses while parsing, before any work starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.cli import build_parser, main

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
    err = capsys.readouterr().err
    assert f"argument {option.split()[1]}: {value!r} is not a" in err
    assert "number of seconds" in err


@pytest.mark.parametrize("option", TIMEOUT_OPTIONS)
def test_a_positive_timeout_is_accepted(option: str) -> None:
    args = build_parser().parse_args([*TIMEOUT_OPTIONS[option], "0.25"])
    assert 0.25 in vars(args).values()
