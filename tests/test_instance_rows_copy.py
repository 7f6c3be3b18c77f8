"""An instance row is stored as its JSON round trip would leave it, whether or not the
store takes the fast copy (plain rows) or the round trip itself (anything else)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from simulator.errors import StoreError
from simulator.store import MappingStore


class Text(str):
    pass


class Number(int):
    pass


ODD_VALUES: list[Any] = [
    ("a", 1),
    Text("sub"),
    Number(5),
    {1: "int key"},
    [1.5, -0.0, {"deep": [True, None, 2**70]}],
    {"nested": ("t", ["u"])},
]


@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
def test_the_stored_row_is_the_json_round_trip(value: Any) -> None:
    store = MappingStore.in_memory()
    written = {"uuid": "u1", "reservation_id": "r-1", "value": value}
    store.instances.put(1, written)
    assert store.instances.get(1) == json.loads(json.dumps(written))
    written["value"] = "changed"
    assert store.instances.get(1) != written


def test_a_row_json_cannot_hold_is_refused() -> None:
    store = MappingStore.in_memory()
    with pytest.raises(StoreError, match="refusing to write instance 1: not JSON"):
        store.instances.put(1, {"uuid": "u1", "reservation_id": "r-1", "value": object()})


def test_a_row_missing_a_required_string_is_refused() -> None:
    store = MappingStore.in_memory()
    with pytest.raises(StoreError, match="refusing to write instance 1: field 'uuid'"):
        store.instances.put(1, {"uuid": 5, "reservation_id": "r-1"})
