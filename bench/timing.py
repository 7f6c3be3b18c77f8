"""Shared measuring helpers: medians of repeated runs, with min-max, printed alike."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    """One measured rate: the median of several runs and their spread."""

    name: str
    runs: tuple[float, ...]
    unit: str

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def line(self) -> str:
        low, high = min(self.runs), max(self.runs)
        return (
            f"  {self.name:<58} {self.median:>12,.1f} {self.unit}"
            f"  (min {low:,.1f}, max {high:,.1f}, n={len(self.runs)})"
        )


def rate(name: str, action: Callable[[], int], repeats: int = 5, unit: str = "ops/s") -> Figure:
    """Run ``action`` (which returns how many operations it did) ``repeats`` times."""
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        count = action()
        runs.append(count / (time.perf_counter() - start))
    return Figure(name, tuple(runs), unit)


def per_second(count: int, action: Callable[[], object]) -> float:
    """The rate of one timed ``action`` doing ``count`` operations; any setup stays outside."""
    start = time.perf_counter()
    action()
    return count / (time.perf_counter() - start)


def alternating(
    rounds: int, unit: str, *trials: tuple[str, Callable[[], float]]
) -> tuple[Figure, ...]:
    """Run each trial (which builds its own state untimed and returns a measured rate) once
    per round, the trials taking turns: drift on a shared machine (another process, a
    frequency step) then falls on every trial alike instead of on whichever ran last."""
    runs: list[list[float]] = [[] for _ in trials]
    for _ in range(rounds):
        for measured, (_, trial) in zip(runs, trials, strict=True):
            measured.append(trial())
    return tuple(
        Figure(name, tuple(measured), unit)
        for measured, (name, _) in zip(runs, trials, strict=True)
    )


def duration(name: str, action: Callable[[], object], repeats: int = 3) -> Figure:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        runs.append(time.perf_counter() - start)
    return Figure(name, tuple(runs), "s")


def verdict(met: bool) -> str:
    return "MET" if met else "NOT MET"


def ratio_line(
    label: str,
    numerator: Figure,
    denominator: Figure,
    target: float | None = None,
    *,
    at_most: bool = False,
) -> str:
    """The ratio of two medians; ``target`` is a floor, or with ``at_most`` a ceiling."""
    value = numerator.median / denominator.median
    judged = ""
    if target is not None:
        met = value <= target if at_most else value >= target
        judged = f"  target {'<=' if at_most else '>='} {target:g}x: {verdict(met)}"
    return f"  {label:<58} {value:>12.2f}x{judged}"


def pytest_seconds(directory: Path, module: str, tests: int, *extra: str) -> float:
    """Wall time of a fresh pytest process running ``module``, as a user would run it; all
    ``tests`` must pass, or the time is of something else and the benchmark stops."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, module],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr
    if result.returncode != 0 or f"{tests} passed" not in summary:
        raise RuntimeError(f"{directory / module} failed: {summary}")
    return elapsed


def xdist_speedup(
    directory: Path,
    module: str,
    tests: int,
    serial: str,
    parallel: str,
    serial_target: float | None = None,
) -> list[str]:
    """Time ``module``'s pytest run serial and with ``-n auto``: the lines of both, labelled
    ``serial`` and ``parallel``, and of pytest-xdist's speed-up, what a user gains by adding
    ``-n auto``. ``serial_target`` is a ceiling on the serial seconds, judged when given."""
    serial_seconds = pytest_seconds(directory, module, tests)
    parallel_seconds = pytest_seconds(directory, module, tests, "-n", "auto")
    judged = ""
    if serial_target is not None:
        met = verdict(serial_seconds <= serial_target)
        judged = f"  target <= {serial_target:g} s: {met}"
    return [
        f"  {serial:<58} {serial_seconds:>12.2f} s{judged}",
        f"  {parallel:<58} {parallel_seconds:>12.2f} s",
        f"  {'pytest-xdist speedup (serial / -n auto)':<58} "
        f"{serial_seconds / parallel_seconds:>12.2f}x",
    ]
