"""The cassette format: interactions and their redaction, the file form, and ``compare``.

A cassette holds what a launch depends on and what it produced: the store rows the recorded
requests touched (as a seed), Glance's answers when Glance was the image service, and per
interaction the request parameters, the ``compute_api.create`` calls and the response facts.

What is compared, and why not more:

* create calls, status, EC2 error code and instance ids, exactly. Instance ids come from
  the instance id mapping table's autoincrement, so the seed carries the row below the first
  id the recording issued, and an interaction whose ids do not follow the previous one's
  (another client launched in between) carries ``instance_id_floor``, which replay restores;
* the reservation id by its format only: Nova draws it at random;
* not the XML body, request id or launch time, which vary by design.

A cassette names the behaviour profile (the Nova release) it was recorded under, which
replay uses unless told otherwise; a cassette written before profiles existed has none and
was recorded as Grizzly, the only release there was.

Secrets never reach a cassette: signatures, access keys, timestamps, security tokens and
``X-Amz-*`` parameters are dropped and headers are not kept at all; ``redact`` names more
parameters (``UserData``), whose values become ``REDACTED`` in the request and in the create
call field they turn into. Matching a request to a recording ignores boto3's random
``ClientToken``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal

from simulator.contracts import Contract, ContractRegistry, default_registry
from simulator.ec2ids import ec2_id_to_id
from simulator.ec2query import SIGV4_QUERY_PREFIX, camelcase_to_underscore
from simulator.errors import BadInput
from simulator.frozen import filled
from simulator.glance import GlanceExchange
from simulator.jsonio import (
    NotStreamable,
    read_json,
    read_json_lines,
    sorted_keys,
    stream_last_array,
    write_atomically,
)
from simulator.profiles import Profile, get_profile
from simulator.report import Difference, json_diff, json_identical
from simulator.seed import describe_violations
from simulator.service import Outcome

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
HTTP_METHOD = re.compile(r"[!#$%&'*+.^_`|~0-9A-Z-]+")
"""A method a cassette holds (the schema's pattern): an HTTP token in upper case, as every
method waitress admits is; the server reads a form body whatever the method."""

Params = tuple[tuple[str, str], ...]


class CassetteError(BadInput):
    """A cassette cannot be used: unreadable, not JSON, not valid, or the wrong kind."""


def is_cassette_document(data: Any) -> bool:
    """Whether a JSON value says it is a cassette, valid or not: an object carrying the
    ``format`` marker every cassette opens with."""
    return isinstance(data, dict) and data.get("format") == FORMAT


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
        if not HTTP_METHOD.fullmatch(method.upper()):
            # Only a Python caller can get here (waitress admits tokens alone), and a cassette
            # holding it would be refused by every command that reads it.
            raise CassetteError(f"{method!r} is not an HTTP method a cassette can hold")
        return cls(method.upper(), path, kept)

    def match_key(self) -> Params:
        """What must be equal for a request to be this one: its parameters, in name order
        (a repeated name keeps its order, since the last one wins), ``ClientToken`` aside."""
        pairs = [pair for pair in self.params if pair[0] not in IGNORED_WHEN_MATCHING]
        return tuple(sorted(pairs, key=lambda pair: pair[0]))

    def redacted_fields(self) -> frozenset[str]:
        if REDACTED not in map(itemgetter(1), self.params):
            return _NOTHING_REDACTED
        return frozenset(_field_of(name) for name, value in self.params if value == REDACTED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "params": [list(pair) for pair in self.params],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RecordedRequest:
        params: Params = tuple(map(tuple, data["params"]))
        return filled(cls, {"method": data["method"], "path": data["path"], "params": params})


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
        return filled(
            cls,
            {
                "status": data["status"],
                "error_code": data["error_code"],
                "reservation_id": data["reservation_id"],
                "instance_ids": tuple(data["instance_ids"]),
            },
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
        calls = _observed_calls(request, outcome)
        if canonical:
            calls = tuple(map(sorted_keys, calls))
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
        return filled(
            cls,
            {
                "request": RecordedRequest.from_dict(data["request"]),
                "create_calls": tuple(data["create_calls"]),
                "response": RecordedResponse.from_dict(data["response"]),
                "instance_id_floor": data.get("instance_id_floor"),
            },
        )


_NOTHING_REDACTED: frozenset[str] = frozenset()


def _observed_calls(request: RecordedRequest, outcome: Outcome) -> tuple[dict[str, Any], ...]:
    """The create calls ``outcome`` made, as fields sharing its values, the ones ``request``
    redacted replaced."""
    masked = request.redacted_fields()
    return tuple(_masked(call.fields(), masked) for call in outcome.create_calls)


def _masked(fields: dict[str, Any], masked: frozenset[str]) -> dict[str, Any]:
    """A create call's ``fields`` (its own copy) with the redacted ones replaced."""
    if not masked:
        return fields
    return {key: REDACTED if key in masked else value for key, value in fields.items()}


def _reservation_form(reservation_id: str | None) -> str | None:
    if reservation_id is None:
        return None
    return "r-xxxxxxxx" if RESERVATION_ID.match(reservation_id) else reservation_id


def compare(recorded: Interaction, observed: Interaction, index: int) -> list[Difference]:
    """Where ``observed`` differs from ``recorded``, as pointers into the cassette.

    Nearly every replayed interaction is the same, so that is recognised first on the
    records themselves (:func:`_alike`), without the dicts :meth:`Interaction.compared`
    builds for the diff."""
    before, after = recorded.response, observed.response
    if _alike(
        recorded,
        after.status,
        after.error_code,
        after.reservation_id,
        after.instance_ids,
        observed.create_calls,
    ):
        return []
    where = ("interactions", index)
    found = json_diff(recorded.compared(), observed.compared(), where)
    if _reservation_form(before.reservation_id) != _reservation_form(after.reservation_id):
        found += json_diff(
            before.reservation_id, after.reservation_id, (*where, "response", "reservation_id")
        )
    return found


def matches(recorded: Interaction, outcome: Outcome) -> bool:
    """Whether replaying ``recorded`` gave ``outcome`` as recorded: :func:`compare` finds
    nothing when this says so (and rarely when it does not).

    Told from the outcome itself: a replay that keeps no result for a matching interaction
    then builds no record of it, which was 1% of a replayed interaction's instructions."""
    return _alike(
        recorded,
        outcome.status,
        outcome.error_code,
        outcome.reservation_id,
        tuple(outcome.instance_ids),
        _observed_calls(recorded.request, outcome),
    )


def _alike(
    recorded: Interaction,
    status: int,
    error_code: str | None,
    reservation_id: str | None,
    instance_ids: tuple[str, ...],
    calls: tuple[dict[str, Any], ...],
) -> bool:
    """The answer and create calls are ``recorded``'s (the schema makes the status an
    integer and the ids text, so ``==`` is type-strict there)."""
    before = recorded.response
    return (
        before.status == status
        and type(before.status) is type(status)
        and before.error_code == error_code
        and before.instance_ids == instance_ids
        and len(recorded.create_calls) == len(calls)
        and all(map(json_identical, recorded.create_calls, calls))
        and _reservation_form(before.reservation_id) == _reservation_form(reservation_id)
    )


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
    profile: str | None = None
    """The profile the interactions were recorded under; None (no ``profile`` key, a cassette
    older than profiles) is Grizzly, and stays absent so re-saving leaves the file alone."""
    _rendered: dict[tuple[int, bool], tuple[Interaction, str]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """Each interaction's file text, by identity and form (JSON Lines or not): a recorder
    rewrites the whole file after every interaction, and rendering only the new one keeps
    that linear in its size."""

    @property
    def recorded_under(self) -> Profile:
        """The profile the interactions were recorded under (Grizzly when none is named)."""
        return get_profile(self.profile)

    def answered_as(self, profile: str | Profile | None) -> Profile:
        """The profile a simulator using this cassette answers as: ``profile`` when one is
        asked for, else the one the cassette was recorded under. Replay, the pytest marker
        and ``serve --record`` all follow this rule, so a cassette checks alike in each."""
        return self.recorded_under if profile is None else get_profile(profile)

    def _header(self) -> dict[str, Any]:
        header: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "recorded_at": self.recorded_at,
        }
        if self.profile is not None:
            header["profile"] = self.profile
        header["seed"] = self.seed
        header["image_service"] = self.image_service.to_dict()
        return header

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
            profile=data.get("profile"),
        )

    def to_bytes(self) -> bytes:
        """Pretty JSON in a fixed key order, one line per parameter: git diffs read well.

        The same text as rendering :meth:`to_dict`, assembled from cached interactions.
        """
        chunks = self._texts(lines=False)
        interactions = (
            "[\n" + ",\n".join("    " + chunk for chunk in chunks) + "\n  ]" if chunks else "[]"
        )
        header = _render(self._header(), 0)
        return f'{header[:-2]},\n  "interactions": {interactions}\n}}\n'.encode("ascii")

    def to_lines(self) -> bytes:
        """The JSON Lines form: the header on line 1, then one interaction per line, keys in
        the same fixed order as :meth:`to_bytes`."""
        lines = [json.dumps(self._header()), *self._texts(lines=True)]
        return "".join(line + "\n" for line in lines).encode("ascii")

    def _texts(self, *, lines: bool) -> list[str]:
        """Every interaction's text in one form, rendered once per interaction object."""
        texts = []
        for interaction in self.interactions:
            cached = self._rendered.get((id(interaction), lines))
            if cached is None or cached[0] is not interaction:
                data = interaction.to_dict()
                cached = interaction, json.dumps(data) if lines else _render(data, 2)
                self._rendered[id(interaction), lines] = cached
            texts.append(cached[1])
        return texts

    def save(self, path: Path) -> None:
        """Write the file, in the JSON Lines form if ``path`` ends in ``.jsonl``; one that
        cannot be written (a read-only folder, a full disk) is bad input, the old file kept."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, self.to_lines() if is_lines(path) else self.to_bytes())
        except OSError as exc:
            reason = exc.strerror or exc
            raise CassetteError(f"{path}: cannot write the cassette: {reason}") from None

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


LINES_SUFFIX = ".jsonl"
"""A cassette file named so is in the JSON Lines form: line 1 the header (everything but the
interactions), then one interaction per line. It is read a line at a time, so replaying,
validating or tabling it holds one interaction, not the file."""


def is_lines(path: Path) -> bool:
    """Whether ``path`` names a cassette in the JSON Lines form (by its ``.jsonl`` suffix)."""
    return path.suffix == LINES_SUFFIX


@dataclass(frozen=True)
class LineContracts:
    """The cassette schema split for the JSON Lines form: the document without its
    ``interactions`` (the header line) and its ``interaction`` definition (every other line).
    Both are derived from ``cassette.schema.json``, so the two forms cannot drift apart."""

    header: Contract
    interaction: Contract

    @classmethod
    def of(cls, registry: ContractRegistry) -> LineContracts:
        schema = registry["cassette"].schema
        header = {
            **schema,
            "required": [name for name in schema["required"] if name != "interactions"],
            "properties": {
                name: rule for name, rule in schema["properties"].items() if name != "interactions"
            },
        }
        interaction = {key: schema[key] for key in ("$schema", "$id", "$defs")} | {
            "$ref": "#/$defs/interaction"
        }
        return cls(Contract("cassette header", header), Contract("interaction", interaction))


_line_contracts = functools.lru_cache(maxsize=4)(LineContracts.of)
"""Compiled once per registry: compiling the cassette schema twice costs a few milliseconds.
Bounded, as the key is the registry itself: every one passed would otherwise stay alive."""


def read_header(path: Path, contracts: ContractRegistry | None = None) -> Cassette:
    """A JSON Lines cassette's first line, checked, as a :class:`Cassette` with no
    interactions (:func:`stream_interactions` reads them)."""
    for _, data in read_json_lines(path, "cassette"):
        violations = _line_contracts(contracts or default_registry()).header.violations(data)
        if violations:
            raise CassetteError(
                f"{path}: line 1: not a valid cassette header: {describe_violations(violations)}"
            )
        return Cassette.from_dict({**data, "interactions": []})
    raise CassetteError(f"{path}: empty: a JSON Lines cassette starts with its header line")


def stream_interactions(
    path: Path, contracts: ContractRegistry | None = None
) -> Iterator[Interaction]:
    """A JSON Lines cassette's interactions, each read and checked on its own as it is
    needed (the header line is skipped; :func:`read_header` checks it)."""
    contract = _line_contracts(contracts or default_registry()).interaction
    lines = read_json_lines(path, "cassette")
    next(lines, None)
    for number, data in lines:
        violations = contract.violations(data)
        if violations:
            raise CassetteError(
                f"{path}: line {number}: not a valid cassette interaction: "
                f"{describe_violations(violations)}"
            )
        yield Interaction.from_dict(data)


def stream_document(
    path: Path, contracts: ContractRegistry | None = None
) -> tuple[Cassette, Iterator[Interaction]]:
    """A ``.json`` cassette read the way a JSON Lines one is: its header checked now, each
    interaction parsed and checked as it is asked for (replay uses each as soon as it is read).

    It needs ``interactions`` to be the document's last member, as launch-sim writes it.
    :class:`~simulator.jsonio.NotStreamable`, from here or from the iterator, says to read
    the file whole with :func:`load_cassette`, which gives any error the words it always had.
    """
    head, items = stream_last_array(path, "interactions")
    checks = _line_contracts(contracts or default_registry())
    if not checks.header.fast_is_valid(head):
        raise NotStreamable("not a valid cassette header")
    return Cassette.from_dict({**head, "interactions": []}), _checked(items, checks.interaction)


def _checked(items: Iterator[Any], contract: Contract) -> Iterator[Interaction]:
    for data in items:
        if not contract.fast_is_valid(data):
            raise NotStreamable("not a valid cassette interaction")
        yield Interaction.from_dict(data)


def load_cassette(
    path: Path, contracts: ContractRegistry | None = None, *, at_most: int | None = None
) -> Cassette:
    """Read and check a cassette, in either form; any problem is a :class:`CassetteError`
    of one line. ``at_most`` refuses one with more interactions (reading no further)."""
    if is_lines(path):
        cassette = read_header(path, contracts)
        for interaction in stream_interactions(path, contracts):
            cassette.interactions.append(interaction)
            if at_most is not None and len(cassette.interactions) > at_most:
                break
    else:
        data = read_json(path, "cassette")
        violations = (contracts or default_registry()).validate("cassette", data)
        if violations:
            raise CassetteError(f"{path}: not a valid cassette: {describe_violations(violations)}")
        cassette = Cassette.from_dict(data)
    if at_most is not None and len(cassette.interactions) > at_most:
        raise CassetteError(
            f"{path}: more than {at_most:,} interactions, too many for this command"
        )
    return cassette
