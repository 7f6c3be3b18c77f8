"""nox sessions for launch-sim; ``nox`` alone runs what CI needs."""

from __future__ import annotations

import nox

# The whole suite runs last, so the run's closing pytest line counts every test.
nox.options.sessions = ["lint", "typecheck", "replay", "fuzz", "tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

PYTHON = "3.11"
TYPED = ("simulator", "tests", "features", "bench", "fixtures")
LINTED = (*TYPED, "noxfile.py")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Unit, client, reliability and replay tests and the Gherkin features, in parallel.

    The fuzz tests have their own session (``nox -s fuzz``).
    """
    session.install(".[test]")
    session.run("pytest", "-n", "auto", "-q", "-m", "not fuzz", *session.posargs)


@nox.session(python=PYTHON)
def features(session: nox.Session) -> None:
    """The Gherkin scenarios only."""
    session.install(".[test]")
    session.run("pytest", "-q", "features", *session.posargs)


@nox.session(python=PYTHON)
def replay(session: nox.Session) -> None:
    """Replay every cassette in fixtures/cassettes/ as a regression contract."""
    session.install(".")
    session.run("launch-sim", "replay", "fixtures/cassettes", *session.posargs)


@nox.session(python=PYTHON)
def fuzz(session: nox.Session) -> None:
    """Property-based fuzzing of every input surface (bounded; pass --hypothesis-profile=long).

    The fuzz tests live in tests/fuzz and beside the code they fuzz (the WSGI app's in
    tests/test_server.py), so the whole of tests/ is selected by the ``fuzz`` marker.
    """
    session.install(".[test]")
    session.run(
        "pytest", "-q", "-m", "fuzz", "--hypothesis-show-statistics", "tests", *session.posargs
    )


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff, then import-linter's layer contract (pyproject.toml), so a wrong import fails CI."""
    session.install(".[lint]")
    session.run("ruff", "check", *LINTED)
    session.run("lint-imports")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package and every test, feature, benchmark and script.

    The test extra is installed too, so the tests' imports are checked against real code.
    """
    session.install(".[test,typecheck]")
    session.run("mypy", *TYPED)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks with side-by-side peers (moto); prints figures and ratios."""
    session.install(".[test]")
    session.run("python", "-m", "bench", *session.posargs)
