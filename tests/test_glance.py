"""Glance v2 over HTTP: translation, every failure as a clear EC2 error, record and replay."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from fake_glance import FakeGlance

from simulator.api import Simulator
from simulator.cassette.glance_exchanges import GlanceRecording, append_exchanges, serve_exchanges
from simulator.cli import main
from simulator.errors import (
    HAVANA_EXECUTOR,
    BadInput,
    EC2Error,
    GlanceConnectionFailed,
    ImageNotFound,
    ec2_error,
)
from simulator.glance import GlanceExchange, GlanceImageBackend, translate_image
from simulator.service import EC2Service

BASE = "http://glance.test:9292"
FAILED = "Connection to glance host glance.test:9292 failed:"
CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "cassettes"
ACTIVE = "70a599e0-31e7-49b7-b260-868f441e862b"
QUEUED = "20000000-0000-4000-8000-000000000001"
KERNEL = "155d900f-4e14-4e4c-a73d-069cbf4541e6"
STUCK = "30000000-0000-4000-8000-000000000003"
IMAGES: dict[str, dict[str, Any]] = {
    ACTIVE: {
        "id": ACTIVE,
        "name": "cirros",
        "status": "active",
        "container_format": "ami",
        "disk_format": "ami",
        "min_ram": 0,
        "min_disk": 0,
        "visibility": "public",
        "kernel_id": KERNEL,
        "image_state": "available",
    },
    KERNEL: {
        "id": KERNEL,
        "name": "cirros-kernel",
        "status": "active",
        "container_format": "aki",
        "disk_format": "aki",
    },
    QUEUED: {"id": QUEUED, "name": "uploading", "status": "queued", "container_format": "ami"},
}
SEED = {
    "images": [
        {"ec2_id": "ami-00000001", "uuid": ACTIVE, "name": "x"},
        {"ec2_id": "ami-00000002", "uuid": QUEUED, "name": "x"},
        {"ec2_id": "ami-00000003", "uuid": STUCK, "name": "x"},
    ],
    "instance_types": [{"name": "m1.small", "memory_mb": 2048, "vcpus": 1, "root_gb": 20}],
}


def image_url(uuid: str) -> str:
    return f"{BASE}/v2/images/{uuid}"


def test_a_v2_image_becomes_novas_image_with_custom_properties() -> None:
    image = translate_image(IMAGES[ACTIVE])
    assert image["properties"] == {"kernel_id": KERNEL, "image_state": "available"}
    assert {"id", "name", "status", "container_format", "min_ram"} <= image.keys()
    assert "visibility" not in image


def test_the_properties_glance_keeps_as_json_text_are_read_as_json() -> None:
    """``glance._convert_from_string``: ``block_device_mapping`` and ``mappings`` (a v2
    image's properties are text) become lists; other text properties stay text."""
    mappings = [{"virtual": "root", "device": "/dev/vda"}]
    image = translate_image(
        {**IMAGES[ACTIVE], "mappings": json.dumps(mappings), "block_device_mapping": "[]"}
    )
    assert image["properties"]["mappings"] == mappings
    assert image["properties"]["block_device_mapping"] == []
    assert image["properties"]["image_state"] == "available"


@responses.activate
def test_show_and_detail_speak_glance_v2() -> None:
    responses.add(responses.GET, image_url(ACTIVE), json=IMAGES[ACTIVE])
    responses.add(
        responses.GET,
        f"{BASE}/v2/images",
        match=[responses.matchers.query_param_matcher({"name": "cirros", "sort_dir": "asc"})],
        json={"images": [IMAGES[ACTIVE]], "next": "/v2/images?marker=m&name=cirros"},
    )
    responses.add(
        responses.GET,
        f"{BASE}/v2/images",
        match=[responses.matchers.query_param_matcher({"marker": "m", "name": "cirros"})],
        json={"images": [IMAGES[KERNEL]]},
    )
    backend = GlanceImageBackend(BASE + "/")
    assert backend.show(ACTIVE)["name"] == "cirros"
    assert [image["id"] for image in backend.detail("cirros")] == [ACTIVE, KERNEL]


@responses.activate
def test_an_odd_image_id_stays_one_path_segment() -> None:
    responses.add(responses.GET, f"{BASE}/v2/images/..%2Fx%3Fy", status=404)
    with pytest.raises(ImageNotFound):
        GlanceImageBackend(BASE).show("../x?y")


def test_a_glance_url_must_be_http() -> None:
    with pytest.raises(BadInput, match="not an http"):
        GlanceImageBackend("glance.test:9292")


GENERIC = "An unknown error has occurred. Please try your request again."
HIDDEN = "Unknown error occured."
FAULT = (
    "HTTPInternalServerError",
    "The server has either erred or is incapable of performing the requested operation.",
)
FAILURES: dict[str, tuple[dict[str, Any], tuple[str, str], tuple[str, str, int]]] = {
    "500": (
        {"status": 500, "body": "boom"},
        ("UnknownError", GENERIC),
        ("HTTPInternalServerError", HIDDEN, 500),
    ),
    "502": ({"status": 502}, ("UnknownError", GENERIC), ("HTTPBadGateway", HIDDEN, 502)),
    "409": ({"status": 409}, ("UnknownError", GENERIC), ("HTTPConflict", HIDDEN, 409)),
    "418": ({"status": 418}, ("UnknownError", GENERIC), (*FAULT, 500)),
    "503": ({"status": 503}, ("UnknownError", GENERIC), ("GlanceConnectionFailed", HIDDEN, 500)),
    "400": (
        {"status": 400, "body": "bad\n\nid"},
        ("UnknownError", GENERIC),
        ("Invalid", "HTTPBadRequest (HTTP 400)", 400),
    ),
    "403": ({"status": 403}, ("UnknownError", GENERIC), ("ImageNotAuthorized", HIDDEN, 500)),
    "401": ({"status": 401}, ("UnknownError", GENERIC), ("ImageNotAuthorized", HIDDEN, 500)),
    "malformed JSON": ({"body": '{"id": '}, ("UnknownError", GENERIC), ("ValueError", HIDDEN, 500)),
    "not an image": (
        {"json": ["a", "list"]},
        ("UnknownError", GENERIC),
        ("ValueError", HIDDEN, 500),
    ),
    "timeout": (
        {"body": requests.exceptions.ReadTimeout("slow")},
        ("UnknownError", GENERIC),
        ("GlanceConnectionFailed", HIDDEN, 500),
    ),
    "refused": (
        {"body": requests.exceptions.ConnectionError("refused")},
        ("UnknownError", GENERIC),
        ("GlanceConnectionFailed", HIDDEN, 500),
    ),
}


@pytest.mark.parametrize(("answer", "grizzly", "havana"), FAILURES.values(), ids=FAILURES.keys())
@responses.activate
def test_every_glance_failure_is_what_novas_image_service_raised(
    answer: dict[str, Any], grizzly: tuple[str, str], havana: tuple[str, str, int]
) -> None:
    """glanceclient's class for the status (``exc.from_response``), a 503, a timeout or a
    refused connection ``GlanceConnectionFailed`` after the one attempt, then
    ``_translate_image_exception``: 401/403 ``ImageNotAuthorized``, 400 ``Invalid`` (its
    text the client's ``"HTTPBadRequest (HTTP 400)"``: a HEAD has no body to quote).
    Grizzly's Executor handles none of them; Havana's answers each by its class name, its
    own status, the text hidden but for ``Invalid`` (glanceclient's errors carry no
    ``args``), and a status glanceclient has no class for (``code`` ``'N/A'``, which webob
    refused as the answer's status) as FaultWrapper."""
    responses.add(responses.GET, image_url(ACTIVE), **answer)
    with pytest.raises(Exception) as raised:
        GlanceImageBackend(BASE).show(ACTIVE)
    document = ec2_error(raised.value)
    assert (document.code, document.message) == grizzly
    document = ec2_error(raised.value, HAVANA_EXECUTOR)
    assert (document.code, document.message, document.status) == havana


LISTING_FAILURES: dict[str, tuple[dict[str, Any], tuple[str, str, int]]] = {
    "401": ({"status": 401, "body": "no"}, ("HTTPUnauthorized", HIDDEN, 401)),
    "403": ({"status": 403}, ("HTTPForbidden", HIDDEN, 403)),
    "404": ({"status": 404}, ("HTTPNotFound", HIDDEN, 404)),
    "400": ({"status": 400}, ("HTTPBadRequest", HIDDEN, 400)),
    "503": ({"status": 503}, ("HTTPServiceUnavailable", HIDDEN, 503)),
    "504": ({"status": 504}, (*FAULT, 500)),
    "refused": (
        {"body": requests.exceptions.ConnectionError("refused")},
        ("CommunicationError", HIDDEN, 500),
    ),
    "timeout": (
        {"body": requests.exceptions.ReadTimeout("slow")},
        ("CommunicationError", HIDDEN, 500),
    ),
    "no JSON": ({"body": '{"images": '}, ("TypeError", HIDDEN, 500)),
    "a list": ({"json": []}, ("TypeError", HIDDEN, 500)),
    "no images": ({"json": {}}, ("KeyError", HIDDEN, 500)),
    "images a number": ({"json": {"images": 3}}, ("TypeError", HIDDEN, 500)),
    "images a text": ({"json": {"images": "no"}}, ("AttributeError", HIDDEN, 500)),
    "an image a list": ({"json": {"images": [{}, ["x"]]}}, ("AttributeError", HIDDEN, 500)),
    "an image without id": (
        {"json": {"images": [{"name": "no id"}]}},
        ("ValueError", HIDDEN, 500),
    ),
    "a next link that is no text": (
        {"json": {"images": [], "next": 3}},
        ("ValueError", HIDDEN, 500),
    ),
}


@pytest.mark.parametrize(
    ("answer", "havana"), LISTING_FAILURES.values(), ids=LISTING_FAILURES.keys()
)
@responses.activate
def test_a_failed_listing_is_glanceclients_own_error(
    answer: dict[str, Any], havana: tuple[str, str, int]
) -> None:
    """A listing's failure is not translated: glanceclient v1's ``images.list`` was a
    generator that ``GlanceClientWrapper.call`` returned unread, so the request ran past
    ``detail``'s ``try``. Grizzly's Executor answers every one as ``UnknownError``;
    Havana's by its class name and status, the text hidden (glanceclient's errors carry no
    ``args``; Python's are 500s), a status glanceclient has no class for as FaultWrapper."""
    responses.add(responses.GET, f"{BASE}/v2/images", **answer)
    with pytest.raises(Exception) as raised:
        GlanceImageBackend(BASE).detail("cirros")
    assert not isinstance(raised.value, EC2Error)
    document = ec2_error(raised.value)
    assert (document.code, document.message) == ("UnknownError", GENERIC)
    document = ec2_error(raised.value, HAVANA_EXECUTOR)
    assert (document.code, document.message, document.status) == havana


@responses.activate
def test_a_listing_skips_empty_items_and_the_keys_of_an_empty_text() -> None:
    """glanceclient made a resource of each item that is not empty: ``{}``, ``null`` and
    ``""`` are skipped, and an empty text of images lists none."""
    listing = {"images": [{}, None, "", IMAGES[KERNEL]]}
    responses.add(responses.GET, f"{BASE}/v2/images", json=listing)
    assert [image["id"] for image in GlanceImageBackend(BASE).detail("cirros-kernel")] == [KERNEL]
    responses.replace(responses.GET, f"{BASE}/v2/images", json={"images": ""})
    assert GlanceImageBackend(BASE).detail("cirros") == []


@responses.activate
def test_a_missing_image_is_image_not_found() -> None:
    responses.add(responses.GET, image_url(ACTIVE), status=404, body="not found")
    with pytest.raises(ImageNotFound):
        GlanceImageBackend(BASE).show(ACTIVE)


@pytest.mark.parametrize(
    ("visibility", "public"), [("public", True), ("private", False), (None, False)]
)
def test_a_public_image_is_v1s_is_public(visibility: str | None, public: bool) -> None:
    """``_format_image``'s ``isPublic`` reads v1's ``is_public``: v2's ``visibility``."""
    data = {**IMAGES[KERNEL], "visibility": visibility}
    assert translate_image(data)["is_public"] is public


# --- through the EC2 API, against a real local Glance ------------------------------------------


@pytest.fixture
def glance_url() -> Iterator[str]:
    """A fake Glance serving IMAGES that never answers for the third seed image."""
    with FakeGlance(IMAGES, stuck=frozenset({STUCK})).serving() as url:
        yield url


@pytest.mark.parametrize(
    ("image_id", "code"),
    [
        ("ami-00000001", None),
        ("cirros", None),
        ("ami-00000002", "EC2APIError"),
        ("uploading", "EC2APIError"),
        ("ami-00000003", "UnknownError"),
        ("ami-000000ff", "ImageNotFound"),
    ],
)
def test_launches_against_a_real_glance_end_as_nova_reports_them(
    glance_url: str, image_id: str, code: str | None
) -> None:
    sim = Simulator.from_seed(SEED, image_backend=GlanceImageBackend(glance_url, timeout=0.2))
    outcome = EC2Service(sim).handle([("Action", "RunInstances"), ("ImageId", image_id)])
    assert outcome.error_code == code


def test_a_glance_nobody_listens_on_is_unknown_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sim = Simulator.from_seed(SEED, image_backend=GlanceImageBackend(f"http://127.0.0.1:{port}"))
    outcome = EC2Service(sim).handle([("Action", "RunInstances"), ("ImageId", "ami-00000001")])
    assert outcome.error_code == "UnknownError"


# --- recording and replaying exchanges -----------------------------------------------------------


class NetworkBlocked:
    """While on, every connection and name lookup is refused and remembered: replay must
    answer from the cassette alone, so a replay test checks that nothing was attempted."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.attempts: list[str] = []
        self.monkeypatch = monkeypatch

    def refuse(self, what: str) -> Any:
        def refused(*args: Any, **kwargs: Any) -> Any:
            self.attempts.append(f"{what}{args[1:] if what == 'connect' else args}")
            raise OSError(f"replay tried the network: {what}")

        return refused

    @contextmanager
    def __call__(self) -> Iterator[list[str]]:
        with self.monkeypatch.context() as patch:
            patch.setattr(socket.socket, "connect", self.refuse("connect"))
            patch.setattr(socket.socket, "connect_ex", self.refuse("connect"))
            patch.setattr(socket, "getaddrinfo", self.refuse("getaddrinfo"))
            yield self.attempts


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> NetworkBlocked:
    return NetworkBlocked(monkeypatch)


def test_exchanges_are_recorded_per_thread_and_replayed_in_order(
    glance_url: str, offline: NetworkBlocked
) -> None:
    recording = GlanceRecording()
    backend = GlanceImageBackend(glance_url, timeout=0.2, on_exchange=recording)
    backend.show(ACTIVE)
    with pytest.raises(ImageNotFound):
        backend.show("40000000-0000-4000-8000-000000000000")
    elsewhere: list[GlanceExchange] = []
    worker = threading.Thread(target=lambda: elsewhere.extend(recording.take()))
    worker.start()
    worker.join()
    assert elsewhere == []
    taken = recording.take()
    assert [(e.path, e.status) for e in taken] == [
        (f"/v2/images/{ACTIVE}", 200),
        ("/v2/images/40000000-0000-4000-8000-000000000000", 404),
    ]
    assert recording.take() == []
    with offline() as attempts, serve_exchanges(glance_url, taken):
        replayed = GlanceImageBackend(glance_url)
        assert replayed.show(ACTIVE) == translate_image(IMAGES[ACTIVE])
        with pytest.raises(ImageNotFound):
            replayed.show("40000000-0000-4000-8000-000000000000")
        with pytest.raises(GlanceConnectionFailed, match="no Glance exchange"):
            replayed.show(QUEUED)
    assert attempts == []


def test_repeated_answers_are_counted_and_served_in_order_with_the_last_repeating(
    offline: NetworkBlocked,
) -> None:
    path = f"/v2/images/{ACTIVE}"
    active = GlanceExchange(path, (), 200, json.dumps(IMAGES[ACTIVE]))
    gone = GlanceExchange(path, (), 404, "gone")
    log: list[GlanceExchange] = []
    append_exchanges(log, [active, active, GlanceExchange("/other", (), 200, "{}"), gone, gone])
    assert [(e.status, e.count) for e in log] == [(200, 2), (200, 1), (404, 2)]
    assert GlanceExchange.from_dict(log[0].to_dict()) == log[0]
    with offline() as attempts, serve_exchanges(BASE, log):
        backend = GlanceImageBackend(BASE)
        assert backend.show(ACTIVE)["id"] == backend.show(ACTIVE)["id"] == ACTIVE
        for _ in range(3):
            with pytest.raises(ImageNotFound):
                backend.show(ACTIVE)
    assert attempts == []


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        ("timeout", f"{FAILED} Glance GET {image_url(ACTIVE)} timed out after 10s"),
        (
            "connection",
            f"{FAILED} Glance GET {image_url(ACTIVE)} failed: recorded connection failure for GET "
            f"{image_url(ACTIVE)}",
        ),
    ],
)
def test_recorded_failures_replay_as_failures(
    offline: NetworkBlocked, failure: str, message: str
) -> None:
    exchange = GlanceExchange(f"/v2/images/{ACTIVE}", (), failure=failure)  # type: ignore[arg-type]
    assert exchange.to_dict() == {
        "method": "GET",
        "path": f"/v2/images/{ACTIVE}",
        "query": [],
        "failure": failure,
    }
    with (
        offline() as attempts,
        serve_exchanges(BASE, [exchange]),
        pytest.raises(GlanceConnectionFailed) as raised,
    ):
        GlanceImageBackend(BASE, timeout=10).show(ACTIVE)
    assert (str(raised.value), attempts) == (message, [])


def test_replaying_the_corpus_needs_no_network(
    offline: NetworkBlocked, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every shipped cassette, Glance's recorded exchanges included, replays green with every
    connection and name lookup refused."""
    with offline() as attempts:
        code = main(["replay", str(CORPUS), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert (code, report["ok"], attempts) == (0, True, [])
    assert any(case["path"].endswith("glance.json") for case in report["cassettes"])
