"""The ids compute draws from its rng: the same draws as the calls they are written out from."""

from __future__ import annotations

import random

import pytest

from simulator.compute import RESERVATION_ID_CHARS, RecordingComputeAPI
from simulator.contracts import default_registry
from simulator.images import StoreImageBackend
from simulator.store import MappingStore


def _compute(seed: int) -> RecordingComputeAPI:
    store = MappingStore.in_memory()
    return RecordingComputeAPI(
        store, StoreImageBackend(store), default_registry(), rng=random.Random(seed)
    )


@pytest.mark.parametrize("seed", range(200))
def test_reservation_id_is_random_choices(seed: int) -> None:
    """``_generate_reservation_id`` gives what ``rng.choices(RESERVATION_ID_CHARS, k=8)``
    gave and leaves the rng where that call left it, so seeded runs keep their ids."""
    compute = _compute(seed)
    reference = random.Random(seed)
    for _ in range(5):
        expected = "r-" + "".join(reference.choices(RESERVATION_ID_CHARS, k=8))
        assert compute._generate_reservation_id() == expected
    assert compute.rng.getstate() == reference.getstate()
