"""Nova Grizzly's Timestamp/Expires check, which applied whatever the auth middleware."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from simulator import Simulator
from simulator.auth import NoAuth
from simulator.httprequest import HttpRequest
from simulator.server import EC2App
from simulator.service import EC2Service

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


def answer(*extra: tuple[str, str]) -> tuple[int, str | None]:
    app = EC2App(EC2Service(Simulator.from_seed()), authenticator=NoAuth(clock=lambda: NOW))
    query = urlencode([("Action", "RunInstances"), ("ImageId", "ami-00000001"), *extra])
    request = HttpRequest("GET", "http", "127.0.0.1", "/", query.encode(), {}, b"")
    outcome = app.respond(request)
    return outcome.status, outcome.error_code


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ((), (200, None)),
        ((("Timestamp", "2026-11-25T11:56:00Z"),), (200, None)),
        ((("Timestamp", "2026-11-25T12:04:00.123456Z"),), (200, None)),
        ((("Timestamp", "2026-11-25T11:54:59Z"),), (403, "RequestExpired")),
        ((("Timestamp", "2026-11-25T12:05:01Z"),), (403, "RequestExpired")),
        ((("Timestamp", "yesterday"),), (403, "RequestExpired")),
        ((("Timestamp", "2026-11-25T12:00:00+00:00"),), (403, "RequestExpired")),
        ((("Expires", "2026-11-25T13:00:00Z"),), (200, None)),
        ((("Expires", "2026-11-25T11:59:59Z"),), (403, "RequestExpired")),
        (
            (("Timestamp", "2026-11-25T12:00:00Z"), ("Expires", "2026-11-25T13:00:00Z")),
            (400, "InvalidParameterValue"),
        ),
    ],
)
def test_query_time_under_auth_none(
    extra: tuple[tuple[str, str], ...], expected: tuple[int, str | None]
) -> None:
    assert answer(*extra) == expected
