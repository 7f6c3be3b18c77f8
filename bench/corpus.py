"""Corpus benchmark: ``launch-sim replay DIR`` over 50 cassettes x 1,000 walkthrough
launches, wall-clock, as a user runs it (issue 14, target 4).

The corpus is built untimed, the way :mod:`bench.replay` builds its own: one walkthrough
launch recorded from boto3 under Grizzly (:func:`bench.replay.record_walkthrough`), repeated
50,000 times with the ids replay issues (:func:`bench.replay.corpus`), and split into 50
files of 1,000 (:func:`bench.replay.split`, each file after the first carrying the
``instance_id_floor`` its ids start from).

What is timed is the command itself, in a fresh process: interpreter start-up, imports,
reading and schema-checking every file, replaying every interaction through
``EC2Service.handle`` with each create call schema-checked, and the report. It runs with
``-j 1``, ``-j 2`` and ``-j auto``, taking turns run by run (3 runs each), so drift on the
shared machine falls on all three alike. A run counts only if it exits 0 and its last line
says that all 50,000 interactions match: the rate of a failing replay is not a figure.
Peak RSS is measured per run by GNU time (:mod:`bench.command`): for ``-j N``, that of the
largest single process.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.command import launch_sim
from bench.replay import corpus, record_walkthrough, split
from bench.timing import Figure, alternating, verdict
from simulator.profiles import DEFAULT_PROFILE

FILES = 50
PER_FILE = 1_000
INTERACTIONS = FILES * PER_FILE
JOBS = ("1", "2", "auto")
RUNS = 3
TARGET_PARALLEL = 10_000
TARGET_ONE_PROCESS = 6_000


def build(directory: Path) -> Path:
    """The corpus as ``FILES`` cassettes in ``directory / "corpus"``."""
    folder = directory / "corpus"
    whole = corpus(record_walkthrough(directory, DEFAULT_PROFILE), INTERACTIONS)
    for number, part in enumerate(split(whole, FILES), start=1):
        part.save(folder / f"corpus-{number:02d}.json")
    return folder


def run() -> None:
    print(
        f"== corpus: launch-sim replay -j N over {FILES} cassettes x {PER_FILE:,} walkthrough "
        f"launches ({DEFAULT_PROFILE}), wall-clock with start-up and loading, "
        f"medians of {RUNS} runs =="
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = build(Path(tmp))
        seconds: dict[str, list[float]] = {jobs: [] for jobs in JOBS}
        peaks: dict[str, list[float]] = {jobs: [] for jobs in JOBS}

        def trial(jobs: str) -> tuple[str, Callable[[], float]]:
            def replay() -> float:
                done = launch_sim("replay", "-j", jobs, str(folder)).expect(
                    0, f"{FILES} cassettes, {INTERACTIONS} interactions: OK"
                )
                seconds[jobs].append(done.seconds)
                peaks[jobs].append(done.peak_rss_mb)
                return INTERACTIONS / done.seconds

            return f"launch-sim replay -j {jobs}, interactions/s wall-clock", replay

        rates = dict(zip(JOBS, alternating(RUNS, "interactions/s", *map(trial, JOBS)), strict=True))
    for jobs in JOBS:
        wall = Figure(f"launch-sim replay -j {jobs} DIR, wall-clock", tuple(seconds[jobs]), "s")
        print(wall.line())
        print(rates[jobs].line())
        print(Figure(f"peak RSS, -j {jobs} (largest process)", tuple(peaks[jobs]), "MB").line())
    best = max(JOBS, key=lambda jobs: rates[jobs].median)
    fastest = rates[best].median
    print(
        f"  {f'best: launch-sim replay -j {best}, wall-clock':<58} {fastest:>12,.1f} "
        f"interactions/s  target >= {TARGET_PARALLEL:,}: {verdict(fastest >= TARGET_PARALLEL)}"
    )
    one = rates["1"].median
    label = f"one process (-j 1): {INTERACTIONS:,} over the whole command"
    print(
        f"  {label:<58} {one:>12,.1f} interactions/s"
        f"  target >= {TARGET_ONE_PROCESS:,}: {verdict(one >= TARGET_ONE_PROCESS)}"
    )
