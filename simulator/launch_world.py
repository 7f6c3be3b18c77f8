"""One scenario's state: the simulator the Gherkin steps act on and what they observed.

The steps of :mod:`simulator.steps` keep no state of their own: everything a scenario builds
or observes lives in one :class:`LaunchWorld` per scenario (the ``launch_world`` fixture of
:mod:`simulator.pytest_plugin`), so scenarios cannot leak into each other, and a project's
own steps can use the same state.

A launch goes one of two ways, and both end in the same :class:`LaunchResult`, so every
Then step works after either:

* :meth:`LaunchWorld.launch` passes keyword arguments straight to ``run_instances``, the way
  Nova's controller received them (useful for shapes no HTTP client can send);
* :meth:`LaunchWorld.send_query` POSTs EC2 query parameters as a form to the WSGI app
  (:class:`~simulator.server.EC2App`, without a socket), the path every HTTP request takes,
  so the query parser's conversions (octal ``010``, ``None``, list order ``1, 10, 2``) apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from simulator.api import Simulator
from simulator.compute import CreateCall
from simulator.errors import BadInput, EC2Error, ec2_error, explain, hidden_cause
from simulator.httprequest import FORM_CONTENT_TYPE, HttpRequest
from simulator.report import CassetteResult
from simulator.seed import SeedSource, apply_seed, load_seed
from simulator.server import EC2App
from simulator.service import EC2Service
from simulator.step_args import ScenarioMistake, expect


@dataclass
class LaunchResult:
    """What one launch produced, the same whether it was sent as kwargs or as a query."""

    status: int
    create_calls: list[CreateCall]
    reservation: dict[str, Any] | None = None
    error_code: str | None = None
    error_message: str | None = None
    cause: str | None = None
    """What an ``UnknownError`` hides, as ``launch-sim launch`` reports it (a contract
    violation, say): Nova's answer says nothing, a scenario's reader needs to know."""

    def describe(self) -> str:
        """How the launch ended, in the words a failing step reports."""
        if self.error_code is None:
            return f"the launch succeeded (HTTP {self.status})"
        ending = (
            f"the launch failed with EC2 error {self.error_code!r} "
            f"and message {self.error_message!r} (HTTP {self.status})"
        )
        return ending if self.cause is None else f"{ending}\n  launch failed: {self.cause}"


@dataclass
class Replayed:
    """A cassette replay a scenario asked for: the verdicts, or why it could not be replayed."""

    label: str
    result: CassetteResult | None = None
    refusal: str | None = None


@dataclass
class LaunchWorld:
    """One scenario's state: the simulator the steps act on and the last launch's result.

    ``sim`` starts as the ``launch_sim`` fixture; a Given step that sets up a whole new
    store (an empty one, a seed file) replaces it, and steps that add rows write into it.
    """

    sim: Simulator
    result: LaunchResult | None = None
    replayed: Replayed | None = None

    def reseed(self, source: SeedSource) -> None:
        """Start over from a new store holding exactly ``source``, answering as before (the
        profile a scenario chose stays, whichever order its Given steps come in)."""
        self.sim = Simulator.from_seed(source, profile=self.sim.profile)

    def add_to_store(self, seed: dict[str, Any]) -> None:
        """Add seed rows to the current store, schema-checked as a seed file would be.

        Rows the schema refuses, or that conflict with the store, are the scenario writer's
        mistake: the step fails with the seed's one-line reason, not a traceback."""
        try:
            apply_seed(self.sim.store, load_seed(seed, self.sim.contracts), "Given step")
        except BadInput as exc:
            raise ScenarioMistake(str(exc)) from None

    def launch(self, kwargs: dict[str, Any]) -> None:
        """``run_instances(**kwargs)`` through the Python API, its outcome kept as the result."""
        with self.sim.compute.capture() as calls:
            try:
                reservation = self.sim.invoke("run_instances", kwargs)
            except EC2Error as exc:
                document = ec2_error(exc)
                self.result = LaunchResult(
                    document.status,
                    list(calls),
                    error_code=document.code,
                    error_message=document.message,
                    cause=_cause_of(exc),
                )
            else:
                self.result = LaunchResult(200, list(calls), reservation=reservation)

    def send_query(self, params: Sequence[tuple[str, str]]) -> None:
        """POST the parameters as a form to the WSGI app, as an EC2 client would (no socket)."""
        request = HttpRequest(
            "POST",
            "http",
            "127.0.0.1",
            "/",
            b"",
            {"content-type": FORM_CONTENT_TYPE},
            urlencode(params).encode(),
        )
        outcome = EC2App(EC2Service(self.sim)).respond(request)
        self.result = LaunchResult(
            outcome.status,
            outcome.create_calls,
            outcome.result,
            outcome.error_code,
            outcome.error_message,
            cause=None if outcome.exception is None else _cause_of(outcome.exception),
        )

    @property
    def last(self) -> LaunchResult:
        """The last launch's result; a Then step before any When step is a scenario bug."""
        if self.result is None:
            raise ScenarioMistake("nothing was launched yet: a When step must come first")
        return self.result

    def create_call(self) -> dict[str, Any]:
        """The last launch's (last) create call, as the JSON record cassettes hold."""
        result = self.last
        expect(bool(result.create_calls), f"the launch made no create call: {result.describe()}")
        return result.create_calls[-1].to_dict()

    @property
    def last_replay(self) -> Replayed:
        """The last cassette replay; a Then step before any replay is a scenario bug."""
        if self.replayed is None:
            raise ScenarioMistake("no cassette was replayed yet: a When step must come first")
        return self.replayed

    def replay_verdicts(self) -> CassetteResult:
        """The last cassette replay's verdicts; a cassette that was refused has none."""
        replayed = self.last_replay
        if replayed.result is None:
            raise AssertionError(f"the cassette {replayed.label} was refused: {replayed.refusal}")
        return replayed.result

    def instances(self) -> list[dict[str, Any]]:
        """The instances of the last answer's ``instancesSet`` (a launch's, a terminate's)."""
        result = self.last
        if result.reservation is None:
            raise AssertionError(f"there is no response: {result.describe()}")
        return list(result.reservation.get("instancesSet") or [])

    def listed_instances(self) -> list[dict[str, Any]]:
        """Every instance item the last answer lists: its ``instancesSet`` and those of each
        reservation a DescribeInstances answer holds."""
        reservations = self.last.reservation or {}
        described = reservations.get("reservationSet") or []
        return self.instances() + [
            item for reservation in described for item in reservation.get("instancesSet") or []
        ]


def _cause_of(exc: BaseException) -> str | None:
    """``launch-sim launch``'s line for a failure whose answer hides its cause, else None."""
    return explain(exc) if hidden_cause(exc) is not None else None
