"""Provider verification: a cassette's requests sent to a live EC2 endpoint, answers compared.

Replay asks "does launch-sim still behave as recorded?"; verification asks the converse,
as Pact's verifier does: "does this provider (a Nova, a launch-sim, a moto) answer the
recorded requests the way the recording says?". A live endpoint issues its own instance
ids and never exposes its create calls, so what can be compared is what its answers carry:
the HTTP status, the EC2 error code and the number of instances launched. The endpoint must
hold the cassette's seed for the answers to mean anything (``launch-sim serve --seed``).
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from simulator.cassette import Cassette, Interaction
from simulator.errors import BadInput
from simulator.report import CassetteResult, InteractionResult, json_diff

DEFAULT_REGION = "nova"
DEFAULT_TIMEOUT = 30.0
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"


@dataclass(frozen=True)
class SigningKeys:
    """What SigV4-signs verification requests; without it they go unsigned."""

    access_key: str
    secret_key: str
    region: str = DEFAULT_REGION


@dataclass(frozen=True)
class Provider:
    """The endpoint under verification and how to talk to it."""

    endpoint: str
    keys: SigningKeys | None = None
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        parts = urlsplit(self.endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise BadInput(f"--endpoint {self.endpoint!r} is not an http(s) URL")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def answer_facts(status: int, body: bytes) -> dict[str, Any]:
    """Status, EC2 error code and instance count of an EC2 answer, whatever its namespace."""
    facts: dict[str, Any] = {"status": status, "error_code": None, "instance_count": 0}
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return facts
    for element in root.iter():
        name = _local(element.tag)
        if name == "Code" and facts["error_code"] is None:
            facts["error_code"] = (element.text or "").strip()
        elif name == "instancesSet":
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
    """Send every interaction's request to ``provider`` and compare the answers' facts."""
    http = session or requests.Session()
    started = time.perf_counter()
    result = CassetteResult(label)
    for index, interaction in enumerate(cassette.interactions):
        began = time.perf_counter()
        summary = interaction.request.summary()
        try:
            response = send(http, provider, interaction)
        except requests.RequestException as exc:
            result.interactions.append(
                InteractionResult(
                    index,
                    summary,
                    note=f"no answer from {provider.endpoint}: {exc}",
                    seconds=time.perf_counter() - began,
                )
            )
            continue
        differences = json_diff(
            recorded_facts(interaction),
            answer_facts(response.status_code, response.content),
            ("interactions", index, "response"),
        )
        result.interactions.append(
            InteractionResult(
                index, summary, tuple(differences), seconds=time.perf_counter() - began
            )
        )
    result.seconds = time.perf_counter() - started
    return result
