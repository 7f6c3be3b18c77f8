"""``launch-sim serve`` as a real process, for tests that need the whole command.

A module, not a conftest: the tests that use it call :func:`serving` with their own options.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

ENDPOINT = re.compile(r"EC2 API at (http://127\.0\.0\.1:\d+/)")


@dataclass
class Served:
    """A running ``launch-sim serve``; once stopped, what it printed and how it exited."""

    endpoint: str
    process: subprocess.Popen[str]
    stdout: str = ""
    stderr: str = ""
    returncode: int | None = None


def serve_command(*options: str) -> list[str]:
    """The argv of ``launch-sim serve`` on a free port (printed on startup) with ``options``."""
    return [sys.executable, "-m", "simulator", "serve", "--port", "0", *options]


def _answered(endpoint: str) -> None:
    """Wait for one answer: the serving loop runs only once the signal handlers are set."""
    url = urlsplit(endpoint)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=60)
    try:
        connection.request("GET", "/")
        connection.getresponse().read()
    finally:
        connection.close()


@contextmanager
def serving(*options: str) -> Iterator[Served]:
    """``launch-sim serve --port 0 OPTIONS`` until the block ends, then SIGTERM (a clean stop).

    stderr goes to a file, so a chatty server never blocks on a full pipe; stdout (three
    lines) is read through the same buffer that found the endpoint, so nothing is lost.
    """
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(
            serve_command(*options),
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert process.stdout is not None
        first_line = process.stdout.readline()
        found = ENDPOINT.search(first_line)
        if found is None:
            process.kill()
            process.wait(timeout=60)
            stderr.seek(0)
            raise AssertionError(f"launch-sim serve did not start: {first_line}{stderr.read()}")
        served = Served(found.group(1), process)
        try:
            _answered(served.endpoint)
            yield served
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            served.stdout = first_line + process.stdout.read()
            process.stdout.close()
            served.returncode = process.wait(timeout=120)
            stderr.seek(0)
            served.stderr = stderr.read()
