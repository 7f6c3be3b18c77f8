"""Glance's exchanges in a cassette: recorded per request thread, appended, served again.

:class:`~simulator.glance.GlanceImageBackend` reports each GET it sends to Glance as a
:class:`~simulator.glance.GlanceExchange`. While recording, :class:`GlanceRecording` collects
them per request thread so the recorder can file them under the interaction that caused
them, and :func:`append_exchanges` adds them to the cassette. On replay,
:func:`serve_exchanges` answers them again through ``responses`` with no network: per
request URL, in recorded order, the last repeating. That is cassette tooling, not the
image service Nova's ``nova/image/glance.py`` was, so it lives here rather than beside the
adapter, and the adapter never imports ``responses``.

requests and responses are imported where exchanges are served: most cassettes use the
store's catalogue, and their replay should not pay for either.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from simulator.glance import GlanceExchange, Query, exchange_target

if TYPE_CHECKING:
    import requests


class GlanceRecording:
    """Collects exchanges per request thread, so each lands with the interaction that made it.

    A server answers each request on one thread from start to finish, so what Glance was
    asked on a thread since its last :meth:`take` belongs to the request it is answering.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def __call__(self, exchange: GlanceExchange) -> None:
        self._pending().append(exchange)

    def take(self) -> list[GlanceExchange]:
        """This thread's exchanges since the last call, oldest first."""
        taken = self._pending()
        self._local.pending = []
        return taken

    def _pending(self) -> list[GlanceExchange]:
        pending: list[GlanceExchange] | None = getattr(self._local, "pending", None)
        if pending is None:
            pending = self._local.pending = []
        return pending


def append_exchanges(log: list[GlanceExchange], new: Iterable[GlanceExchange]) -> None:
    """Append to a cassette's exchanges, counting an answer that repeats its request's last.

    Replay serves each request's answers in order, so collapsing an answer into the previous
    answer to the *same* request loses nothing, however requests interleave.
    """
    last: dict[tuple[str, Query], int] = {}
    for index, exchange in enumerate(log):
        last[exchange.key] = index
    for exchange in new:
        previous = last.get(exchange.key)
        if previous is not None and log[previous].same_answer(exchange):
            log[previous] = replace(log[previous], count=log[previous].count + exchange.count)
        else:
            last[exchange.key] = len(log)
            log.append(exchange)


@dataclass
class _Run:
    exchange: GlanceExchange
    remaining: int


class _Answers:
    """The recorded answers to one request, served in order; the last one repeats."""

    def __init__(self) -> None:
        self.runs: deque[_Run] = deque()

    def next(self) -> GlanceExchange:
        run = self.runs[0]
        if run.remaining > 1:
            run.remaining -= 1
        elif len(self.runs) > 1:
            self.runs.popleft()
        return run.exchange


@contextmanager
def serve_exchanges(base_url: str, exchanges: Sequence[GlanceExchange]) -> Iterator[None]:
    """Answer HTTP requests under ``base_url`` from ``exchanges`` with ``responses``.

    A request nobody recorded gets a connection error, which the backend reports as
    GlanceConnectionFailed, so replay shows it as a difference instead of going to the
    network.
    """
    import requests
    import responses

    answers: dict[tuple[str, Query], _Answers] = {}
    for exchange in exchanges:
        answers.setdefault(exchange.key, _Answers()).runs.append(_Run(exchange, exchange.count))
    lock = threading.Lock()
    base = base_url.rstrip("/")

    def answer(request: requests.PreparedRequest) -> Any:
        path, query = exchange_target(request.url or "", base)
        with lock:
            queue = answers.get((path, tuple(sorted(query))))
            exchange = queue.next() if queue is not None else None
        if exchange is None:
            return requests.ConnectionError(
                f"the cassette has no Glance exchange for GET {request.url}"
            )
        if exchange.failure == "timeout":
            return requests.ReadTimeout(f"recorded timeout for GET {request.url}")
        if exchange.failure == "connection":
            return requests.ConnectionError(f"recorded connection failure for GET {request.url}")
        return exchange.status, {"Content-Type": "application/json"}, exchange.body or ""

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(
            responses.GET, re.compile(re.escape(base) + r"(/.*)?(\?.*)?$"), callback=answer
        )
        yield
