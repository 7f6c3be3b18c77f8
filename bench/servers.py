"""HTTP servers for the benchmarks, each in a process of its own, as it is deployed.

``launch-sim serve`` and moto's ``moto_server`` are both commands a suite starts beside
itself. Run instead as threads of the benchmark's process, either server shares the GIL and
the CPU caches with the boto3 client timing it: launch-sim's figure then moved from 312 to
491 launches/s between runs of unchanged code (its answer itself takes 0.21 ms with its
caches warm, 0.65 ms with boto3's work in between), while in a process of its own it stayed
within 426-460. The canned-answer floor runs the same way (``python -m bench.servers canned
BODY_FILE``): the same waitress server launch-sim's runs, answering fixed bytes.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from simulator.server import ServerHandle

ANNOUNCED = "EC2 API at "
START_TIMEOUT = 120.0


def started(
    argv: list[str], stderr: TextIO | int = subprocess.DEVNULL
) -> tuple[subprocess.Popen[str], str]:
    """A server command that prints ``EC2 API at URL`` once listening: its process and URL."""
    server = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr, text=True)
    assert server.stdout is not None
    for line in server.stdout:
        if ANNOUNCED in line:
            return server, line.split(ANNOUNCED, 1)[1].split()[0]
    server.wait()
    raise RuntimeError(f"{' '.join(argv)} exited {server.returncode} before it listened")


def stop(server: subprocess.Popen[Any]) -> None:
    server.terminate()
    try:
        server.wait(timeout=120)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@contextlib.contextmanager
def running(argv: list[str]) -> Iterator[str]:
    """A server announcing its URL, stopped when the block ends."""
    server, endpoint = started(argv)
    try:
        yield endpoint
    finally:
        stop(server)


def launch_sim_serve(*options: str) -> contextlib.AbstractContextManager[str]:
    """``launch-sim serve --port 0 OPTIONS``; its URL."""
    return running([sys.executable, "-m", "simulator", "serve", "--port", "0", *options])


@contextlib.contextmanager
def moto_standalone() -> Iterator[str]:
    """moto's standalone server (``moto_server``) on a free port; its URL once it answers
    (the first request that succeeds is a reset, which a new process does not need)."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _until_answered(f"{endpoint}/moto-api/reset", server)
        yield endpoint
    finally:
        stop(server)


def _until_answered(url: str, server: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method="POST")):
                return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"moto_server did not answer {url}") from None
            time.sleep(0.05)


@contextlib.contextmanager
def canned(body: bytes) -> Iterator[str]:
    """A waitress server answering every request with ``body``; its URL."""
    with tempfile.NamedTemporaryFile(suffix=".xml") as answer:
        answer.write(body)
        answer.flush()
        with running([sys.executable, "-m", "bench.servers", "canned", answer.name]) as endpoint:
            yield endpoint


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def canned_app(body: bytes) -> Callable[..., list[bytes]]:
    """A WSGI app reading each request whole and answering ``body``, as launch-sim's answers."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response("200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
        return [body]

    return app


def serve_canned(path: Path) -> None:
    """Serve the bytes of ``path`` on a free port (answered in the I/O loop, as launch-sim's
    server answers) until terminated."""
    handle = ServerHandle(canned_app(path.read_bytes()), answer_in_loop=True)
    print(f"{ANNOUNCED}{handle.endpoint}", flush=True)
    handle.serve_forever()


if __name__ == "__main__":
    if sys.argv[1:2] != ["canned"] or len(sys.argv) != 3:
        raise SystemExit("usage: python -m bench.servers canned BODY_FILE")
    serve_canned(Path(sys.argv[2]))
