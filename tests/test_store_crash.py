"""A writer killed with SIGKILL at random moments never loses an acknowledged mapping.

The writer prints each mapping only after ``add_mapping`` returned (its acknowledgement)
and compacts every few hundred writes, so kills land mid-append, mid-compaction and
between the two. After every kill the store must open and hold everything acknowledged.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from simulator.store import MappingStore, MappingTable

KILLS = 50
WRITER = """
import sys, uuid
from simulator.store import MappingStore, MappingTable
store = MappingStore.open(sys.argv[1], lock_timeout=10)
print("ready", flush=True)
count = 0
while True:
    value = str(uuid.uuid4())
    row = store.add_mapping(MappingTable.SNAPSHOTS, value)
    print(row, value, flush=True)
    count += 1
    if count % 300 == 0:
        store.flush()
"""


def acknowledged(output: str) -> dict[int, str]:
    rows = {}
    for line in output.splitlines(keepends=True):
        parts = line.split()
        if line.endswith("\n") and len(parts) == 2 and parts[0].isdigit():
            rows[int(parts[0])] = parts[1]
    return rows


def test_sigkill_at_random_moments_loses_nothing_acknowledged(
    tmp_path: Path, report_figure: Callable[[str], None]
) -> None:
    path = tmp_path / "store.json"
    rng = random.Random(1234)
    expected: dict[int, str] = {}
    survived = 0
    for _ in range(KILLS):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        assert writer.stdout is not None
        assert writer.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0.0, 0.15))
        writer.send_signal(signal.SIGKILL)
        # Read through the text stream: readline() above may have buffered lines already.
        output = writer.stdout.read()
        writer.wait(timeout=30)
        expected.update(acknowledged(output))
        with MappingStore.open(path, lock_timeout=10) as store:
            rows = dict(store.mapping_rows(MappingTable.SNAPSHOTS))
        missing = {row: value for row, value in expected.items() if rows.get(row) != value}
        assert not missing, f"acknowledged mappings lost: {sorted(missing)[:5]}"
        survived += 1
    report_figure(
        f"SIGKILLs survived/tried: {survived}/{KILLS}, "
        f"{len(expected)} acknowledged mappings all present"
    )
    assert survived == KILLS and len(expected) > KILLS
