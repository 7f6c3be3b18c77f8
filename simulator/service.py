"""The EC2 endpoint without HTTP: query parameters in, a rendered answer and its facts out.

The WSGI server, the in-process boto3 hook and cassette replay all answer requests through
:meth:`EC2Service.handle`, so the three can never disagree about what a request means.
An :class:`Outcome` carries the bytes a client gets and the facts a cassette records (the
create calls made, the EC2 error code, the reservation and instance ids).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from simulator.api import Simulator
from simulator.compute import CreateCall
from simulator.context import RequestContext
from simulator.ec2query import (
    VALIDATORS,
    checked_document,
    error_document,
    new_request_id,
    parse_query,
    request_id_from,
)
from simulator.errors import ErrorEnvelope, ec2_error
from simulator.limits import DEFAULT_LIMITS, QueryLimits
from simulator.profiles import QueryTime


@dataclass
class Outcome:
    """What one request produced: the HTTP answer and the contract facts behind it."""

    request_id: str
    status: int
    document: bytes | Callable[[], bytes] = field(repr=False)
    """The body, or how to render it: a success document is written on first use of
    :attr:`body`, so a replay, which compares facts and never reads it, does not pay for it."""
    create_calls: list[CreateCall] = field(default_factory=list)
    error_code: str | None = None
    error_message: str | None = None
    result: dict[str, Any] | None = None
    exception: BaseException | None = field(default=None, compare=False, repr=False)
    """What failed, for callers that explain it (the steps); not part of the answer."""

    @property
    def body(self) -> bytes:
        """The bytes the client gets."""
        if not isinstance(self.document, bytes):
            self.document = self.document()
        return self.document

    @property
    def reservation_id(self) -> str | None:
        return None if self.result is None else self.result.get("reservationId")

    @property
    def instance_ids(self) -> list[str]:
        if self.result is None:
            return []
        return [item["instanceId"] for item in self.result.get("instancesSet") or []]


def refusal(
    exc: BaseException,
    request_id: str | None = None,
    *,
    status: int | None = None,
    create_calls: list[CreateCall] | None = None,
    envelope: ErrorEnvelope | None = None,
) -> Outcome:
    """The answer to a request that failed: Nova's error document and its code and message,
    as ``envelope`` (a profile's Executor; by default the error's own, else Grizzly's)
    answers them."""
    request_id = request_id or new_request_id()
    table_status, body = error_document(exc, request_id, envelope)
    document = ec2_error(exc, envelope)
    return Outcome(
        request_id,
        status or table_status,
        body,
        create_calls or [],
        document.code,
        document.message,
        exception=exc,
    )


class EC2Service:
    """Nova's Requestify -> Validator -> Executor chain around one :class:`Simulator`."""

    def __init__(self, sim: Simulator, limits: QueryLimits = DEFAULT_LIMITS) -> None:
        self.sim = sim
        self.limits = limits
        profile = sim.profile
        self._one_time_only = profile.query_time is QueryTime.CHECKED
        """Requestify's rules of the simulator's release, read once: an Enum member's hash
        (the Validator table's key) and a read off its class are Python-level calls, which
        per request were a quarter of a percent of a replayed launch."""
        self._validators = VALIDATORS[profile.public_ip_check]

    @staticmethod
    def _new_request_id() -> str:
        """Request ids need to be unique, not unguessable: bits from Python's own generator,
        which ``random`` seeds from the OS once and again in a forked child, so a child does
        not repeat its parent's ids. An ``os.urandom`` call per request cost a hundredth of
        a replayed launch; this makes no system call, not even ``os.getpid``."""
        return request_id_from(random.getrandbits(128))

    def handle(
        self, params: Sequence[tuple[str, str]], context: RequestContext | None = None
    ) -> Outcome:
        """Answer one request; never raises for anything a client can send."""
        request_id = self._new_request_id()
        profile = self.sim.profile
        with self.sim.compute.capture() as calls:
            try:
                request = parse_query(
                    params,
                    self.limits,
                    one_time_only=self._one_time_only,
                    unicode_names=profile.unicode_names,
                    validators=self._validators,
                )
                result = self.sim.invoke(request.method_name, lambda: request.kwargs, context)
                document = checked_document(
                    request.action, request.version, request_id, result, profile.xml
                )
            except Exception as exc:
                return refusal(exc, request_id, create_calls=list(calls), envelope=profile.errors)
        return Outcome(request_id, 200, document, list(calls), result=result)
