"""How big a request may be: the limits the query parser and the Python API both enforce.

A query parameter with n dots becomes a keyword argument nested n containers deep, so the
EC2 query path (:mod:`simulator.ec2query`) and the Python API (:mod:`simulator.api`, which
also takes JSON request files) refuse the same depths, with the same wording. The limits
live below both, so the facade does not import the protocol layer to learn them. The
protocol layer's caches of per-text work are bounded here too (:class:`ShortTextMemo`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

_MAX_NAME_IN_MESSAGE = 64
SHORT_TEXT_CHARS = 64
"""The longest text :class:`ShortTextMemo` keeps an answer for."""
MEMO_SIZE = 4096
"""The most answers a :class:`ShortTextMemo` holds."""

_Answer = TypeVar("_Answer")


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


class ShortTextMemo(dict[str, _Answer]):
    """A function of a text (with an immutable answer) that remembers its answers for texts
    of at most :data:`SHORT_TEXT_CHARS` characters, at most :data:`MEMO_SIZE` of them.

    Requests repeat the same few names and values (device names, ids, counts), so each is
    worked out once; a long value (user data, say) is worked out each time, so the memo
    never holds more than a few hundred kilobytes whatever the requests carry. When full it
    starts again empty, which keeps every step O(1). A remembered answer is found by the
    dict's own lookup, with no Python frame: ``memo[text]`` or ``memo(text)`` (the hot
    loops of the query parser index it, a third of the cost of ``functools.lru_cache``
    behind a length test). A failure is not remembered: the next call raises again.
    """

    def __init__(self, function: Callable[[str], _Answer]) -> None:
        super().__init__()
        self._function = function
        functools.update_wrapper(self, function)

    __call__ = dict.__getitem__

    def __missing__(self, text: str) -> _Answer:
        answer = self._function(text)
        if len(text) <= SHORT_TEXT_CHARS:
            if len(self) >= MEMO_SIZE:
                self.clear()
            self[text] = answer
        return answer
