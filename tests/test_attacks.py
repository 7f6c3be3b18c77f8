"""``--auth sigv4`` under attack, over real HTTP: every forged, altered or stale request refused.

Requests are built byte by byte (duplicate headers included) and signed here by an
independent implementation of the SigV4 and SigV2 rules, so an attack can alter exactly one
thing after or during signing. The server's clock is a fake one the test moves, so a request
captured now can be replayed after the five-minute window. Valid requests (controls) must be
accepted, or a server refusing everything would pass.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import boto3
import pytest

from simulator import Simulator
from simulator.auth import SignatureAuth
from simulator.server import EC2App, ServerHandle
from simulator.service import EC2Service

ALICE, ALICE_SECRET = "alice:lab", "alice-secret-0123456789"
BOB, BOB_SECRET = "bob:lab", "bob-secret-9876543210"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
LAUNCH = [
    ("Action", "RunInstances"),
    ("ImageId", "ami-00000001"),
    ("MinCount", "1"),
    ("MaxCount", "1"),
    ("Version", "2016-11-15"),
]
REFUSALS = {"AuthFailure", "SignatureDoesNotMatch", "RequestExpired"}


@dataclass
class Clock:
    """The server's clock: real time moved by ``offset``."""

    offset: timedelta = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass(frozen=True)
class Raw:
    """An HTTP request exactly as it will be sent: headers in order, repeats allowed."""

    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def with_header(self, name: str, value: str) -> Raw:
        kept = tuple(pair for pair in self.headers if pair[0].lower() != name.lower())
        return replace(self, headers=(*kept, (name, value)))

    def header(self, name: str) -> str:
        return next(value for key, value in self.headers if key.lower() == name.lower())


@dataclass
class Target:
    """The server under attack, as a signer needs it."""

    host: str
    port: int
    clock: Clock
    sim: Simulator


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")


def _canonical_query(pairs: list[tuple[str, str]]) -> str:
    return "&".join(sorted(f"{_encode(name)}={_encode(value)}" for name, value in pairs))


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def form(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{_encode(name)}={_encode(value)}" for name, value in pairs)


def request(target: Target, pairs: list[tuple[str, str]], *, get: bool = False) -> Raw:
    """An unsigned launch: POST form body, or GET with the parameters in the query."""
    host = ("Host", f"{target.host}:{target.port}")
    if get:
        return Raw("GET", "/", form(pairs), (host,), b"")
    return Raw("POST", "/", "", (host, ("Content-Type", FORM)), form(pairs).encode())


def sigv4(
    raw: Raw,
    key: str,
    secret: str,
    *,
    at: datetime,
    region: str = "nova",
    service: str = "ec2",
    scope_date: str | None = None,
    signed: tuple[str, ...] = ("content-type", "host", "x-amz-date"),
) -> Raw:
    """SigV4 from the specification: canonical request, string to sign, derived key."""
    amz_date = at.strftime("%Y%m%dT%H%M%SZ")
    raw = raw.with_header("X-Amz-Date", amz_date)
    present = {name.lower(): " ".join(value.split()) for name, value in raw.headers}
    names = sorted(name for name in signed if name in present)
    canonical = "\n".join(
        [
            raw.method,
            raw.path,
            _canonical_query(parse_qsl(raw.query, keep_blank_values=True)),
            "".join(f"{name}:{present[name]}\n" for name in names),
            ";".join(names),
            hashlib.sha256(raw.body).hexdigest(),
        ]
    )
    scope = f"{scope_date or amz_date[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    signing_key = f"AWS4{secret}".encode()
    for part in scope.split("/"):
        signing_key = _hmac(signing_key, part)
    signature = hmac.new(signing_key, to_sign.encode(), hashlib.sha256).hexdigest()
    return raw.with_header(
        "Authorization",
        f"AWS4-HMAC-SHA256 Credential={key}/{scope}, SignedHeaders={';'.join(names)}, "
        f"Signature={signature}",
    )


def sigv2(
    target: Target,
    pairs: list[tuple[str, str]],
    key: str,
    secret: str,
    *,
    at: datetime,
    method: str = "HmacSHA256",
    time_param: str = "Timestamp",
    signed_for: tuple[str, str] = ("POST", "/"),
) -> list[tuple[str, str]]:
    """SigV2 from the specification: the parameters with their ``Signature`` added."""
    signing = [
        *pairs,
        ("AWSAccessKeyId", key),
        ("SignatureMethod", method),
        ("SignatureVersion", "2"),
        (time_param, at.strftime("%Y-%m-%dT%H:%M:%SZ")),
    ]
    verb, path = signed_for
    to_sign = f"{verb}\n{target.host}:{target.port}\n{path}\n{_canonical_query(signing)}"
    digest = hashlib.sha256 if method == "HmacSHA256" else hashlib.sha1
    signature = hmac.new(secret.encode(), to_sign.encode(), digest).digest()
    return [*signing, ("Signature", base64.b64encode(signature).decode())]


def send(target: Target, raw: Raw) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(target.host, target.port, timeout=60)
    try:
        url = raw.path + (f"?{raw.query}" if raw.query else "")
        connection.putrequest(raw.method, url, skip_host=True, skip_accept_encoding=True)
        for name, value in raw.headers:
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(raw.body)))
        connection.endheaders(raw.body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- the matrix --------------------------------------------------------------------------------

Case = Callable[[Target], Raw]
NOW = timedelta(0)


def signed(target: Target, **options: Any) -> Raw:
    """A valid SigV4 launch by alice, signed now (by the server's clock)."""
    return sigv4(request(target, LAUNCH), ALICE, ALICE_SECRET, at=target.clock.now(), **options)


def signed_get(target: Target) -> Raw:
    return sigv4(request(target, LAUNCH, get=True), ALICE, ALICE_SECRET, at=target.clock.now())


def reauthorized(raw: Raw, **changes: str) -> Raw:
    header = raw.header("Authorization")
    for old, new in changes.items():
        header = header.replace(old, new)
    return raw.with_header("Authorization", header)


def tampered_body(raw: Raw, old: bytes, new: bytes) -> Raw:
    return replace(raw, body=raw.body.replace(old, new))


def v2(target: Target, **options: Any) -> list[tuple[str, str]]:
    return sigv2(target, LAUNCH, ALICE, ALICE_SECRET, at=target.clock.now(), **options)


def edited(pairs: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    return [(key, value if key == name else old) for key, old in pairs]


def without_header(raw: Raw, name: str) -> Raw:
    return replace(raw, headers=tuple(pair for pair in raw.headers if pair[0] != name))


def resigned(raw: Raw, change: Callable[[str], str]) -> Raw:
    """``raw`` with its signature replaced by ``change(signature)``."""
    signature = raw.header("Authorization").rpartition("Signature=")[2]
    return reauthorized(raw, **{signature: change(signature)})


def requeried(raw: Raw, old: str, new: str) -> Raw:
    return replace(raw, query=raw.query.replace(old, new))


def authorized_twice(raw: Raw, second: Callable[[str], str]) -> Raw:
    """``raw`` with a second ``Authorization`` header, ``second`` of its first."""
    return replace(
        raw, headers=(*raw.headers, ("Authorization", second(raw.header("Authorization"))))
    )


CONTROLS: dict[str, tuple[Case, timedelta]] = {
    "sigv4-post": (signed, NOW),
    "sigv4-get-query": (signed_get, NOW),
    "sigv4-bob": (lambda t: sigv4(request(t, LAUNCH), BOB, BOB_SECRET, at=t.clock.now()), NOW),
    "sigv4-other-region": (lambda t: signed(t, region="RegionOne"), NOW),
    "sigv4-payload-hash-signed": (
        lambda t: sigv4(
            request(t, LAUNCH).with_header(
                "X-Amz-Content-Sha256", hashlib.sha256(form(LAUNCH).encode()).hexdigest()
            ),
            ALICE,
            ALICE_SECRET,
            at=t.clock.now(),
            signed=("content-type", "host", "x-amz-content-sha256", "x-amz-date"),
        ),
        NOW,
    ),
    "sigv4-4-minutes-old": (signed, timedelta(minutes=4)),
    "sigv2-sha256": (lambda t: request(t, v2(t)), NOW),
    "sigv2-sha1": (lambda t: request(t, v2(t, method="HmacSHA1")), NOW),
}

ATTACKS: dict[str, tuple[Case, timedelta]] = {
    # no or unusable credentials
    "unsigned": (lambda t: request(t, LAUNCH), NOW),
    "unknown-key-own-secret": (
        lambda t: sigv4(request(t, LAUNCH), "mallory", "mallory-secret", at=t.clock.now()),
        NOW,
    ),
    "missing-x-amz-date": (lambda t: without_header(signed(t), "X-Amz-Date"), NOW),
    "empty-access-key": (lambda t: reauthorized(signed(t), **{ALICE: ""}), NOW),
    "credential-extra-component": (
        lambda t: reauthorized(signed(t), aws4_request="aws4_request/extra"),
        NOW,
    ),
    "algorithm-lowercase": (
        lambda t: reauthorized(signed(t), **{"AWS4-HMAC-SHA256": "aws4-hmac-sha256"}),
        NOW,
    ),
    "presigned-query-forged": (
        lambda t: replace(
            request(t, LAUNCH),
            query=form([("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Signature", "0" * 64)]),
        ),
        NOW,
    ),
    # forged or borrowed signatures
    "forged-signature": (lambda t: resigned(signed(t), lambda signature: "0" * 64), NOW),
    "signature-truncated": (lambda t: resigned(signed(t), lambda signature: signature[:-1]), NOW),
    "signature-uppercased": (lambda t: resigned(signed(t), str.upper), NOW),
    "wrong-secret": (
        lambda t: sigv4(request(t, LAUNCH), ALICE, "guessed-secret", at=t.clock.now()),
        NOW,
    ),
    "bobs-signature-as-alice": (
        lambda t: reauthorized(
            sigv4(request(t, LAUNCH), BOB, BOB_SECRET, at=t.clock.now()), **{BOB: ALICE}
        ),
        NOW,
    ),
    # a genuine request altered after signing
    "tampered-body": (
        lambda t: tampered_body(signed(t), b"ami-00000001", b"ami-00000002"),
        NOW,
    ),
    "tampered-body-payload-hash-updated": (
        lambda t: tampered_body(signed(t), b"MaxCount=1", b"MaxCount=9").with_header(
            "X-Amz-Content-Sha256",
            hashlib.sha256(form(edited(LAUNCH, "MaxCount", "9")).encode()).hexdigest(),
        ),
        NOW,
    ),
    "appended-body-parameter": (
        lambda t: tampered_body(signed(t), b"Version=", b"InstanceType=m1.xlarge&Version="),
        NOW,
    ),
    "tampered-query": (lambda t: requeried(signed_get(t), "ami-00000001", "aki-00000002"), NOW),
    "appended-query-parameter": (
        lambda t: requeried(signed_get(t), "Version=", "MaxCount=5&Version="),
        NOW,
    ),
    "duplicated-query-parameter": (
        lambda t: requeried(signed_get(t), "Version=", "ImageId=ami-00000002&Version="),
        NOW,
    ),
    "method-changed": (lambda t: replace(signed(t), method="PUT"), NOW),
    "path-changed": (lambda t: replace(signed(t), path="/services/Cloud/"), NOW),
    "host-changed": (lambda t: signed(t).with_header("Host", "ec2.example.com"), NOW),
    "content-type-changed": (
        lambda t: signed(t).with_header("Content-Type", "text/plain"),
        NOW,
    ),
    # an unsigned Content-Type decides whether the signed body is parameters
    "content-type-unsigned": (lambda t: signed(t, signed=("host", "x-amz-date")), NOW),
    "content-type-unsigned-then-flipped": (
        lambda t: sigv4(
            replace(request(t, LAUNCH), query=form(LAUNCH), body=b"MaxCount=5"),
            ALICE,
            ALICE_SECRET,
            at=t.clock.now(),
            signed=("host", "x-amz-date"),
        ).with_header("Content-Type", "text/plain"),
        NOW,
    ),
    "body-without-content-type": (
        lambda t: sigv4(
            without_header(request(t, LAUNCH), "Content-Type"),
            ALICE,
            ALICE_SECRET,
            at=t.clock.now(),
        ),
        NOW,
    ),
    "date-header-refreshed": (
        lambda t: sigv4(
            request(t, LAUNCH), ALICE, ALICE_SECRET, at=t.clock.now() - timedelta(minutes=10)
        ).with_header("X-Amz-Date", t.clock.now().strftime("%Y%m%dT%H%M%SZ")),
        NOW,
    ),
    # scope games
    "scope-region-edited": (lambda t: reauthorized(signed(t), **{"/nova/": "/other/"}), NOW),
    "scope-service-s3": (lambda t: signed(t, service="s3"), NOW),
    "scope-date-mismatch": (lambda t: signed(t, scope_date="20000101"), NOW),
    "host-not-signed": (lambda t: signed(t, signed=("content-type", "x-amz-date")), NOW),
    # duplicated or mixed credentials
    "duplicated-authorization-same": (lambda t: authorized_twice(signed(t), str), NOW),
    "duplicated-authorization-other-key-second": (
        lambda t: authorized_twice(signed(t), lambda header: header.replace(ALICE, BOB)),
        NOW,
    ),
    "garbage-header-with-valid-sigv2": (
        lambda t: request(t, v2(t)).with_header("Authorization", "AWS4-HMAC-SHA256 x"),
        NOW,
    ),
    # the clock: captured and replayed late, or dated in the future
    "sigv4-replayed-6-minutes-later": (signed, timedelta(minutes=6)),
    "sigv4-replayed-a-day-later": (signed, timedelta(days=1)),
    "sigv4-dated-6-minutes-ahead": (signed, timedelta(minutes=-6)),
    # SigV2
    "sigv2-tampered-value": (
        lambda t: request(t, edited(v2(t), "ImageId", "ami-00000002")),
        NOW,
    ),
    "sigv2-added-parameter": (
        lambda t: request(t, [*v2(t), ("InstanceType", "m1.xlarge")]),
        NOW,
    ),
    "sigv2-duplicate-last-wins": (
        lambda t: request(t, [*v2(t), ("ImageId", "ami-00000002")]),
        NOW,
    ),
    "sigv2-removed-parameter": (
        lambda t: request(t, [pair for pair in v2(t) if pair[0] != "MaxCount"]),
        NOW,
    ),
    "sigv2-wrong-secret": (
        lambda t: request(t, sigv2(t, LAUNCH, ALICE, "guess", at=t.clock.now())),
        NOW,
    ),
    "sigv2-unknown-key": (
        lambda t: request(t, sigv2(t, LAUNCH, "mallory", "m", at=t.clock.now())),
        NOW,
    ),
    "sigv2-version-1": (lambda t: request(t, edited(v2(t), "SignatureVersion", "1")), NOW),
    "sigv2-hmac-md5": (lambda t: request(t, edited(v2(t), "SignatureMethod", "HmacMD5")), NOW),
    "sigv2-no-timestamp": (
        lambda t: request(t, [pair for pair in v2(t) if pair[0] != "Timestamp"]),
        NOW,
    ),
    "sigv2-signed-for-another-path": (
        lambda t: request(t, v2(t, signed_for=("POST", "/services/Cloud/"))),
        NOW,
    ),
    "sigv2-signed-for-get": (lambda t: request(t, v2(t, signed_for=("GET", "/"))), NOW),
    "sigv2-host-changed": (
        lambda t: request(t, v2(t)).with_header("Host", "ec2.example.com"),
        NOW,
    ),
    "sigv2-replayed-6-minutes-later": (lambda t: request(t, v2(t)), timedelta(minutes=6)),
    "sigv2-dated-6-minutes-ahead": (lambda t: request(t, v2(t)), timedelta(minutes=-6)),
    "sigv2-expires-passed": (
        lambda t: request(
            t,
            sigv2(
                t,
                LAUNCH,
                ALICE,
                ALICE_SECRET,
                at=t.clock.now() - timedelta(seconds=1),
                time_param="Expires",
            ),
        ),
        NOW,
    ),
}


@pytest.fixture
def target() -> Iterator[Target]:
    """A ``--auth sigv4`` server with two key pairs on a free port, its clock in the test's hand.

    A case's requests are signed at the server's current time, then the clock moves by the
    case's offset before they are sent: that is a capture replayed later.
    """
    clock = Clock()
    sim = Simulator.from_seed()
    authenticator = SignatureAuth({ALICE: ALICE_SECRET, BOB: BOB_SECRET}, clock=clock.now)
    with ServerHandle(EC2App(EC2Service(sim), authenticator=authenticator)) as server:
        url = urlsplit(server.endpoint)
        yield Target(url.hostname or "", url.port or 0, clock, sim)


def attempt(target: Target, case: tuple[Case, timedelta]) -> tuple[int, str | None, bytes]:
    build, later = case
    target.clock.offset = NOW
    raw = build(target)
    target.clock.offset = later
    status, body = send(target, raw)
    return status, ET.fromstring(body).findtext("Errors/Error/Code"), body


def test_the_attack_matrix(target: Target, report_figure: Callable[[str], None]) -> None:
    accepted = {name: attempt(target, case)[:2] for name, case in CONTROLS.items()}
    boto3.client(
        "ec2",
        endpoint_url=f"http://{target.host}:{target.port}/",
        region_name="nova",
        aws_access_key_id=ALICE,
        aws_secret_access_key=ALICE_SECRET,
    ).run_instances(ImageId="ami-00000001", MinCount=1, MaxCount=1)
    launched = len(target.sim.compute.calls)
    outcomes = {name: attempt(target, case) for name, case in ATTACKS.items()}
    admitted = sorted(name for name, (status, _, _) in outcomes.items() if status == 200)
    report_figure(
        f"auth attacks tried/admitted: {len(ATTACKS)}/{len(admitted)}; "
        f"valid requests tried/accepted: {len(CONTROLS) + 1}/"
        f"{sum(status == 200 for status, _ in accepted.values()) + 1}"
    )
    assert accepted == dict.fromkeys(CONTROLS, (200, None))
    assert admitted == []
    assert len(target.sim.compute.calls) == launched == len(CONTROLS) + 1
    for name, (status, code, body) in outcomes.items():
        assert status in (401, 403) and code in REFUSALS, (name, status, code)
        for secret in (ALICE_SECRET, BOB_SECRET, ALICE, BOB):
            assert secret.encode() not in body, name
