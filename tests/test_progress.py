"""Progress on long work (issue 12, item 10): ``replay`` and ``verify`` draw a bar on stderr
when it is a terminal, and nothing when it is not or when the report is JSON."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from simulator.cli import main
from simulator.progress import progress, shown

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = [ROOT / "fixtures" / "cassettes" / name for name in ("kernel-ramdisk.json",)]


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    sink = io.StringIO()
    return Console(file=sink, force_terminal=terminal, width=80), sink


def test_a_bar_is_drawn_on_a_terminal_and_counts_the_units() -> None:
    console, sink = _console(terminal=True)
    with progress("replaying", 7, "text", console) as advance:
        advance(3)
        advance(4)
    assert "replaying" in sink.getvalue() and "7/7" in sink.getvalue()


@pytest.mark.parametrize(("terminal", "report"), [(False, "text"), (True, "json")])
def test_nothing_is_drawn_off_a_terminal_or_for_a_json_report(terminal: bool, report: str) -> None:
    console, sink = _console(terminal)
    assert not shown(report, console)
    with progress("replaying", 2, report, console) as advance:
        advance(2)
    assert sink.getvalue() == ""


def test_replay_off_a_terminal_prints_only_its_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", *map(str, CASSETTES)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.endswith("1 cassette, 7 interactions: OK\n")


def _replay_on_a_terminal(*options: str, command: str = "replay") -> tuple[str, str]:
    """``launch-sim replay`` (or ``matrix``) with stderr on a pseudo-terminal: (stdout, what
    the tty got)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", command, *options, *map(str, CASSETTES)],
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
        env={**os.environ, "TERM": "xterm", "COLUMNS": "100"},
    )
    os.close(follower)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    os.close(leader)
    stdout, _ = process.communicate(timeout=120)
    assert process.returncode == 0
    return stdout, drawn.decode(errors="replace")


def test_replay_on_a_terminal_draws_the_bar_on_stderr_only() -> None:
    stdout, drawn = _replay_on_a_terminal()
    assert "replaying" in drawn
    assert "replaying" not in stdout and stdout.endswith("1 cassette, 7 interactions: OK\n")


def test_replay_on_a_terminal_with_a_json_report_draws_nothing() -> None:
    stdout, drawn = _replay_on_a_terminal("--format", "json")
    assert drawn == ""
    assert stdout.startswith("{")


def test_matrix_on_a_terminal_draws_the_bar_on_stderr_only() -> None:
    stdout, drawn = _replay_on_a_terminal("--profiles", "grizzly", command="matrix")
    assert "replaying" in drawn
    assert "replaying" not in stdout and "grizzly" in stdout


_RICH_IMPORTED = (
    "import sys\n"
    "from simulator.progress import progress\n"
    "with progress('replaying', 1, 'text') as advance:\n"
    "    advance(1)\n"
    "print('rich' in sys.modules)\n"
)


@pytest.mark.parametrize(
    ("environment", "imported"),
    [({}, "False"), ({"FORCE_COLOR": "1"}, "True"), ({"TTY_COMPATIBLE": "0"}, "True")],
)
def test_rich_is_imported_only_where_a_bar_may_be_drawn(
    environment: dict[str, str], imported: str
) -> None:
    """Off a terminal, nothing in the environment overriding that, no bar can be drawn:
    rich is not imported (a twentieth of a second of every CI replay). With
    ``FORCE_COLOR`` or ``TTY_COMPATIBLE`` rich decides, as it does on a terminal."""
    clean = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    done = subprocess.run(
        [sys.executable, "-c", _RICH_IMPORTED],
        capture_output=True,
        text=True,
        env={**clean, **environment},
        check=True,
    )
    assert done.stdout.strip() == imported
