"""The ids compute draws from its rng, the same draws as the calls they are written out from,
and what is made of them without the general path that would come to the same."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.compute import (
    HOSTNAME_PREFIX,
    MULTI_INSTANCE_DISPLAY_NAME_TEMPLATE,
    RESERVATION_ID_CHARS,
    RecordingComputeAPI,
    sanitize_hostname,
)
from simulator.compute_instances import security_group_models
from simulator.contracts import default_registry
from simulator.ec2ids import uuid4_text
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


@given(st.integers(0, 2**128 - 1))
def test_an_instance_hostname_is_its_display_name_sanitized(bits: int) -> None:
    """A launch of one instance takes ``HOSTNAME_PREFIX + uuid`` for its hostname: what
    ``sanitize_hostname('Server <uuid>')`` gives; several instances still sanitize theirs."""
    uuid = uuid4_text(bits)
    assert HOSTNAME_PREFIX + uuid == sanitize_hostname(f"Server {uuid}")
    renamed = MULTI_INSTANCE_DISPLAY_NAME_TEMPLATE % {"name": f"Server {uuid}", "uuid": uuid}
    assert sanitize_hostname(renamed) == f"server-{uuid}-{uuid}"


@pytest.mark.parametrize(
    ("names", "models"),
    [
        (["default"], ["default"]),
        (["default", "default"], ["default"]),
        (("default",), ["default"]),
        ("default", ["default", "d", "e", "f", "a", "u", "l", "t"]),
        (["web", "default"], ["default", "web"]),
    ],
)
def test_default_alone_is_its_one_group_model(names: object, models: list[object]) -> None:
    """``['default']`` is answered without the walks; the forms that take them agree."""
    assert security_group_models(names, "p") == models
