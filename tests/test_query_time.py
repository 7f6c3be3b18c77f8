"""Nova Grizzly's Timestamp/Expires check, which applied whatever the auth middleware, and
the plain 400 page its middleware gave a query-signed request missing a key it pops."""

from __future__ import annotations

import http.client
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

import pytest

from simulator import Simulator
from simulator.auth import NoAuth
from simulator.httprequest import HttpRequest
from simulator.server import EC2App, Exchange, ServerHandle
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
        ((("Timestamp", "2026-11-25T12:04:00.123Z"),), (200, None)),
        ((("Timestamp", "2026-11-25T12:04:00.5Z"),), (403, "RequestExpired")),
        ((("Timestamp", "2026-11-25T12:04:00.12Z"),), (403, "RequestExpired")),
        ((("Timestamp", "2026-11-25T12:04:00.1234567Z"),), (403, "RequestExpired")),
        ((("Timestamp", "2026-11-25T12:04:00.Z"),), (403, "RequestExpired")),
        ((("Timestamp", "2026-11-25T12:04:00"),), (403, "RequestExpired")),
        ((("Timestamp", "\u0662026-11-25T12:04:00Z"),), (403, "RequestExpired")),
        ((("Timestamp", "2026-11-25T12:04:00.\u0661\u0662\u0663Z"),), (403, "RequestExpired")),
        ((("Timestamp", "2026-11-25T11:54:59Z"),), (403, "RequestExpired")),
        ((("Timestamp", "2026-11-25T12:05:01Z"),), (403, "RequestExpired")),
        ((("Timestamp", "yesterday"),), (403, "RequestExpired")),
        ((("Timestamp", "2026-11-25T12:00:00+00:00"),), (403, "RequestExpired")),
        ((("Expires", "2026-11-25T13:00:00Z"),), (200, None)),
        ((("Expires", "2026-11-25T11:59:59Z"),), (403, "RequestExpired")),
        ((("Expires", "2026-11-25T12:00:00Z"),), (403, "RequestExpired")),
        ((("Expires", "2026-11-25T12:00:00.999Z"),), (403, "RequestExpired")),
        ((("Expires", "2026-11-25T12:00:01Z"),), (200, None)),
        ((("Expires", "2026-11-25T12:00:01.5Z"),), (403, "RequestExpired")),
        (
            (("Timestamp", "2026-11-25T12:00:00Z"), ("Expires", "2026-11-25T13:00:00Z")),
            (400, "InvalidParameterValue"),
        ),
    ],
)
def test_query_time_under_auth_none(
    extra: tuple[tuple[str, str], ...], expected: tuple[int, str | None]
) -> None:
    """Grizzly 2013.1.5: whole seconds, or 3 to 6 fraction digits (``_ms_time_regex``);
    ``Expires`` a second ahead at least (``is_older_than(expires, -1)``)."""
    assert answer(*extra) == expected


HTML_400 = (
    b"<html>\n <head>\n  <title>400 Bad Request</title>\n </head>\n <body>\n  <h1>400 Bad "
    b"Request</h1>\n  The server could not comply with the request since it is either "
    b"malformed or otherwise incorrect.<br /><br />\n\n\n\n </body>\n</html>"
)
"""WebOb 1.2.3's page, its explanation on one line as ``webob.exc`` rewrote it on loading."""
PLAIN_400 = (
    b"400 Bad Request\n\nThe server could not comply with the request since it is either "
    b"malformed or otherwise incorrect.\n\n   "
)


@pytest.mark.parametrize(
    ("accept", "content_type", "body_start"),
    [
        (None, "text/plain; charset=UTF-8", PLAIN_400),
        ("application/xml", "text/plain; charset=UTF-8", PLAIN_400),
        ("*/*", "text/html; charset=UTF-8", HTML_400),
        ("text/html", "text/html; charset=UTF-8", b"<html>\n <head>\n  <title>400 Bad Request"),
    ],
)
def test_a_query_signed_request_without_timestamp_gets_webobs_page_over_http(
    accept: str | None, content_type: str, body_start: bytes
) -> None:
    """Grizzly's Requestify popped ``Timestamp``: its KeyError was webob's bare 400 page,
    plain or HTML by ``Accept`` as WebOb 1.2.3 chose; the recorder is told no parameters."""
    exchanges: list[Exchange] = []
    app = EC2App(EC2Service(Simulator.from_seed()), on_exchange=exchanges.append)
    params = [
        ("Action", "RunInstances"),
        ("ImageId", "ami-00000001"),
        ("Version", "2012-08-15"),
        ("AWSAccessKeyId", "admin"),
        ("SignatureMethod", "HmacSHA256"),
        ("SignatureVersion", "2"),
        ("Signature", "unchecked"),
    ]
    with ServerHandle(app) as server:
        url = urlsplit(server.endpoint)
        connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
        headers = {} if accept is None else {"Accept": accept}
        connection.request("GET", f"/?{urlencode(params)}", headers=headers)
        response = connection.getresponse()
        body = response.read()
        connection.close()
    assert (response.status, response.getheader("Content-Type")) == (400, content_type)
    assert body.startswith(body_start)
    assert response.getheader("Content-Length") == str(len(body))
    [exchange] = exchanges
    assert (exchange.params, exchange.outcome.status, exchange.outcome.error_code) == (
        (),
        400,
        None,
    )
    assert not app.service.sim.compute.calls


QUERY_SIGNED = [
    ("Action", "RunInstances"),
    ("ImageId", "ami-00000001"),
    ("Version", "2012-08-15"),
    ("AWSAccessKeyId", "admin"),
    ("Signature", "unchecked"),
]


def signed_answer(*extra: tuple[str, str]) -> tuple[int, str | None, bytes]:
    app = EC2App(EC2Service(Simulator.from_seed()), authenticator=NoAuth(clock=lambda: NOW))
    query = urlencode([*QUERY_SIGNED, *extra]).encode()
    outcome = app.respond(HttpRequest("GET", "http", "127.0.0.1", "/", query, {}, b""))
    return outcome.status, outcome.error_code, outcome.body


def test_both_times_are_refused_before_requestifys_keys_are_looked_for() -> None:
    """Requestify's time check (``init:311@2013.1.5``) ran before its key pops: a request
    with both times and no ``SignatureMethod`` is refused for the times."""
    both = (("Timestamp", "2026-11-25T12:00:00Z"), ("Expires", "2026-11-25T13:00:00Z"))
    status, code, _ = signed_answer(("SignatureVersion", "2"), *both)
    assert (status, code) == (400, "InvalidParameterValue")
    assert signed_answer(("SignatureVersion", "2"), both[0])[:2] == (400, None)


@pytest.mark.parametrize(("version", "status"), [("+ 1", 200), ("- 1", 400), ("1_0", 400)])
def test_signature_version_is_read_by_python_2s_int(version: str, status: int) -> None:
    """``int(version) == 1`` (``init:322@2013.1.5``): Python 2 read ``+ 1`` as 1, so no
    ``SignatureMethod`` is needed; ``- 1`` needs one (a plain 400 without); ``1_0`` is no
    number (FaultWrapper, which the grizzly profile answers ``UnknownError``)."""
    extra = (("SignatureVersion", version), ("Timestamp", "2026-11-25T12:00:00Z"))
    assert signed_answer(*extra)[0] == status


def test_an_empty_access_key_is_user_and_project_nothing() -> None:
    """NoAuth checked only that ``AWSAccessKeyId`` was there (``init:283-293@2013.1.5``):
    ``''`` is user ``''`` of project ``''``, not the default admin."""
    extra = (
        ("SignatureVersion", "2"),
        ("SignatureMethod", "HmacSHA256"),
        ("Timestamp", "2026-11-25T12:00:00Z"),
    )
    params = [(name, "" if name == "AWSAccessKeyId" else value) for name, value in QUERY_SIGNED]
    app = EC2App(EC2Service(Simulator.from_seed()), authenticator=NoAuth(clock=lambda: NOW))
    query = urlencode([*params, *extra]).encode()
    outcome = app.respond(HttpRequest("GET", "http", "127.0.0.1", "/", query, {}, b""))
    assert outcome.status == 200
    assert b"<ownerId></ownerId>" in outcome.body
    assert b"<keyName>None (, None)</keyName>" in outcome.body


@pytest.mark.parametrize(
    ("query_time", "body_time", "expected"),
    [
        ("2026-11-25T11:00:00Z", "2026-11-25T12:00:00Z", (403, "RequestExpired")),
        ("2026-11-25T12:00:00Z", "2026-11-25T11:00:00Z", (200, None)),
    ],
)
def test_a_name_in_both_query_and_form_body_reads_as_the_querys(
    query_time: str, body_time: str, expected: tuple[int, str | None]
) -> None:
    """``req.params[name]`` looked in the query before the body (webob's ``NestedMultiDict``),
    so the time check, the Validator and the arguments read the query's value."""
    app = EC2App(EC2Service(Simulator.from_seed()), authenticator=NoAuth(clock=lambda: NOW))
    body = urlencode(
        [("Action", "RunInstances"), ("ImageId", "ami-00000001"), ("Timestamp", body_time)]
    )
    query = urlencode([("Timestamp", query_time)]).encode()
    headers = {"content-type": "application/x-www-form-urlencoded"}
    request = HttpRequest("POST", "http", "127.0.0.1", "/", query, headers, body.encode())
    outcome = app.respond(request)
    assert (outcome.status, outcome.error_code) == expected
