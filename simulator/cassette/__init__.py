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
"""

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
from simulator.cassette.recorder import CassetteSession, CassetteUse, use_cassette
from simulator.cassette.recording_lock import recorded_under_lock, recording_lock
from simulator.cassette.replayer import (
    Replay,
    gc_frozen,
    gc_paused,
    replay_cassette,
    replay_simulator,
)

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
