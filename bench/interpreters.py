"""The CPython 3.11 builds a benchmark of whole commands runs ``launch-sim`` under: the one
running the benchmark, and each other 3.11 build this machine has, installed into a venv
of its own from this checkout as a user would install it (``pip install .``).

Why more than one: the same bytecode runs at different speeds on different builds of one
CPython version. pyenv builds CPython without profile-guided optimisation or link-time
optimisation unless asked, and links the interpreter to a shared ``libpython``; Debian's
``python3.11`` (like python.org's installers and the official Docker images) is built with
both optimisations, and Debian's links ``libpython`` into the executable. On the machine
these figures come from, the same replay ran 15-25% faster on Debian's build. A figure
that holds only for one build says so; printing both lets a reader tell the code's speed
from the interpreter's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.command import LAUNCH_SIM

CHECKOUT = Path(__file__).resolve().parent.parent
VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"
NAME = f"python{VERSION}"
WELL_KNOWN = (Path("/usr/bin"), Path("/usr/local/bin"))
"""Where distributions and python.org's source build put their interpreter, looked at
besides ``PATH`` (a venv or pyenv's shims usually come first there)."""

_DESCRIBE = (
    "import platform, sys; "
    "print(sys.base_prefix); "
    "print(platform.python_implementation(), platform.python_version())"
)


@dataclass(frozen=True)
class Interpreter:
    """One build: how the printed lines name it, and the ``launch-sim`` command it runs."""

    label: str
    python: str
    launch_sim: tuple[str, ...]


def this_one() -> Interpreter:
    """The interpreter running the benchmark, with the ``launch-sim`` beside it."""
    version = f"CPython {sys.version.split()[0]}"
    return Interpreter(
        f"{version}, {sys.base_prefix} (this run's)", sys.executable, tuple(LAUNCH_SIM)
    )


def others(directory: Path) -> list[Interpreter]:
    """Every other CPython build of this version found on ``PATH`` or in the usual places,
    each with launch-sim installed into a venv under ``directory``. One whose venv cannot
    be made or installed into is left out, with a line saying why."""
    found: list[Interpreter] = []
    seen = {sys.base_prefix}
    for number, python in enumerate(_candidates()):
        described = _describe(python)
        if described is None:
            continue
        prefix, version = described
        if prefix in seen or not version.startswith(f"CPython {VERSION}."):
            continue
        seen.add(prefix)
        venv = directory / f"venv-{number}"
        problem = _install(python, venv)
        if problem:
            print(f"  {python} ({version}) left out: {problem}")
            continue
        bin_folder = venv / "bin"
        found.append(
            Interpreter(
                f"{version}, {prefix}",
                str(bin_folder / "python"),
                (str(bin_folder / "launch-sim"),),
            )
        )
    return found


def _candidates() -> Iterator[str]:
    folders = [Path(entry) for entry in os.environ.get("PATH", "").split(os.pathsep) if entry]
    for folder in dict.fromkeys([*folders, *WELL_KNOWN]):
        python = folder / NAME
        if python.is_file() and os.access(python, os.X_OK):
            yield str(python)


def _describe(python: str) -> tuple[str, str] | None:
    """``sys.base_prefix`` (which tells two builds apart, venvs and shims included) and
    implementation and version of ``python``, or None if it does not run."""
    try:
        done = subprocess.run(
            [python, "-c", _DESCRIBE], capture_output=True, text=True, timeout=60, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    prefix, version = done.stdout.splitlines()
    return prefix, version


def _install(python: str, venv: Path) -> str | None:
    """A venv of ``python`` at ``venv`` with this checkout installed; what went wrong, if
    something did (the last line pip or venv printed)."""
    steps = (
        [python, "-m", "venv", str(venv)],
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(CHECKOUT)],
    )
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=900, check=False)
        if done.returncode:
            lines = (done.stderr or done.stdout).strip().splitlines()
            return lines[-1] if lines else f"{' '.join(step[1:4])} exited {done.returncode}"
    return None


def calibration_rate(interpreter: Interpreter) -> float:
    """:mod:`bench.calibration`'s workload under ``interpreter``, in rows/s (the median of
    its runs), in a fresh process of that build: the build's own speed on code that is none
    of launch-sim's."""
    done = subprocess.run(
        [
            interpreter.python,
            "-c",
            "from bench.calibration import figure; print(figure('').median)",
        ],
        cwd=CHECKOUT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return float(done.stdout)
