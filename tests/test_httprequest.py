"""The form reader: pair for pair what ``parse_qsl`` reads, invalid UTF-8 refused."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.errors import InvalidParameterValue
from simulator.httprequest import HttpRequest, form_pairs

TOKENS = [*"&=+%aZ09.-_/ \u00e9\u2713", "%2F", "%C3%A9", "%FF", "%e"]
FORM_TEXT = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


@given(FORM_TEXT, st.integers(min_value=0, max_value=70))
def test_a_form_reads_as_parse_qsl_reads_it(text: str, long_value: int) -> None:
    """Short fields come from the decode cache, long ones are decoded each time: both as
    ``parse_qsl(..., keep_blank_values=True, errors="strict")``."""
    text += "&long=" + "%2F" * long_value
    try:
        expected = parse_qsl(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        with pytest.raises(InvalidParameterValue):
            form_pairs(text.encode())
        return
    assert form_pairs(text.encode()) == expected
    assert form_pairs(text.encode()) == expected, "and again, from the cache"


def test_bytes_that_are_no_utf_8_are_refused() -> None:
    with pytest.raises(InvalidParameterValue, match="not valid UTF-8"):
        form_pairs(b"Action=Run\xffInstances")


def test_a_name_in_both_query_and_body_keeps_the_querys_last_value() -> None:
    """``dict(req.params)`` of webob's ``NestedMultiDict``: every name, query names first, each
    with the query's last value if the query has it, else the body's last."""
    request = HttpRequest(
        "POST",
        "http",
        "h",
        "/",
        b"a=q1&b=q2&a=q3",
        {"content-type": "application/x-www-form-urlencoded"},
        b"c=b1&a=b2&c=b3",
    )
    params = request.params()
    assert [name for name, _ in params] == ["a", "b", "a", "c", "a", "c"]
    assert dict(params) == {"a": "q3", "b": "q2", "c": "b3"}
