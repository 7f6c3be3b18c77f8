"""``Simulator``: the facade that wires store, image service, compute and cloud controller.

It is what the CLI, the WSGI server, the boto3 hook, the pytest plugin and replay all
build on, so they share one launch path and one error translation: whatever fails inside
a launch leaves here as an :class:`~simulator.errors.EC2Error` whose ``code`` and
``message`` are exactly what the EC2 error document carries.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulator.cloud import CloudController
from simulator.compute import Quotas, RecordingComputeAPI
from simulator.context import RequestContext
from simulator.contracts import ContractRegistry, default_registry
from simulator.errors import EC2Error, ErrorEnvelope, InvalidRequest, RequestTooLarge, UnknownError
from simulator.images import ImageBackend, S3ImageService, StoreImageBackend
from simulator.limits import DEFAULT_LIMITS, shorten
from simulator.profiles import Profile, get_profile
from simulator.py2text import BYTE_STRING_NAMES
from simulator.resources import default_seed_path
from simulator.scoped import Scoped
from simulator.seed import SeedSource, apply_seed, check_seed, load_seed
from simulator.store import MappingStore

_log = logging.getLogger("launch_sim.api")

SUPPORTED_ACTIONS = frozenset(
    {
        "run_instances",
        "describe_instances",
        "terminate_instances",
        "stop_instances",
        "start_instances",
        "reboot_instances",
        "describe_instance_attribute",
        "describe_images",
        "describe_snapshots",
        "describe_volumes",
        "describe_availability_zones",
    }
)
"""The controller methods launch-sim simulates; any other action is answered as one Nova's
controller lacks (``InvalidRequest``), whether or not the release had it."""


_NOAUTH_CONTEXT = RequestContext()
"""NoAuth's admin, for a request that brings no context of its own: one shared record (it
is frozen), where a new one per request cost three ``object.__setattr__`` calls in its
frozen dataclass's ``__init__``."""


class _Executor:
    """Nova's ``Executor``: every failure leaves the block as an EC2Error carrying the
    profile's ``envelope``; any other exception becomes ``UnknownError`` and, as Nova logged
    "Unexpected error raised", is logged on ``launch_sim.api`` (its type only: the message
    could quote the request), so a test can tell a failure that mirrors Nova's from a
    simulator bug. It keeps no state, so one serves every request of a simulator, nested
    and concurrent ones included; a class, not a generator, because
    :meth:`Simulator.run_instances` enters it on every call (:meth:`Simulator.invoke` asks
    :meth:`failed` itself)."""

    __slots__ = ("_envelope",)

    def __init__(self, envelope: ErrorEnvelope) -> None:
        self._envelope = envelope

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: object
    ) -> None:
        if isinstance(error, Exception):
            self.failed(error)

    def failed(self, error: Exception) -> None:
        """What leaving the block with ``error`` does (then re-raised unless this raises), for a
        caller that catches it itself: :meth:`Simulator.invoke`, whose ``with`` cost two
        calls per request."""
        if isinstance(error, EC2Error):
            error.envelope = self._envelope
            return
        _log.info("launch-sim: unexpected %s became UnknownError", type(error).__name__)
        unknown = UnknownError(error)
        unknown.envelope = self._envelope
        raise unknown from error


class Simulator:
    """One simulated Nova EC2 API: ``run_instances`` in, recorded ``CreateCall`` out."""

    def __init__(
        self,
        store: MappingStore,
        *,
        image_backend: ImageBackend | None = None,
        contracts: ContractRegistry | None = None,
        quotas: Quotas | None = None,
        rng: random.Random | None = None,
        keep_calls: int | None = None,
        profile: str | Profile | None = None,
        settle_after: int = 1,
        admin: bool = True,
    ) -> None:
        """``settle_after``: how many requests compute takes to finish what a request started
        (:mod:`simulator.lifecycle`). ``admin=False`` makes every request a plain user of its
        project, as a keystone user of a real cloud is, instead of NoAuth's admin."""
        self.store = store
        self.admin = admin
        self.profile = get_profile(profile)
        self._executor = _Executor(self.profile.errors)
        self._byte_names = not self.profile.unicode_names
        self.contracts = contracts or default_registry()
        self.image_backend: ImageBackend = image_backend or StoreImageBackend(store)
        self.compute = RecordingComputeAPI(
            store,
            self.image_backend,
            self.contracts,
            quotas=quotas,
            rng=rng,
            keep_calls=keep_calls,
            profile=self.profile,
            settle_after=settle_after,
        )
        self.cloud = CloudController(
            store,
            S3ImageService(
                store, self.image_backend, self.profile.image_states, self.profile.memoized_ids
            ),
            self.compute,
            self.profile,
        )

    @classmethod
    def from_seed(cls, seed: SeedSource | None = None, **options: Any) -> Simulator:
        """An in-memory simulator seeded from a seed file or dict (default: the shipped seed)."""
        store = MappingStore.in_memory()
        _seed_store(store, seed, options.get("contracts"))
        return cls(store, **options)

    @classmethod
    def open(
        cls,
        path: str | Path,
        seed: SeedSource | None = None,
        *,
        default_first: bool = False,
        **options: Any,
    ) -> Simulator:
        """A simulator on a file store; a new (empty) store is first seeded (default seed;
        ``default_first``: see :func:`open_store`). A simulator that cannot be made closes
        the store again, so its lock is not held by a process that has no use for it."""
        store = open_store(
            path, seed, contracts=options.get("contracts"), default_first=default_first
        )
        try:
            return cls(store, **options)
        except BaseException:
            store.close()
            raise

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def run_instances(
        self, context: RequestContext | None = None, /, **kwargs: Any
    ) -> dict[str, Any]:
        """Launch as Nova's EC2 ``RunInstances`` would, kwargs as the query parser makes them.

        ``context`` is positional-only, as in Nova's controller, so a request key named
        ``context`` or ``self`` is a kwarg like any other and fails as it would in Nova (a
        TypeError in the controller call: ``UnknownError``). A value nested deeper than a
        query parameter can be (:func:`refuse_deep_values`) is refused before it is copied;
        one that cannot be copied (a lock, a generator) is an ``UnknownError`` like any other
        unexpected failure: only EC2Errors leave.
        """
        with self._executor:
            refuse_deep_values(kwargs)
            request = copy.deepcopy(kwargs)
        return self.invoke("run_instances", request, context)  # type: ignore[no-any-return]

    def invoke(
        self,
        method_name: str,
        kwargs: dict[str, Any] | Callable[[], dict[str, Any]],
        context: RequestContext | None = None,
    ) -> Any:
        """Nova's ``APIRequest.invoke``: dispatch to the controller, every failure an EC2Error.

        Like Nova, the controller changes ``kwargs`` in place (block device mappings are
        normalized where they stand); :meth:`run_instances` hands it a copy of the caller's.
        The error carries the profile's Executor, so its ``code`` and ``message`` are the
        ones this release answered. An action beyond ASCII fails as Python 2's ``getattr``
        of a unicode name did, UnicodeEncodeError, which Nova's ``except AttributeError``
        did not make ``InvalidRequest`` (``apirequest.py:57-59@2013.1.5``). ``kwargs`` may be
        what makes them, called once the action is found, where Nova made them: after
        ``InvalidRequest`` and before a controller attribute that is no method is called.
        """
        try:
            method_name.encode("ascii")
            attribute = method_name in self.profile.conversation.controller_attributes
            if not attribute and method_name not in SUPPORTED_ACTIONS:
                raise InvalidRequest()
            if callable(kwargs):
                kwargs = kwargs()
            if attribute:
                raise TypeError(f"the controller's {method_name} is not callable")
            method = getattr(self.cloud, method_name)
            context = context or _NOAUTH_CONTEXT
            if not self.admin:
                context = dataclasses.replace(context, is_admin=False)
            clock = self.compute.clock
            serial = clock.begin()
            try:
                if self._byte_names:
                    with Scoped(BYTE_STRING_NAMES, True):
                        return method(context, **kwargs)
                return method(context, **kwargs)
            finally:
                clock.end(serial)
        except Exception as error:
            self._executor.failed(error)
            raise


def open_store(
    path: str | Path,
    seed: SeedSource | None = None,
    *,
    contracts: ContractRegistry | None = None,
    seed_if_empty: bool = True,
    default_first: bool = False,
) -> MappingStore:
    """The file store at ``path``, with ``seed`` applied, or the default seed if it is empty.

    An empty store is a new one (rows are never deleted), so this is how every store is
    created from ``fixtures/seed/default.json``; ``seed_if_empty=False`` leaves a new store
    empty for ``store import``. With ``default_first`` a new store starts from the default
    seed even when ``seed`` is given, which is then merged into it: the CLI's default store,
    which every later command without ``--store`` opens again, so one started from a partial
    seed would fail the README's launch ever after. A seed that fails closes the store again
    (and releases it). The seed is read and checked on its own first
    (:func:`~simulator.seed.check_seed`), so one that fits no store opens, and creates, none.
    """
    loaded, label = None, ""
    if seed is not None:
        loaded, label = load_seed(seed, contracts or default_registry()), _label(seed)
        check_seed(loaded, label)
    store = MappingStore.open(path)
    try:
        if seed_if_empty and store.is_empty() and (seed is None or default_first):
            _seed_store(store, None, contracts)
        if loaded is not None:
            apply_seed(store, loaded, label)
    except BaseException:
        store.close()
        raise
    return store


def _seed_store(
    store: MappingStore, seed: SeedSource | None, contracts: ContractRegistry | None
) -> None:
    source = default_seed_path() if seed is None else seed
    apply_seed(store, load_seed(source, contracts or default_registry()), _label(source))


def refuse_deep_values(kwargs: dict[str, Any]) -> None:
    """Raise :class:`RequestTooLarge` for a value nested deeper than the query limit allows.

    A query parameter with n dots becomes a kwarg nested n containers deep, so the HTTP
    path never builds anything deeper than ``max_key_dots``; Python callers and JSON
    request files get the same limit, and with it no RecursionError in the copy.
    """
    limit = DEFAULT_LIMITS.max_key_dots
    for key, value in kwargs.items():
        if _deeper_than(value, limit):
            raise RequestTooLarge(
                err=f"Parameter {shorten(key)} is nested more than {limit} levels deep; "
                f"at most {limit} are accepted"
            )


def _deeper_than(value: Any, levels: int) -> bool:
    """Whether ``value`` holds containers more than ``levels`` deep (recursing at most that far)."""
    if isinstance(value, dict):
        children: Any = value.values()
    elif isinstance(value, list | tuple):
        children = value
    else:
        return False
    return levels == 0 or any(_deeper_than(child, levels - 1) for child in children)


def _label(source: SeedSource) -> str:
    return "<seed>" if isinstance(source, dict) else str(source)
