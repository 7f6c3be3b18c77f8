"""Progress of long work (replay, verify, matrix over a corpus) on the terminal.

A long replay that prints nothing until it ends looks hung. A bar on stderr says how far it
is, and only where someone watches: stderr a terminal, and the report not JSON (a program
reads that one). rich draws it (a maintained library, rather than hand-rolled escape codes),
and clears it when the work ends, so the report on stdout reads the same with or without.
rich is imported only where a bar may be drawn: not for a report read by a program, nor
when stderr is no terminal and nothing in the environment tells rich to draw anyway
(``FORCE_COLOR``, ``TTY_COMPATIBLE``), so a replay in CI or behind a pipe does not spend a
twentieth of a second importing it (in a parallel replay, on a core its workers need).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

Advance = Callable[[int], None]
"""Moves a bar on by that many units of work done."""


def _nothing(units: int) -> None:
    """Where work done goes when no bar could be shown."""


def _read_by_a_program(report_format: str) -> bool:
    return report_format == "json"


_TERMINAL_OVERRIDES = ("FORCE_COLOR", "TTY_COMPATIBLE")
"""The variables with which rich takes any stream for a terminal (or none)."""


def _never_shown(report_format: str, console: Console | None) -> bool:
    """Whether no bar can be drawn, known without rich: a report read by a program, or
    stderr (no console given) no terminal with no variable that overrides that."""
    if _read_by_a_program(report_format):
        return True
    if console is not None or any(name in os.environ for name in _TERMINAL_OVERRIDES):
        return False
    try:
        return not sys.stderr.isatty()
    except (AttributeError, ValueError):
        return True


def shown(report_format: str, console: Console | None = None) -> bool:
    """Whether a bar is drawn: stderr is a terminal and the report is not ``json``."""
    if _never_shown(report_format, console):
        return False
    from rich.console import Console

    return (console or Console(stderr=True)).is_terminal


@contextmanager
def progress(
    description: str, total: int, report_format: str, console: Console | None = None
) -> Iterator[Advance]:
    """A bar of ``total`` units while the block runs (if :func:`shown`), cleared at the end.

    ``console`` is where it is drawn (default: stderr); the block calls the yielded function
    with the units each step completed.
    """
    if _never_shown(report_format, console):
        yield _nothing
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = console or Console(stderr=True)
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not shown(report_format, console),
    )
    with bar:
        task = bar.add_task(description, total=total)

        def advance(units: int) -> None:
            bar.advance(task, units)

        yield advance
