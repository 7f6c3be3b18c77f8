"""A ``launch-sim serve`` shared by a parallel test suite: 1,000 connections held, and a new
request still answered within a second.

waitress holds 100 connections by default and stops accepting past them, so with 110 idle
sockets a request waited 30 s (until one timed out) and 150 trickling clients starved it.
The server here is the real command, on a free port; the held connections are idle (opened,
nothing sent) or trickle a request line a byte at a time. Bounded to about 10 s a case.
"""

from __future__ import annotations

import http.client
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from serve_helpers import serving

from simulator.server import DEFAULT_CONNECTION_LIMIT, FILE_DESCRIPTOR_RESERVE

HELD = 1000
TIMED_REQUESTS = 10
LATENCY_LIMIT = 1.0
TRICKLE_EVERY = 0.5
TRICKLE = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99\r\n"
LAUNCH = urlencode([("Action", "RunInstances"), ("ImageId", "ami-00000001")])


def _enough_descriptors(needed: int) -> None:
    """This process holds the client side of every connection: raise its soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            pytest.skip(f"the hard limit of open files ({hard}) is below {needed}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


@contextmanager
def trickling(sockets: list[socket.socket]) -> Iterator[None]:
    """Every socket sends the next byte of an unfinished request every ``TRICKLE_EVERY`` s."""
    stop = threading.Event()

    def run() -> None:
        sent = 0
        while not stop.wait(TRICKLE_EVERY):
            byte = TRICKLE[sent % len(TRICKLE) : sent % len(TRICKLE) + 1]
            for sock in sockets:
                sock.send(byte)
            sent += 1

    thread = threading.Thread(target=run, name="trickle", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def timed_launch(host: str, port: int) -> float:
    began = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request("GET", f"/?{LAUNCH}")
        response = connection.getresponse()
        assert response.status == 200, response.read()
        response.read()
    finally:
        connection.close()
    return time.perf_counter() - began


def still_open(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)


@pytest.mark.parametrize("kind", ["idle", "trickling"])
def test_a_thousand_held_connections_leave_a_new_request_answered_within_a_second(
    kind: str, tmp_path: Path, report_figure: Callable[[str], None]
) -> None:
    _enough_descriptors(HELD + 256)
    with serving("--store", str(tmp_path / "store.json")) as served:
        url = urlsplit(served.endpoint)
        host, port = url.hostname or "", url.port or 0
        sockets = [socket.create_connection((host, port), timeout=10) for _ in range(HELD)]
        try:
            with trickling(sockets) if kind == "trickling" else nullcontext():
                if kind == "trickling":
                    time.sleep(3 * TRICKLE_EVERY)
                latencies = [timed_launch(host, port) for _ in range(TIMED_REQUESTS)]
            held = sum(still_open(sock) for sock in sockets)
        finally:
            for sock in sockets:
                sock.close()
    report_figure(
        f"capacity, {HELD} {kind} connections held: a new launch answered in "
        f"{max(latencies) * 1000:.0f} ms at most ({latencies[0] * 1000:.0f} ms for the first, "
        f"{TIMED_REQUESTS} timed); {held} still open"
    )
    assert held == HELD
    assert max(latencies) < LATENCY_LIMIT, latencies


@pytest.mark.parametrize(("soft", "hard", "expected"), [(256, 8192, 4096), (256, 512, 448)])
def test_the_connection_limit_raises_the_open_file_limit_or_stays_below_it(
    soft: int, hard: int, expected: int
) -> None:
    """A server past its descriptors would fail every accept: the limit stays below them."""
    script = (
        "import resource\n"
        f"resource.setrlimit(resource.RLIMIT_NOFILE, ({soft}, {hard}))\n"
        "from simulator.server import DEFAULT_CONNECTION_LIMIT, connection_budget\n"
        "print(connection_budget(DEFAULT_CONNECTION_LIMIT),"
        " resource.getrlimit(resource.RLIMIT_NOFILE)[0])\n"
    )
    _, current_hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if current_hard != resource.RLIM_INFINITY and current_hard < hard:
        pytest.skip(f"the hard limit of open files ({current_hard}) is below {hard}")
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    budget, raised_to = map(int, done.stdout.split())
    assert budget == expected
    assert raised_to == min(hard, DEFAULT_CONNECTION_LIMIT + FILE_DESCRIPTOR_RESERVE)
