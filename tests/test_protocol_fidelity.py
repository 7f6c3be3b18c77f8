"""What Nova's middleware made of a request under Python 2, where Python 3 reads it otherwise.

Each case was run through Nova's own code under CPython 2.7.18: the Validator's
``base64.b64decode`` and Folsom's ``socket.inet_aton`` of text beyond ASCII, webob's
``parse_qsl`` splitting on ``;``, ``strptime`` of a time with a NUL, and ``Expires``, which
Requestify never popped. An exception that escaped the middleware is FaultWrapper's answer:
``UnknownError``, 400 in ``folsom`` and ``grizzly`` (launch-sim's convention for their bare
``<Code>500</Code>``), ``HTTPInternalServerError``, 500 in ``havana`` and ``icehouse``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

import pytest
from botocore.auth import SigV2Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from simulator import Simulator
from simulator.auth import NoAuth, SignatureAuth, query_time_check
from simulator.ec2query import parse_query
from simulator.errors import (
    UNKNOWN_ERROR_MESSAGE,
    InvalidParameterValue,
    ServerFault,
    UnknownError,
)
from simulator.httprequest import HttpRequest, form_pairs
from simulator.profiles import get_profile
from simulator.server import EC2App
from simulator.service import EC2Service, Outcome

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
HOST = "127.0.0.1:8773"
KEY, SECRET = "alice:demo", "s3cret-value"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
LAUNCH = [("Action", "RunInstances"), ("ImageId", "ami-00000001"), ("InstanceType", "m1.small")]

UNKNOWN = ("UnknownError", UNKNOWN_ERROR_MESSAGE, 400)
FAULT = (
    "HTTPInternalServerError",
    "The server has either erred or is incapable of performing the requested operation.",
    500,
)
FAULT_IN_EACH_RELEASE = [
    ("folsom", UNKNOWN),
    ("grizzly", UNKNOWN),
    ("havana", FAULT),
    ("icehouse", FAULT),
]


def handled(profile: str, *extra: tuple[str, str]) -> Outcome:
    """A RunInstances of the default seed's image under ``profile``, past authentication."""
    return EC2Service(Simulator.from_seed(profile=profile)).handle([*LAUNCH, *extra])


def app(profile: str) -> EC2App:
    """The server's app under ``profile``, ``--auth none``, its clock at :data:`NOW`."""
    return EC2App(
        EC2Service(Simulator.from_seed(profile=profile)),
        authenticator=NoAuth(clock=lambda: NOW, query_time=query_time_check(get_profile(profile))),
    )


def answered(outcome: Outcome) -> tuple[str | None, str | None, int]:
    return outcome.error_code, outcome.error_message, outcome.status


# --- the Validator: text beyond ASCII ---------------------------------------------------------


@pytest.mark.parametrize(("profile", "fault"), FAULT_IN_EACH_RELEASE)
@pytest.mark.parametrize("user_data", ["é", "YWJj€"])
def test_user_data_beyond_ascii_escapes_the_validator(
    profile: str, fault: tuple[str, str, int], user_data: str
) -> None:
    """``validate_user_data``'s ``base64.b64decode(u'é')`` raised UnicodeEncodeError past its
    ``except TypeError`` (``validator.py:96-101@2013.1.5``): FaultWrapper, nothing launched."""
    outcome = handled(profile, ("user_data", user_data))
    assert answered(outcome) == fault
    assert isinstance(outcome.exception, ServerFault)
    assert outcome.create_calls == []


def test_the_validator_meets_user_data_after_image_location_and_before_the_rest() -> None:
    """CPython 2.7 walked ``DEFAULT_VALIDATOR`` as ``image_location, region_name, attribute,
    user_data, group_name, public_ip, image_id, volume_id, group_description, size,
    instance_id``: a refused ``image_location`` is answered before ``user_data`` raises, a
    refused ``image_id`` is never reached."""
    first = handled("grizzly", ("image_location", "bucket"), ("user_data", "é"))
    assert answered(first) == (
        "InvalidParameterValue",
        "Invalid value for parameter image_location",
        400,
    )
    for key, value in [("image_id", "badone"), ("instance_id", "badone"), ("size", "1")]:
        assert answered(handled("grizzly", (key, value), ("user_data", "é"))) == UNKNOWN


def test_folsoms_public_ip_beyond_ascii_escapes_the_validator() -> None:
    """Folsom's ``validate_ipv4``: ``socket.inet_aton(u'é')`` raised UnicodeEncodeError past
    ``except (socket.error, TypeError)`` (``validator.py:95-100@2012.2.4``); Grizzly's
    ``utils.is_valid_ipv4`` caught every exception, so the key is refused there."""
    from simulator.ec2query import FOLSOM_VALIDATORS

    query = [*LAUNCH, ("public_ip", "é")]
    with pytest.raises(ServerFault):
        parse_query(query, validators=FOLSOM_VALIDATORS)
    with pytest.raises(InvalidParameterValue, match="parameter public_ip"):
        parse_query(query)
    parse_query([*LAUNCH, ("public_ip", "127.1")], validators=FOLSOM_VALIDATORS)
    assert answered(handled("folsom", ("public_ip", "é"))) == UNKNOWN
    assert answered(handled("grizzly", ("public_ip", "é"))) == (
        "InvalidParameterValue",
        "Invalid value for parameter public_ip",
        400,
    )


# --- ``;`` separates parameters ---------------------------------------------------------------


def test_a_semicolon_separates_parameters_as_an_ampersand_does() -> None:
    """Python 2's ``parse_qsl`` split on ``&``, then each field on ``;``; an escaped ``%3B``
    is text, and empty fields are skipped."""
    assert form_pairs(b"A=1;B=2&C=3;;D&E=x%3By;") == [
        ("A", "1"),
        ("B", "2"),
        ("C", "3"),
        ("D", ""),
        ("E", "x;y"),
    ]


@pytest.mark.parametrize("profile", ["folsom", "grizzly", "havana", "icehouse"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_request_with_semicolons_launches_in_every_release(profile: str, method: str) -> None:
    """webob's ``req.params``: ``parse_qsl`` of the query, ``cgi.FieldStorage`` (the same
    ``parse_qsl``) of a form body."""
    raw = b"Action=RunInstances;ImageId=ami-00000001;InstanceType=m1.small&MinCount=2"
    query, body = (raw, b"") if method == "GET" else (b"", raw)
    headers = {"host": HOST} if method == "GET" else {"host": HOST, "content-type": FORM}
    outcome = app(profile).respond(HttpRequest(method, "http", HOST, "/", query, headers, body))
    assert outcome.status == 200, outcome.body
    assert len(outcome.create_calls) == 1
    assert len(outcome.instance_ids) == 2


def test_a_sigv4_query_with_semicolons_is_checked_as_aws_canonicalises_it() -> None:
    """The signature covers the query split on ``&`` only (``1;ImageId=...`` one value, as
    AWS canonicalises it); the parameters are then read as Nova read them."""
    query = "Action=RunInstances;ImageId=ami-00000001&MinCount=1"
    client = AWSRequest(
        method="GET",
        url=f"http://{HOST}/",
        params=[("Action", "RunInstances;ImageId=ami-00000001"), ("MinCount", "1")],
    )
    SigV4Auth(Credentials(KEY, SECRET), "ec2", "nova").add_auth(client)
    headers = {name.lower(): value for name, value in client.headers.items()}
    request = HttpRequest("GET", "http", HOST, "/", query.encode(), {**headers, "host": HOST}, b"")
    assert SignatureAuth({KEY: SECRET}).authenticate(request, request.params()) == KEY
    assert request.params() == [
        ("Action", "RunInstances"),
        ("ImageId", "ami-00000001"),
        ("MinCount", "1"),
    ]


def test_a_sigv2_form_separated_by_semicolons_is_verified() -> None:
    """SigV2 signs the parameters as the server reads them, ``;``-separated ones included."""
    client = AWSRequest(
        method="POST", url=f"http://{HOST}/", data={**dict(LAUNCH), "Version": "2012-08-15"}
    )
    SigV2Auth(Credentials(KEY, SECRET)).add_auth(client)
    body = ";".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in client.data.items())
    request = HttpRequest(
        "POST", "http", HOST, "/", b"", {"host": HOST, "content-type": FORM}, body.encode()
    )
    assert SignatureAuth({KEY: SECRET}).authenticate(request, request.params()) == KEY


# --- a NUL in the query's time ----------------------------------------------------------------


@pytest.mark.parametrize(("profile", "fault"), FAULT_IN_EACH_RELEASE[1:])
@pytest.mark.parametrize(
    ("name", "moment"), [("Timestamp", NOW), ("Expires", NOW + timedelta(hours=1))]
)
def test_a_nul_in_the_query_time_escapes_requestify(
    profile: str, fault: tuple[str, str, int], name: str, moment: datetime
) -> None:
    """Python 2's ``strptime`` refused a NUL with TypeError, past ``is_ec2_timestamp_expired``'s
    ``except ValueError`` and Requestify's ``except KeyError`` (``eu:219-248@2013.1.5``,
    ``252,273@2013.2.4``, ``251,272@2014.1.5``); text beyond ASCII failed before, with
    UnicodeEncodeError, a ValueError: expired."""
    text = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    for value, expected in [(text + "\0", fault), ("é\0", ("RequestExpired", None, 403))]:
        query = urlencode([*LAUNCH, (name, value)]).encode()
        outcome = app(profile).respond(HttpRequest("GET", "http", HOST, "/", query, {}, b""))
        assert (outcome.error_code, outcome.status) == (expected[0], expected[2])
        assert outcome.create_calls == []


def test_folsom_reads_no_time_so_a_nul_expires_is_only_an_argument() -> None:
    """Folsom's Requestify checked no time: its ``Expires`` fails (if at all) as an argument,
    here below ``Expires.B.C`` (AttributeError in the Executor, not FaultWrapper)."""
    query = urlencode([*LAUNCH, ("Expires", "\0"), ("Expires.B.C", "x")]).encode()
    outcome = app("folsom").respond(HttpRequest("GET", "http", HOST, "/", query, {}, b""))
    assert answered(outcome) == UNKNOWN
    assert isinstance(outcome.exception, UnknownError)
    assert isinstance(outcome.exception.cause, AttributeError)


# --- ``Expires`` is an argument ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ("folsom", UNKNOWN),
        ("grizzly", UNKNOWN),
        ("havana", ("AttributeError", "Unknown error occured.", 500)),
        ("icehouse", ("AttributeError", "Unknown error occurred.", 500)),
    ],
)
def test_expires_meets_a_dotted_name_as_an_argument(
    profile: str, expected: tuple[str, str, int]
) -> None:
    """Requestify popped no ``Expires`` (``init:307-308@2013.1.5``): ``dict_from_dotted_str``
    made it ``expires``, which CPython 2.7 met before ``Expires.B.C``, so ``d.get('b')`` of a
    text value raised AttributeError in the Executor."""
    outcome = handled(profile, ("Expires", "v"), ("Expires.B.C", "x"))
    assert answered(outcome) == expected
    assert outcome.create_calls == []


def test_an_expires_that_passes_the_time_check_is_still_an_argument() -> None:
    later = (NOW + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    query = urlencode([*LAUNCH, ("Expires", later), ("Expires.B.C", "x")]).encode()
    outcome = app("grizzly").respond(HttpRequest("GET", "http", HOST, "/", query, {}, b""))
    assert answered(outcome) == UNKNOWN
