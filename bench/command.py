"""One ``launch-sim`` command run as a user runs it: its wall-clock time and peak RSS.

The time is the whole process's, interpreter start-up and imports included, since that is
what a user waits for. The peak RSS is GNU time's (``/usr/bin/time -f %M``), measured per
run. Not ``os.wait4`` or ``getrusage(RUSAGE_CHILDREN)`` from this process: Linux carries the
peak RSS of the process that forks and execs a command into the command's own (at ``exec``),
so every run would read at least this benchmark's size; ``time`` is a small process in
between. For a run with ``-j N``, whose workers the command forks and reaps itself, it is
the peak of the largest single process among them, not their sum. Where GNU time is not
installed, the command's own ``VmHWM`` in ``/proc/PID/status`` is polled every 20 ms
instead (its own peak, not its workers').
"""

from __future__ import annotations

import compileall
import contextlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import simulator

GNU_TIME = Path("/usr/bin/time")
SCRIPT = Path(sys.executable).parent / "launch-sim"
LAUNCH_SIM = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "simulator"]
"""The console script ``pip install`` puts beside the interpreter (in the nox venv too),
or the module it runs when this interpreter has no such script."""


def compile_launch_sim() -> None:
    """Write the bytecode of the ``simulator`` packages the timed processes import, as ``pip
    install`` does when it installs a package: an editable install, or a shell with
    ``PYTHONDONTWRITEBYTECODE`` set, leaves every timed process (a ``launch-sim`` command, a
    pytest-xdist worker) to compile again each module changed since its bytecode was last
    written, a tenth of a second of start-up per process that no installed copy pays. Both
    the package this checkout runs and the one the ``launch-sim`` commands find from a folder
    of their own (an editable install's may be another checkout) are written."""
    compileall.compile_dir(Path(simulator.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory() as elsewhere:
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import compileall, pathlib, simulator; "
                "compileall.compile_dir(pathlib.Path(simulator.__file__).parent, quiet=1)",
            ],
            cwd=elsewhere,
            check=True,
        )


@dataclass(frozen=True)
class Run:
    """A finished command: exit code, output, wall-clock seconds, peak RSS in MB (10^6 bytes)."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float

    @property
    def last_line(self) -> str:
        lines = self.stdout.strip().splitlines()
        return lines[-1] if lines else ""

    def expect(self, returncode: int, last_line_has: str) -> Run:
        """This run, if it exited with ``returncode`` and its last line says ``last_line_has``;
        otherwise an error: the figures of a failing command are not the command's."""
        if self.returncode != returncode or last_line_has not in self.last_line:
            raise RuntimeError(
                f"{' '.join(self.argv)} exited {self.returncode}, last line "
                f"{self.last_line!r} (expected {last_line_has!r}):\n{self.stderr[-2000:]}"
            )
        return self


def launch_sim(*arguments: str, command: Sequence[str] = LAUNCH_SIM) -> Run:
    """Run ``launch-sim ARGUMENTS`` (``command``: another install's, for instance) to
    completion; output goes to temporary files, so a long report can neither block the
    child nor be cut short."""
    argv = (*command, *arguments)
    with tempfile.TemporaryDirectory() as tmp:
        out, err = Path(tmp) / "stdout", Path(tmp) / "stderr"
        peak = Path(tmp) / "peak" if GNU_TIME.exists() else None
        timed = [str(GNU_TIME), "-f", "%M", "-o", str(peak), *argv] if peak else list(argv)
        with open(out, "wb") as stdout, open(err, "wb") as stderr:
            start = time.perf_counter()
            process = subprocess.Popen(timed, stdout=stdout, stderr=stderr)
            kib = _peak_kib(process, peak)
            seconds = time.perf_counter() - start
        return Run(
            argv,
            process.returncode,
            out.read_text(errors="replace"),
            err.read_text(errors="replace"),
            seconds,
            kib * 1024 / 1e6,
        )


def _peak_kib(process: subprocess.Popen[bytes], reported: Path | None) -> int:
    """Wait for ``process``; its peak RSS in KiB, as GNU time ``reported`` it (its last
    line; a failing command's status comes before it), or else its ``VmHWM`` polled."""
    if reported is not None:
        process.wait()
        return int(reported.read_text().split()[-1])
    status = Path(f"/proc/{process.pid}/status")
    peak = 0
    while process.poll() is None:
        with contextlib.suppress(OSError):
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        time.sleep(0.02)
    return peak
