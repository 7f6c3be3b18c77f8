"""The walk that asks whether an answer renders meets what the XML writer writes, in its order.

:func:`~simulator.ec2query._first_text` tests the members of plain dicts and lists in line
and leaves everything else to its long way; these check both ways against a walk written as
plainly as ``_render_data`` reads, over results that mix them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from simulator.ec2query import _first_text, _scalar_text, _xml_writable


class Record:
    """An object rendered through its ``__dict__``, as Nova's ``_render_data`` did."""

    def __init__(self, **fields: Any) -> None:
        vars(self).update(fields)


class Text(str):
    """A text with a ``__dict__``: still a scalar."""


class Mapping(dict[str, Any]):
    pass


class Items(list[Any]):
    pass


def walked(data: Any, plain: Callable[[str], bool], fields: list[dict[Any, Any]]) -> str | None:
    """The first text ``_render_data`` writes of ``data`` that is not ``plain``, each dict
    met added to ``fields``: every value asked in turn, nothing in line."""
    if isinstance(data, list):
        items: Any = data
    elif isinstance(data, dict):
        fields.append(data)
        items = data.values()
    elif hasattr(data, "__dict__") and _scalar_text(data) is None:
        fields.append(vars(data))
        items = vars(data).values()
    else:
        text = _scalar_text(data)
        return None if text is None or plain(text) else text
    for item in items:
        if (text := walked(item, plain, fields)) is not None:
            return text
    return None


KEYS = st.sampled_from(["a", "b_c", "item_set"])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=3)
    | st.text(max_size=3).map(Text)
    | st.datetimes(min_value=datetime.datetime(2000, 1, 1))
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=3).map(Items)
        | st.dictionaries(KEYS, inner, max_size=3)
        | st.dictionaries(KEYS, inner, max_size=3).map(Mapping)
        | st.dictionaries(KEYS, inner, max_size=3).map(lambda fields: Record(**fields))
    ),
    max_leaves=12,
)


@given(VALUES, st.sampled_from([str.isascii, _xml_writable]))
def test_the_walk_in_line_meets_what_a_plain_walk_meets(
    data: Any, plain: Callable[[str], bool]
) -> None:
    fields: list[dict[Any, Any]] = []
    expected: list[dict[Any, Any]] = []
    assert _first_text(data, plain, fields) == walked(data, plain, expected)
    assert list(map(id, fields)) == list(map(id, expected))
