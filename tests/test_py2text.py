"""Python 2 text of values, each expected text printed by Python 2.7.18 (``unicode(value)``,
``u'...%(x)s...' % kwargs``), as Nova wrote them into messages and answers."""

from __future__ import annotations

from typing import Any

import pytest

from simulator import Simulator
from simulator.py2text import py2_format, py2_str
from simulator.service import EC2Service


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3.14159265358979, "3.14159265359"),
        (123456789012345678.5, "1.23456789012e+17"),
        (1.0, "1.0"),
        (-0.0, "-0.0"),
        (2.5, "2.5"),
        (1e16, "1e+16"),
        (1e11, "1e+11"),
        (123456789012.0, "1.23456789012e+11"),
        (12345678901.0, "12345678901.0"),
        (999999999999.5, "1e+12"),
        (1000000000005.0, "1.00000000000e+12"),
        (1200000000005.0, "1.20000000000e+12"),
        (-1000000000005.0, "-1.00000000000e+12"),
        (10000000000050.0, "1.00000000000e+13"),
        (100000000000500.0, "1.00000000000e+14"),
        (1000000000000050.0, "1e+15"),
        (1000000000015.0, "1.00000000002e+12"),
        (1000000000000.5, "1e+12"),
        (10000000000005.0, "1e+13"),
        (0.0001, "0.0001"),
        (1e-05, "1e-05"),
        (0.30000000000000004, "0.3"),
        (float("inf"), "inf"),
        (float("nan"), "nan"),
        ("i-00000001", "i-00000001"),
        ("clé", "clé"),
        (None, "None"),
        (True, "True"),
        (2**64, "18446744073709551616"),
        (["i-00000001"], "[u'i-00000001']"),
        (["clé", "€", "\U0001f600"], "[u'cl\\xe9', u'\\u20ac', u'\\U0001f600']"),
        (["it's", 'say "hi"', "\t\\"], "[u\"it's\", u'say \"hi\"', u'\\t\\\\']"),
        ([3.14159265358979, 1.5, None, True], "[3.14159265358979, 1.5, None, True]"),
        (
            [2**63 - 1, 2**63, -(2**63), -(2**63) - 1],
            "[9223372036854775807, 9223372036854775808L, "
            "-9223372036854775808, -9223372036854775809L]",
        ),
        ({"a": ["x"]}, "{u'a': [u'x']}"),
        ([], "[]"),
    ],
)
def test_py2_str(value: Any, text: str) -> None:
    assert py2_str(value) == text


def test_native_strings_have_no_u_prefix() -> None:
    """Nova's own constants (task states) were byte strings."""
    assert py2_str([None, "rebooting"], native_strings=True) == "[None, 'rebooting']"


def test_py2_format_writes_s_conversions_as_python_2() -> None:
    template = 'Invalid id: %(val)s (expecting "i-...").'
    assert py2_format(template, {"val": ["i-00000001"]}) == (
        "Invalid id: [u'i-00000001'] (expecting \"i-...\")."
    )
    assert py2_format(template, {"val": 3.14159265358979}) == (
        'Invalid id: 3.14159265359 (expecting "i-...").'
    )


def test_py2_format_leaves_numeric_conversions_and_escapes_alone() -> None:
    assert py2_format("%(n)d bytes, %(x)s, 100%%", {"n": 7.9, "x": 0.5}) == "7 bytes, 0.5, 100%"


def test_py2_format_fails_as_the_percent_operator() -> None:
    with pytest.raises(KeyError):
        py2_format("Invalid id: %(val)s", {"code": 400})
    with pytest.raises(TypeError):
        py2_format("%(n)d", {"n": "x"})


def test_an_integer_beyond_python_3s_digit_limit_is_written_whole() -> None:
    """A hexadecimal query value reads as an integer of any length; Python 2 wrote its
    digits, where Python 3.11's ``str()`` refuses more than 4,300 of them."""
    huge = int("f" * 3600, 16)
    digits = py2_str(huge)
    assert len(digits) == 4335 and int(digits[:50]) == huge // 10 ** (4335 - 50)
    assert py2_str(-huge) == "-" + digits
    assert py2_str([huge]) == f"[{digits}L]"
    assert py2_str(10**5000) == "1" + "0" * 5000


def test_an_answer_holding_such_an_integer_is_rendered() -> None:
    service = EC2Service(Simulator.from_seed())
    group = "0x" + "f" * 3600
    launched = service.handle(
        [("Action", "RunInstances"), ("ImageId", "ami-00000001"), ("SecurityGroup.1", group)]
    )
    assert launched.status == 200
    assert py2_str(int(group, 16)).encode() in launched.body
    described = service.handle([("Action", "DescribeInstances")])
    assert described.status == 200 and len(described.body) > 4335
