"""Record modes: vcrpy's four, and every decision each one makes, in one table.

A recording session, :func:`~simulator.cassette.recorder.use_cassette`, the pytest marker
and the ``launch-sim`` commands never branch on a mode: they ask its :class:`Rules` (as
vcrpy's cassette asks its record mode whether it is write-protected). A mode's meaning is
therefore read in one row of :data:`_RULES`, and a new question is a new column.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from simulator.cassette.format import (
    Cassette,
    CassetteError,
    is_lines,
    load_cassette,
    read_header,
    stream_document,
)
from simulator.errors import BadInput
from simulator.jsonio import NotStreamable


@dataclass(frozen=True)
class Rules:
    """What a record mode decides, wherever a cassette is used."""

    checks_existing: bool
    """An existing cassette is loaded and requests are checked against it; otherwise it is
    ignored and recorded afresh."""
    records_missing: bool
    """A missing cassette is recorded from scratch; otherwise it is an error."""
    grows_existing: bool
    """Requests an existing cassette lacks are appended to it, on a store seeded as for a
    fresh recording; otherwise they are failures."""
    rerecords_on_replay: bool
    """``launch-sim replay`` writes back the interactions that differ (it has no new
    requests, so that is the only recording it can do)."""
    refuses_unrecorded: bool
    """A request an existing cassette does not hold is answered with an EC2 error naming
    the cassette and the mode (vcrpy's ``CannotOverwriteExistingCassetteException``), not
    by the simulator: a client drifting from its recording fails where it sends the request,
    and a checking server exits 1. Otherwise the simulator answers it (and it is recorded,
    or reported as a failure)."""


class RecordMode(enum.StrEnum):
    """vcrpy's record modes, with the same meaning for a test, a server and replay."""

    NONE = "none"
    """Replay only: the cassette must exist, a request it does not hold is an error."""
    ONCE = "once"
    """Record a cassette that does not exist yet; once it exists, behave like ``none``."""
    NEW_EPISODES = "new_episodes"
    """Check the requests the cassette holds, record the ones it does not."""
    ALL = "all"
    """Record everything afresh, ignoring what the cassette held."""

    @property
    def rules(self) -> Rules:
        return _RULES[self]


_RULES = {
    RecordMode.NONE: Rules(
        checks_existing=True,
        records_missing=False,
        grows_existing=False,
        rerecords_on_replay=False,
        refuses_unrecorded=True,
    ),
    RecordMode.ONCE: Rules(
        checks_existing=True,
        records_missing=True,
        grows_existing=False,
        rerecords_on_replay=False,
        refuses_unrecorded=True,
    ),
    RecordMode.NEW_EPISODES: Rules(
        checks_existing=True,
        records_missing=True,
        grows_existing=True,
        rerecords_on_replay=False,
        refuses_unrecorded=False,
    ),
    RecordMode.ALL: Rules(
        checks_existing=False,
        records_missing=True,
        grows_existing=False,
        rerecords_on_replay=True,
        refuses_unrecorded=False,
    ),
}

DEFAULT = RecordMode.NONE
"""The default of tests, :func:`use_cassette` and ``launch-sim replay``: check, never write."""
SERVE_DEFAULT = RecordMode.ONCE
"""The default of ``launch-sim serve --record``: a server is where cassettes get recorded."""


def recorded_for(path: Path, mode: RecordMode) -> Cassette | None:
    """The cassette a session checks requests against; None when it records from scratch.

    Recording afresh over a file that is there replaces it, so it must be a cassette: a
    seed or a report given by mistake is refused, not lost."""
    rules = mode.rules
    if rules.checks_existing and path.exists():
        return load_cassette(path)
    if path.is_file():
        _refuse_unless_cassette(path)
    if not rules.records_missing:
        raise CassetteError(
            f"{path}: no such cassette, and record mode {mode.value!r} records nothing "
            "(record it with 'once')"
        )
    return None


def _refuse_unless_cassette(path: Path) -> None:
    """CassetteError unless ``path`` holds a cassette (its header is read and checked)."""
    try:
        if is_lines(path):
            read_header(path)
        else:
            try:
                stream_document(path)
            except NotStreamable:
                load_cassette(path)
    except BadInput as exc:
        reason = str(exc).removeprefix(f"{path}: ")
        raise CassetteError(
            f"{path}: refusing to record over a file that is no cassette ({reason}); "
            "move it away first"
        ) from None
