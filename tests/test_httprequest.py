"""The form reader: pair for pair what ``parse_qsl`` reads, invalid UTF-8 refused."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.errors import InvalidParameterValue
from simulator.httprequest import form_pairs

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
