"""``python -m bench [NAME ...]``: run the benchmarks (all by default) and print their figures."""

from __future__ import annotations

import importlib
import platform
import sys

from bench import calibration
from bench.command import compile_launch_sim

BENCHMARKS = (
    "launch",
    "replay",
    "corpus",
    "memory",
    "store",
    "features",
    "conversation",
    "serve_memory",
)


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    compile_launch_sim()
    print(f"launch-sim benchmarks on Python {platform.python_version()}, {platform.machine()}")
    print(calibration.figure("at the start").line())
    for name in names:
        importlib.import_module(f"bench.{name}").run()
    print(calibration.figure("at the end").line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
