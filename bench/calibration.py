"""How fast this machine ran during a benchmark run: a fixed pure-Python workload, timed at
the start and at the end of ``python -m bench``.

The 2-vCPU VM these figures come from drifts by 10% and more within an hour (another
guest on the host, a frequency step), so the same code gives different rates from one run
to the next. The workload here is none of launch-sim's code and never changes: copying
small rows of dicts, lists and strings, the kind of work a launch is made of. Its rate beside
a run's figures says whether that run met a fast or a slow machine, so two runs can be
compared; its start and end say whether the machine changed during the run.
"""

from __future__ import annotations

from bench.timing import Figure, rate

ROWS = 2_000
ROUNDS = 50
"""Each timed run builds and copies ``ROWS`` rows ``ROUNDS`` times: about a fifth of a second."""
REPEATS = 5


def _rows() -> list[dict[str, object]]:
    return [
        {"id": n, "name": f"row-{n}", "tags": [n % 7, n % 11], "spare": None} for n in range(ROWS)
    ]


def _workload() -> int:
    """Build, copy and read back :data:`ROWS` rows :data:`ROUNDS` times; how many rows."""
    total = 0
    for _ in range(ROUNDS):
        for row in _rows():
            copied = {
                key: list(value) if type(value) is list else value for key, value in row.items()
            }
            total += len(str(copied["name"])) + len(copied)
    return ROWS * ROUNDS if total else 0


def figure(when: str) -> Figure:
    """The workload's rate now, ``when`` naming the moment in the printed line."""
    return rate(
        f"machine speed, {when} (fixed pure-Python rows, bench/calibration.py)",
        _workload,
        REPEATS,
        "rows/s",
    )
