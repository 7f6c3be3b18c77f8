"""Cassettes: launch requests recorded once and replayed forever, so any change shows as a diff.

A cassette holds what a launch depends on and what it produced: the store rows the recorded
requests touched (as a seed), Glance's answers when Glance was the image service, and per
interaction the request parameters, the ``compute_api.create`` calls and the response facts.
Replaying rebuilds that state in memory and sends each request through
:meth:`EC2Service.handle`, the path every HTTP request takes, so a difference in a create
call, an error code, a status or an instance id means the launch path changed.

What is compared, and why not more:

* create calls, status, EC2 error code and instance ids, exactly. Instance ids come from
  the instance id mapping table's autoincrement, so the seed carries the row below the first
  id the recording issued, and an interaction whose ids do not follow the previous one's
  (another client launched in between) carries ``instance_id_floor``, which replay restores;
* the reservation id by its format only: Nova draws it at random;
* not the XML body, request id or launch time, which vary by design.

Secrets never reach a cassette: signatures, access keys, timestamps, security tokens and
``X-Amz-*`` parameters are dropped and headers are not kept at all; ``redact`` names more
parameters (``UserData``), whose values become ``REDACTED`` in the request and in the create
call field they turn into. Matching a request to a recording ignores boto3's random
``ClientToken``.

Writing is atomic (temp file, fsync, rename), so a recorder killed at any moment leaves a
valid cassette behind. A whole-file rewrite per interaction would make a long recording cost
O(n^2) bytes, so a session saves after every interaction while its cassette holds fewer than
256 (every recording of a test or a client session) and then once the unsaved interactions
reach a sixteenth of the saved ones (O(n) bytes in all); closing the session saves the rest.
A killed recorder loses nothing of a small cassette and at most that last sixteenth of a
large one.
"""

from __future__ import annotations

import enum
import gc
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Literal

from simulator.api import Simulator
from simulator.contracts import ContractRegistry, default_registry
from simulator.ec2ids import ec2_id_to_id, id_to_ec2_id, image_type
from simulator.ec2query import SIGV4_QUERY_PREFIX, camelcase_to_underscore
from simulator.errors import AuthFailure, BadInput, RequestExpired, SignatureDoesNotMatch, ec2_error
from simulator.glance import (
    GlanceExchange,
    GlanceImageBackend,
    GlanceRecording,
    append_exchanges,
    serve_exchanges,
)
from simulator.httprequest import HttpRequest
from simulator.images import ImageBackend, StoreImageBackend
from simulator.jsonio import read_json, write_atomically
from simulator.mock import hook_client
from simulator.report import (
    CassetteResult,
    Difference,
    InteractionResult,
    json_diff,
    summarize_params,
)
from simulator.seed import (
    IMAGE_KEYS,
    MAPPING_SECTIONS,
    SeedSource,
    apply_seed,
    describe_violations,
    load_seed,
)
from simulator.server import EC2App, Exchange
from simulator.service import EC2Service, Outcome
from simulator.store import AccessLog, MappingStore, MappingTable, TouchedRows

FORMAT = "launch-sim-cassette"
VERSION = 1
REDACTED = "REDACTED"
"""What a redacted value reads. It is valid base64, so a redacted ``UserData`` still passes
Nova's check on replay."""

DROPPED_PARAMS = frozenset(
    {
        "Signature",
        "AWSAccessKeyId",
        "SignatureMethod",
        "SignatureVersion",
        "Timestamp",
        "Expires",
        "SecurityToken",
    }
)
_DROPPED_LOWER = frozenset(name.lower() for name in DROPPED_PARAMS)
IGNORED_WHEN_MATCHING = frozenset({"ClientToken"})
RESERVATION_ID = re.compile(r"^r-[0-9a-z]{8}$")
# Codes of requests the server refused before the launch path: never recorded or checked.
AUTH_REFUSALS = frozenset(
    ec2_error(cls()).code for cls in (AuthFailure, SignatureDoesNotMatch, RequestExpired)
)
_SAVE_EVERY_UP_TO = 256
"""Up to this many interactions, a recording session saves after every one of them."""
_SAVE_SHARE = 16
"""Past that, it saves once its unsaved interactions reach 1/16 of the saved ones."""
_FLOOR_NAMESPACE = uuid.UUID("6f0d3c52-8a52-4d8e-9a57-1c1f2a3b4c5d")
_EC2_PREFIXES = {
    MappingTable.S3_IMAGES: "ami",
    MappingTable.SNAPSHOTS: "snap",
    MappingTable.VOLUMES: "vol",
    MappingTable.INSTANCES: "i",
}

Params = tuple[tuple[str, str], ...]


class CassetteError(BadInput):
    """A cassette cannot be used: unreadable, not JSON, not valid, or the wrong kind."""


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


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_dropped(name: str) -> bool:
    """Whether a parameter never reaches a cassette: credentials and signing noise."""
    lowered = name.lower()
    return lowered in _DROPPED_LOWER or lowered.startswith(SIGV4_QUERY_PREFIX.lower())


def _field_of(name: str) -> str:
    """The create-call field a parameter feeds: ``SecurityGroup.1`` -> ``security_group``."""
    words = [part for part in name.split(".") if not part.isdigit()]
    return camelcase_to_underscore(words[-1] if words else name)


def _canonical(value: Any) -> Any:
    """Keys sorted at every depth, so a cassette's bytes depend on content only."""
    if isinstance(value, dict):
        return {key: _canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


# --- interactions ------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    """A request as a cassette keeps it: method, path and parameters, secrets dropped."""

    method: str
    path: str
    params: Params

    @classmethod
    def capture(
        cls,
        method: str,
        path: str,
        params: Iterable[tuple[str, str]],
        redact: frozenset[str] = frozenset(),
    ) -> RecordedRequest:
        kept = tuple(
            (name, REDACTED if name in redact else value)
            for name, value in params
            if not is_dropped(name)
        )
        return cls(method.upper(), path, kept)

    def match_key(self) -> Params:
        """What must be equal for a request to be this one: its parameters, in name order
        (a repeated name keeps its order, since the last one wins), ``ClientToken`` aside."""
        pairs = [pair for pair in self.params if pair[0] not in IGNORED_WHEN_MATCHING]
        return tuple(sorted(pairs, key=lambda pair: pair[0]))

    def redacted_fields(self) -> frozenset[str]:
        return frozenset(_field_of(name) for name, value in self.params if value == REDACTED)

    def summary(self) -> str:
        return summarize_params(self.params)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "params": [list(pair) for pair in self.params],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RecordedRequest:
        return cls(
            data["method"], data["path"], tuple((name, value) for name, value in data["params"])
        )


@dataclass(frozen=True)
class RecordedResponse:
    """The facts of an answer that a contract is about."""

    status: int
    error_code: str | None
    reservation_id: str | None
    instance_ids: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "error_code": self.error_code,
            "reservation_id": self.reservation_id,
            "instance_ids": list(self.instance_ids),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RecordedResponse:
        return cls(
            data["status"], data["error_code"], data["reservation_id"], tuple(data["instance_ids"])
        )


@dataclass(frozen=True)
class Interaction:
    """One request, the create calls it made and the answer it got."""

    request: RecordedRequest
    create_calls: tuple[dict[str, Any], ...]
    response: RecordedResponse
    instance_id_floor: int | None = None

    @classmethod
    def observe(
        cls, request: RecordedRequest, outcome: Outcome, *, canonical: bool = True
    ) -> Interaction:
        """The interaction ``outcome`` makes of ``request``: what recording and replay both build,
        redacted create-call fields included, so the two are always comparable.

        Canonical calls, what a cassette keeps, have their keys sorted at every depth and every
        dict and list rebuilt (so the calls' own values are read in place, not deep-copied
        first). ``canonical=False`` skips that and shares the calls' values: equal under
        :func:`compare`, which ignores key order, and all a replay needs to find differences.
        """
        masked = request.redacted_fields()
        calls = tuple(
            {key: REDACTED if key in masked else value for key, value in call.fields().items()}
            for call in outcome.create_calls
        )
        if canonical:
            calls = tuple(map(_canonical, calls))
        response = RecordedResponse(
            outcome.status, outcome.error_code, outcome.reservation_id, tuple(outcome.instance_ids)
        )
        return cls(request, calls, response)

    def first_instance_id(self) -> int | None:
        ids = self.response.instance_ids
        return ec2_id_to_id(ids[0]) if ids else None

    def highest_instance_id(self) -> int:
        ids = [ec2_id_to_id(ec2_id) for ec2_id in self.response.instance_ids]
        return max([*ids, self.instance_id_floor or 0])

    def compared(self) -> dict[str, Any]:
        """The part replay compares exactly (the reservation id is compared by format)."""
        response = self.response.to_dict()
        del response["reservation_id"]
        return {"create_calls": list(self.create_calls), "response": response}

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "request": self.request.to_dict(),
            "create_calls": list(self.create_calls),
            "response": self.response.to_dict(),
        }
        if self.instance_id_floor is not None:
            data["instance_id_floor"] = self.instance_id_floor
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Interaction:
        return cls(
            RecordedRequest.from_dict(data["request"]),
            tuple(data["create_calls"]),
            RecordedResponse.from_dict(data["response"]),
            data.get("instance_id_floor"),
        )


def _reservation_form(reservation_id: str | None) -> str | None:
    if reservation_id is None:
        return None
    return "r-xxxxxxxx" if RESERVATION_ID.match(reservation_id) else reservation_id


def compare(recorded: Interaction, observed: Interaction, index: int) -> list[Difference]:
    """Where ``observed`` differs from ``recorded``, as pointers into the cassette."""
    where = ("interactions", index)
    found = json_diff(recorded.compared(), observed.compared(), where)
    before, after = recorded.response.reservation_id, observed.response.reservation_id
    if _reservation_form(before) != _reservation_form(after):
        found += json_diff(before, after, (*where, "response", "reservation_id"))
    return found


# --- the cassette ------------------------------------------------------------------------


@dataclass
class ImageService:
    """Where images came from while recording: the store's catalogue, or Glance over HTTP."""

    kind: Literal["store", "glance"] = "store"
    base_url: str | None = None
    exchanges: list[GlanceExchange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        if self.kind == "store":
            return {"kind": "store"}
        return {
            "kind": "glance",
            "base_url": self.base_url,
            "exchanges": [exchange.to_dict() for exchange in self.exchanges],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImageService:
        return cls(
            data["kind"],
            data.get("base_url"),
            [GlanceExchange.from_dict(item) for item in data.get("exchanges", [])],
        )


@dataclass
class Cassette:
    """A cassette in memory; :meth:`to_bytes` is its one canonical file form."""

    seed: dict[str, Any] = field(default_factory=dict)
    image_service: ImageService = field(default_factory=ImageService)
    interactions: list[Interaction] = field(default_factory=list)
    recorded_at: str = field(default_factory=utc_now)
    _rendered: dict[int, tuple[Interaction, str]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """Each interaction's file text, by identity: a recorder rewrites the whole file after
    every interaction, and rendering only the new one keeps that linear in its size."""

    def _header(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "recorded_at": self.recorded_at,
            "seed": self.seed,
            "image_service": self.image_service.to_dict(),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            **self._header(),
            "interactions": [interaction.to_dict() for interaction in self.interactions],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cassette:
        """A schema-valid cassette document as a :class:`Cassette`."""
        return cls(
            seed=data["seed"],
            image_service=ImageService.from_dict(data["image_service"]),
            interactions=[Interaction.from_dict(item) for item in data["interactions"]],
            recorded_at=data["recorded_at"],
        )

    def to_bytes(self) -> bytes:
        """Pretty JSON in a fixed key order, one line per parameter: git diffs read well.

        The same text as rendering :meth:`to_dict`, assembled from cached interactions.
        """
        chunks = []
        for interaction in self.interactions:
            cached = self._rendered.get(id(interaction))
            if cached is None or cached[0] is not interaction:
                cached = interaction, _render(interaction.to_dict(), 2)
                self._rendered[id(interaction)] = cached
            chunks.append(cached[1])
        interactions = (
            "[\n" + ",\n".join("    " + chunk for chunk in chunks) + "\n  ]" if chunks else "[]"
        )
        header = _render(self._header(), 0)
        return f'{header[:-2]},\n  "interactions": {interactions}\n}}\n'.encode("ascii")

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, self.to_bytes())

    def seeded_instance_high_water(self) -> int:
        """The highest instance id the seed holds (0 if none): replay issues ids after it."""
        return max([0, *(ec2_id_to_id(row["ec2_id"]) for row in self.seed.get("instances", []))])

    def redacted_params(self) -> frozenset[str]:
        return frozenset(
            name
            for interaction in self.interactions
            for name, value in interaction.request.params
            if value == REDACTED
        )


def _render(value: Any, depth: int) -> str:
    """JSON with objects spread over lines and lists of scalars kept on one."""
    pad = "  " * (depth + 1)
    if isinstance(value, dict) and value:
        items = [
            f"{pad}{json.dumps(key)}: {_render(item, depth + 1)}" for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + "  " * depth + "}"
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        items = [pad + _render(item, depth + 1) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + "  " * depth + "]"
    return json.dumps(value)


def load_cassette(path: Path, contracts: ContractRegistry | None = None) -> Cassette:
    """Read and check a cassette; any problem is a :class:`CassetteError` of one line."""
    data = read_json(path, "cassette")
    violations = (contracts or default_registry()).validate("cassette", data)
    if violations:
        raise CassetteError(f"{path}: not a valid cassette: {describe_violations(violations)}")
    return Cassette.from_dict(data)


# --- seeds from the rows a recording touched ---------------------------------------------


def seed_from_rows(rows: TouchedRows, *, catalogue: bool = True) -> dict[str, Any]:
    """The seed that recreates ``rows``; sections and entries in id order.

    ``catalogue=False`` (Glance was the image service) leaves the store's image catalogue
    out: Glance's answers are in the exchanges, so only the s3 id mappings matter.
    """
    s3_rows: dict[str, list[int]] = {}
    for row_id, image_uuid in rows.mappings[MappingTable.S3_IMAGES]:
        s3_rows.setdefault(image_uuid, []).append(row_id)
    images: list[dict[str, Any]] = []
    for record in rows.images if catalogue else []:
        details = {key: _canonical(record[key]) for key in IMAGE_KEYS if key in record}
        prefix = image_type(record.get("container_format"))
        row_ids = s3_rows.pop(record["id"], [])
        entries: list[dict[str, Any]] = [
            {"ec2_id": id_to_ec2_id(row_id, prefix + "-%08x")} for row_id in row_ids
        ] or [{}]
        images += [{**entry, "uuid": record["id"], **details} for entry in entries]
    mappings = {
        **rows.mappings,
        MappingTable.S3_IMAGES: sorted(
            (row_id, image_uuid) for image_uuid, row_ids in s3_rows.items() for row_id in row_ids
        ),
    }
    seed: dict[str, Any] = {"images": images} if images else {}
    for section, table in MAPPING_SECTIONS.items():
        template = _EC2_PREFIXES[table] + "-%08x"
        entries = [
            {"ec2_id": id_to_ec2_id(row_id, template), "uuid": row_uuid}
            for row_id, row_uuid in mappings[table]
        ]
        if entries:
            seed[section] = entries
    if rows.instance_types:
        seed["instance_types"] = [_canonical(itype) for itype in rows.instance_types]
    return seed


def _seed_key(section: str, entry: dict[str, Any]) -> Any:
    if section == "instance_types":
        return entry["name"]
    row_id = ec2_id_to_id(entry["ec2_id"]) if "ec2_id" in entry else None
    return (entry["uuid"], row_id) if section == "images" else row_id


def merge_seeds(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``base`` plus the entries of ``extra`` it lacks, for cassettes that grow.

    ``instances`` rows only mark where instance ids start, and the old interactions must
    start where they did: ``extra``'s are left out (new interactions get a floor instead).
    """
    merged = {section: list(entries) for section, entries in base.items()}
    for section, entries in extra.items():
        if section == "instances":
            continue
        target = merged.setdefault(section, [])
        known = {_seed_key(section, entry) for entry in target}
        for entry in entries:
            if _seed_key(section, entry) not in known:
                known.add(_seed_key(section, entry))
                target.append(entry)
    return merged


# --- replay ------------------------------------------------------------------------------


@contextmanager
def replay_simulator(
    cassette: Cassette, label: str, seed: SeedSource | None = None
) -> Iterator[Simulator]:
    """A simulator in the state the cassette was recorded in, with no network.

    The store is in memory, built from ``seed`` (if given) and the cassette's seed; for a
    Glance cassette the recorded exchanges answer Glance's URL through ``responses``.
    """
    store = MappingStore.in_memory()
    if seed is not None:
        apply_seed(store, load_seed(seed, default_registry()))
    apply_seed(store, cassette.seed, f"{label}: /seed")
    with ExitStack() as stack:
        images = cassette.image_service
        backend: ImageBackend = StoreImageBackend(store)
        if images.kind == "glance" and images.base_url is not None:
            stack.enter_context(serve_exchanges(images.base_url, images.exchanges))
            backend = GlanceImageBackend(images.base_url)
        sim = Simulator(store, image_backend=backend)
        stack.callback(sim.close)
        yield sim


def restore_instance_floor(store: MappingStore, floor: int | None) -> None:
    """Make autoincrement continue after ``floor``, as it did when the interaction was recorded.

    Ids never go back, so a floor below what is already issued is left alone (the instance
    ids then differ, and replay says so).
    """
    if floor is not None and store.highest_id(MappingTable.INSTANCES) < floor:
        placeholder = str(uuid.uuid5(_FLOOR_NAMESPACE, str(floor)))
        store.add_mapping(MappingTable.INSTANCES, placeholder, floor)


@dataclass
class Replay:
    """A cassette replayed: the verdicts, and the interactions as they came out this time."""

    result: CassetteResult
    observed: list[Interaction]

    def rerecorded(self, cassette: Cassette) -> Cassette | None:
        """The cassette with every differing interaction replaced by what replay saw, or None
        if nothing differs (a matching interaction keeps its bytes, reservation id included,
        so re-recording shows in git only where behaviour changed)."""
        if not self.result.failures:
            return None
        interactions = [
            recorded
            if verdict.ok
            else replace(observed, instance_id_floor=recorded.instance_id_floor)
            for recorded, observed, verdict in zip(
                cassette.interactions, self.observed, self.result.interactions, strict=True
            )
        ]
        return replace(cassette, interactions=interactions, recorded_at=utc_now())


@contextmanager
def gc_frozen() -> Iterator[None]:
    """Keep the objects alive now (above all the loaded cassettes) out of the cyclic GC's way.

    Loaded cassettes are hundreds of thousands of containers that live until the replay
    ends; every full collection a replay triggers would walk them all again, about a tenth
    of a long replay's time. ``gc.freeze`` moves them to the permanent generation until the
    block ends. Both calls act on the whole process, so only a program that owns its
    process uses this (``launch-sim replay``), never the library on a test's behalf; a
    freeze made before the block is left alone.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def replay_cassette(cassette: Cassette, label: str) -> Replay:
    """Send every recorded request through :meth:`EC2Service.handle` and compare."""
    started = time.perf_counter()
    result = CassetteResult(label)
    observed: list[Interaction] = []
    with replay_simulator(cassette, label) as sim:
        service = EC2Service(sim)
        for index, recorded in enumerate(cassette.interactions):
            began = time.perf_counter()
            restore_instance_floor(sim.store, recorded.instance_id_floor)
            outcome = service.handle(recorded.request.params)
            again = Interaction.observe(recorded.request, outcome, canonical=False)
            differences = tuple(compare(recorded, again, index))
            # A differing interaction is kept in canonical form, as re-recording writes it. A
            # matching one keeps the recorded calls (equal by value) so the fresh ones die
            # young: kept, they would be ~10 containers per interaction more for every full
            # collection of the cyclic GC to walk, a tenth of a long replay's time.
            if differences:
                again = Interaction.observe(recorded.request, outcome)
            else:
                again = Interaction(recorded.request, recorded.create_calls, again.response)
            observed.append(again)
            result.interactions.append(
                InteractionResult(
                    index,
                    recorded.request.summary(),
                    differences,
                    seconds=time.perf_counter() - began,
                )
            )
    result.seconds = time.perf_counter() - started
    return Replay(result, observed)


# --- sessions: a cassette in use by a test or a server -------------------------------------


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


def recorded_for(path: Path, mode: RecordMode) -> Cassette | None:
    """The cassette a session checks requests against; None when it records from scratch."""
    if mode is not RecordMode.ALL and path.exists():
        return load_cassette(path)
    if mode is RecordMode.NONE:
        raise CassetteError(
            f"{path}: no such cassette, and record mode 'none' records nothing "
            "(record it with 'once')"
        )
    return None


class CassetteApp(EC2App):
    """An :class:`EC2App` whose every answer a cassette session sees, one request at a time.

    Concurrent launches would interleave their instance ids and reach the cassette in
    another order than they ran, which replay could not reproduce; recording is not a hot
    path, so requests take turns instead.
    """

    def __init__(self, session: CassetteSession, service: EC2Service, **options: Any) -> None:
        super().__init__(service, on_exchange=session.observe_exchange, **options)
        self._turn = session.turn

    def respond(self, request: HttpRequest) -> Outcome:
        with self._turn:
            return super().respond(request)


class CassetteSession:
    """A cassette in use while requests arrive: replayed, recorded or both, per record mode.

    Each observed request is matched to the first unplayed recorded interaction with the
    same parameters; a match is compared and, differing, becomes a failure; a request with no
    match is recorded if the mode allows and is a failure otherwise. Use it as a context
    manager around the requests: it logs the store's row access while it records.
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
        eager: bool = False,
    ) -> None:
        self.path = path
        self.mode = mode
        self.store = store
        self.glance = glance
        self.notify = notify
        self.eager = eager
        self.recorded = recorded
        self.recording = recorded is None or mode is RecordMode.NEW_EPISODES
        fresh = image_service or ImageService()
        if (
            recorded is not None
            and image_service is not None
            and recorded.image_service.kind != image_service.kind
        ):
            raise CassetteError(
                f"{path}: recorded with the {recorded.image_service.kind} image service, "
                f"not {image_service.kind}"
            )
        self.cassette = (
            recorded
            if self.recording and recorded is not None
            else Cassette(image_service=ImageService(fresh.kind, fresh.base_url))
        )
        self._base_seed = recorded.seed if recorded is not None and self.recording else None
        self.redact = frozenset(redact) | (recorded.redacted_params() if recorded else frozenset())
        self._unplayed = list(enumerate(recorded.interactions)) if recorded else []
        self.results: list[InteractionResult] = []
        self.recorded_count = 0
        self._unsaved = 0
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
            if self.eager and self.recorded is None:
                self.cassette.save(self.path)
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
                            index, request.summary(), tuple(compare(recorded, observed, index))
                        )
                    )
                    return
            if self.recording:
                self._append(observed, exchanges)
                return
            closest = _closest(request, self.recorded.interactions if self.recorded else [])
            self._report(
                InteractionResult(
                    None, request.summary(), note=f"the cassette holds no such request; {closest}"
                )
            )

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
            self._save()

    def _save(self) -> None:
        """Write the cassette; an unwritable one is bad input (one line), not a traceback."""
        try:
            self.cassette.save(self.path)
        except OSError as exc:
            raise CassetteError(f"{self.path}: cannot write the cassette: {exc.strerror}") from None
        self._unsaved = 0


@dataclass
class CassetteUse:
    """What :func:`use_cassette` hands a test: the simulator, and two ways to send it requests
    (boto3 or raw query parameters), both checked against or recorded into the cassette."""

    sim: Simulator
    session: CassetteSession

    def client(self, **options: Any) -> Any:
        """A boto3 EC2 client answered in-process (the ``mock_ec2`` responder, no sockets),
        its requests checked or recorded; ``options`` go to ``boto3.client``."""
        import boto3  # a test dependency, not a runtime one

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
            outcome = EC2Service(self.sim).handle(params)
            self.session.observe(method, path, params, outcome)
        return outcome

    def failure_report(self) -> str | None:
        """Every failure, one line per difference, or None when all matched."""
        failures = self.session.failures
        if not failures:
            return None
        lines = [f"cassette {self.session.path}: {len(failures)} interaction(s) differ"]
        for failure in failures:
            lines.append(f"  {failure.where}: {failure.summary}")
            if failure.note:
                lines.append(f"    {failure.note}")
            lines += [f"    {d.describe('now')}" for d in failure.differences]
        return "\n".join(lines)


@contextmanager
def use_cassette(
    path: str | Path,
    record_mode: RecordMode | str = RecordMode.NONE,
    *,
    seed: SeedSource | None = None,
    redact: Iterable[str] = (),
) -> Iterator[CassetteUse]:
    """Record or replay a cassette around a block of launches (the pytest marker's engine).

    Replaying, the simulator starts from the cassette's seed (plus ``seed`` for
    ``new_episodes``, whose new requests need the full store); recording, from ``seed``
    (default: the shipped seed). Differences and stray requests are collected, not raised,
    since the simulator has answered them already: check ``failure_report()`` at the end.
    """
    mode = RecordMode(record_mode)
    cassette_path = Path(path)
    recorded = recorded_for(cassette_path, mode)
    with ExitStack() as stack:
        if recorded is not None:
            extra = seed if mode is RecordMode.NEW_EPISODES else None
            sim = stack.enter_context(replay_simulator(recorded, str(cassette_path), extra))
        else:
            sim = Simulator.from_seed(seed)
            stack.callback(sim.close)
        session = stack.enter_context(
            CassetteSession(cassette_path, mode, sim.store, recorded=recorded, redact=redact)
        )
        yield CassetteUse(sim, session)
