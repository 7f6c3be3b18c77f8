"""json_diff: the equality shortcut replay takes never hides a difference the full diff finds."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.report import ABSENT, Difference, _differences, json_diff, json_identical

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-2, 2)
    | st.sampled_from([0.0, 1.0, -0.0, math.nan])
    | st.sampled_from(["", "a", "1"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner),
    max_leaves=10,
)


@given(JSON, JSON)
def test_json_diff_finds_what_the_full_diff_finds(recorded: Any, observed: Any) -> None:
    assert json_diff(recorded, observed, ["x"]) == _differences(recorded, observed, ["x"])


@given(JSON, JSON)
def test_json_identical_is_the_full_diff_finding_nothing(recorded: Any, observed: Any) -> None:
    """Exactly, for JSON values: the dict walk checks keys by looking each one up."""
    assert json_identical(recorded, observed) == (_differences(recorded, observed, []) == [])


@pytest.mark.parametrize(
    ("recorded", "observed"),
    [({"a": 1}, {"b": 1}), ({"a": 1, "b": 2}, {"a": 1, "c": 2}), ({"a": 1}, {"a": 1, "b": 2})],
)
def test_other_keys_are_not_identical(recorded: Any, observed: Any) -> None:
    assert not json_identical(recorded, observed)
    assert not json_identical(observed, recorded)


@given(JSON)
def test_a_value_and_its_rebuilt_copy_differ_only_by_nan(value: Any) -> None:
    """NaN is not equal to itself, in the shortcut as in the full diff."""
    rebuilt = _rebuild(value)
    assert (json_diff(value, rebuilt) == []) == ("nan" not in repr(value))


@pytest.mark.parametrize(
    ("recorded", "observed"),
    [(True, 1), (1, 1.0), (0, False), ([1], [True]), ({"a": 1}, {"a": 1.0})],
)
def test_types_count(recorded: Any, observed: Any) -> None:
    assert json_diff(recorded, observed) != []


def test_key_order_does_not_count() -> None:
    assert json_diff({"a": 1, "b": [2]}, {"b": [2], "a": 1}) == []
    assert json_diff({"a": 1}, {"b": 1}) == [
        Difference("/a", 1, ABSENT),
        Difference("/b", ABSENT, 1),
    ]


def _rebuild(value: Any) -> Any:
    """An equal value sharing no container and no float with ``value``."""
    if isinstance(value, dict):
        return {key: _rebuild(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rebuild(item) for item in value]
    if isinstance(value, float):
        return float(repr(value))
    return value
