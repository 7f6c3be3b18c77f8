"""A fake Glance v2 on a local port: the two calls of Nova's launch path, and canned failures.

``fixtures/cassettes/record_corpus.py`` records the Glance cassette against it and
``test_glance.py`` launches against it, so both talk to one Glance. ``GET /v2/images/{id}``
(glanceclient's ``images.get``, Nova's ``show``) answers the image or a 404, and
``GET /v2/images?name=...`` (``images.list``, Nova's ``detail``) lists the images of that
name. What differs between the two is data: the images, the ids with a canned answer (a 500,
a body that is no JSON) and the ids Glance never answers (a request that times out).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

IMAGES_PATH = "/v2/images"


@dataclass(frozen=True)
class FakeGlance:
    """What the fake holds: images by id (v2 shape: custom properties are top-level keys),
    a ``(status, body)`` answer for some ids, and ids left unanswered until it stops."""

    images: Mapping[str, dict[str, Any]]
    answers: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    stuck: frozenset[str] = frozenset()

    @contextmanager
    def serving(self) -> Iterator[str]:
        """Serve on a free 127.0.0.1 port for the block, which gets the base URL; the
        requests left unanswered are let go when it ends."""
        server = _Server(self)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.release.set()
            server.shutdown()
            server.server_close()


class _Server(ThreadingHTTPServer):
    def __init__(self, glance: FakeGlance) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.glance = glance
        self.release = threading.Event()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        glance = self.server.glance
        url = urlsplit(self.path)
        if url.path == IMAGES_PATH:
            name = parse_qs(url.query).get("name", [""])[0]
            found = [image for image in glance.images.values() if image["name"] == name]
            return self._send(200, json.dumps({"images": found, "first": IMAGES_PATH}))
        image_id = url.path.rsplit("/", 1)[-1]
        if image_id in glance.stuck:
            self.server.release.wait()
            return None
        if image_id in glance.answers:
            return self._send(*glance.answers[image_id])
        image = glance.images.get(image_id)
        if image is None:
            return self._send(404, "404 Not Found")
        return self._send(200, json.dumps(image))

    def _send(self, status: int, body: str) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass
