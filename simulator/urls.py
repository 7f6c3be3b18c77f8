"""The http(s) URLs launch-sim is given to send requests to: a live endpoint ``verify``
checks, the Glance ``serve --image-service`` asks. Each is checked before the first request,
so a typo is one line of bad input rather than a traceback from the URL parser or one
connection error per request."""

from __future__ import annotations

from urllib.parse import urlsplit


def http_url_problem(url: str) -> str | None:
    """Why ``url`` is not a base URL requests can be sent below, or None."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # an unclosed IPv6 bracket
        return f"not a valid URL ({str(exc).lower()})"
    if parts.scheme not in ("http", "https"):
        return "not an http(s) URL"
    if not parts.hostname:
        return "the URL names no host"
    try:
        parts.hostname.encode("idna")
    except UnicodeError:  # urllib3 refuses it only as it connects
        return "the host name has an empty or too long label"
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        return "the port must be a number from 1 to 65535"
    if parts.query or parts.fragment:
        return "the URL may not carry a query or fragment (the requests bring their own)"
    return None
