"""The recorder: a cassette in use while a test or a server answers requests.

A :class:`CassetteSession` checks each answered request against the recorded interactions
and records the ones its record mode lets it record (:mod:`simulator.cassette.record_mode`
decides which); :func:`use_cassette` is the engine of the pytest marker, and
``launch-sim serve --record`` uses the same session.

Writing is atomic (temp file, fsync, rename), so a recorder killed at any moment leaves a
valid cassette behind. A whole-file rewrite per interaction would make a long recording cost
O(n^2) bytes, so a session saves after every interaction while its cassette holds fewer than
256 (every recording of a test or a client session) and then once the unsaved interactions
reach a sixteenth of the saved ones (O(n) bytes in all); closing the session saves the rest.
A killed recorder loses nothing of a small cassette and at most that last sixteenth of a
large one.

A cassette records the profile its simulator answered as. Checking requests against a
cassette recorded under another profile is a comparison like any other; growing it
(``new_episodes``) would mix two releases' answers in one file, and is refused.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from simulator.api import Simulator
from simulator.cassette.format import (
    Cassette,
    CassetteError,
    ImageService,
    Interaction,
    RecordedRequest,
    compare,
    utc_now,
)
from simulator.cassette.glance_exchanges import GlanceRecording, append_exchanges
from simulator.cassette.record_mode import DEFAULT, RecordMode
from simulator.cassette.recording_lock import recorded_under_lock
from simulator.cassette.replayer import replay_simulator
from simulator.context import RequestContext
from simulator.errors import (
    AuthFailure,
    CannotOverwriteExistingCassette,
    RequestExpired,
    SignatureDoesNotMatch,
    ec2_error,
)
from simulator.glance import GlanceExchange
from simulator.httprequest import HttpRequest
from simulator.jsonio import refuse_to_replace, refuse_unwritable
from simulator.limits import DEFAULT_LIMITS, QueryLimits
from simulator.profiles import Profile, get_profile
from simulator.report import InteractionResult, printable
from simulator.seed import SeedSource, merge_seeds, seed_from_rows
from simulator.server import EC2App, Exchange
from simulator.service import EC2Service, Outcome, refusal
from simulator.store import AccessLog, MappingStore

# Codes of requests the server refused before the launch path: never recorded or checked.
AUTH_REFUSALS = frozenset(
    ec2_error(cls()).code for cls in (AuthFailure, SignatureDoesNotMatch, RequestExpired)
)
_SAVE_EVERY_UP_TO = 256
"""Up to this many interactions, a recording session saves after every one of them."""
_SAVE_SHARE = 16
"""Past that, it saves once its unsaved interactions reach 1/16 of the saved ones."""


_LISTED = 5
"""How many recorded interactions a stray request's note lists by number."""


NOT_HELD = "holds no such request"


def _held(request: RecordedRequest, interactions: Sequence[Interaction]) -> str:
    """What the cassette holds of a request that no recorded interaction is left to answer:
    none of it (:data:`NOT_HELD`), or recordings that each answered a request already, since
    one recorded interaction answers one request. Said alike to the client
    (``CannotOverwriteExistingCassette``) and in the session's report (:func:`_stray`)."""
    key = request.match_key()
    same = [
        index for index, recorded in enumerate(interactions) if recorded.request.match_key() == key
    ]
    if not same:
        return NOT_HELD
    listed = ", ".join(map(str, same[:_LISTED])) + (", ..." if len(same) > _LISTED else "")
    if len(same) == 1:
        held = f"once (interaction {listed}), answered"
    else:
        held = f"{len(same)} times (interactions {listed}), each answered"
    return f"holds this request {held} already: a recorded interaction answers one request"


def _stray(request: RecordedRequest, interactions: Sequence[Interaction]) -> str:
    """Why a request has no recorded interaction to answer it (:func:`_held`), and, if the
    cassette lacks it, which interaction is closest (were every recording of it answered,
    the closest would be that very request, with no difference to show)."""
    held = _held(request, interactions)
    if held != NOT_HELD:
        return f"the cassette {held}"
    return f"the cassette {held}; {_closest(request, interactions)}"


def _closest(request: RecordedRequest, interactions: Sequence[Interaction]) -> str:
    """Which recorded interaction a stray request is nearest to, and how it differs."""
    if not interactions:
        return "the cassette holds no interaction"
    wanted = dict(request.match_key())

    def distance(indexed: tuple[int, Interaction]) -> tuple[int, float]:
        """Fewest differing parameters first; among those, the most alike values."""
        have = dict(indexed[1].request.match_key())
        differing = [
            name for name in have.keys() | wanted.keys() if have.get(name) != wanted.get(name)
        ]
        likeness = sum(
            SequenceMatcher(None, have.get(name) or "", wanted.get(name) or "").ratio()
            for name in differing
        )
        return len(differing), -likeness

    index, nearest = min(enumerate(interactions), key=distance)
    have = dict(nearest.request.match_key())
    changes = [
        f"{name}: recorded {have.get(name)!r}, requested {wanted.get(name)!r}"
        for name in sorted(have.keys() | wanted.keys())
        if have.get(name) != wanted.get(name)
    ]
    return f"closest is interaction {index}: " + "; ".join(changes)


class CassetteApp(EC2App):
    """An :class:`EC2App` whose every answer a cassette session sees, one request at a time.

    Concurrent launches would interleave their instance ids and reach the cassette in
    another order than they ran, which replay could not reproduce; recording is not a hot
    path, so requests take turns instead.
    """

    def __init__(self, session: CassetteSession, service: EC2Service, **options: Any) -> None:
        checked = CheckedService(session, service.sim, service.limits)
        super().__init__(checked, on_exchange=session.observe_exchange, **options)
        self._turn = session.turn

    def respond(self, request: HttpRequest) -> Outcome:
        with self._turn:
            return super().respond(request)


class CheckedService(EC2Service):
    """The EC2 service, except for a request its session refuses to answer (see
    :meth:`CassetteSession.unrecorded`): that one gets the session's EC2 error instead."""

    def __init__(
        self, session: CassetteSession, sim: Simulator, limits: QueryLimits = DEFAULT_LIMITS
    ) -> None:
        super().__init__(sim, limits)
        self._session = session

    def handle(
        self, params: Sequence[tuple[str, str]], context: RequestContext | None = None
    ) -> Outcome:
        refused = self._session.unrecorded(params)
        if refused is not None:
            return refusal(refused)
        return super().handle(params, context)


class CassetteSession:
    """A cassette in use while requests arrive: replayed, recorded or both, per record mode.

    Each observed request is matched to the first unplayed recorded interaction with the
    same parameters; a match is compared and, differing, becomes a failure; a request with no
    match is recorded if the mode allows and is a failure otherwise (answered, where the
    mode says so, with :meth:`unrecorded`'s error). Use it as a context manager around the
    requests: it logs the store's row access while it records.

    The file is written once something is recorded, as vcrpy saves only a cassette that
    changed: a session that records nothing leaves no file behind (an empty one would make
    the next ``once`` session refuse every request), nor overwrites the one there.
    """

    def __init__(
        self,
        path: Path,
        mode: RecordMode,
        store: MappingStore,
        *,
        recorded: Cassette | None,
        redact: Iterable[str] = (),
        image_service: ImageService | None = None,
        glance: GlanceRecording | None = None,
        notify: Callable[[str], None] | None = None,
        profile: str | Profile | None = None,
    ) -> None:
        self.path = path
        self.mode = mode
        self.store = store
        self.glance = glance
        self.notify = notify
        self.recorded = recorded
        grown = recorded if recorded is not None and mode.rules.grows_existing else None
        self.recording = recorded is None or grown is not None
        """Whether a request with no recorded match is recorded (else it is a failure)."""
        if self.recording:
            # Before the first request, so a cassette that could never be saved fails the
            # session at its start, not a test's request halfway through.
            refuse_to_replace(path)
            refuse_unwritable(path)
        if (
            recorded is not None
            and image_service is not None
            and recorded.image_service.kind != image_service.kind
        ):
            raise CassetteError(
                f"{path}: recorded with the {recorded.image_service.kind} image service, "
                f"not {image_service.kind}"
            )
        answering = get_profile(profile)
        if grown is not None and grown.recorded_under != answering:
            raise CassetteError(
                f"{path}: recorded under the {grown.recorded_under.name} profile, not "
                f"{answering.name}: new episodes would mix two releases' answers"
            )
        fresh = image_service or ImageService()
        self.cassette = (
            grown
            if grown is not None
            else Cassette(
                image_service=ImageService(fresh.kind, fresh.base_url), profile=answering.name
            )
        )
        self._base_seed = grown.seed if grown is not None else None
        self.redact = frozenset(redact) | (recorded.redacted_params() if recorded else frozenset())
        self._unplayed = list(enumerate(recorded.interactions)) if recorded else []
        self.results: list[InteractionResult] = []
        self.recorded_count = 0
        self._unsaved = 0
        self._save_failing = False
        """Whether the last save failed (said once per run of failures)."""
        self._recorded_high_water = max(
            (interaction.highest_instance_id() for interaction in self.cassette.interactions),
            default=0,
        )
        """The highest instance id the interactions issue, kept up to date as they grow: the
        seed's part is asked anew each time, since the seed changes as rows are touched."""
        self._lock = threading.Lock()
        self.turn = threading.RLock()
        """Held while a request is answered and observed (see :class:`CassetteApp`)."""
        self._stack = ExitStack()
        self._log: AccessLog | None = None

    @property
    def replaying(self) -> bool:
        """Whether requests are checked against recorded interactions (not only recorded)."""
        return self.recorded is not None

    def __enter__(self) -> CassetteSession:
        if self.recording:
            self._log = self._stack.enter_context(self.store.access_log())
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            with self._lock:
                if self._unsaved:
                    self._save()
        finally:
            self._stack.close()

    @property
    def failures(self) -> list[InteractionResult]:
        return [result for result in self.results if not result.ok]

    def app(self, service: EC2Service, **options: Any) -> EC2App:
        """The EC2 app to answer requests with while this session checks or records them."""
        return CassetteApp(self, service, **options)

    def unrecorded(
        self, params: Sequence[tuple[str, str]]
    ) -> CannotOverwriteExistingCassette | None:
        """The error for a request the cassette does not hold, if the mode refuses those.

        Called while the request holds its turn, so no other request can play the recorded
        interaction it would have matched before :meth:`observe` sees it.
        """
        if not (params and self.replaying and self.mode.rules.refuses_unrecorded):
            return None
        request = RecordedRequest.capture("POST", "/", params, self.redact)
        key = request.match_key()
        with self._lock:
            if any(recorded.request.match_key() == key for _, recorded in self._unplayed):
                return None
        return CannotOverwriteExistingCassette(
            cassette=self.path,
            mode=self.mode.value,
            held=_held(request, self._held_interactions()),
        )

    def _held_interactions(self) -> Sequence[Interaction]:
        """The interactions the cassette held when the session began (none, if it was new)."""
        return self.recorded.interactions if self.recorded else []

    def observe_exchange(self, exchange: Exchange) -> None:
        """:meth:`observe` for an :class:`EC2App` hook (a server's, or a boto3 client's).

        The app's own refusals (unknown path, unreadable or oversized body, failed
        authentication) never reached the launch path, and could not be replayed without
        the credentials a cassette drops, so they are not observed.
        """
        if exchange.params and exchange.outcome.error_code not in AUTH_REFUSALS:
            self.observe(exchange.method, exchange.path, exchange.params, exchange.outcome)

    def observe(
        self, method: str, path: str, params: Iterable[tuple[str, str]], outcome: Outcome
    ) -> None:
        """Check or record one answered request (thread-safe)."""
        request = RecordedRequest.capture(method, path, params, self.redact)
        exchanges = self.glance.take() if self.glance is not None else []
        with self._lock:
            observed = Interaction.observe(request, outcome)
            key = request.match_key()
            for position, (index, recorded) in enumerate(self._unplayed):
                if recorded.request.match_key() == key:
                    del self._unplayed[position]
                    self._report(
                        InteractionResult(
                            index, request.params, tuple(compare(recorded, observed, index))
                        )
                    )
                    return
            if self.recording:
                self._append(observed, exchanges)
                return
            held = self._held_interactions()
            self._report(InteractionResult(None, request.params, note=_stray(request, held)))

    def _report(self, result: InteractionResult) -> None:
        self.results.append(result)
        if not result.ok and self.notify is not None:
            problems = [result.note] if result.note else []
            problems += [difference.describe("now") for difference in result.differences]
            self.notify(f"{self.path}: {result.where}: " + "; ".join(problems))

    def _append(self, observed: Interaction, exchanges: Sequence[GlanceExchange]) -> None:
        if self._log is None:
            raise RuntimeError("a cassette session records only inside its 'with' block")
        catalogue = self.cassette.image_service.kind == "store"
        seed = seed_from_rows(self.store.touched_rows(self._log), catalogue=catalogue)
        self.cassette.seed = seed if self._base_seed is None else merge_seeds(self._base_seed, seed)
        first = observed.first_instance_id()
        high_water = max(self.cassette.seeded_instance_high_water(), self._recorded_high_water)
        if first is not None and first - 1 > high_water:
            observed = replace(observed, instance_id_floor=first - 1)
        self.cassette.interactions.append(observed)
        self._recorded_high_water = max(self._recorded_high_water, observed.highest_instance_id())
        append_exchanges(self.cassette.image_service.exchanges, exchanges)
        if self.recorded_count == 0:
            self.cassette.recorded_at = utc_now()
        self.recorded_count += 1
        self._unsaved += 1
        saved = len(self.cassette.interactions) - self._unsaved
        if saved < _SAVE_EVERY_UP_TO or self._unsaved * _SAVE_SHARE >= saved:
            self._save_while_recording()

    def _save(self) -> None:
        """Write the cassette; an unwritable one is bad input (one line), not a traceback."""
        self.cassette.save(self.path)
        self._unsaved = 0

    def _save_while_recording(self) -> None:
        """:meth:`_save` before the session ends. A save that fails (a full disk) has lost
        nothing yet: the interactions stay in memory, and the next save writes them all. A
        session that can tell its user (a server's) says so once, and why, and goes on,
        since the request was answered and did happen; it says so again once a save works.
        A session with no one to tell (a test's) raises, failing the test there."""
        try:
            self._save()
        except CassetteError as exc:
            if self.notify is None:
                raise
            if not self._save_failing:
                self.notify(
                    f"warning: {exc}; {self._unsaved} interaction(s) not saved yet, tried "
                    "again after the next request and when the server stops"
                )
            self._save_failing = True
            return
        if self._save_failing and self.notify is not None:
            self.notify(
                f"{self.path}: saved again, {len(self.cassette.interactions)} interaction(s)"
            )
        self._save_failing = False


@dataclass
class CassetteUse:
    """What :func:`use_cassette` hands a test: the simulator, and two ways to send it requests
    (boto3 or raw query parameters), both checked against or recorded into the cassette."""

    sim: Simulator
    session: CassetteSession

    def client(self, **options: Any) -> Any:
        """A boto3 EC2 client answered in-process (the ``mock_ec2`` responder, no sockets),
        its requests checked or recorded; ``options`` go to ``boto3.client``."""
        import boto3  # a tenth of a second to import: only clients pay it

        from simulator.mock import hook_client  # botocore: only clients need it

        settings = {
            "region_name": "nova",
            "aws_access_key_id": "admin",
            "aws_secret_access_key": "admin",
            **options,
        }
        client = boto3.client("ec2", **settings)
        hook_client(client, self.session.app(EC2Service(self.sim)))
        return client

    def handle(
        self, params: Sequence[tuple[str, str]], *, method: str = "POST", path: str = "/"
    ) -> Outcome:
        """Answer EC2 query parameters as the server would, then check or record them."""
        with self.session.turn:
            outcome = CheckedService(self.session, self.sim).handle(params)
            self.session.observe(method, path, params, outcome)
        return outcome

    def failure_report(self) -> str | None:
        """Every failure, one line per difference, or None when all matched."""
        failures = self.session.failures
        if not failures:
            return None
        lines = [f"cassette {self.session.path}: {len(failures)} interaction(s) differ"]
        for failure in failures:
            lines.append(f"  {failure.where}: {printable(failure.summary)}")
            if failure.note:
                lines.append(f"    {failure.note}")
            lines += [f"    {d.describe('now')}" for d in failure.differences]
        return "\n".join(lines)


@contextmanager
def use_cassette(
    path: str | Path,
    record_mode: RecordMode | str = DEFAULT,
    *,
    seed: SeedSource | None = None,
    redact: Iterable[str] = (),
    profile: str | Profile | None = None,
) -> Iterator[CassetteUse]:
    """Record or replay a cassette around a block of launches (the pytest marker's engine).

    Replaying, the simulator starts from the cassette's seed (plus ``seed`` for
    ``new_episodes``, whose new requests need the full store) and answers as ``profile``,
    by default the cassette's own; recording, from ``seed`` (default: the shipped seed), as
    ``profile`` (default: Grizzly). Differences and stray requests are collected, not
    raised, since they have been answered already (a stray one, in ``once`` and ``none``,
    with ``CannotOverwriteExistingCassette``): check ``failure_report()`` at the end.
    """
    mode = RecordMode(record_mode)
    cassette_path = Path(path)
    with ExitStack() as stack:
        recorded = stack.enter_context(recorded_under_lock(cassette_path, mode))
        if recorded is not None:
            extra = seed if mode.rules.grows_existing else None
            sim = stack.enter_context(
                replay_simulator(recorded, str(cassette_path), extra, profile)
            )
        else:
            sim = Simulator.from_seed(seed, profile=profile)
            stack.callback(sim.close)
        session = stack.enter_context(
            CassetteSession(
                cassette_path,
                mode,
                sim.store,
                recorded=recorded,
                redact=redact,
                profile=sim.profile,
            )
        )
        yield CassetteUse(sim, session)
