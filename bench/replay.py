"""Replay benchmark: a 10,000-interaction corpus of walkthrough launches, replayed offline.

The corpus is recorded, not written by hand: boto3 sends the walkthrough ``RunInstances``
(seven block device mappings, :data:`bench.walkthrough.WALKTHROUGH`) through a recording
cassette session, so the parameters are exactly what boto3 puts on the wire and the seed
holds exactly the rows that launch read. That interaction is then repeated with the
instance ids replay will issue, and the corpus is written and read back through
``load_cassette`` (so it is valid against ``cassette.schema.json``). ``replay_cassette``
sends every request through ``EC2Service.handle``, where each create call is checked
against ``create_call.schema.json``, and compares it with the recording; a difference
stops the benchmark, so the rate is only ever that of a green replay.

Loading and replaying are measured in a fresh interpreter that imports what
``launch-sim replay`` imports, as a user replays a corpus: in the benchmark's own process,
moto and boto3's service models (a million objects the earlier benchmarks loaded) would be
walked by every full pass of the cyclic garbage collector, a cost that is not replay's.

The same corpus, split into files (each split after the first carrying the
``instance_id_floor`` its ids start from), is also replayed by pytest, one test per
cassette as in ``tests/test_corpus.py``, serially and with ``pytest -n auto``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from bench.timing import duration, pytest_seconds, rate, verdict
from bench.walkthrough import WALKTHROUGH
from simulator.cassette import (
    Cassette,
    RecordMode,
    gc_frozen,
    load_cassette,
    replay_cassette,
    use_cassette,
)
from simulator.ec2ids import id_to_ec2_id

INTERACTIONS = 10_000
TARGET = 5_000
SPLIT_FILES = 20
TEST_FILE = "test_split.py"
TEST_MODULE = '''"""One test per cassette of the split corpus, like tests/test_corpus.py."""

from pathlib import Path

import pytest

from simulator.cassette import load_cassette, replay_cassette

CASSETTES = sorted(Path(__file__).parent.glob("*.json"))


@pytest.mark.parametrize("path", CASSETTES, ids=[path.stem for path in CASSETTES])
def test_the_cassette_replays_green(path):
    assert not replay_cassette(load_cassette(path), str(path)).result.failures
'''


def record_walkthrough(directory: Path) -> Cassette:
    """One walkthrough launch from boto3, recorded by the cassette recording path."""
    path = directory / "walkthrough.json"
    with use_cassette(path, RecordMode.ONCE) as use:
        use.client().run_instances(
            ImageId="ami-00000001", MinCount=1, MaxCount=1, BlockDeviceMappings=WALKTHROUGH
        )
        report = use.failure_report()
    if report is not None:
        raise RuntimeError(report)
    return load_cassette(path)


def corpus(recorded: Cassette, count: int) -> Cassette:
    """``count`` copies of the recorded launch, each with the next instance id."""
    launch = recorded.interactions[0]
    first = launch.first_instance_id()
    if first is None:
        raise RuntimeError("the recorded walkthrough launched no instance")
    interactions = [
        replace(launch, response=replace(launch.response, instance_ids=(id_to_ec2_id(first + n),)))
        for n in range(count)
    ]
    return replace(recorded, interactions=interactions)


def split(whole: Cassette, files: int) -> list[Cassette]:
    """``whole`` as ``files`` cassettes that replay to the very same interactions."""
    size = -(-len(whole.interactions) // files)
    parts = []
    for start in range(0, len(whole.interactions), size):
        chunk = whole.interactions[start : start + size]
        if start:
            floor = whole.interactions[start - 1].highest_instance_id()
            chunk[0] = replace(chunk[0], instance_id_floor=floor)
        parts.append(replace(whole, interactions=chunk))
    return parts


def replayed(cassette: Cassette) -> int:
    """Replay ``cassette`` as ``launch-sim replay`` does (under :func:`gc_frozen`); any
    difference from the recording is an error, not a figure."""
    with gc_frozen():
        result = replay_cassette(cassette, "bench corpus").result
    if result.failures:
        first = result.failures[0]
        raise RuntimeError(
            f"corpus replay differs at {first.where}: "
            + "; ".join(d.describe("replayed") for d in first.differences)
        )
    return len(result.interactions)


def measure(path: Path) -> None:
    """Load and replay the corpus at ``path`` and print the figures (the fresh process)."""
    size = path.stat().st_size
    loading = duration(
        f"load_cassette: read + schema-check the corpus ({size / 1e6:.1f} MB)",
        lambda: load_cassette(path),
    )
    loaded = load_cassette(path)
    figure = rate(
        f"replay_cassette, {INTERACTIONS:,} interactions",
        lambda: replayed(loaded),
        unit="interactions/s",
    )
    print(loading.line())
    print(figure.line())
    judged = f"target >= {TARGET:,} interactions/s: {verdict(figure.median >= TARGET)}"
    print(f"  {'replay rate':<58} {'':>12}  {judged}")


def run() -> None:
    print(
        f"== replay: {INTERACTIONS:,} recorded walkthrough launches (7 mappings each), "
        "every create call schema-checked, medians of 5 runs =="
    )
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        whole = corpus(record_walkthrough(directory), INTERACTIONS)
        path = directory / "corpus.json"
        whole.save(path)
        measuring = subprocess.run(
            [sys.executable, "-m", "bench.replay", "measure", str(path)],
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            text=True,
            check=False,
        )
        if measuring.returncode != 0:
            raise RuntimeError(f"measuring the corpus replay failed:\n{measuring.stderr}")
        print(measuring.stdout, end="")

        suite = directory / "split"
        suite.mkdir()
        for number, part in enumerate(split(whole, SPLIT_FILES), start=1):
            part.save(suite / f"corpus-{number:02d}.json")
        (suite / TEST_FILE).write_text(TEST_MODULE)
        serial = pytest_seconds(suite, TEST_FILE, SPLIT_FILES)
        parallel = pytest_seconds(suite, TEST_FILE, SPLIT_FILES, "-n", "auto")
    label = f"pytest, {SPLIT_FILES} cassettes x {INTERACTIONS // SPLIT_FILES} interactions, serial"
    print(f"  {label:<58} {serial:>12.2f} s")
    print(f"  {'pytest -n auto, same cassettes':<58} {parallel:>12.2f} s")
    print(f"  {'pytest-xdist speedup (serial / -n auto)':<58} {serial / parallel:>12.2f}x")


if __name__ == "__main__":
    if sys.argv[1:2] == ["measure"]:
        measure(Path(sys.argv[2]))
    else:
        run()
