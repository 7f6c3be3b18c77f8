"""``mock_ec2``: boto3's EC2 calls answered by a :class:`Simulator` in-process, without sockets.

botocore emits ``before-send.<service>.<operation>`` just before it would send a request, and
sends nothing if a handler returns a response. Sessions copy ``botocore.handlers.
BUILTIN_HANDLERS`` when they are created, so while any block is active one dispatcher sits in
that list (for ``before-send.ec2`` only: other services never reach it) and boto3's cached
default session is set aside; every client created inside a block is hooked. The answer comes
from :meth:`EC2App.respond`, so a mocked request means exactly what it means over HTTP.

botocore calls *every* handler of an event, so blocks cannot each register their own (nested
blocks would all launch). Instead the one dispatcher answers with the innermost block the
calling thread entered, else the most recently entered block of any thread (worker threads
inside a block), else not at all: clients created inside a block reach the network again once
every block has ended, as after moto's ``mock_aws``. botocore's handler list is process-wide,
so the record of active blocks is too: it is the single module-level object here.

botocore signs before it sends, so a client needs credentials even when nothing leaves the
process. While blocks are active and the environment names no access key, it gets
``admin`` (the default context's user) and a dummy secret, as moto does: clients then need
none, and botocore never looks further (config files, the instance metadata service).

A block checks no signature (as ``--auth none``): the access key only picks the request
context. So botocore is told not to compute one (``choose-signer``: a sixth of an
in-process launch was SigV4 signing), and the request carries its access key in an
``Authorization`` header of SigV4's shape whose signature is :data:`UNSIGNED_SIGNATURE`,
which is all ``--auth none`` reads of it. Presigned URLs are still signed, and a client
without credentials still fails as botocore fails it.
"""

from __future__ import annotations

import io
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import formatdate
from typing import Any
from urllib.parse import unquote, urlsplit

from botocore import UNSIGNED
from botocore.awsrequest import AWSPreparedRequest, AWSRequest, AWSResponse
from botocore.exceptions import NoCredentialsError
from botocore.handlers import BUILTIN_HANDLERS
from waitress.utilities import RequestEntityTooLarge

from simulator.api import Simulator
from simulator.httprequest import HttpRequest
from simulator.server import (
    SERVER_IDENT,
    WAITRESS_BODY_LIMIT,
    EC2App,
    content_type_of,
    framing_refusal,
)
from simulator.service import EC2Service

EC2_BEFORE_SEND = "before-send.ec2"
EC2_CHOOSE_SIGNER = "choose-signer.ec2"
EC2_BEFORE_SIGN = "before-sign.ec2"
STANDARD_SIGNER = "v4"
UNSIGNED_SIGNATURE = "not-signed-by-launch-sim"
_SIGNING_SKIPPED = "launch_sim_signing_skipped"
MOCK_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "admin", "AWS_SECRET_ACCESS_KEY": "launch-sim"}


class _RawBody(io.BytesIO):
    """The ``raw`` of an :class:`AWSResponse`: botocore reads it through ``stream()``."""

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self.getvalue()


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    data = body.read()
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _header_text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def server_path(path: str) -> str:
    """The path as the server's app reads it: waitress strips the extra slashes a path
    starts with (``waitress/task.py``, ``WSGITask.get_environment``), so an endpoint URL
    ending ``//`` reaches the API over HTTP, and must in a block too."""
    unquoted = unquote(path)
    return "/" + unquoted.lstrip("/") if unquoted.startswith("/") else unquoted or "/"


def http_request(request: AWSPreparedRequest) -> HttpRequest:
    """The :class:`HttpRequest` botocore was about to send."""
    url = urlsplit(request.url)
    return HttpRequest(
        method=request.method.upper(),
        scheme=url.scheme,
        host=url.netloc,
        path=server_path(url.path),
        query=url.query.encode("utf-8"),
        headers={name.lower(): _header_text(value) for name, value in request.headers.items()},
        body=_body_bytes(request.body),
    )


class _EC2Responder:
    """A ``before-send.ec2`` handler answering with one :class:`EC2App`."""

    def __init__(self, app: EC2App) -> None:
        self.app = app

    def __call__(self, request: AWSPreparedRequest, **kwargs: Any) -> AWSResponse:
        """The answer as the server sends it: its status a plain ``int`` (an ``HTTPStatus``
        in ``ResponseMetadata`` would show otherwise) and the headers waitress adds. A body
        waitress would refuse before the app saw it gets waitress's refusal (413)."""
        prepared = http_request(request)
        if len(prepared.body) > WAITRESS_BODY_LIMIT:
            outcome = framing_refusal(RequestEntityTooLarge("exceeds max_body"))
        else:
            outcome = self.app.respond(prepared)
        headers = {
            "Content-Length": str(len(outcome.body)),
            "Content-Type": content_type_of(outcome),
            "Date": formatdate(usegmt=True),
            "Server": SERVER_IDENT,
        }
        return AWSResponse(request.url, int(outcome.status), headers, _RawBody(outcome.body))


class _Dispatcher:
    """The ``before-send.ec2`` handler of the blocks: routes each request to the right one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._blocks: list[tuple[int, _EC2Responder]] = []
        self._saved_environ: dict[str, str | None] = {}
        self._saved_session: Any = None
        self.handlers: tuple[tuple[str, Any], ...] = (
            (EC2_BEFORE_SEND, self),
            (EC2_CHOOSE_SIGNER, self.choose_signer),
            (EC2_BEFORE_SIGN, self.before_sign),
        )

    def __call__(self, request: AWSPreparedRequest, **kwargs: Any) -> AWSResponse | None:
        responder = self._current()
        return None if responder is None else responder(request)

    def choose_signer(self, signature_version: Any, context: dict[str, Any], **kwargs: Any) -> Any:
        """``choose-signer.ec2``: no signature for a request a block answers, marked in the
        request's context as not signed by this choice (a presigned URL's signer,
        ``v4-query``, and a client configured unsigned are left alone)."""
        if signature_version != STANDARD_SIGNER or self._current() is None:
            return None
        context[_SIGNING_SKIPPED] = True
        return UNSIGNED

    def before_sign(
        self,
        request: AWSRequest,
        signature_version: Any,
        request_signer: Any,
        signing_name: str,
        region_name: str,
        **kwargs: Any,
    ) -> None:
        """``before-sign.ec2``: the access key a signature would have named, in a header of
        SigV4's shape (``--auth none`` reads nothing else of it)."""
        if not request.context.get(_SIGNING_SKIPPED) or self._current() is None:
            return
        credentials = request_signer.get_auth_instance(
            signing_name, region_name, STANDARD_SIGNER
        ).credentials
        if credentials is None:
            raise NoCredentialsError()
        day = datetime.now(UTC).strftime("%Y%m%d")
        scope = f"{credentials.access_key}/{day}/{region_name}/{signing_name}/aws4_request"
        request.headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, "
            f"Signature={UNSIGNED_SIGNATURE}"
        )

    def _current(self) -> _EC2Responder | None:
        thread = threading.get_ident()
        with self._lock:
            own = [responder for owner, responder in self._blocks if owner == thread]
            if own:
                return own[-1]
            return self._blocks[-1][1] if self._blocks else None

    def enter(self, responder: _EC2Responder) -> tuple[int, _EC2Responder]:
        """Open a block; the first one installs the handlers, mock credentials and a fresh
        boto3 default session.

        The default session made before the handlers were installed lacks them (a session
        copies botocore's handlers when made), so ``boto3.client`` would reach the network:
        it is set aside while any block is open, and only the last block out puts it back,
        whichever thread's blocks overlap. A session made inside the blocks (boto3 imported
        there, say) has their handlers and mock credentials, so it goes with them."""
        block = (threading.get_ident(), responder)
        with self._lock:
            if not self._blocks:
                BUILTIN_HANDLERS[:0] = self.handlers
                if "AWS_ACCESS_KEY_ID" not in os.environ:
                    self._saved_environ = {name: os.environ.get(name) for name in MOCK_CREDENTIALS}
                    os.environ.update(MOCK_CREDENTIALS)
                boto3 = sys.modules.get("boto3")
                self._saved_session = getattr(boto3, "DEFAULT_SESSION", None)
                if boto3 is not None:
                    setattr(boto3, "DEFAULT_SESSION", None)  # noqa: B010
            self._blocks.append(block)
        return block

    def leave(self, block: tuple[int, _EC2Responder]) -> None:
        with self._lock:
            self._blocks.remove(block)
            if not self._blocks:
                for handler in self.handlers:
                    BUILTIN_HANDLERS.remove(handler)
                for name, value in self._saved_environ.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
                self._saved_environ = {}
                boto3 = sys.modules.get("boto3")
                if boto3 is not None:
                    setattr(boto3, "DEFAULT_SESSION", self._saved_session)  # noqa: B010
                self._saved_session = None


_DISPATCHER = _Dispatcher()


@contextmanager
def mock_ec2(sim: Simulator | None = None) -> Iterator[Simulator]:
    """Answer the EC2 calls of boto3 clients created inside the block with ``sim``.

    Without ``sim`` a fresh in-memory simulator on the default seed is used (and closed on
    exit). The block yields the simulator, so ``sim.compute.calls`` shows what was launched.
    Signatures are not checked: as with ``--auth none``, the access key only picks the
    request context, and a client without credentials launches as ``admin``.
    """
    simulator = sim if sim is not None else Simulator.from_seed()
    block = _DISPATCHER.enter(_EC2Responder(EC2App(EC2Service(simulator))))
    try:
        yield simulator
    finally:
        _DISPATCHER.leave(block)
        if sim is None:
            simulator.close()


def hook_client(client: Any, app: EC2App) -> None:
    """Answer one boto3 EC2 client's calls with ``app`` from now on, sockets never used.

    For callers with their own app (a cassette session's, say): unlike a ``mock_ec2`` block
    this concerns only ``client``, which no block answers any more.
    """
    for event, handler in _DISPATCHER.handlers:
        client.meta.events.unregister(event, handler)
    client.meta.events.register_first(EC2_BEFORE_SEND, _EC2Responder(app))
