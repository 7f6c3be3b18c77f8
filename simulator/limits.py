"""How big a request may be: the limits the query parser and the Python API both enforce.

A query parameter with n dots becomes a keyword argument nested n containers deep, so the
EC2 query path (:mod:`simulator.ec2query`) and the Python API (:mod:`simulator.api`, which
also takes JSON request files) refuse the same depths, with the same wording. The limits
live below both, so the facade does not import the protocol layer to learn them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_MAX_NAME_IN_MESSAGE = 64


@dataclass(frozen=True)
class QueryLimits:
    """Sizes a request is refused beyond, before any conversion work is spent on it.

    The server's body limit bounds the whole request; these bound its shape, so a hostile
    request cannot make the protocol layer build huge or deeply nested structures.
    """

    max_parameters: int = 1000
    max_key_dots: int = 8
    max_value_bytes: int = 64 * 1024
    unbounded_value_keys: frozenset[str] = field(default_factory=lambda: frozenset({"UserData"}))


DEFAULT_LIMITS = QueryLimits()


def shorten(name: str) -> str:
    """A parameter name cut to a readable length for an error message (names are unbounded)."""
    if len(name) <= _MAX_NAME_IN_MESSAGE:
        return name
    return name[:_MAX_NAME_IN_MESSAGE] + "..."
