"""Cassettes: launch requests recorded once and replayed forever, so any change shows as a diff.

One concept per module, named as ``docs/cassettes.md`` names them:

* :mod:`~simulator.cassette.format`: the cassette model, redaction, the file form
  (load and save) and ``compare``, the diff of two interactions;
* :mod:`~simulator.cassette.record_mode`: vcrpy's record modes and each one's rules;
* :mod:`~simulator.cassette.replayer`: ``replay_cassette``, a cassette replayed offline;
* :mod:`~simulator.cassette.recorder`: ``CassetteSession`` and ``use_cassette``, a cassette
  in use while a test or a server answers requests;
* :mod:`~simulator.cassette.glance_exchanges`: Glance's answers, recorded per request thread
  and served again on replay;
* :mod:`~simulator.cassette.recording_lock`: one writer per cassette, the lock a session
  that may write it holds.

The names below are the package's public interface; importers need not know the modules.
The recorder's are imported when first asked for (:func:`__getattr__`): a recording session
serves through :class:`~simulator.server.EC2App`, and importing the server (waitress with
it) cost every ``replay``, which records nothing, a tenth of its start-up.
"""

from typing import TYPE_CHECKING, Any

from simulator.cassette.format import (
    REDACTED,
    Cassette,
    CassetteError,
    ImageService,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    compare,
    load_cassette,
)
from simulator.cassette.record_mode import DEFAULT, SERVE_DEFAULT, RecordMode, recorded_for
from simulator.cassette.recording_lock import recorded_under_lock, recording_lock
from simulator.cassette.replayer import (
    Replay,
    gc_frozen,
    gc_paused,
    replay_cassette,
    replay_simulator,
)

if TYPE_CHECKING:
    from simulator.cassette.recorder import CassetteSession, CassetteUse, use_cassette

_RECORDER_NAMES = frozenset({"CassetteSession", "CassetteUse", "use_cassette"})


def __getattr__(name: str) -> Any:
    """The recorder's names, imported the first time one is asked for."""
    if name in _RECORDER_NAMES:
        from simulator.cassette import recorder

        return getattr(recorder, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT",
    "REDACTED",
    "SERVE_DEFAULT",
    "Cassette",
    "CassetteError",
    "CassetteSession",
    "CassetteUse",
    "ImageService",
    "Interaction",
    "RecordMode",
    "RecordedRequest",
    "RecordedResponse",
    "Replay",
    "compare",
    "gc_frozen",
    "gc_paused",
    "load_cassette",
    "recorded_for",
    "recorded_under_lock",
    "recording_lock",
    "replay_cassette",
    "replay_simulator",
    "use_cassette",
]
