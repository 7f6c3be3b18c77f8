"""Whether Python 2.7's ``re`` compiled a pattern (a ClientToken, Havana on).

Each verdict below is CPython 2.7.18's ``re.compile`` of the unicode pattern; where Python
3.11 decides otherwise, the row says so.
"""

from __future__ import annotations

import re

import pytest

from simulator.py2re import py2_compile


@pytest.mark.parametrize(
    "pattern",
    [
        "\\q",
        "[\\q]",
        "\\z",
        "a(?i)b",
        "x(?u)",
        "(?L)a",
        "(?i)a(?L)b",
        "\\400",
        "(?(1)a|b)",
        "(?P<n>a(?P=n))",
        "[a-z](?i)+",
        "x{}",
        "(?x) a b # comment (?>",
        "(a)" * 99,
    ],
)
def test_python_2_compiled_what_python_3_refuses_or_reads_alike(pattern: str) -> None:
    py2_compile(pattern)


@pytest.mark.parametrize(
    "pattern",
    [
        "a*+",
        "a++",
        "a?+",
        "a{2}+",
        "a*(?i)?",
        "(?>a)",
        "(?i:a)",
        "(?-i:a)",
        "(?a)x",
        "(?P<\u00e9>a)",
        "(",
        "\\",
        "(a\\1)",
        "[z-a]",
    ],
)
def test_python_2_refused_what_python_3_reads_or_refuses_alike(pattern: str) -> None:
    with pytest.raises(re.error):
        py2_compile(pattern)


@pytest.mark.parametrize("pattern", ["(a)" * 100, "()" * 200, "(?P<a>x)" + "(b)" * 99])
def test_a_hundred_groups_were_an_assertion_error(pattern: str) -> None:
    with pytest.raises(AssertionError, match="only supports 100 named groups"):
        py2_compile(pattern)
