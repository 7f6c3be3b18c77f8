"""Glance v2 over HTTP as the image service, translated as Nova's ``nova/image/glance.py`` did.

Nova's EC2 API reaches images through Glance; by default launch-sim answers from the store's
catalogue instead (:class:`~simulator.images.StoreImageBackend`). :class:`GlanceImageBackend`
speaks to a real (or fake) Glance v2 endpoint so launches can be checked against the images
an actual cloud holds, and so a cassette can capture what Glance answered.

A Glance that fails must never hang a launch or leak a traceback: every request has a
timeout, and a failure becomes the exception Nova's image service raised for it
(:func:`glance_failure`). A show's is translated: a timeout, a refused connection or a 503
``GlanceConnectionFailed``, a 401 or 403 ``ImageNotAuthorized``, a 404 ``ImageNotFound``, a
400 ``Invalid``, any other status glanceclient's own class for it
(``HTTPInternalServerError``...). A listing's (the lookup by name) is not: glanceclient's
class for the status, ``CommunicationError`` for a Glance it could not reach, and Python 2's
``TypeError``, ``KeyError`` or ``AttributeError`` where glanceclient v1 misread the body
(:func:`listed_images`). Before Havana the Executor answered all of them but the not-found
and not-authorized ones with ``UnknownError``; from Havana on their class names are the
codes. Each keeps the precise reason for logs and :func:`simulator.errors.explain`.

Each GET is reported as a :class:`GlanceExchange` (``on_exchange``); recording and replaying
those is cassette tooling (:mod:`simulator.cassette.glance_exchanges`), not the image service.
requests is imported where a backend is made: most cassettes use the store's catalogue, and
their replay should not pay for it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qsl, quote, urlsplit

from simulator.errors import (
    BadInput,
    GlanceConnectionFailed,
    ImageNotAuthorized,
    ImageNotFound,
    Invalid,
)
from simulator.images import IMAGE_FIELDS, Image, convert_from_string
from simulator.limits import shorten
from simulator.urls import http_url_problem

if TYPE_CHECKING:
    import requests

DEFAULT_TIMEOUT = 10.0
IMAGES_PATH = "/v2/images"
Failure = Literal["timeout", "connection"]
Query = tuple[tuple[str, str], ...]

# Glance v2's own image attributes; every other key of an image is a custom property, which
# Nova's image service hands on under ``properties`` (where kernel_id, image_state... live).
V2_CORE_ATTRIBUTES = frozenset(
    {
        "id",
        "name",
        "status",
        "visibility",
        "protected",
        "checksum",
        "os_hash_algo",
        "os_hash_value",
        "owner",
        "size",
        "virtual_size",
        "min_ram",
        "min_disk",
        "created_at",
        "updated_at",
        "tags",
        "disk_format",
        "container_format",
        "direct_url",
        "locations",
        "self",
        "file",
        "schema",
        "os_hidden",
        "stores",
    }
)
# What Nova Grizzly's ``_extract_attributes`` keeps of an image, besides ``properties``.
NOVA_ATTRIBUTES = (
    "id",
    *IMAGE_FIELDS,
    "size",
    "owner",
    "checksum",
    "created_at",
    "updated_at",
)


class HTTPException(Exception):
    """glanceclient's error for an HTTP status it has no class of its own for, and the base
    of those it has (``exc.from_response``): the class name is what Havana's Executor
    answers as the code and ``code`` the HTTP status. It carries no ``args`` (glanceclient
    passed ``details`` by keyword), so Havana hides its text even below 500."""

    code: int | str = "N/A"

    def __init__(self, details: str | None = None) -> None:
        super().__init__()
        self.details = details or type(self).__name__

    def __str__(self) -> str:
        return f"{self.details} (HTTP {self.code})"


GLANCECLIENT_ERRORS: dict[int, type[HTTPException]] = {
    status: type(name, (HTTPException,), {"code": status, "__module__": __name__})
    for name, status in (
        ("HTTPMultipleChoices", 300),
        ("HTTPBadRequest", 400),
        ("HTTPUnauthorized", 401),
        ("HTTPForbidden", 403),
        ("HTTPNotFound", 404),
        ("HTTPMethodNotAllowed", 405),
        ("HTTPConflict", 409),
        ("HTTPOverLimit", 413),
        ("HTTPInternalServerError", 500),
        ("HTTPNotImplemented", 501),
        ("HTTPBadGateway", 502),
        ("HTTPServiceUnavailable", 503),
    )
}
"""glanceclient's ``_code_map`` (``exc.py@0.9.0`` to ``0.13.1``, the releases the four
Nova tags accepted): each HTTP status's class."""


class CommunicationError(Exception):
    """glanceclient's error for a Glance it could not reach (refused, timed out), which a
    listing raised as it was (:func:`glance_failure`); it has no ``code``, so Havana answers
    it with HTTP 500."""


def glanceclient_error(status: int, body: str) -> HTTPException:
    """glanceclient's ``exc.from_response``: the status's class, its details the body with
    blank lines folded (none without a body)."""
    return GLANCECLIENT_ERRORS.get(status, HTTPException)(body.replace("\n\n", "\n") or None)


def glance_failure(status: int, body: str, base_url: str, image_id: str | None = None) -> Exception:
    """What Nova's image service raised for an answer of ``status`` to a show of ``image_id``
    or, with None, to a listing.

    A show was glanceclient v1's ``HEAD``, so its error has no body to quote; a 503 was
    retried as a connection failure (``GlanceClientWrapper.call``, ``glance_num_retries``
    0), then ``_translate_image_exception`` ran (``glance.py:395-414@2012.2.4``,
    ``460-479@2013.1.5``, ``540-557@2013.2.4``, ``573-590@2014.1.5``). A listing's error is
    glanceclient's own, untranslated and not retried: v1's ``images.list`` is a generator,
    which ``call`` handed back unread, so its request ran in ``detail``'s ``for image in
    images`` loop, past the ``try`` around ``call`` (``glance.py:169@2012.2.4``,
    ``213@2013.1.5``, ``264@2013.2.4``, ``261@2014.1.5``).
    """
    if image_id is None:
        return glanceclient_error(status, body)
    error = glanceclient_error(status, "")
    if status == 503:
        return connection_failed(base_url, str(error))
    if status in (401, 403):
        return ImageNotAuthorized(image_id=image_id)
    if status == 404:
        return ImageNotFound(image_id=image_id)
    if status == 400:
        return Invalid(str(error))
    return error


def listed_images(body: Any) -> list[dict[str, Any]]:
    """The images of a listing's page as glanceclient v1's ``_list`` read them:
    ``body['images']``, every item that is not empty made a ``Resource`` (which read it with
    ``iteritems``), with Python 2's error where the body is not that: ``TypeError`` for a
    body that is no object (or no JSON: ``json_request`` left it text or None) or images
    that cannot be iterated, ``KeyError`` without ``images``, ``AttributeError`` for an item
    that is no object (a text's characters and an object's keys are its items)."""
    if type(body) is not dict:
        raise TypeError(f"the listing {shorten(repr(body))} cannot be indexed with 'images'")
    if "images" not in body:
        raise KeyError("images")
    images = body["images"]
    if not isinstance(images, list | dict | str):
        raise TypeError(f"the listing's images {shorten(repr(images))} cannot be iterated")
    items: list[dict[str, Any]] = []
    for item in images:
        if not item:
            continue
        if type(item) is not dict:
            raise AttributeError(f"the listed image {shorten(repr(item))} is no object")
        items.append(item)
    return items


def connection_failed(base_url: str, reason: str) -> GlanceConnectionFailed:
    """``GlanceConnectionFailed`` for the Glance at ``base_url``, with the reason."""
    parts = urlsplit(base_url)
    return GlanceConnectionFailed(host=parts.hostname, port=parts.port, reason=reason)


@dataclass(frozen=True)
class GlanceExchange:
    """One GET to Glance and what came back: a status and body, or a failure (no answer)."""

    path: str
    query: Query
    status: int | None = None
    body: str | None = None
    failure: Failure | None = None
    count: int = 1

    @property
    def key(self) -> tuple[str, Query]:
        """What identifies the request: its path and its query, order aside."""
        return self.path, tuple(sorted(self.query))

    def same_answer(self, other: GlanceExchange) -> bool:
        return (self.key, self.status, self.body, self.failure) == (
            other.key,
            other.status,
            other.body,
            other.failure,
        )

    def to_dict(self) -> dict[str, Any]:
        """The cassette form: a JSON body stays JSON, so it reads (and diffs) as such."""
        data: dict[str, Any] = {
            "method": "GET",
            "path": self.path,
            "query": [list(pair) for pair in self.query],
        }
        if self.failure is not None:
            data["failure"] = self.failure
        else:
            data["status"] = self.status
            try:
                data["json"] = json.loads(self.body or "")
            except ValueError:
                data["body"] = self.body
        if self.count > 1:
            data["count"] = self.count
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GlanceExchange:
        body = json.dumps(data["json"]) if "json" in data else data.get("body")
        return cls(
            path=data["path"],
            query=tuple((name, value) for name, value in data["query"]),
            status=data.get("status"),
            body=body,
            failure=data.get("failure"),
            count=data.get("count", 1),
        )


def exchange_target(url: str, base_url: str) -> tuple[str, Query]:
    """The path below ``base_url`` and the query pairs of ``url``: how exchanges are keyed.

    Recording and replay both derive keys from the final URL with this one function, so a
    replayed request finds its recording whatever encoding ``requests`` chose.
    """
    parts = urlsplit(url)
    base_path = urlsplit(base_url).path.rstrip("/")
    path = parts.path[len(base_path) :] if parts.path.startswith(base_path) else parts.path
    return path or "/", tuple(parse_qsl(parts.query, keep_blank_values=True))


class GlanceImageBackend:
    """The :class:`~simulator.images.ImageBackend` protocol over Glance's v2 HTTP API."""

    remote = True
    """Each answer waits on Glance: a server hands such requests to worker threads."""

    def __init__(
        self,
        base_url: str,
        session: requests.Session | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        on_exchange: Callable[[GlanceExchange], None] | None = None,
    ) -> None:
        import requests

        problem = http_url_problem(base_url)
        if problem:
            raise BadInput(f"Glance URL {base_url!r}: {problem}")
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.timeout = timeout
        self.on_exchange = on_exchange

    def show(self, image_uuid: str) -> Image:
        """``GET /v2/images/{id}``; a 404 is ImageNotFound, as Nova's image service raised."""
        data = self._get(f"{IMAGES_PATH}/{quote(image_uuid, safe='')}", (), image_uuid)
        return self._image(data, f"image {image_uuid}")

    def detail(self, name: str) -> list[Image]:
        """``GET /v2/images?name=...&sort_dir=asc``, following ``next`` links: oldest first.

        Each page is read whole (:func:`listed_images`) before its images are translated, as
        glanceclient built a page's resources before ``detail`` saw the first of them."""
        images: list[Image] = []
        path = IMAGES_PATH
        query: Query = (("name", name), ("sort_dir", "asc"))
        seen: set[str] = set()
        while True:
            data = self._get(path, query)
            page = listed_images(data)
            images.extend(self._image(item, f"an image listed by {path}") for item in page)
            link = data.get("next")
            if not link:
                return images
            if not isinstance(link, str) or link in seen:
                raise self._malformed(path, f"unusable 'next' link {link!r}")
            seen.add(link)
            path, query = exchange_target(self.base_url + link, self.base_url)

    def _get(self, path: str, query: Query, image_id: str | None = None) -> Any:
        """One GET: the parsed JSON body, or what Nova's image service raised instead
        (:func:`glance_failure`; ``image_id`` for a show, None for a listing, whose body
        that is no JSON is left as text for :func:`listed_images` to refuse)."""
        import requests

        prepared = self.session.prepare_request(
            requests.Request("GET", self.base_url + path, params=list(query))
        )
        url = prepared.url or self.base_url + path
        recorded_path, recorded_query = exchange_target(url, self.base_url)
        try:
            response = self.session.send(prepared, timeout=self.timeout)
        except requests.Timeout:
            self._notify(GlanceExchange(recorded_path, recorded_query, failure="timeout"))
            reason = f"Glance GET {url} timed out after {self.timeout:g}s"
            raise self._unreachable(reason, image_id) from None
        except requests.RequestException as exc:
            self._notify(GlanceExchange(recorded_path, recorded_query, failure="connection"))
            raise self._unreachable(f"Glance GET {url} failed: {exc}", image_id) from None
        self._notify(
            GlanceExchange(recorded_path, recorded_query, response.status_code, response.text)
        )
        if not 200 <= response.status_code < 300:
            raise glance_failure(response.status_code, response.text, self.base_url, image_id)
        try:
            return response.json()
        except ValueError:
            if image_id is None:
                return response.text
            raise self._malformed(url, "the body is not JSON") from None

    def _unreachable(self, reason: str, image_id: str | None) -> Exception:
        """A show's ``GlanceConnectionFailed`` (after the one attempt), a listing's
        glanceclient ``CommunicationError`` (:func:`glance_failure`)."""
        if image_id is None:
            return CommunicationError(reason)
        return connection_failed(self.base_url, reason)

    def _notify(self, exchange: GlanceExchange) -> None:
        if self.on_exchange is not None:
            self.on_exchange(exchange)

    def _image(self, data: Any, what: str) -> Image:
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise self._malformed(what, "expected an image object with a string 'id'")
        return translate_image(data)

    def _malformed(self, where: str, reason: str) -> ValueError:
        """An answer that is not the JSON Glance v2 promises and that Nova's v1 client never
        read (a show's body, an image without an id, a ``next`` link): ``ValueError``, as
        reading a body that is no JSON raised."""
        return ValueError(
            f"Glance at {self.base_url} sent a malformed answer for {where}: {reason}"
        )


def translate_image(data: dict[str, Any]) -> Image:
    """A v2 image as Nova's image service hands it on: core attributes, v1's ``is_public``
    (v2's ``visibility`` of ``public``), the rest properties (those Glance keeps as JSON
    text read as JSON)."""
    image: Image = {key: data[key] for key in NOVA_ATTRIBUTES if key in data}
    image["is_public"] = data.get("visibility") == "public"
    image["properties"] = {
        key: value for key, value in data.items() if key not in V2_CORE_ATTRIBUTES
    }
    return convert_from_string(image)
