"""Instance states as Nova moves them, and the one rule of simulated time.

Nova's compute API changes an instance in two steps: the API call itself sets a
``task_state`` (``deleting``, ``powering-off`` ...) and casts to the compute manager, which
later finishes the work and sets the ``vm_state`` (``deleted``, ``stopped`` ...). The
simulator keeps both steps and replaces the wall clock by a count of requests: work a
request starts is finished by compute once ``settle_after`` further requests have begun
(one, by default: the next request sees it done), and never within the request that
started it, so TerminateInstances' ``currentState`` still reads the state before compute
ran, as in Nova. Nothing waits: a waiter polling with no delay sees ``pending`` become
``running`` on its first poll.

Work is finished lazily, when a later request reads the instance (what it reads is then
what an eager compute would have left), so a request costs nothing for the instances it
does not touch. A restarted simulator treats all work left unfinished as finished.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Mapping
from contextvars import ContextVar, Token
from types import MappingProxyType
from typing import Any, Final

# nova/compute/vm_states.py
BUILDING: Final = "building"
ACTIVE: Final = "active"
STOPPED: Final = "stopped"
PAUSED: Final = "paused"
SUSPENDED: Final = "suspended"
RESCUED: Final = "rescued"
RESIZED: Final = "resized"
SOFT_DELETED: Final = "soft-delete"
DELETED: Final = "deleted"
ERROR: Final = "error"

# nova/compute/task_states.py
SCHEDULING: Final = "scheduling"
DELETING: Final = "deleting"
POWERING_OFF: Final = "powering-off"
POWERING_ON: Final = "powering-on"
STOPPING: Final = "stopping"
STARTING: Final = "starting"
REBOOTING: Final = "rebooting"
REBOOTING_HARD: Final = "rebooting_hard"

SIMULATED_HOST: Final = "launch-sim"
"""The one compute host the scheduler places every instance on (a service of each kind
runs there; see :mod:`simulator.availability_zones`)."""

_EC2_NAMES: Final[Mapping[str | None, str]] = MappingProxyType(
    {
        None: "pending",
        BUILDING: "pending",
        ACTIVE: "running",
        DELETED: "terminated",
        SOFT_DELETED: "terminated",
        STOPPED: "stopped",
        PAUSED: "pause",
        SUSPENDED: "suspend",
        RESCUED: "rescue",
        RESIZED: "resize",
    }
)
"""``cloud._STATE_DESCRIPTION_MAP``: an unlisted vm_state (``error``) is its own name."""

_EC2_CODES: Final[Mapping[str, int]] = MappingProxyType(
    {
        "pending": 0,
        "running": 16,
        "shutting-down": 32,
        "terminated": 48,
        "stopping": 64,
        "stopped": 80,
        "migrate": 16,
        "resize": 16,
        "pause": 80,
        "suspend": 80,
        "rescue": 16,
    }
)
"""``inst_state._NAME_TO_CODE``; ``name_to_code`` gives 0 for any other name."""


def state_description(vm_state: str | None) -> dict[str, Any]:
    """``cloud._state_description``: the EC2 ``{code, name}`` of a vm_state.

    The task_state is never consulted, so ``shutting-down`` and ``stopping`` are never
    produced: an instance being deleted or powered off reads as it did before.
    """
    name = _EC2_NAMES.get(vm_state, vm_state)
    return {"code": _EC2_CODES.get(str(name), 0), "name": name}


TERMINATED: Final = state_description(DELETED)

COMPLETIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        SCHEDULING: ACTIVE,
        DELETING: DELETED,
        POWERING_OFF: STOPPED,
        STOPPING: STOPPED,
        POWERING_ON: ACTIVE,
        STARTING: ACTIVE,
        REBOOTING: ACTIVE,
        REBOOTING_HARD: ACTIVE,
    }
)
"""The vm_state the compute manager leaves when it finishes each task (``task_state``
None): ``_run_instance`` and ``_spawn``, ``_delete_instance``, ``stop_instance``,
``start_instance``, ``reboot_instance`` (which sets ``active`` whatever the vm_state was,
so rebooting a stopped instance starts it)."""


def finish(row: dict[str, Any]) -> None:
    """What the compute manager does when the row's task is done (the row is changed).

    A build also gets its host; a delete destroys the row (``instance_destroy``'s soft
    delete: the row stays, marked deleted).
    """
    task = row["task_state"]
    row["vm_state"] = COMPLETIONS[task]
    row["task_state"] = None
    row["work"] = None
    if task == SCHEDULING:
        row["host"] = SIMULATED_HOST
    elif task == DELETING:
        row["deleted"] = True


class RequestClock:
    """Counts requests, so that compute finishes work "between" them, deterministically.

    Each request gets the next serial number (:meth:`request`); work is stamped with the
    serial of the request that started it, and is due once ``settle_after`` more requests
    have begun. A stamp from another clock (a store written before a restart) is due.
    """

    def __init__(self, settle_after: int = 1) -> None:
        if type(settle_after) is not int or settle_after < 1:
            raise ValueError(f"settle_after must be a positive integer, not {settle_after!r}")
        self.settle_after = settle_after
        self.epoch = os.urandom(8).hex()
        self._serials = itertools.count(1)
        self._latest = 0
        self._lock = threading.Lock()
        self._current: ContextVar[int | None] = ContextVar("request_serial", default=None)

    def begin(self) -> Token[int | None]:
        """One request begins: its serial number is current in this context until
        :meth:`end` is given what this returned (in a ``finally``: a ``with`` block's object
        and its ``__enter__`` and ``__exit__`` cost three calls more per request)."""
        self._lock.acquire()
        try:
            serial = self._latest = next(self._serials)
        finally:
            self._lock.release()
        return self._current.set(serial)

    def end(self, begun: Token[int | None]) -> None:
        """The request :meth:`begin` began is over; the serial current before it is again."""
        self._current.reset(begun)

    def now(self) -> int:
        """The current request's serial; outside any request, the latest one begun."""
        serial = self._current.get()
        return self._latest if serial is None else serial

    def stamp(self) -> list[Any]:
        """What work started now is stamped with (JSON, for the instance row)."""
        return [self.epoch, self.now()]

    def is_due(self, stamp: Any) -> bool:
        """Whether work stamped ``stamp`` is finished by now."""
        if not isinstance(stamp, list) or len(stamp) != 2 or stamp[0] != self.epoch:
            return True
        return bool(self.now() - stamp[1] >= self.settle_after)
