"""A value a :class:`~contextvars.ContextVar` holds for one ``with`` block.

Every request sets one (the compute API's capture list; the clock's request serial is
set and reset by :class:`~simulator.lifecycle.RequestClock` itself). A class with
``__enter__``/``__exit__`` does so at a third of the cost of a
``contextlib.contextmanager`` generator, which a replay pays on every interaction.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Generic, TypeVar

_Value = TypeVar("_Value")


class Scoped(Generic[_Value]):
    """``var`` set to ``value`` on entering the block (which gets ``value``), and back to
    what it was on leaving it, however it is left."""

    __slots__ = ("_token", "_value", "_var")

    def __init__(self, var: ContextVar[_Value | None], value: _Value) -> None:
        self._var = var
        self._value = value
        self._token: Token[_Value | None] | None = None

    def __enter__(self) -> _Value:
        self._token = self._var.set(self._value)
        return self._value

    def __exit__(self, *exc_info: object) -> None:
        if self._token is not None:
            self._var.reset(self._token)
            self._token = None
