"""The unexpected exceptions the simulator answered as UnknownError, as tests check them.

The service answers every failure as an EC2 document by construction, so a test that only
looks at the answers passes even when every launch raises a RuntimeError. The simulator logs
each unexpected exception's type (``launch_sim.api``, ``launch_sim.server``); these helpers
let a test assert that only Nova's own kind of failure was among them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

NOVA_FAILURES = frozenset(
    {
        "AssertionError",
        "AttributeError",
        "KeyError",
        "OverflowError",
        "TypeError",
        "UnicodeEncodeError",
        "ValueError",
    }
)
"""What may become UnknownError: Python's own errors where Nova's code meets a value of the
wrong shape or a missing key (``int(None)``, ``int(float('inf'))`` for ``MinCount=inf``,
``None.split``, ``kwargs['image_id']``, Nova's asserts, Python 2's ASCII encoding of a
unicode ``UserData`` in ``base64.decodestring``), which Nova answered alike.
Anything else (a RuntimeError, say) is a bug in the simulator hidden behind UnknownError."""


class Unexpected(logging.Handler):
    """The type names the simulator logs as unexpected: the Executor's (``launch_sim.api``)
    and the server's, for what escaped the service (``launch_sim.server``)."""

    LOGGERS = ("launch_sim.api", "launch_sim.server")

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.types: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.types.append(str(record.args[0]) if isinstance(record.args, tuple) else "?")


@contextmanager
def only_nova_failures() -> Iterator[list[str]]:
    """Fail the example if an unexpected exception other than :data:`NOVA_FAILURES` was
    answered as UnknownError; yields the list of those seen."""
    handler = Unexpected()
    loggers = [logging.getLogger(name) for name in Unexpected.LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        yield handler.types
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
    assert set(handler.types) <= NOVA_FAILURES, handler.types
