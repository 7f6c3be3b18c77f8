"""The direct XML writer produces the very bytes Nova's ``minidom`` rendering produced."""

from __future__ import annotations

import datetime
from typing import Any
from xml.dom import minidom

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.ec2query import render_response
from simulator.profiles import XmlStyle

KEYS = st.sampled_from(["reservation_id", "ownerId", "item_set", "a", "instance_state", "x_y_z"])
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=8)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | TEXT
    | st.datetimes(min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2100, 1, 1))
)
RESULTS = st.dictionaries(
    KEYS,
    st.recursive(
        SCALARS,
        lambda c: st.lists(c, max_size=3) | st.dictionaries(KEYS, c, max_size=3),
        max_leaves=8,
    ),
    max_size=4,
)


def camel(key: str) -> str:
    words = key.split("_")
    joined = "".join(w[:1].upper() + w[1:] for w in words)
    return joined[:1].lower() + joined[1:]


def minidom_oracle(action: str, version: str, request_id: str, result: dict[str, Any]) -> bytes:
    """Nova's ``_render_response``, built with minidom as Nova did."""
    doc = minidom.Document()

    def render(name: str, data: Any) -> minidom.Element:
        element = doc.createElement(camel(name))
        if isinstance(data, list):
            for item in data:
                element.appendChild(render("item", item))
        elif isinstance(data, dict):
            for key, value in data.items():
                element.appendChild(render(key, value))
        elif isinstance(data, bool):
            element.appendChild(doc.createTextNode(str(data).lower()))
        elif isinstance(data, datetime.datetime):
            stamp = f"{data:%Y-%m-%dT%H:%M:%S}.{data.microsecond // 1000:03d}Z"
            element.appendChild(doc.createTextNode(stamp))
        elif data is not None:
            text = str(data)
            text.encode("ascii")  # Python 2's str() of unicode: UnicodeEncodeError
            element.appendChild(doc.createTextNode(text))
        return element

    root = doc.createElement(f"{action}Response")
    root.setAttribute("xmlns", f"http://ec2.amazonaws.com/doc/{version}/")
    root.appendChild(render("requestId", request_id))
    for key, value in result.items():
        root.appendChild(render(key, value))
    doc.appendChild(root)
    return doc.toxml().encode()


@given(RESULTS, TEXT)
def test_same_bytes_as_minidom(result: dict[str, Any], version: str) -> None:
    try:
        expected = minidom_oracle("RunInstances", version, "req-1", result)
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            render_response("RunInstances", version, "req-1", result)
        return
    assert render_response("RunInstances", version, "req-1", result) == expected


@pytest.mark.parametrize("style", list(XmlStyle))
@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3.14159265358979, "3.14159265359"),
        (123456789012345678.5, "1.23456789012e+17"),
        (1.0, "1.0"),
    ],
)
def test_a_float_is_written_as_python_2_str_wrote_it(
    style: XmlStyle, value: float, text: str
) -> None:
    """``_render_data``'s ``str(data)`` (apirequest.py:134-135@2013.1.5, the same at every
    tag) is Python 2's: 12 significant digits; what minidom then writes is unchanged. (A
    float read back from the database is text by then: ``column_text``.)"""
    document = render_response("RunInstances", "v", "req-1", {"instance_id": value}, style)
    assert f"<instanceId>{text}</instanceId>".encode() in document
