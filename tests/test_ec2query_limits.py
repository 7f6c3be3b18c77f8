"""The query limits' shortcut (:func:`~simulator.ec2query._within_limits`) answers as their
loop over the parameters does, whichever of the two decides."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from simulator.ec2query import _check_limits, _names, _within_limits
from simulator.limits import QueryLimits

LIMITS = QueryLimits(max_parameters=4, max_key_dots=1, max_value_bytes=12)
"""Values of three characters pass whatever they hold, four to twelve by their UTF-8 size,
so a few values together are beyond what the shortcut takes while each is within bounds."""

PARAMS = st.lists(
    st.tuples(
        st.sampled_from(["Action", "A", "B.c", "UserData", "D.e.f"]),
        st.text(st.sampled_from("ab\u00e9\u20ac"), max_size=8),
    ),
    max_size=5,
)


@given(PARAMS)
def test_the_shortcut_answers_as_the_loop_does(params: list[tuple[str, str]]) -> None:
    try:
        _check_limits(params, LIMITS)
    except Exception as refused:
        expected: object = (type(refused), str(refused))
    else:
        query = dict(params)
        expected = (query, _names(tuple(query)))
    try:
        got: object = _within_limits(params, LIMITS)
    except Exception as refused:
        got = (type(refused), str(refused))
    assert got == expected
