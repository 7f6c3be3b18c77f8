"""The EC2 Query API over HTTP: a WSGI application and the real server that runs it.

:class:`EC2App` turns an HTTP request into query parameters and a request context and hands
them to :meth:`EC2Service.handle`, the one request path the boto3 hook and cassette replay
share. Whatever a client sends, the answer is an EC2 document: Nova's FaultWrapper turned
exceptions escaping its Executor into bare ``<Code>500</Code>`` documents, which tell a
client nothing, so under the Folsom and Grizzly profiles such a failure is ``UnknownError``
(HTTP 400), the code their Executor gave everything it did not recognise; from Havana on
the profiles answer as Nova did (an unexpected error's class name, HTTP 500 where Nova sent
it). The one exception is Nova's own: a query-signed request its middleware refused with
webob's plain 400 page gets that page.

:class:`ServerHandle` serves an app with waitress (a real multi-threaded WSGI server) on one
listening socket, either in the calling thread until a signal (``launch-sim serve``) or in a
background thread (fixtures, tests, benchmarks). An app that answers from memory is answered
in waitress's I/O loop when a request comes alone, as one client's requests do.
"""

from __future__ import annotations

import logging
import re
import resource
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from types import FrameType
from typing import Any, Self

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher

from simulator.auth import Authenticator, NoAuth, PlainBadRequest, query_time_check
from simulator.context import RequestContext
from simulator.errors import EC2Error, InvalidRequest, RequestTooLarge, UnknownError
from simulator.httprequest import HttpRequest
from simulator.serve_defaults import DEFAULT_HOST
from simulator.service import EC2Service, Outcome, refusal

ENDPOINT_PATHS = frozenset({"/", "/services/Cloud", "/services/Cloud/"})
MAX_BODY_BYTES = 1024 * 1024
WAITRESS_BODY_LIMIT = 16 * MAX_BODY_BYTES
"""waitress buffers a body before the app sees it; beyond this it answers 413 itself, so a
client cannot make the server buffer gigabytes just to be refused."""
MAX_HEADER_BYTES = 256 * 1024
"""The request line and headers together, beyond which waitress refuses a request (431)."""
DEFAULT_CONNECTION_LIMIT = 4096
"""Open connections a server holds (waitress's default is 100): a simulator shared by a
parallel test suite sees hundreds of idle keep-alive or slow connections at once, and past
the limit waitress stops accepting, so a new client waited for an old one's timeout."""
FILE_DESCRIPTOR_RESERVE = 64
"""Descriptors kept for what is not a connection (store, journal, cassette, logs, pipes)."""
SERVER_IDENT = "launch-sim"
"""The ``Server`` header of every answer (waitress's ``ident``); ``mock_ec2`` sends it too."""
EC2_CONTENT_TYPE = "text/xml"
_WEBOB_400_EXPLANATION = (
    "The server could not comply with the request since it is either malformed or "
    "otherwise incorrect."
)
"""``HTTPBadRequest.explanation`` as WebOb holds it: every class's explanation is rewritten
on one line when ``webob.exc`` loads (``webob/exc.py:1086@1.0.8``, ``1138@1.2.3``)."""

_log = logging.getLogger("launch_sim.server")
ACCESS_LOG = "launch_sim.access"
"""The logger of one line per answered request, at INFO (``launch-sim serve`` shows it)."""
_access = logging.getLogger(ACCESS_LOG)
_PLAIN_ACTION = re.compile(r"[A-Za-z0-9]{1,64}")

StartResponse = Callable[[str, list[tuple[str, str]]], object]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, as the ``on_exchange`` hook (the cassette recorder) sees it.

    ``params`` and ``headers`` are as received, credentials included: whoever keeps an
    exchange decides what to strip.
    """

    method: str
    path: str
    params: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]
    outcome: Outcome


ExchangeHook = Callable[[Exchange], None]


@dataclass
class PageOutcome(Outcome):
    """An answer that is no EC2 document: a web page, with its own content type."""

    content_type: str = field(default="text/plain; charset=UTF-8")


def content_type_of(outcome: Outcome) -> str:
    """The ``Content-Type`` an outcome is sent with (both transports ask here)."""
    return outcome.content_type if isinstance(outcome, PageOutcome) else EC2_CONTENT_TYPE


def webob_bad_request(accept: str) -> PageOutcome:
    """The page WebOb 1.2.3 (Grizzly's pin) rendered for a bare ``HTTPBadRequest``.

    Its ``generate_response`` chose HTML when the ``Accept`` header named html or
    ``*/*`` (requests and curl send that), plain text otherwise (boto 2 sends none).
    """
    status = "400 Bad Request"
    if "html" in accept or "*/*" in accept:
        body = (
            f"<html>\n <head>\n  <title>{status}</title>\n </head>\n <body>\n"
            f"  <h1>{status}</h1>\n  {_WEBOB_400_EXPLANATION}<br /><br />\n\n\n\n </body>\n</html>"
        )
        content_type = "text/html; charset=UTF-8"
    else:
        explanation = " ".join(_WEBOB_400_EXPLANATION.replace("\r", "").split("\n"))
        body = f"{status}\n\n{explanation}\n\n   "
        content_type = "text/plain; charset=UTF-8"
    return PageOutcome("", 400, body.encode(), content_type=content_type)


def context_for(access_key: str | None) -> RequestContext:
    """NoAuth's context for ``user:project``; no key at all acts as the default admin, an
    empty one as user and project ``''`` (``init:285-293@2013.1.5``)."""
    return RequestContext() if access_key is None else RequestContext.from_access_key(access_key)


class EC2App:
    """The WSGI application: EC2 Query API on ``/`` and ``/services/Cloud/``, GET or POST.

    It holds no mutable state of its own (the store locks itself), so one instance serves
    any number of threads.
    """

    def __init__(
        self,
        service: EC2Service,
        *,
        authenticator: Authenticator | None = None,
        on_exchange: ExchangeHook | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.service = service
        self.authenticator: Authenticator = authenticator or NoAuth(
            query_time=query_time_check(service.sim.profile)
        )
        self.on_exchange = on_exchange
        self.max_body_bytes = max_body_bytes

    @property
    def answers_at_once(self) -> bool:
        """Whether every answer is worked out in memory, never waiting on another service, so
        that a server may answer in its I/O loop (:class:`ServerHandle`): not when images
        come from a backend that says it is remote (Glance over HTTP) or does not say."""
        return getattr(self.service.sim.image_backend, "remote", True) is False

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            outcome = self.respond(request_from_environ(environ, self.max_body_bytes))
        except Exception as exc:  # the environ itself is unusable: still an EC2 answer
            outcome = refusal(_unexpected(exc))
        status = HTTPStatus(outcome.status)
        start_response(
            f"{status.value} {status.phrase}",
            [
                ("Content-Type", content_type_of(outcome)),
                ("Content-Length", str(len(outcome.body))),
            ],
        )
        if environ.get("REQUEST_METHOD") == "HEAD":
            # HTTP's HEAD answer has GET's headers and no body (waitress sends what the app
            # returns, and a body there would be read as the next answer on the connection).
            return []
        return [outcome.body]

    def respond(self, request: HttpRequest) -> Outcome:
        """Answer one request (and tell the hook); never raises.

        The hook gets no parameters for a request refused before the EC2 layer would have
        seen them (a wrong path, an oversized body, a Grizzly middleware page): a recorder
        has nothing there it could replay.
        """
        started = time.perf_counter()
        params: tuple[tuple[str, str], ...] = ()
        try:
            if request.path not in ENDPOINT_PATHS:
                outcome = refusal(
                    InvalidRequest("There is no EC2 API at this path; use / or /services/Cloud/"),
                    status=HTTPStatus.NOT_FOUND,
                )
            elif max(len(request.body), declared_length(request.headers)) > self.max_body_bytes:
                outcome = refusal(
                    RequestTooLarge(
                        err=f"The request body is larger than {self.max_body_bytes} bytes"
                    )
                )
            else:
                params = tuple(request.params())
                access_key = self.authenticator.authenticate(request, params)
                outcome = self.service.handle(params, context_for(access_key))
        except PlainBadRequest:
            outcome, params = webob_bad_request(request.headers.get("accept", "")), ()
        except EC2Error as exc:
            outcome = refusal(exc, envelope=self.service.sim.profile.errors)
        except Exception as exc:
            outcome = refusal(_unexpected(exc))
        self._notify(Exchange(request.method, request.path, params, dict(request.headers), outcome))
        log_access(params, outcome, started)
        return outcome

    def _notify(self, exchange: Exchange) -> None:
        if self.on_exchange is None:
            return
        try:
            self.on_exchange(exchange)
        except Exception as exc:
            # The type only: the message could quote the request, credentials included.
            _log.error("launch-sim: the exchange hook failed with %s", type(exc).__name__)


def log_access(params: Sequence[tuple[str, str]], outcome: Outcome, started: float) -> None:
    """One access-log line: action, HTTP status, EC2 code (``-`` for none), milliseconds.

    Of the request only ``Action`` is written, and only when it is a plain name (else
    ``?``; ``-`` when the request was refused before its parameters were read): nothing
    else a client sends, credentials above all, can reach the log. The time is the log
    handler's to add.
    """
    if not _access.isEnabledFor(logging.INFO):
        return
    action = dict(params).get("Action", "-")
    if action != "-" and not _PLAIN_ACTION.fullmatch(action):
        action = "?"
    elapsed = (time.perf_counter() - started) * 1000
    _access.info("%s %d %s %.1fms", action, outcome.status, outcome.error_code or "-", elapsed)


def _unexpected(exc: Exception) -> UnknownError:
    _log.error("launch-sim: unexpected %s while answering a request", type(exc).__name__)
    return UnknownError(exc)


def declared_length(headers: Mapping[str, str]) -> int:
    """The ``Content-Length`` a request announces (0 when absent or unusable)."""
    try:
        return max(int(headers.get("content-length") or 0), 0)
    except ValueError:
        return 0


def request_from_environ(environ: Mapping[str, Any], read_limit: int) -> HttpRequest:
    """The :class:`HttpRequest` of a WSGI environ; a body announced as longer than
    ``read_limit`` is not read at all (the answer will refuse it)."""
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = str(environ[key])
    length = declared_length(headers)
    body = environ["wsgi.input"].read(length) if 0 < length <= read_limit else b""
    host = headers.get("host") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    return HttpRequest(
        method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
        scheme=str(environ.get("wsgi.url_scheme", "http")),
        host=host,
        path=str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", "")),
        query=str(environ.get("QUERY_STRING", "")).encode("latin-1"),
        headers=headers,
        body=body,
    )


def framing_refusal(error: Any) -> Outcome:
    """The EC2 answer to a request waitress could not parse (a ``waitress.utilities.Error``).

    Its 4xx status is kept (400, 413 body or 431 headers too large); a 5xx (501 for a
    ``Transfer-Encoding`` other than chunked) becomes 400, as every refusal here is. The
    message keeps waitress's reason up to any quote: after one, waitress quotes the
    client's bytes, which could be credentials.
    """
    status = int(getattr(error, "code", 500))
    reason = str(getattr(error, "body", "")).partition('"')[0].strip()
    exc: EC2Error
    if status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE:
        exc = RequestTooLarge(err=f"The request body is larger than {WAITRESS_BODY_LIMIT} bytes")
    elif status == HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE:
        exc = RequestTooLarge(err=f"The request headers are larger than {MAX_HEADER_BYTES} bytes")
    elif status == HTTPStatus.INTERNAL_SERVER_ERROR:
        exc = _unexpected(RuntimeError(reason))
    else:
        exc = InvalidRequest(f"The request is not valid HTTP/1.1: {reason}")
    return refusal(exc, status=status if status < 500 else None)


class _EC2ErrorTask(ErrorTask):  # type: ignore[misc]
    """waitress's answer to a request it could not parse, as an EC2 error document."""

    def execute(self) -> None:
        started = time.perf_counter()
        outcome = framing_refusal(self.request.error)
        status = HTTPStatus(outcome.status)
        self.status = f"{status.value} {status.phrase}"
        self.response_headers.append(("Content-Type", EC2_CONTENT_TYPE))
        self.set_close_on_finish()
        self.content_length = len(outcome.body)
        self.write(outcome.body)
        log_access((), outcome, started)


class _EC2Channel(HTTPChannel):  # type: ignore[misc]
    """waitress's connection, answering in the I/O loop where its server does so.

    A request read on an idle connection (nothing else queued, no answer still being sent)
    is then served right after the read, in the loop thread; any other is handed to a
    worker thread as waitress does. The two conditions keep waitress's waits out of the
    loop: its task waits for the loop to drain a connection's output past 16 MiB before
    serving a queued request, which the loop cannot do while it is itself serving.
    """

    error_task_class = _EC2ErrorTask
    reading = False
    task_ready = False

    def handle_read(self) -> None:
        self.reading = True
        try:
            super().handle_read()
        finally:
            self.reading = False
        if self.task_ready:
            self.task_ready = False
            if self.connected and len(self.requests) == 1 and not self.total_outbufs_len:
                self.service()
            else:
                self.server.task_dispatcher.add_task(self)


class _EC2Server(TcpWSGIServer):  # type: ignore[misc]
    channel_class = _EC2Channel
    answer_in_loop = False

    def add_task(self, task: _EC2Channel) -> None:
        """A request completed by a read waits for the read to end (waitress asks from
        inside it, holding the connection's lock); the channel then serves it or hands it on."""
        if self.answer_in_loop and task.reading:
            task.task_ready = True
        else:
            super().add_task(task)

    def handle_accept(self) -> None:
        """Accept every waiting connection (up to the limit), not one per loop turn.

        Each turn of the I/O loop polls every open connection, so accepting one per turn
        made a burst of n connections cost n^2 polls.
        """
        while len(self._map) < self.adj.connection_limit:
            before = len(self._map)
            super().handle_accept()
            if len(self._map) == before:
                return


def connection_budget(wanted: int) -> int:
    """How many connections this process can hold, up to ``wanted``, raising its soft limit
    of open files toward the hard one if that is what stands in the way.

    A server past its descriptors fails every ``accept`` (waitress logs each and keeps
    polling), so its connection limit must stay below them; the soft limit is often 1024.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + FILE_DESCRIPTOR_RESERVE
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(hard, needed)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):  # a cap below the hard limit (macOS's OPEN_MAX)
            pass
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - FILE_DESCRIPTOR_RESERVE))


def _listen(host: str, port: int) -> socket.socket:
    if not 0 <= port <= 65535:  # getaddrinfo would silently wrap it
        raise ValueError(f"port must be 0-65535, not {port}")
    family, _, _, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    return socket.create_server(address, family=family)


class ServerHandle:
    """A waitress server for one WSGI app, bound at construction (``port=0``: a free port).

    Run it with :meth:`serve_forever` in the calling thread, or as a context manager in a
    background thread. :meth:`stop` may be called from any thread or a signal handler; the
    server then stops accepting, lets running requests finish, and closes every socket.

    A slow client never holds a worker thread: waitress reads requests in its I/O loop and
    hands a worker only a complete one. A connection with no complete request and nothing
    received for ``channel_timeout`` seconds is closed. Up to ``connection_limit``
    connections are held at once (fewer if the process cannot open that many files), idle
    or trickling ones included, and a new request is still answered at once.

    ``answer_in_loop`` has the I/O loop answer a request that arrives alone on an idle
    connection itself, as a client waiting for each answer sends them, instead of waking a
    worker thread for it: the hand-off costs more than a launch's own work. It suits an app
    whose every answer is worked out in memory; one that waits on another service (Glance
    over HTTP) would hold every client meanwhile. None (the default) asks the app's
    ``answers_at_once`` (:attr:`EC2App.answers_at_once`; False for any other app).
    """

    def __init__(
        self,
        app: WSGIApp,
        host: str = DEFAULT_HOST,
        port: int = 0,
        *,
        threads: int = 8,
        channel_timeout: int = 30,
        connection_limit: int = DEFAULT_CONNECTION_LIMIT,
        answer_in_loop: bool | None = None,
    ) -> None:
        self.connection_limit = connection_budget(connection_limit)
        self._socket = _listen(host, port)
        self._map: dict[int, Any] = {}
        adjustments = Adjustments(
            threads=threads,
            channel_timeout=channel_timeout,
            # waitress looks for idle connections every cleanup_interval (default 30 s):
            # looking as often as the timeout honours a short one.
            cleanup_interval=min(channel_timeout, 30),
            max_request_body_size=WAITRESS_BODY_LIMIT,
            max_request_header_size=MAX_HEADER_BYTES,
            connection_limit=self.connection_limit,
            ident=SERVER_IDENT,
        )
        dispatcher = ThreadedTaskDispatcher()
        dispatcher.set_thread_count(threads)
        # What waitress.create_server does for one socket, with the channel that answers
        # unparseable requests with EC2 documents.
        self._server = _EC2Server(
            app,
            self._map,
            True,
            self._socket,
            dispatcher=dispatcher,
            adj=adjustments,
            bind_socket=False,
            sockinfo=(
                self._socket.family,
                self._socket.type,
                self._socket.proto,
                self._socket.getsockname(),
            ),
        )
        if answer_in_loop is None:
            answer_in_loop = getattr(app, "answers_at_once", False) is True
        self._server.answer_in_loop = answer_in_loop
        self._lock = threading.RLock()
        self._stopping = False
        self._thread: threading.Thread | None = None

    @property
    def answers_in_loop(self) -> bool:
        """Whether the I/O loop answers a lone request itself (see the class docstring)."""
        return bool(self._server.answer_in_loop)

    @property
    def endpoint(self) -> str:
        """The URL clients use, e.g. ``http://127.0.0.1:8773/``."""
        host, port = self._socket.getsockname()[:2]
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}/"

    def serve_forever(self) -> None:
        """Serve in this thread until :meth:`stop`, then shut down."""
        try:
            while not self._stopping:
                wasyncore.loop(timeout=1.0, map=self._map, use_poll=True, count=1)
        finally:
            self.stop()
            self._server.accepting = False
            self._server.task_dispatcher.shutdown()
            wasyncore.loop(timeout=0.0, map=self._map, use_poll=True, count=1)
            with self._lock:
                wasyncore.close_all(self._map)

    def stop(self) -> None:
        """Ask the serving loop to shut down; returns at once."""
        # The lock keeps the trigger from being pulled while serve_forever closes it.
        with self._lock:
            if not self._stopping:
                self._stopping = True
                self._server.pull_trigger()

    def __enter__(self) -> Self:
        self._thread = threading.Thread(
            target=self.serve_forever, name="launch-sim-server", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        if self._thread is not None:
            self._thread.join()


def serve_until_signalled(handle: ServerHandle) -> None:
    """Serve in the main thread until SIGINT, SIGTERM or SIGHUP, then shut down cleanly.

    SIGHUP is what closing the terminal or an ssh session sends; its default killed the
    server where it stood, so a recording lost the interactions not saved yet and a checking
    server its summary and exit status. A hangup the server was started ignoring (``nohup``)
    stays ignored.
    """

    def _stop(signum: int, frame: FrameType | None) -> None:
        handle.stop()

    stopping = [signal.SIGINT, signal.SIGTERM]
    if signal.getsignal(signal.SIGHUP) is not signal.SIG_IGN:
        stopping.append(signal.SIGHUP)
    previous = {sig: signal.signal(sig, _stop) for sig in stopping}
    try:
        handle.serve_forever()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
