"""Where a server answers: in waitress's I/O loop when the app answers from memory and a
request comes alone, on worker threads otherwise, and never waiting on itself."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from simulator import Simulator
from simulator.glance import GlanceImageBackend
from simulator.images import Image, ImageBackend, StoreImageBackend
from simulator.server import EC2App, ServerHandle
from simulator.service import EC2Service

GUARD_SECONDS = 60
"""How long a test waits for an answer before calling it a hang (not a measurement)."""
BIG_ANSWER = 48 << 20
"""Past waitress's 16 MiB output high-watermark (where its task waits for the loop) even
after a loopback socket's buffers took their share."""
LAUNCH = urlencode([("Action", "RunInstances"), ("ImageId", "ami-00000001"), ("MinCount", "1")])


def request_bytes(path: str, body: bytes = b"") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n\r\n"
    ).encode() + body


def read_answer(stream: Any) -> tuple[int, bytes]:
    """One HTTP/1.1 answer with a Content-Length, read from a socket's file."""
    status = int(stream.readline().split()[1])
    length = 0
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return status, stream.read(length)


def connect(endpoint: str) -> socket.socket:
    url = urlsplit(endpoint)
    sock = socket.create_connection((url.hostname or "", url.port or 0))
    sock.settimeout(GUARD_SECONDS)
    return sock


def post(endpoint: str, body: str) -> tuple[int, bytes]:
    with connect(endpoint) as sock, sock.makefile("rb") as stream:
        sock.sendall(request_bytes("/", body.encode()))
        return read_answer(stream)


class _Answer(list[bytes]):
    """A WSGI answer that notes when the server has taken all of it (its ``close``)."""

    def __init__(self, body: bytes, taken: threading.Event) -> None:
        super().__init__([body])
        self.taken = taken

    def close(self) -> None:
        self.taken.set()


def sized_app(
    seen: list[str], taken: threading.Event | None = None
) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """A WSGI app answering ``/big`` with :data:`BIG_ANSWER` bytes and anything else with
    two, noting the thread that answers and, in ``taken``, when the server has a big answer."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        seen.append(threading.current_thread().name)
        big = environ["PATH_INFO"] == "/big"
        body = b"x" * BIG_ANSWER if big else b"ok"
        start_response("200 OK", [("Content-Length", str(len(body)))])
        return _Answer(body, taken) if big and taken is not None else [body]

    return app


def test_an_app_answering_from_memory_is_answered_in_the_loop_unless_told_otherwise() -> None:
    sim = Simulator.from_seed()
    from_memory = EC2App(EC2Service(sim))
    glance = Simulator(sim.store, image_backend=GlanceImageBackend("http://127.0.0.1:9/"))
    assert from_memory.answers_at_once
    assert not EC2App(EC2Service(glance)).answers_at_once
    assert ServerHandle(from_memory).answers_in_loop
    assert not ServerHandle(from_memory, answer_in_loop=False).answers_in_loop
    assert not ServerHandle(EC2App(EC2Service(glance))).answers_in_loop
    assert not ServerHandle(sized_app([])).answers_in_loop, "an app that does not say"


@pytest.mark.parametrize("in_loop", [True, False], ids=["in-loop", "workers"])
def test_a_lone_request_is_answered_by_the_loop_or_handed_to_a_worker(in_loop: bool) -> None:
    seen: list[str] = []
    with ServerHandle(sized_app(seen), answer_in_loop=in_loop) as server:
        for _ in range(3):
            assert post(server.endpoint, "") == (200, b"ok")
    answered_by_loop = [name == "launch-sim-server" for name in seen]
    assert answered_by_loop == [in_loop] * 3


def test_pipelined_requests_behind_a_big_answer_are_answered_in_order_without_a_hang() -> None:
    """Two requests read at once go to a worker: served in the loop, the first's 20 MiB
    answer would have waitress's task wait for the loop to drain it before the second."""
    seen: list[str] = []
    taken = threading.Event()
    with ServerHandle(sized_app(seen, taken), answer_in_loop=True) as server:
        with connect(server.endpoint) as sock, sock.makefile("rb") as stream:
            sock.sendall(request_bytes("/big") + request_bytes("/small"))
            assert taken.wait(GUARD_SECONDS), "the big answer was never written"
            first, second = read_answer(stream), read_answer(stream)
        assert first == (200, b"x" * BIG_ANSWER)
        assert second == (200, b"ok")
        assert post(server.endpoint, "") == (200, b"ok"), "the loop still serves"
    assert [name == "launch-sim-server" for name in seen] == [False, False, True]


class _HeldImages:
    """The store's images behind a backend that waits to be let go, as a slow Glance does,
    and says nothing of where it is (so it counts as remote)."""

    def __init__(self, inner: ImageBackend) -> None:
        self.inner = inner
        self.asked = threading.Event()
        self.release = threading.Event()

    def show(self, image_uuid: str) -> Image:
        self.asked.set()
        assert self.release.wait(GUARD_SECONDS), "never let go"
        return self.inner.show(image_uuid)

    def detail(self, name: str) -> list[Image]:
        return self.inner.detail(name)


def test_a_request_waiting_on_a_remote_image_service_holds_no_other_client() -> None:
    seeded = Simulator.from_seed()
    images = _HeldImages(StoreImageBackend(seeded.store))
    sim = Simulator(seeded.store, image_backend=images)
    with ServerHandle(EC2App(EC2Service(sim))) as server:
        assert not server.answers_in_loop
        launched: list[tuple[int, bytes]] = []
        launching = threading.Thread(target=lambda: launched.append(post(server.endpoint, LAUNCH)))
        launching.start()
        try:
            assert images.asked.wait(GUARD_SECONDS)
            status, body = post(server.endpoint, "Action=DescribeInstances")
            assert status == 200 and b"DescribeInstancesResponse" in body
            assert not launched, "the launch is still waiting on its image"
        finally:
            images.release.set()
            launching.join(GUARD_SECONDS)
    assert launched and launched[0][0] == 200
