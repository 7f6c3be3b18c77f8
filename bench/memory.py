"""Memory benchmark: ``replay``, ``validate`` and ``matrix`` of a JSON Lines cassette of
100,000 and 1,000,000 interactions, time and peak RSS (issue 14, target 5).

The cassette is the kind ``docs/cassettes.md`` measures under Limits: one small launch
recorded from boto3 under Grizzly (``ami-00000001``, ``InstanceType=m9.huge``, which the
release refuses, so no instance is created), repeated with its own ``ClientToken`` each
(:func:`bench.replay.corpus`). It is written as a ``.jsonl`` file by the project's own writer
(:meth:`Cassette.to_lines`) ``CHUNK`` interactions at a time, so the benchmark never holds a
million interactions either. Each command then runs once per size in a fresh process
(:mod:`bench.command`: wall-clock with start-up, peak RSS by GNU time), and must exit
0 with every interaction matching (or the file valid): the figures of a failing command are
not figures. Targets: at most 300 MB peak RSS at 1,000,000, and time linear in the size
(the 1,000,000 run at most 12x the 100,000 one, 10x being exactly linear).

The 100,000 runs are made twice, before and after the 1,000,000 ones, and their mean is
the base of that ratio: a host that slows or speeds up over the two minutes of the long
runs moved a base timed only before them, and with it the ratio (validate read 10.4x in
one run and 12.3x in the next, on unchanged code, the machine slower at the end).

Beside it, the same for a small launch that succeeds (one snapshot mapping), at 100,000
only: its RSS is not the cassette's (streamed, as above) but the simulated cloud's, since
every instance a replayed launch creates stays in the in-memory store, about 2.6 KB each
(``docs/cassettes.md``). At 1,000,000 that is 2.7 GB and over three minutes for each of
replay and matrix, which would take this benchmark far past its four-minute budget to
restate what the 100,000 run and the per-instance cost already say; so it is left out.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.command import Run, launch_sim
from bench.replay import corpus, record_launch
from bench.timing import verdict
from simulator.cassette import Cassette
from simulator.ec2ids import id_to_ec2_id
from simulator.profiles import DEFAULT_PROFILE

SIZES = (100_000, 1_000_000)
CHUNK = 10_000
TARGET_MB = 300
LINEAR_AT_MOST = 12
REFUSED: dict[str, Any] = {"InstanceType": "m9.huge"}
LAUNCHED: dict[str, Any] = {
    "InstanceType": "m1.small",
    "BlockDeviceMappings": [{"DeviceName": "/dev/fake0", "Ebs": {"SnapshotId": "snap-12345678"}}],
}
COMMANDS = {
    "replay": ("replay",),
    "validate": ("validate",),
    "matrix": ("matrix", "--profiles", DEFAULT_PROFILE),
}


def write_lines(recorded: Cassette, count: int, path: Path) -> None:
    """``count`` copies of the recorded launch as a JSON Lines cassette, ``CHUNK`` at a time:
    each chunk is :func:`bench.replay.corpus` of a launch whose ``ClientToken`` names the
    chunk and whose instance id is the chunk's first, so tokens and ids run on as in one
    corpus of ``count``."""
    launch = recorded.interactions[0]
    first = launch.first_instance_id()
    with open(path, "wb") as out:
        out.write(replace(recorded, interactions=[]).to_lines())
        for start in range(0, count, CHUNK):
            params = tuple(
                (name, f"{value}-{start}" if name == "ClientToken" else value)
                for name, value in launch.request.params
            )
            ids = () if first is None else (id_to_ec2_id(first + start),)
            base = replace(
                launch,
                request=replace(launch.request, params=params),
                response=replace(launch.response, instance_ids=ids),
            )
            chunk = corpus(replace(recorded, interactions=[base]), min(CHUNK, count - start))
            out.write(chunk.to_lines().split(b"\n", 1)[1])


def commands(path: Path, count: int) -> dict[str, Run]:
    """Each command once over ``path``, checked to have succeeded on all ``count``."""
    every = f"1 cassette, {count} interactions"
    expected = {
        "replay": f"{every}: OK",
        "validate": "valid cassette",
        "matrix": f"{every}: {DEFAULT_PROFILE} all same",
    }
    return {
        name: launch_sim(*COMMANDS[name], str(path)).expect(0, last_line)
        for name, last_line in expected.items()
    }


def written(directory: Path, recorded: Cassette, count: int, what: str) -> Path:
    """The cassette of ``count`` written, its size printed."""
    path = directory / f"{what}-{count}.jsonl"
    write_lines(recorded, count, path)
    size = path.stat().st_size
    label = f"{what}.jsonl, {count:,} interactions ({size / count:.0f} bytes a line)"
    print(f"  {label:<58} {size / 1e6:>12,.1f} MB")
    return path


def printed(runs: dict[str, Run], count: int, what: str, how: str = "") -> dict[str, Run]:
    for command, done in runs.items():
        label = f"launch-sim {' '.join(COMMANDS[command])}, {count:,} {what}{how}"
        print(f"  {label:<58} {done.seconds:>12,.1f} s  {done.peak_rss_mb:>6,.0f} MB peak RSS")
    return runs


def measured(directory: Path, recorded: Cassette, count: int, what: str) -> dict[str, Run]:
    """Write the cassette of ``count``, run the commands on it, print a line each, delete it."""
    path = written(directory, recorded, count, what)
    runs = commands(path, count)
    path.unlink()
    return printed(runs, count, what)


def bracketing(
    directory: Path, recorded: Cassette, what: str
) -> tuple[dict[str, Run], dict[str, Run]]:
    """The commands at both :data:`SIZES`, the small size run before and after the large one:
    each small figure is the mean time and the larger peak RSS of its two runs."""
    small, large = SIZES
    path = written(directory, recorded, small, what)
    before = commands(path, small)
    after_large = measured(directory, recorded, large, what)
    after = commands(path, small)
    path.unlink()
    base = {name: _mean_run(before[name], after[name]) for name in before}
    return printed(base, small, what, " (mean of 2)"), after_large


def _mean_run(first: Run, second: Run) -> Run:
    return replace(
        first,
        seconds=(first.seconds + second.seconds) / 2,
        peak_rss_mb=max(first.peak_rss_mb, second.peak_rss_mb),
    )


def run() -> None:
    print(
        f"== memory: a JSON Lines cassette of one small {DEFAULT_PROFILE} launch repeated, "
        f"streamed by replay, validate and matrix; wall-clock and peak RSS; {SIZES[1]:,} run once, "
        f"{SIZES[0]:,} before and after it =="
    )
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        refused = record_launch(directory / "refused.json", REFUSED)
        small, large = bracketing(directory, refused, "refused")
        for command, done in large.items():
            times = done.seconds / small[command].seconds
            label = f"{command} time, {SIZES[1]:,} / {SIZES[0]:,} (10x: linear)"
            print(
                f"  {label:<58} {times:>12.2f}x  target <= {LINEAR_AT_MOST}x: "
                f"{verdict(times <= LINEAR_AT_MOST)}"
            )
            label = f"{command} peak RSS at {SIZES[1]:,} refused"
            print(
                f"  {label:<58} {done.peak_rss_mb:>12,.0f} MB  target <= {TARGET_MB} MB: "
                f"{verdict(done.peak_rss_mb <= TARGET_MB)}"
            )
        print(
            f"  launched ({LAUNCHED['InstanceType']}, one snapshot mapping), {SIZES[0]:,} only: "
            "the RSS grows with the instances the launches create (kept in the store)"
        )
        launched = record_launch(directory / "launched.json", LAUNCHED)
        grown = measured(directory, launched, SIZES[0], "launched")
        for command in ("replay", "matrix"):
            extra = grown[command].peak_rss_mb - small[command].peak_rss_mb
            label = f"{command}: RSS per instance (launched - refused, {SIZES[0]:,})"
            print(f"  {label:<58} {extra * 1e3 / SIZES[0]:>12,.2f} KB")
