"""Who a request acts as: the access key it carries, and (optionally) proof of its secret.

Nova Grizzly's NoAuth middleware trusted whatever ``AWSAccessKeyId`` it was given and read
``user:project`` from it. Today's clients sign every request, with SigV4 in an
``Authorization`` header or (older tools) SigV2 in the query, so the simulator reads the
access key from wherever the request carries it. :class:`NoAuth` stops there;
:class:`SignatureAuth` first recomputes the signature with botocore's own signers, the same
code that made it on the client side, so a verification failure means the request really is
forged, stale or signed with another secret, never that two canonicalisations disagree.

No secret, signature or access key ever reaches an error message: the EC2 messages used
here are fixed texts. botocore is imported by the two signers that use it, not with the
module: the CLI reads this module's names for every command, and replay signs nothing.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from simulator.ec2ids import py2_int
from simulator.ec2query import REQUESTIFY_KEYS, refuse_both_times
from simulator.errors import (
    AuthFailure,
    InvalidParameterValue,
    RequestExpired,
    ServerFault,
    SignatureDoesNotMatch,
)
from simulator.httprequest import HttpRequest
from simulator.profiles import Profile, QueryTime

SIGV4_ALGORITHM = "AWS4-HMAC-SHA256"
SIGV4_SERVICE = "ec2"
SIGV4_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
SIGV4_QUERY_CREDENTIAL = "X-Amz-Credential"
"""A presigned URL's credential scope: ``--auth none`` reads its access key; ``--auth
sigv4`` checks no query signature (a presigned URL is unsigned there: ``AuthFailure``)."""
MAX_CLOCK_SKEW = timedelta(minutes=5)
QUERY_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
QUERY_TIME_FORMAT_FRACTION = "%Y-%m-%dT%H:%M:%S.%fZ"
SECRET_KEY_ENV = "LAUNCH_SIM_SECRET_KEY"
UNSIGNED_CONTENT_TYPE = "A request with a body must sign its Content-Type header (SignedHeaders)"
"""SigV4 signs the body's bytes, not whether they are parameters: ``Content-Type`` decides
that (webob read a form body only), so a body whose type is not signed could be made to
mean something else (parameters dropped or added) under the same signature."""

_SIGV2_DIGESTS = {"HmacSHA256": "sha256", "HmacSHA1": "sha1"}
_SIGV4_FIELDS = frozenset({"Credential", "SignedHeaders", "Signature"})
_FRACTION_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3,6}Z", re.ASCII)

Params = Sequence[tuple[str, str]]
QueryTimeCheck = Callable[[Params, datetime, timedelta], None]
"""Refuses a request whose query ``Timestamp``/``Expires`` its release would not take (given
the parameters, the server's clock and the allowed skew): :func:`check_query_time` is
Grizzly's; a release that checked no time (Folsom) is a function that does nothing."""


class PlainBadRequest(Exception):
    """Grizzly answered webob's plain ``400 Bad Request`` page here, not an EC2 document.

    Raised where Nova's NoAuth (no ``AWSAccessKeyId``) or Requestify (a key it pops is
    missing) raised ``webob.exc.HTTPBadRequest``; the server renders the page.
    """


def access_key_problem(key: str) -> str | None:
    """Why ``key`` cannot be an access key, or None: it travels in the ``Authorization``
    header's ``Credential=K/date/...`` (and ``AWSAccessKeyId``), where a space, a comma, a
    slash or a control character would break the header or its scope, so every request
    signed with it would be refused."""
    if not key:
        return "an access key is empty"
    if not key.isascii() or not key.isprintable() or any(c in key for c in " ,/"):
        return (
            "an access key holds a character a signed header cannot carry "
            "(a space, a comma, a slash, a control character or one beyond ASCII)"
        )
    return None


def secret_keys_given(options: Sequence[str] | None, environ: Mapping[str, str]) -> list[str]:
    """The ``--secret-key`` values, else the one in ``$LAUNCH_SIM_SECRET_KEY``.

    A secret on the command line is visible to every local user in the process list; the
    environment variable keeps it out of there.
    """
    if options:
        return list(options)
    from_environment = environ.get(SECRET_KEY_ENV)
    return [from_environment] if from_environment else []


class Authenticator(Protocol):
    """Decides which access key a request acts as, or refuses it with an EC2 error."""

    def authenticate(self, request: HttpRequest, params: Params) -> str | None:
        """The access key the request acts as (None: the default context)."""
        ...

    def credentials_hint(self) -> str:
        """One line telling an operator which credentials clients should use (never a secret)."""
        ...


@dataclass(frozen=True)
class _SigV4Authorization:
    """The parts of a SigV4 ``Authorization`` header."""

    access_key: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


@functools.lru_cache(maxsize=16)
def _parse_sigv4(header: str) -> _SigV4Authorization | None:
    """``AWS4-HMAC-SHA256 Credential=K/date/region/service/aws4_request, SignedHeaders=..,
    Signature=..``, or None when the header is not exactly that. A request's header is read
    by several checks; the few last ones are kept, so it is parsed once.

    Each field must appear once and nothing else may: two ``Authorization`` headers reach
    the app joined by a comma, and reading fields from both would check one header's
    signature under the other's credential and signed headers.
    """
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != SIGV4_ALGORITHM:
        return None
    parts = [part.partition("=") for part in rest.split(",")]
    fields = {name.strip(): value.strip() for name, _, value in parts}
    if len(fields) != len(parts) or fields.keys() != _SIGV4_FIELDS:
        return None
    scope = fields.get("Credential", "").rsplit("/", 4)
    signed_headers = fields.get("SignedHeaders", "")
    signature = fields.get("Signature", "")
    if len(scope) != 5 or scope[4] != "aws4_request" or not all(scope) or not signature:
        return None
    access_key, date, region, service, _ = scope
    return _SigV4Authorization(
        access_key, date, region, service, tuple(signed_headers.split(";")), signature
    )


def claimed_access_key(request: HttpRequest, params: Params) -> str | None:
    """The access key a request names, signed or not: SigV4 header first, then a presigned
    URL's ``X-Amz-Credential`` (SigV4 in the query string, whose keys the EC2 layer drops),
    then SigV2's; an empty ``AWSAccessKeyId`` is a key (NoAuth checked only that the
    parameter was there)."""
    authorization = _parse_sigv4(request.headers.get("authorization", ""))
    if authorization is not None:
        return authorization.access_key
    query = dict(params)
    scope = query.get(SIGV4_QUERY_CREDENTIAL, "").rsplit("/", 4)
    if len(scope) == 5 and scope[4] == "aws4_request" and all(scope):
        return scope[0]
    return query.get("AWSAccessKeyId")


def _parse_query_time(text: str) -> datetime | None:
    """Grizzly 2013.1.5's ``parse_strtime`` in ``is_ec2_timestamp_expired``, or None.

    3 to 6 fraction digits (aws-sdk-java's milliseconds) select the fraction format, any
    other text the whole-second one, so ``.5Z`` or seven digits fail to parse. Python 2's
    ``strptime`` encoded its unicode argument as ASCII first (UnicodeEncodeError, a
    ValueError, so not parsed: expired), where Python 3 takes any Unicode digit; then it
    refused a NUL with TypeError ("must be string without null bytes"), which the check's
    ``except ValueError`` and Requestify's ``except KeyError``/``InvalidRequest`` let escape
    to FaultWrapper (``eu:219-248@2013.1.5``, ``252,273@2013.2.4``, ``251,272@2014.1.5``).
    """
    if not text.isascii():
        return None
    if "\0" in text:
        raise ServerFault()
    date_format = (
        QUERY_TIME_FORMAT_FRACTION if _FRACTION_TIME.fullmatch(text) else QUERY_TIME_FORMAT
    )
    try:
        return datetime.strptime(text, date_format).replace(tzinfo=UTC)
    except ValueError:
        return None


def check_query_time(params: Params, now: datetime, max_skew: timedelta = MAX_CLOCK_SKEW) -> None:
    """Nova Grizzly's ``is_ec2_timestamp_expired``, which Requestify ran for every request.

    ``Timestamp`` must be within ``max_skew`` of the clock (either side); ``Expires`` must
    be at least a second ahead (Nova's ``is_older_than(expires, -1)``); a time Nova could
    not parse counts as expired (HTTP 403), one with a NUL escaped to FaultWrapper
    (:class:`~simulator.errors.ServerFault`, see :func:`_parse_query_time`). A request with
    both is refused (HTTP 400), here as in the query parser, so before Requestify's keys
    are looked for, as in Nova.
    """
    query = dict(params)
    timestamp, expires = query.get("Timestamp"), query.get("Expires")
    refuse_both_times(timestamp, expires)
    if timestamp:
        moment = _parse_query_time(timestamp)
        if moment is None or abs(now - moment) > max_skew:
            raise RequestExpired(timestamp=timestamp)
    elif expires:
        moment = _parse_query_time(expires)
        if moment is None or now - moment > timedelta(seconds=-1):
            raise RequestExpired(timestamp=expires)


def no_query_time_check(
    params: Params, now: datetime, max_skew: timedelta = MAX_CLOCK_SKEW
) -> None:
    """Folsom's Requestify checked no time: ``Timestamp`` is only a key it pops (and
    requires, see :func:`check_requestify_keys`), ``Expires`` an ordinary argument."""


QUERY_TIME_CHECKS: Mapping[QueryTime, QueryTimeCheck] = {
    QueryTime.CHECKED: check_query_time,
    QueryTime.NOT_CHECKED: no_query_time_check,
}


def query_time_check(profile: Profile) -> QueryTimeCheck:
    """The query time rule of ``profile``'s release, for :class:`NoAuth`/:class:`SignatureAuth`."""
    return QUERY_TIME_CHECKS[profile.query_time]


def is_query_signed(request: HttpRequest, params: Params) -> bool:
    """Whether the request is signed the way Nova knew (SigV2 and older, in its parameters).

    A request with a SigV4 ``Authorization`` header is not, whatever its parameters hold:
    today's clients send none of Requestify's keys, and launch-sim exempts them.
    """
    if _parse_sigv4(request.headers.get("authorization", "")) is not None:
        return False
    return any(name in ("Signature", "SignatureVersion") for name, _ in params)


def check_requestify_keys(params: Params) -> None:
    """Requestify's ``KeyError``s, in its order: ``Action``, ``SignatureVersion``, then each
    key it pops (``SignatureMethod`` not when the version is 1), else :class:`PlainBadRequest`.

    A version Python 2's ``int()`` could not read escaped Requestify (a 500 from
    FaultWrapper in Nova): :class:`ServerFault`, answered as the profile's Executor says.
    """
    query = dict(params)
    if "Action" not in query or "SignatureVersion" not in query:
        raise PlainBadRequest()
    try:
        version_one = py2_int(query["SignatureVersion"], 10) == 1
    except ValueError:
        raise ServerFault() from None
    if any(
        key not in query
        for key in REQUESTIFY_KEYS
        if not (version_one and key == "SignatureMethod")
    ):
        raise PlainBadRequest()


class NoAuth:
    """``--auth none``: any signature or none; the access key only picks the context.

    Query ``Timestamp``/``Expires`` are still checked, as Nova's Requestify did whatever the
    auth middleware; header-signed (SigV4) clients send neither. A query-signed request
    also meets Nova's NoAuth (``AWSAccessKeyId`` present) and Requestify's key checks.
    """

    def __init__(
        self,
        clock: Callable[[], datetime] | None = None,
        *,
        query_time: QueryTimeCheck = check_query_time,
    ) -> None:
        self._clock = clock or _utc_now
        self._query_time = query_time

    def authenticate(self, request: HttpRequest, params: Params) -> str | None:
        query_signed = is_query_signed(request, params)
        if query_signed and all(name != "AWSAccessKeyId" for name, _ in params):
            raise PlainBadRequest()
        self._query_time(params, self._clock(), MAX_CLOCK_SKEW)
        if query_signed:
            check_requestify_keys(params)
        return claimed_access_key(request, params)

    def credentials_hint(self) -> str:
        return (
            "auth none: any access key and secret (an access key user:project sets the "
            "request context), signed or not"
        )


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogatepass"))


def _sigv4_signature(
    request: HttpRequest, authorization: _SigV4Authorization, secret: str, amz_date: str
) -> str:
    """The signature botocore's SigV4 signer gives the request as received.

    Its query is read as AWS canonicalises it, split on ``&`` only, not as Nova read the
    parameters (``;`` too, :func:`~simulator.httprequest.form_pairs`): a client signed the
    canonical form of the query it sent, and any byte changed in that query still changes
    the signature. SigV2 signs the parameters as read, so it covers what they mean.
    """
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    missing = [name for name in authorization.signed_headers if name not in request.headers]
    if missing:
        raise SignatureDoesNotMatch()
    signed = AWSRequest(
        method=request.method,
        url=request.url,
        headers={name: request.headers[name] for name in authorization.signed_headers},
        data=request.body,
        params=request.signed_query_params(),
    )
    signed.context["timestamp"] = amz_date
    signer = SigV4Auth(
        Credentials(authorization.access_key, secret),
        authorization.service,
        authorization.region,
    )
    canonical_request = signer.canonical_request(signed)
    signature: str = signer.signature(signer.string_to_sign(signed, canonical_request), signed)
    return signature


def _sigv2_signature(
    request: HttpRequest, query: Mapping[str, str], access_key: str, secret: str, method: str
) -> str:
    """The SigV2 signature of ``query``, canonicalised by botocore's SigV2 signer.

    botocore signs with HmacSHA256 only; for HmacSHA1 its canonical query string is signed
    with SHA-1 over the same string-to-sign layout.
    """
    from botocore.auth import SigV2Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    signer = SigV2Auth(Credentials(access_key, secret))
    canonical_query, signature = signer.calc_signature(
        AWSRequest(method=request.method, url=request.url), query
    )
    if method == "HmacSHA256":
        return str(signature)
    string_to_sign = f"{request.method}\n{request.host}\n{request.path or '/'}\n{canonical_query}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), _SIGV2_DIGESTS[method]).digest()
    return base64.b64encode(digest).decode()


def _parse_time(text: str, name: str, date_format: str | None = None) -> datetime:
    try:
        if date_format is None:
            moment = datetime.fromisoformat(text)
        else:
            moment = datetime.strptime(text, date_format)
    except ValueError:
        raise InvalidParameterValue(err=f"{name} is not a valid date") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SignatureAuth:
    """``--auth sigv4``: only requests signed with a configured key pair are accepted.

    SigV4 ``Authorization`` headers (any region, service ``ec2``) and SigV2 query signatures
    (``SignatureVersion=2``, HmacSHA256 or HmacSHA1) are verified; the signature is checked
    before the clock, so a stale request is only called stale once it is known to be genuine.
    A genuine SigV2 request then meets Requestify's checks, as it did behind Nova's
    keystone middleware: its clock (``query_time``), then the keys it pops. A SigV4 request
    with a body must sign ``Content-Type`` (:data:`UNSIGNED_CONTENT_TYPE`); SigV2 signs the
    parameters themselves, wherever they came from.
    """

    def __init__(
        self,
        secrets: Mapping[str, str],
        *,
        clock: Callable[[], datetime] = _utc_now,
        max_skew: timedelta = MAX_CLOCK_SKEW,
        query_time: QueryTimeCheck = check_query_time,
    ) -> None:
        if not secrets or not all(key and secret for key, secret in secrets.items()):
            raise ValueError("SignatureAuth needs at least one non-empty access key and secret")
        self._secrets = dict(secrets)
        self._clock = clock
        self._max_skew = max_skew
        self._query_time = query_time

    def __repr__(self) -> str:
        return f"SignatureAuth(access_keys={sorted(self._secrets)!r})"

    def credentials_hint(self) -> str:
        """The keys clients may sign with (never a secret): several ``--access-key`` are
        listed together."""
        keys = ", ".join(sorted(self._secrets))
        which = "access keys" if len(self._secrets) > 1 else "access key"
        secrets = "their secrets" if len(self._secrets) > 1 else "its secret"
        return f"auth sigv4: sign (SigV4 or SigV2) with {which} {keys} and {secrets}"

    def authenticate(self, request: HttpRequest, params: Params) -> str:
        header = request.headers.get("authorization")
        if header is not None:
            return self._check_sigv4(request, header)
        if any(name == "Signature" for name, _ in params):
            return self._check_sigv2(request, params)
        raise AuthFailure()

    def _secret(self, access_key: str | None) -> str:
        secret = self._secrets.get(access_key or "")
        if secret is None:
            raise AuthFailure()
        return secret

    def _check_fresh(self, moment: datetime, text: str) -> None:
        if abs(self._clock() - moment) > self._max_skew:
            raise RequestExpired(timestamp=text)

    def _check_sigv4(self, request: HttpRequest, header: str) -> str:
        authorization = _parse_sigv4(header)
        amz_date = request.headers.get("x-amz-date")
        if authorization is None or amz_date is None:
            raise AuthFailure()
        secret = self._secret(authorization.access_key)
        moment = _parse_time(amz_date, "X-Amz-Date", SIGV4_DATE_FORMAT)
        if authorization.service != SIGV4_SERVICE or authorization.date != amz_date[:8]:
            raise SignatureDoesNotMatch()
        payload_hash = request.headers.get("x-amz-content-sha256")
        if payload_hash is not None and payload_hash != hashlib.sha256(request.body).hexdigest():
            raise SignatureDoesNotMatch()
        expected = _sigv4_signature(request, authorization, secret, amz_date)
        if not _same(expected, authorization.signature):
            raise SignatureDoesNotMatch()
        if request.body and "content-type" not in authorization.signed_headers:
            raise AuthFailure(UNSIGNED_CONTENT_TYPE)
        self._check_fresh(moment, amz_date)
        return authorization.access_key

    def _check_sigv2(self, request: HttpRequest, params: Params) -> str:
        query = dict(params)
        method = query.get("SignatureMethod", "")
        if query.get("SignatureVersion") != "2" or method not in _SIGV2_DIGESTS:
            raise AuthFailure()
        access_key = query.get("AWSAccessKeyId", "")
        secret = self._secret(access_key)
        expected = _sigv2_signature(request, query, access_key, secret, method)
        if not _same(expected, query["Signature"]):
            raise SignatureDoesNotMatch()
        self._query_time(params, self._clock(), self._max_skew)
        check_requestify_keys(params)
        return access_key
