"""The replayer: every recorded request sent again through :meth:`EC2Service.handle`.

Replaying rebuilds the recorded state in memory (the cassette's seed, and Glance's recorded
answers) and sends each request down the path every HTTP request takes, so a difference in
a create call, an error code, a status or an instance id means the launch path changed.

The simulator answers as the profile the cassette was recorded under, unless another is
asked for: then a difference means that release answers the conversation differently.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace

from simulator.api import Simulator
from simulator.cassette.format import Cassette, Interaction, compare, matches, utc_now
from simulator.cassette.glance_exchanges import serve_exchanges
from simulator.contracts import default_registry
from simulator.glance import GlanceImageBackend
from simulator.images import ImageBackend, StoreImageBackend
from simulator.profiles import Profile
from simulator.report import CassetteResult, InteractionResult
from simulator.seed import SeedSource, apply_seed, load_seed
from simulator.service import EC2Service
from simulator.store import MappingStore, MappingTable

_FLOOR_NAMESPACE = "6f0d3c52-8a52-4d8e-9a57-1c1f2a3b4c5d"
"""The uuid5 namespace of the placeholder rows :func:`restore_instance_floor` adds."""


@contextmanager
def replay_simulator(
    cassette: Cassette,
    label: str,
    seed: SeedSource | None = None,
    profile: str | Profile | None = None,
    keep_calls: int | None = None,
) -> Iterator[Simulator]:
    """A simulator in the state the cassette was recorded in, with no network.

    The store is in memory, built from ``seed`` (if given) and the cassette's seed; for a
    Glance cassette the recorded exchanges answer Glance's URL through ``responses``. It
    answers as ``profile``, by default the one the cassette was recorded under, and keeps
    ``keep_calls`` of its compute calls in ``sim.compute.calls`` (None: all of them).
    """
    store = MappingStore.in_memory()
    if seed is not None:
        apply_seed(store, load_seed(seed, default_registry()))
    apply_seed(store, cassette.seed, f"{label}: /seed")
    with ExitStack() as stack:
        images = cassette.image_service
        backend: ImageBackend = StoreImageBackend(store)
        if images.kind == "glance" and images.base_url is not None:
            stack.enter_context(serve_exchanges(images.base_url, images.exchanges))
            backend = GlanceImageBackend(images.base_url)
        sim = Simulator(
            store,
            image_backend=backend,
            profile=cassette.answered_as(profile),
            keep_calls=keep_calls,
        )
        stack.callback(sim.close)
        yield sim


def restore_instance_floor(store: MappingStore, floor: int | None) -> None:
    """Make autoincrement continue after ``floor``, as it did when the interaction was recorded.

    Ids never go back, so a floor below what is already issued is left alone (the instance
    ids then differ, and replay says so). :mod:`uuid` is imported only for a placeholder:
    with the :mod:`platform` it imports, it was 1.7% of a replay's start-up, and nothing else
    a replay runs uses it.
    """
    if floor is not None and store.highest_id(MappingTable.INSTANCES) < floor:
        import uuid

        placeholder = str(uuid.uuid5(uuid.UUID(_FLOOR_NAMESPACE), str(floor)))
        store.add_mapping(MappingTable.INSTANCES, placeholder, floor)


@dataclass
class Replay:
    """A cassette replayed: the verdicts, and the interactions as they came out this time."""

    result: CassetteResult
    observed: list[Interaction]

    def rerecorded(self, cassette: Cassette) -> Cassette | None:
        """The cassette with every differing interaction replaced by what replay saw, or None
        if nothing differs (a matching interaction keeps its bytes, reservation id included,
        so re-recording shows in git only where behaviour changed). Replayed under another
        profile, the cassette then holds that profile's answers, and names it."""
        if not self.result.failures:
            return None
        interactions = [
            recorded
            if verdict.ok
            else replace(observed, instance_id_floor=recorded.instance_id_floor)
            for recorded, observed, verdict in zip(
                cassette.interactions, self.observed, self.result.interactions, strict=True
            )
        ]
        profile = self.result.profile
        if profile == cassette.recorded_under.name:
            profile = cassette.profile
        return replace(cassette, interactions=interactions, recorded_at=utc_now(), profile=profile)


@contextmanager
def gc_frozen() -> Iterator[None]:
    """Keep the objects alive now (above all the loaded cassettes) out of the cyclic GC's way.

    Loaded cassettes are hundreds of thousands of containers that live until the replay
    ends; every full collection a replay triggers would walk them all again, about a tenth
    of a long replay's time. ``gc.freeze`` moves them to the permanent generation until the
    block ends. The youngest generation is also collected less often (every
    :data:`YOUNG_COLLECTION_EVERY` allocations, not 700): a replayed request's containers
    hold no cycles and die with it, so frequent young collections found nothing at a few
    percent of the time. Both act on the whole process, so only a program that owns its
    process uses this (``launch-sim replay``), never the library on a test's behalf; a
    freeze made before the block is left alone, thresholds and all.
    """
    if gc.get_freeze_count():
        yield
        return
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


YOUNG_COLLECTION_EVERY = 10_000


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while cassettes are read.

    Reading builds only acyclic containers (JSON values and the records made of them), so
    the collector finds nothing in them, yet as they pile up each full collection walks all
    of them again: a third of reading fifty 1,000-launch cassettes in one process. Like
    :func:`gc_frozen`, for a program that owns its process; a collector already disabled
    stays so.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def replay_cassette(
    cassette: Cassette,
    label: str,
    profile: str | Profile | None = None,
    interactions: Iterable[Interaction] | None = None,
    *,
    keep: bool = True,
) -> Replay:
    """Send every recorded request through :meth:`EC2Service.handle` and compare.

    ``profile`` replays against another release than the one recorded (the result names both).
    ``interactions`` replaces the cassette's own (a JSON Lines cassette's, read as they are
    replayed). ``keep=False`` keeps a result only for an interaction that differs and counts
    the others (:attr:`CassetteResult.passed`), and keeps no observed interactions (so the
    replay cannot re-record): memory then grows with the differences, not the cassette.
    """
    started = time.perf_counter()
    observed: list[Interaction] = []
    # Replay compares each request's own create calls (the outcome's), so the simulator
    # keeps none of its own: kept, they would grow with the cassette.
    with replay_simulator(cassette, label, profile=profile, keep_calls=0) as sim:
        result = CassetteResult(
            label, profile=sim.profile.name, recorded_under=cassette.recorded_under.name
        )
        service = EC2Service(sim)
        recorded_ones = cassette.interactions if interactions is None else interactions
        for index, recorded in enumerate(recorded_ones):
            began = time.perf_counter()
            restore_instance_floor(sim.store, recorded.instance_id_floor)
            outcome = service.handle(recorded.request.params)
            if not keep and matches(recorded, outcome):
                # Nearly every interaction of a streamed replay: counted, nothing else built.
                result.passed += 1
                continue
            again = Interaction.observe(recorded.request, outcome, canonical=False)
            differences = tuple(compare(recorded, again, index))
            if not keep:
                if not differences:
                    result.passed += 1
                    continue
            # A differing interaction is kept in canonical form, as re-recording writes it. A
            # matching one keeps the recorded calls (equal by value) so the fresh ones die
            # young: kept, they would be ~10 containers per interaction more for every full
            # collection of the cyclic GC to walk, a tenth of a long replay's time.
            elif differences:
                observed.append(Interaction.observe(recorded.request, outcome))
            else:
                observed.append(
                    Interaction(recorded.request, recorded.create_calls, again.response)
                )
            result.interactions.append(
                InteractionResult(
                    index,
                    recorded.request.params,
                    differences,
                    seconds=time.perf_counter() - began,
                )
            )
    result.seconds = time.perf_counter() - started
    return Replay(result, observed)
