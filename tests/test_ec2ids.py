"""EC2 id arithmetic: Nova's ``ec2utils`` rules (hex after the last dash, ``%08x``), no store."""

from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator import ec2ids
from simulator.errors import InvalidEc2Id


@pytest.mark.parametrize(
    ("ec2_id", "expected"),
    [
        ("i-0000001e", 30),
        ("ami-1d", 29),
        ("snap-0000001c", 28),
        ("vol-0000001b", 27),
        ("snap-0000000a", 10),
        ("snap-0000000A", 10),
        ("snap-a", 10),
        ("snap-10", 16),
        ("SNAP-0000000a", 10),
        ("snap-0x10", 16),
        ("snap-a-b", 11),
        ("ami-face", 64206),
        ("deadbeef", 3735928559),
        ("snap- a ", 10),
    ],
)
def test_ec2_id_to_id(ec2_id: str, expected: int) -> None:
    assert ec2ids.ec2_id_to_id(ec2_id) == expected


@pytest.mark.parametrize("ec2_id", ["ami-fake", "badone", "i-", "snap-1_0", "snap-", "vol-zz"])
def test_malformed_ids(ec2_id: str) -> None:
    with pytest.raises(InvalidEc2Id) as caught:
        ec2ids.ec2_id_to_id(ec2_id)
    assert str(caught.value) == f"Ec2 id {ec2_id} is unacceptable."


def test_non_string_id_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        ec2ids.ec2_id_to_id(5)  # type: ignore[arg-type]


def test_id_to_ec2_id() -> None:
    assert ec2ids.id_to_ec2_id(30) == "i-0000001e"
    assert ec2ids.id_to_ec2_id(29, "ami-%08x") == "ami-0000001d"
    assert ec2ids.id_to_ec2_id(0x123456789) == "i-123456789"
    assert ec2ids.image_ec2_id("x") == "ami-00000000"
    assert ec2ids.image_ec2_id(3, "aki") == "aki-00000003"


@pytest.mark.parametrize(
    ("container_format", "prefix"),
    [
        ("kernel", "aki"),
        ("aki", "aki"),
        ("ramdisk", "ari"),
        ("ari", "ari"),
        ("ami", "ami"),
        ("bare", "ami"),
        ("ovf", "ami"),
        (None, "ami"),
    ],
)
def test_image_type(container_format: str | None, prefix: str) -> None:
    assert ec2ids.image_type(container_format) == prefix


@given(
    st.integers(min_value=0, max_value=2**64),
    st.sampled_from(["ami", "aki", "ari", "snap", "vol", "i", "r"]),
)
def test_round_trip(row_id: int, prefix: str) -> None:
    ec2_id = ec2ids.id_to_ec2_id(row_id, prefix + "-%08x")
    assert ec2_id == ec2_id.lower() and len(ec2_id) >= len(prefix) + 9
    assert ec2ids.ec2_id_to_id(ec2_id) == row_id
    assert ec2ids.ec2_id_to_id(ec2_id.upper()) == row_id


@given(st.integers(min_value=0, max_value=2**128 - 1))
def test_uuid4_text_is_what_the_uuid_module_writes(bits: int) -> None:
    assert ec2ids.uuid4_text(bits) == str(uuid.UUID(int=bits, version=4))


@pytest.mark.parametrize(
    ("text", "number"),
    [("ffL", 255), (" ffL ", 255), ("0xffL", 255), ("- ffL", -255), ("\x1cffL", 255), ("ff", 255)],
)
def test_py2_long_reads_a_long_suffix(text: str, number: int) -> None:
    """Python 2.7.18's ``long(text, 16)`` on each (``int()`` refused the ``L``)."""
    assert ec2ids.py2_long(text, 16) == number


@pytest.mark.parametrize("text", ["ff l", "ffLL", "L", "0xL", "f_fL"])
def test_py2_long_refuses_what_python_2_refused(text: str) -> None:
    with pytest.raises(ValueError):
        ec2ids.py2_long(text, 16)


CANONICAL = "00000000-1111-2222-3333-44444444444a"


@pytest.mark.parametrize(
    ("value", "grizzly", "folsom"),
    [
        (CANONICAL, True, True),
        (CANONICAL.upper(), False, True),
        ("{" + CANONICAL + "}", False, True),
        ("urn:uuid:" + CANONICAL, False, True),
        (CANONICAL.replace("-", ""), False, True),
        (" " + CANONICAL.replace("-", "")[1:], False, True),
        (CANONICAL + "\n", False, False),
        (CANONICAL.replace("-", "")[1:] + "\n", False, True),
        (CANONICAL.replace("-", "")[1:] + "L", False, True),
        ("\u0661" * 32, False, True),
        (CANONICAL.replace("-", "_"), False, False),
        (10, False, False),
        (None, False, False),
    ],
)
def test_what_each_release_takes_for_a_uuid(value: object, grizzly: bool, folsom: bool) -> None:
    """``uuidutils.is_uuid_like`` (Grizzly on) and Folsom's ``utils.is_uuid_like``, each value
    checked under CPython 2.7.18."""
    assert ec2ids.is_uuid_like(value) is grizzly
    assert ec2ids.parses_as_uuid(value) is folsom


@given(
    st.one_of(
        st.uuids().map(str),
        st.uuids().map(lambda value: str(value).upper()),
        st.text(alphabet="0123456789abcdef-\n", min_size=30, max_size=70),
        st.text(),
    )
)
def test_a_remembered_uuid_answer_is_the_pattern_s(value: str) -> None:
    """The canonical form's pattern, asked again (from the memo) and in a str subclass."""

    class Text(str):
        pass

    expected = (
        re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", value)
        is not None
    )
    assert ec2ids.is_uuid_like(value) is expected
    assert ec2ids.is_uuid_like(value) is expected
    assert ec2ids.is_uuid_like(Text(value)) is expected


def test_an_id_is_a_number_as_python_2_read_it() -> None:
    assert ec2ids.id_to_ec2_id(" 10 ", "snap-%08x") == "snap-0000000a"
    with pytest.raises(ValueError):
        ec2ids.id_to_ec2_id("1_0", "snap-%08x")
