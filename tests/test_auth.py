"""Signature checks of ``--auth sigv4`` and the access key of ``--auth none``, without HTTP.

Requests are signed by botocore's own signers, as a real client signs them; HmacSHA1 (which
botocore cannot sign) is signed by an independent implementation of the SigV2 rules here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from botocore.auth import SigV2Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from simulator.auth import (
    UNSIGNED_CONTENT_TYPE,
    NoAuth,
    PlainBadRequest,
    SignatureAuth,
    claimed_access_key,
)
from simulator.ec2query import REQUESTIFY_KEYS
from simulator.errors import (
    AuthFailure,
    EC2Error,
    InvalidParameterValue,
    RequestExpired,
    SignatureDoesNotMatch,
    UnknownError,
)
from simulator.httprequest import HttpRequest, form_pairs
from simulator.mock import http_request

HOST = "127.0.0.1:8773"
KEY, SECRET = "alice:demo", "s3cret-value"
BODY = "Action=RunInstances&ImageId=ami-00000001&MinCount=1&MaxCount=1&Version=2016-11-15"
FORM = "application/x-www-form-urlencoded; charset=utf-8"


def sigv4_request(
    body: str = BODY,
    secret: str = SECRET,
    key: str = KEY,
    region: str = "nova",
    service: str = "ec2",
) -> HttpRequest:
    """A POST signed now with SigV4, as the server receives it (the host header included)."""
    request = AWSRequest(
        method="POST", url=f"http://{HOST}/", data=body.encode(), headers={"Content-Type": FORM}
    )
    SigV4Auth(Credentials(key, secret), service, region).add_auth(request)
    return signed_as_received(request)


def signed_as_received(request: AWSRequest) -> HttpRequest:
    """A request botocore signed, as the server receives it (the host header included)."""
    received = http_request(request.prepare())
    return HttpRequest(
        received.method,
        received.scheme,
        received.host,
        received.path,
        received.query,
        {**received.headers, "host": HOST},
        received.body,
    )


def with_headers(request: HttpRequest, **headers: str) -> HttpRequest:
    return HttpRequest(
        request.method,
        request.scheme,
        request.host,
        request.path,
        request.query,
        {**request.headers, **headers},
        request.body,
    )


def sigv2_params(secret: str = SECRET, key: str = KEY) -> list[tuple[str, str]]:
    """SigV2 query parameters signed now by botocore (HmacSHA256)."""
    params = dict(form_pairs(BODY.encode()))
    request = AWSRequest(method="POST", url=f"http://{HOST}/", data=params)
    SigV2Auth(Credentials(key, secret)).add_auth(request)
    return list(request.data.items())


def sigv2_sha1_signature(params: dict[str, str], secret: str) -> str:
    """SigV2 with HmacSHA1, written from the SigV2 rules (not with botocore)."""
    canonical = "&".join(
        f"{quote(name, safe='-_.~')}={quote(value, safe='-_.~')}"
        for name, value in sorted(params.items())
        if name != "Signature"
    )
    string_to_sign = f"POST\n{HOST}\n/\n{canonical}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def form_request(params: list[tuple[str, str]]) -> HttpRequest:
    body = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params).encode()
    return HttpRequest("POST", "http", HOST, "/", b"", {"host": HOST, "content-type": FORM}, body)


def auth(skew: timedelta = timedelta(0)) -> SignatureAuth:
    return SignatureAuth({KEY: SECRET}, clock=lambda: datetime.now(UTC) + skew)


def check(authenticator: SignatureAuth, request: HttpRequest) -> str | None:
    return authenticator.authenticate(request, request.params())


def refusal(authenticator: SignatureAuth, request: HttpRequest) -> EC2Error:
    with pytest.raises(EC2Error) as caught:
        check(authenticator, request)
    return caught.value


# --- SigV4 ---------------------------------------------------------------------------------


def test_sigv4_with_the_right_secret_is_accepted() -> None:
    assert check(auth(), sigv4_request()) == KEY


def test_sigv4_any_region_is_accepted() -> None:
    assert check(auth(), sigv4_request(region="RegionOne")) == KEY


SIGV4_REFUSALS: dict[str, tuple[Callable[[], HttpRequest], type[EC2Error]]] = {
    "wrong-secret": (lambda: sigv4_request(secret="not-the-secret"), SignatureDoesNotMatch),
    "unknown-key": (lambda: sigv4_request(key="mallory"), AuthFailure),
    "other-service": (lambda: sigv4_request(service="s3"), SignatureDoesNotMatch),
    "payload-hash": (
        lambda: with_headers(sigv4_request(), **{"x-amz-content-sha256": "0" * 64}),
        SignatureDoesNotMatch,
    ),
    "malformed": (
        lambda: with_headers(sigv4_request(), authorization="AWS4-HMAC-SHA256 nonsense"),
        AuthFailure,
    ),
    "other-scheme": (
        lambda: with_headers(sigv4_request(), authorization="Basic YWxpY2U6cHc="),
        AuthFailure,
    ),
    "garbage-date": (
        lambda: with_headers(sigv4_request(), **{"x-amz-date": "yesterday"}),
        InvalidParameterValue,
    ),
    "date-outside-scope": (
        lambda: with_headers(sigv4_request(), **{"x-amz-date": "20000101T000000Z"}),
        SignatureDoesNotMatch,
    ),
    "unsigned": (
        lambda: HttpRequest("POST", "http", HOST, "/", b"", {"host": HOST}, BODY.encode()),
        AuthFailure,
    ),
}


@pytest.mark.parametrize("case", SIGV4_REFUSALS)
def test_sigv4_refusals(case: str) -> None:
    make_request, error = SIGV4_REFUSALS[case]
    assert type(refusal(auth(), make_request())) is error


def test_sigv4_tampered_body_is_refused() -> None:
    signed = sigv4_request()
    tampered = HttpRequest(
        signed.method,
        signed.scheme,
        signed.host,
        signed.path,
        signed.query,
        signed.headers,
        signed.body.replace(b"ami-00000001", b"ami-00000002"),
    )
    assert type(refusal(auth(), tampered)) is SignatureDoesNotMatch


def test_sigv4_missing_signed_header_is_refused() -> None:
    signed = sigv4_request()
    headers = {name: value for name, value in signed.headers.items() if name != "content-type"}
    stripped = HttpRequest("POST", "http", HOST, "/", b"", headers, signed.body)
    assert type(refusal(auth(), stripped)) is SignatureDoesNotMatch


def test_botocore_signs_the_content_type_of_an_ec2_form_post() -> None:
    """What boto3 and the AWS CLI send keeps working under the unsigned Content-Type rule."""
    request = sigv4_request()
    signed = request.headers["authorization"].partition("SignedHeaders=")[2].partition(",")[0]
    assert "content-type" in signed.split(";")
    assert check(auth(), request) == KEY


def test_a_sigv4_body_whose_content_type_is_not_signed_is_refused() -> None:
    """SigV4 covers the body's bytes, not whether they are parameters: Content-Type decides."""
    request = AWSRequest(method="POST", url=f"http://{HOST}/", data=BODY.encode())
    SigV4Auth(Credentials(KEY, SECRET), "ec2", "nova").add_auth(request)
    unsigned_type = with_headers(signed_as_received(request), **{"content-type": FORM})
    error = refusal(auth(), unsigned_type)
    assert type(error) is AuthFailure
    assert error.message == UNSIGNED_CONTENT_TYPE
    bodiless = AWSRequest(method="GET", url=f"http://{HOST}/?{BODY}")
    SigV4Auth(Credentials(KEY, SECRET), "ec2", "nova").add_auth(bodiless)
    assert check(auth(), signed_as_received(bodiless)) == KEY


@pytest.mark.parametrize("skew", [timedelta(minutes=6), timedelta(minutes=-6)])
def test_sigv4_stale_or_future_date_is_expired(skew: timedelta) -> None:
    error = refusal(auth(skew), sigv4_request())
    assert type(error) is RequestExpired
    assert error.code == "RequestExpired"


def test_sigv4_within_five_minutes_is_fresh() -> None:
    assert check(auth(timedelta(minutes=4)), sigv4_request()) == KEY


def test_signature_is_checked_before_the_clock() -> None:
    error = refusal(auth(timedelta(hours=1)), sigv4_request(secret="x"))
    assert type(error) is SignatureDoesNotMatch


# --- SigV2 ---------------------------------------------------------------------------------


def test_sigv2_hmac_sha256_signed_by_botocore_is_accepted() -> None:
    assert check(auth(), form_request(sigv2_params())) == KEY


def test_sigv2_hmac_sha1_is_accepted() -> None:
    params = dict(sigv2_params())
    params["SignatureMethod"] = "HmacSHA1"
    params["Signature"] = sigv2_sha1_signature(params, SECRET)
    assert check(auth(), form_request(list(params.items()))) == KEY


def test_sigv2_in_a_get_query_string_is_accepted() -> None:
    params = dict(form_pairs(BODY.encode()))
    request = AWSRequest(method="GET", url=f"http://{HOST}/", params=params)
    SigV2Auth(Credentials(KEY, SECRET)).add_auth(request)
    query = "&".join(f"{quote(k, safe='')}={quote(str(v), safe='')}" for k, v in params.items())
    received = HttpRequest("GET", "http", HOST, "/", query.encode(), {"host": HOST}, b"")
    assert check(auth(), received) == KEY


def replaced(params: list[tuple[str, str]], **changes: str) -> HttpRequest:
    return form_request([(name, changes.get(name, value)) for name, value in params])


SIGV2_REFUSALS: dict[str, tuple[Callable[[], HttpRequest], type[EC2Error]]] = {
    "wrong-secret": (lambda: form_request(sigv2_params(secret="nope")), SignatureDoesNotMatch),
    "unknown-key": (lambda: form_request(sigv2_params(key="mallory")), AuthFailure),
    "tampered": (lambda: replaced(sigv2_params(), ImageId="ami-00000002"), SignatureDoesNotMatch),
    "version-1": (lambda: replaced(sigv2_params(), SignatureVersion="1"), AuthFailure),
    "md5": (lambda: replaced(sigv2_params(), SignatureMethod="HmacMD5"), AuthFailure),
    "timestamp-removed": (
        lambda: form_request([(k, v) for k, v in sigv2_params() if k != "Timestamp"]),
        SignatureDoesNotMatch,
    ),
}


@pytest.mark.parametrize("case", SIGV2_REFUSALS)
def test_sigv2_refusals(case: str) -> None:
    make_request, error = SIGV2_REFUSALS[case]
    assert type(refusal(auth(), make_request())) is error


def test_sigv2_stale_timestamp_is_expired() -> None:
    error = refusal(auth(timedelta(minutes=10)), form_request(sigv2_params()))
    assert type(error) is RequestExpired


def sigv2_resigned(
    without: tuple[str, ...] = (), secret: str = SECRET, **extra: str
) -> HttpRequest:
    """A SigV2 request signed (by botocore) after dropping ``without`` and adding ``extra``."""
    params = {k: v for k, v in sigv2_params() if k not in (*without, "Signature")}
    params.update(extra)
    request = AWSRequest(method="POST", url=f"http://{HOST}/")
    _, params["Signature"] = SigV2Auth(Credentials(KEY, secret)).calc_signature(request, params)
    return form_request(list(params.items()))


def expires_at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_sigv2_expires_alone_is_grizzlys_plain_400_as_requestify_pops_timestamp() -> None:
    future = expires_at(datetime.now(UTC) + timedelta(minutes=1))
    with pytest.raises(PlainBadRequest):
        check(auth(), sigv2_resigned(("Timestamp",), Expires=future))


def test_sigv2_expires_in_the_past_is_expired_before_requestify_looks_at_keys() -> None:
    past = expires_at(datetime.now(UTC) - timedelta(seconds=1))
    assert type(refusal(auth(), sigv2_resigned(("Timestamp",), Expires=past))) is RequestExpired


@pytest.mark.parametrize("missing", ["Timestamp", "Version", "Action"])
def test_a_genuine_sigv2_request_missing_a_key_requestify_pops_is_a_plain_400(
    missing: str,
) -> None:
    with pytest.raises(PlainBadRequest):
        check(auth(), sigv2_resigned((missing,)))


def test_a_forged_sigv2_request_missing_a_key_is_refused_as_forged() -> None:
    request = sigv2_resigned(("Version",), secret="guess")
    assert type(refusal(auth(), request)) is SignatureDoesNotMatch


def test_the_query_time_rule_is_injectable() -> None:
    """A release that checked no time (Folsom) swaps the rule; Grizzly's is the default."""
    stale = sigv2_resigned(Timestamp=expires_at(datetime.now(UTC) - timedelta(hours=1)))
    assert type(refusal(auth(), stale)) is RequestExpired
    lenient = SignatureAuth({KEY: SECRET}, query_time=lambda params, now, skew: None)
    assert check(lenient, stale) == KEY
    assert NoAuth(query_time=lambda params, now, skew: None).authenticate(stale, stale.params())


# --- no secret ever shows --------------------------------------------------------------------


def test_secrets_stay_out_of_messages_repr_and_hint() -> None:
    authenticator = auth()
    texts = [repr(authenticator), authenticator.credentials_hint()]
    for request in (sigv4_request(secret="wrong"), form_request(sigv2_params(secret="wrong"))):
        error = refusal(authenticator, request)
        texts += [error.code, error.message, str(error)]
    assert KEY in authenticator.credentials_hint()
    assert not any(SECRET in text for text in texts)
    assert not any(KEY in text for text in texts[2:])


def test_the_hint_names_each_key_with_its_own_secret() -> None:
    """``serve --access-key a ... --access-key b ...`` prints one line for both keys."""
    hint = SignatureAuth({"ops:lab": "s1", "dev": "s2"}).credentials_hint()
    assert (
        hint == "auth sigv4: sign (SigV4 or SigV2) with access keys dev, ops:lab and their secrets"
    )
    assert auth().credentials_hint().endswith(f"with access key {KEY} and its secret")


@pytest.mark.parametrize("secrets", [{}, {"": "s"}, {"k": ""}])
def test_signature_auth_needs_real_keys(secrets: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="non-empty"):
        SignatureAuth(secrets)


# --- --auth none -----------------------------------------------------------------------------


def test_no_auth_takes_the_sigv4_access_key_even_with_a_wrong_signature() -> None:
    request = sigv4_request(secret="anything")
    assert NoAuth().authenticate(request, request.params()) == KEY


def test_no_auth_takes_the_sigv2_access_key() -> None:
    params = sigv2_params(secret="anything")
    assert NoAuth().authenticate(form_request(params), params) == KEY


@pytest.mark.parametrize(
    ("headers", "params", "expected"),
    [
        ({}, [], None),
        ({}, [("AWSAccessKeyId", "")], ""),
        ({"authorization": "garbage"}, [("AWSAccessKeyId", "bob")], "bob"),
        (
            {
                "authorization": "AWS4-HMAC-SHA256 Credential=carol:x/20260101/r/ec2/aws4_request, "
                "SignedHeaders=host, Signature=00"
            },
            [("AWSAccessKeyId", "bob")],
            "carol:x",
        ),
        ({}, [("X-Amz-Credential", "dave:y/20260101/r/ec2/aws4_request")], "dave:y"),
        ({}, [("X-Amz-Credential", "a/b/c/d/aws4_request"), ("AWSAccessKeyId", "bob")], "a"),
        ({}, [("X-Amz-Credential", "dave:y"), ("AWSAccessKeyId", "bob")], "bob"),
    ],
)
def test_claimed_access_key(
    headers: dict[str, str], params: list[tuple[str, str]], expected: str | None
) -> None:
    request = HttpRequest("GET", "http", HOST, "/", b"", headers, b"")
    assert claimed_access_key(request, params) == expected


def test_no_auth_hint_says_any_key() -> None:
    assert "any access key" in NoAuth().credentials_hint()


# --- parameters ------------------------------------------------------------------------------


def test_params_keep_order_and_repeats_query_first() -> None:
    """``dict(req.params)`` of webob's ``NestedMultiDict``: every name, query names first, a
    name the query has with the query's last value (so the body's ``A`` reads ``3``)."""
    request = HttpRequest(
        "POST", "http", HOST, "/", b"A=1&B=2&A=3", {"content-type": FORM}, b"A=4&C=%E2%82%AC&D="
    )
    params = request.params()
    assert params == [("A", "1"), ("B", "2"), ("A", "3"), ("A", "3"), ("C", "\u20ac"), ("D", "")]
    assert dict(params) == {"A": "3", "B": "2", "C": "\u20ac", "D": ""}


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "multipart/form-data"])
def test_a_body_that_is_not_a_form_carries_no_parameters(content_type: str) -> None:
    request = HttpRequest("POST", "http", HOST, "/", b"", {"content-type": content_type}, b"A=1")
    assert request.params() == []


@pytest.mark.parametrize("raw", [b"A=%FF", b"A=\xff", b"%C3=1"])
def test_parameters_must_be_utf8(raw: bytes) -> None:
    with pytest.raises(InvalidParameterValue, match="UTF-8"):
        form_pairs(raw)


# --- Grizzly's NoAuth and Requestify for query-signed requests -------------------------------

SIGV2_KEYS = {
    "AWSAccessKeyId": "k:p",
    "SignatureMethod": "HmacSHA256",
    "SignatureVersion": "2",
    "Signature": "anything",
}


def unsigned_v2(without: tuple[str, ...] = (), **changes: str) -> list[tuple[str, str]]:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    params = {**dict(form_pairs(BODY.encode())), **SIGV2_KEYS, "Timestamp": now, **changes}
    return [(k, v) for k, v in params.items() if k not in without]


def no_auth(params: list[tuple[str, str]], headers: dict[str, str] | None = None) -> str | None:
    request = HttpRequest("GET", "http", HOST, "/", b"", {"host": HOST, **(headers or {})}, b"")
    return NoAuth().authenticate(request, params)


def test_no_auth_takes_a_complete_query_signed_request() -> None:
    assert no_auth(unsigned_v2()) == "k:p"
    assert no_auth(unsigned_v2(("SignatureMethod",), SignatureVersion="1")) == "k:p"
    assert no_auth(unsigned_v2(SignatureVersion=" 1 ")) == "k:p"


@pytest.mark.parametrize("missing", REQUESTIFY_KEYS)
def test_no_auth_answers_a_query_signed_request_missing_a_popped_key_with_a_plain_400(
    missing: str,
) -> None:
    params = unsigned_v2((missing,))
    if missing == "Signature":
        params.append(("SignatureVersion", "2"))
    with pytest.raises(PlainBadRequest):
        no_auth(params)


def test_no_auth_checks_the_clock_before_requestifys_keys() -> None:
    params = unsigned_v2(("Version",), Timestamp="2001-01-01T00:00:00Z")
    with pytest.raises(RequestExpired):
        no_auth(params)
    with pytest.raises(PlainBadRequest):  # Grizzly's NoAuth came first
        no_auth(unsigned_v2(("AWSAccessKeyId",), Timestamp="2001-01-01T00:00:00Z"))


@pytest.mark.parametrize("version", ["x", "1_0", ""])
def test_a_signature_version_python_2_could_not_read_is_unknown_error(version: str) -> None:
    """Nova's ``int(version)`` raised ValueError past Requestify: FaultWrapper's 500."""
    with pytest.raises(UnknownError):
        no_auth(unsigned_v2(SignatureVersion=version))


def test_header_signed_and_unsigned_requests_keep_their_exemption() -> None:
    bare = list(form_pairs(BODY.encode()))
    assert no_auth(bare) is None
    request = sigv4_request(secret="anything")
    with_v2_leftovers = [*request.params(), ("Signature", "x")]
    assert NoAuth().authenticate(request, with_v2_leftovers) == KEY
