"""Provider verification: a cassette's requests sent to a live EC2 endpoint, answers compared.

Replay asks "does launch-sim still behave as recorded?"; verification asks the converse,
as Pact's verifier does: "does this provider (a Nova, a launch-sim, a moto) answer the
recorded requests the way the recording says?". A live endpoint issues its own instance
ids and never exposes its create calls, so what can be compared is what its answers carry:
the HTTP status, the EC2 error code and the number of instances launched. The endpoint must
hold the cassette's seed for the answers to mean anything (``launch-sim serve --seed``).

requests and botocore are imported by the functions that send, not with the module: the
CLI reads this module's defaults for every command, and only ``verify`` sends anything.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from simulator.cassette import Cassette, Interaction
from simulator.errors import BadInput
from simulator.report import CassetteResult, InteractionResult, json_diff
from simulator.urls import http_url_problem

if TYPE_CHECKING:
    import requests

DEFAULT_REGION = "nova"
DEFAULT_TIMEOUT = 30.0
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")


def shown_url(url: str) -> str:
    """``url`` as reports and errors show it: a ``user:password@`` written in it is left out.

    Textual, so it also serves a URL too malformed to parse.
    """
    return _USERINFO.sub(r"\1", url)


@dataclass(frozen=True)
class SigningKeys:
    """What SigV4-signs verification requests; without it they go unsigned."""

    access_key: str
    secret_key: str = field(repr=False)
    region: str = DEFAULT_REGION


@dataclass(frozen=True)
class Provider:
    """The endpoint under verification and how to talk to it."""

    endpoint: str
    keys: SigningKeys | None = None
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        problem = http_url_problem(self.endpoint)
        if problem is not None:
            raise BadInput(f"--endpoint {self.shown}: {problem}")
        if self.keys is not None and urlsplit(self.endpoint).username is not None:
            # requests would send them as Basic auth, replacing the SigV4 Authorization.
            raise BadInput(f"--endpoint {self.shown}: a user:password@ cannot go with SigV4 keys")

    @property
    def shown(self) -> str:
        """The endpoint as messages show it (no credentials)."""
        return shown_url(self.endpoint)

    def __repr__(self) -> str:
        return f"Provider(endpoint={self.shown!r}, keys={self.keys!r}, timeout={self.timeout!r})"


def _unreachable(exc: requests.RequestException) -> str | None:
    """Why no connection to the endpoint could be made (None: one was made, then failed)."""
    import requests
    from urllib3.exceptions import NewConnectionError

    if isinstance(exc, requests.ConnectTimeout):
        return "connection timed out"
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if not isinstance(reason, NewConnectionError):
        return None
    cause = reason.__cause__
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror.lower()
    return "no connection could be made"


def _failure(exc: requests.RequestException, timeout: float) -> str:
    """What went wrong with a connection that was made, in a few words."""
    import requests

    if isinstance(exc, requests.ReadTimeout):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, requests.ConnectionError):
        return "the connection broke before an answer was complete"
    return type(exc).__name__


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def answer_facts(status: int, body: bytes) -> dict[str, Any]:
    """Status, EC2 error code and instance count of an EC2 answer, whatever its namespace.

    The count is of the answer's own ``instancesSet`` (RunInstances'), as a cassette records
    it; the instances a DescribeInstances answer lists inside its reservations are not counted.
    """
    facts: dict[str, Any] = {"status": status, "error_code": None, "instance_count": 0}
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return facts
    for element in root.iter():
        if _local(element.tag) == "Code":
            facts["error_code"] = (element.text or "").strip()
            break
    for element in root:
        if _local(element.tag) == "instancesSet":
            facts["instance_count"] += sum(_local(item.tag) == "item" for item in element)
    return facts


def recorded_facts(interaction: Interaction) -> dict[str, Any]:
    response = interaction.response
    return {
        "status": response.status,
        "error_code": response.error_code,
        "instance_count": len(response.instance_ids),
    }


def send(
    session: requests.Session, provider: Provider, interaction: Interaction
) -> requests.Response:
    """The recorded request as the provider gets it: form-encoded, SigV4-signed if keys given."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = interaction.request
    encoded = urlencode(list(request.params))
    url, body = provider.endpoint, encoded
    if request.method == "GET":
        url, body = f"{provider.endpoint}?{encoded}", ""
    headers = {"Content-Type": FORM_CONTENT_TYPE} if body else {}
    signed = AWSRequest(method=request.method, url=url, data=body, headers=headers)
    if provider.keys is not None:
        keys = provider.keys
        credentials = Credentials(keys.access_key, keys.secret_key)
        SigV4Auth(credentials, "ec2", keys.region).add_auth(signed)
    prepared = signed.prepare()
    return session.request(
        request.method,
        prepared.url,
        headers=dict(prepared.headers.items()),
        data=prepared.body,
        timeout=provider.timeout,
    )


def verify_cassette(
    cassette: Cassette, label: str, provider: Provider, session: requests.Session | None = None
) -> CassetteResult:
    """Send every interaction's request to ``provider`` and compare the answers' facts.

    An endpoint that cannot be connected to at all is :class:`BadInput` (one line, with the
    reason): no comparison means anything then. One that takes the connection but gives no
    complete answer fails that interaction only.
    """
    import requests

    http = session or requests.Session()
    started = time.perf_counter()
    result = CassetteResult(label)
    for index, interaction in enumerate(cassette.interactions):
        began = time.perf_counter()
        params = interaction.request.params
        try:
            response = send(http, provider, interaction)
        except requests.exceptions.InvalidURL:
            raise BadInput(f"--endpoint {provider.shown}: not a valid URL") from None
        except requests.RequestException as exc:
            unreachable = _unreachable(exc)
            if unreachable is not None:
                raise BadInput(f"cannot reach {provider.shown}: {unreachable}") from None
            result.interactions.append(
                InteractionResult(
                    index,
                    params,
                    note=f"no answer from {provider.shown}: {_failure(exc, provider.timeout)}",
                    seconds=time.perf_counter() - began,
                )
            )
            continue
        answer = answer_facts(response.status_code, response.content)
        if interaction.request.method == "HEAD":
            # A HEAD answer has GET's status and no body: its status is all there is to compare.
            answer = {**recorded_facts(interaction), "status": answer["status"]}
        differences = json_diff(
            recorded_facts(interaction), answer, ("interactions", index, "response")
        )
        result.interactions.append(
            InteractionResult(
                index, params, tuple(differences), seconds=time.perf_counter() - began
            )
        )
    result.seconds = time.perf_counter() - started
    return result
