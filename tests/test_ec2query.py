"""The EC2 Query protocol layer against Nova Grizzly's behaviour (reference A.1, A.2, A.8, D)."""

from __future__ import annotations

import datetime
import math
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator import Simulator
from simulator.ec2ids import py2_float, py2_int
from simulator.ec2query import (
    _NUMBER_SHAPE,
    DEFAULT_VERSION,
    args_to_kwargs,
    camelcase_to_underscore,
    convert_value,
    dict_from_dotted_str,
    error_document,
    new_request_id,
    parse_query,
    render_error,
    render_response,
    renderable,
)
from simulator.errors import (
    AuthFailure,
    InvalidParameterValue,
    MissingParameter,
    RequestTooLarge,
    ServerFault,
    SnapshotNotFound,
)
from simulator.limits import QueryLimits
from simulator.profiles import XmlStyle
from simulator.service import EC2Service

NS = "{http://ec2.amazonaws.com/doc/2012-08-15/}"
NS_V = "{http://ec2.amazonaws.com/doc/v/}"
FORBIDDEN_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def same(actual: Any, expected: Any) -> bool:
    """Equal and of the same type, so ``True`` is not accepted for ``1`` nor 8.0 for 8."""
    return type(actual) is type(expected) and actual == expected


# --- convert_value ---------------------------------------------------------------------------

NOVA_NUMBER_CONVERSION = [
    ("None", None),
    ("True", True),
    ("TRUE", True),
    ("true", True),
    ("False", False),
    ("FALSE", False),
    ("false", False),
    ("0", 0),
    ("42", 42),
    ("3.14", 3.14),
    ("-57.12", -57.12),
    ("0x57", 0x57),
    ("-0x57", -0x57),
    ("-", "-"),
    ("-0", 0),
    ("1e-8", 0),
    ("-1e-8", 0),
    ("0xDD8G", "0xDD8G"),
    ("0XDD8G", "0XDD8G"),
    ("-stringy", "-stringy"),
    ("stringy", "stringy"),
    ("add", "add"),
    ("remove", "remove"),
    ("", ""),
]

BRIEF_EXAMPLES = [
    ("1", 1),
    ("010", 8),
    ("08", 8),
    ("00000001", 1),
    ("0x57", 87),
    ("-0x57", -87),
    ("0xDD8G", "0xDD8G"),
    ("3.14", 3.14),
    ("-57.12", -57.12),
    ("1e-8", 0),
    ("1e3", 1000.0),
    ("-", "-"),
    ("-0", 0),
    ("TRUE", True),
    ("none", "none"),
    ("snap-0000000a", "snap-0000000a"),
    ("/dev/sda1", "/dev/sda1"),
    ("ephemeral0", "ephemeral0"),
    ("m1.small", "m1.small"),
]

PYTHON2_QUIRKS = [
    # Nova's _negative_zero returns the int 0 for any float this close to zero.
    ("0.0", 0),
    ("-0.0", 0),
    ("0b101", 5),
    ("-0b101", -5),
    ("0b12", "0b12"),
    ("0o17", 15),
    ("-010", -8),
    ("0x", "0x"),
    (" 5", 5),
    ("\t42\n", 42),
    (" 010", 10),
    ("0x10 ", 16),
    ("+5", 5),
    ("1_000", "1_000"),
    ("0x_1f", "0x_1f"),
    ("0_7", "0_7"),
    ("1_0.5", "1_0.5"),
    ("1.5e_3", "1.5e_3"),
    ("0e5", 0),
    ("1e400", math.inf),
    ("10L", "10L"),
]

SIGN_THEN_SPACE = [
    # Python 2's int() skipped whitespace after the sign; its float() did not. Each checked
    # under Python 2.7.18 with Nova's _try_convert (eu:307-345@2013.1.5).
    ("- 5", -5),
    ("+ 3", 3),
    (" - 5", -5),
    ("-\t5 ", -5),
    ("-\xa05", -5),
    ("- 010", -10),
    ("+ 010", 10),
    ("- 08", -8),
    ("- 00", 0),
    ("- 99999999999999999999", -99999999999999999999),
    ("- 0x10", "- 0x10"),
    ("- 0b1", "- 0b1"),
    ("- 1.5", "- 1.5"),
    ("- 1e3", "- 1e3"),
    ("- nan", "- nan"),
    ("- -5", "- -5"),
    ("- 5L", "- 5L"),
    ("- ", "- "),
]


@pytest.mark.parametrize(
    ("raw", "expected"), NOVA_NUMBER_CONVERSION + BRIEF_EXAMPLES + PYTHON2_QUIRKS + SIGN_THEN_SPACE
)
def test_convert_value(raw: str, expected: Any) -> None:
    assert same(convert_value(raw), expected)


@pytest.mark.parametrize("raw", ["nan", "NaN", "-nan"])
def test_convert_value_nan_is_a_float(raw: str) -> None:
    result = convert_value(raw)
    assert isinstance(result, float)
    assert math.isnan(result)


@pytest.mark.parametrize(("raw", "sign"), [("inf", 1), ("-inf", -1), ("Infinity", 1)])
def test_convert_value_infinity_is_a_float(raw: str, sign: int) -> None:
    assert same(convert_value(raw), sign * math.inf)


def test_convert_value_decimal_beyond_python3_digit_limit_becomes_a_float() -> None:
    assert same(convert_value("1" * 5000), math.inf)


def test_convert_value_long_hex_is_still_an_int() -> None:
    assert convert_value("0x" + "f" * 5000) == 16**5000 - 1


NUMBERISH = st.text(
    st.one_of(
        st.sampled_from(" \t\x0b\x1c+-.0123456789eEinfINFtyaxXoObB_"),
        st.characters(max_codepoint=127),
    ),
    max_size=12,
)
NUMBER_LIKE = st.from_regex(
    r"[ \t]?[+-]?[ \t]?(0[xXoObB])?[0-9a-fA-F]{0,4}(\.[0-9]{0,3})?([eE][+-]?[0-9]{1,3})?[ \t]?",
    fullmatch=True,
) | st.from_regex(r"[+-]?(inf|INF|Infinity|nan|NaN)", fullmatch=True)


@given(NUMBERISH | NUMBER_LIKE)
def test_convert_value_skips_parsing_only_what_no_number_reading_accepts(raw: str) -> None:
    """An ASCII value without ``_NUMBER_SHAPE`` stays a string without trying
    ``int``/``float``; that shortcut is sound only if every reading Nova's Python 2 made
    would fail (Python 3 alone also reads ``_`` digit separators, Python 2 did not)."""
    if _NUMBER_SHAPE.fullmatch(raw) is not None:
        return
    for base in (16, 8, 2, 10):
        with pytest.raises(ValueError):
            py2_int(raw.lower(), base)
    if "_" not in raw:
        with pytest.raises(ValueError):
            float(raw)
    assert type(convert_value(raw)) in (str, bool)


@pytest.mark.parametrize(
    "token", ["69dfe350-957c-48a8-af82-6e50b9444a6e", "69dfe350-957c-48a8-af82-6e50b9444a6e-3"]
)
def test_convert_value_reads_no_number_in_a_uuid4_client_token(
    token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """boto3 sends a uuid4 ClientToken with every launch: all hex digits and dashes, yet no
    number, and known so without a failed reading."""

    def no_reading(text: str, base: int) -> int:
        raise AssertionError(f"tried to read {text!r} in base {base}")

    monkeypatch.setattr("simulator.ec2query.py2_int", no_reading)
    assert convert_value(token) == token


@pytest.mark.parametrize(
    "raw", ["1e-8", "-.5E+3", " 42\t", "0x1F", "+0b101", "-Infinity", "nan", " - 5", "+\t010"]
)
def test_number_shape_admits_numbers(raw: str) -> None:
    assert _NUMBER_SHAPE.fullmatch(raw) is not None


def test_parse_query_reads_a_count_with_a_spaced_sign() -> None:
    """``MaxCount=%2B%203`` launched 3 instances in Nova (launch-path audit F5)."""
    request = parse_query([("Action", "RunInstances"), ("MinCount", "- 1"), ("MaxCount", "+ 3")])
    assert request.kwargs["min_count"] == -1
    assert request.kwargs["max_count"] == 3


@pytest.mark.parametrize(
    ("text", "base", "number"),
    [("- 0x10", 16, -16), ("+ 0b1", 2, 1), ("- 0o7", 8, -7), ("- f", 16, -15), (" -\x1c5", 10, -5)],
)
def test_py2_int_takes_whitespace_after_the_sign(text: str, base: int, number: int) -> None:
    """Python 2.7.18's ``int(text, base)``, which ``ec2_id_to_id`` uses too (``i-+ 5``)."""
    assert py2_int(text, base) == number


@pytest.mark.parametrize(
    ("text", "converted"),
    [
        ("\x1c2", 2),
        ("2\x1f", 2),
        ("\x1c010", 10),
        ("- \x1d5", -5),
        ("0x1f\x1e", 31),
        ("\x1f2.5\x1e", 2.5),
        ("\x1c", "\x1c"),
        ("\x1c1_0", "\x1c1_0"),
    ],
)
def test_the_information_separators_are_spaces_to_python_2s_numbers(
    text: str, converted: object
) -> None:
    """Python 2.7.18's unicode ``int()`` and ``float()`` read U+001C..U+001F as spaces
    (``int(u'\\x1c010')`` is 10, ``float(u'\\x1f2.5\\x1e')`` 2.5); Python 3's do not."""
    assert convert_value(text) == converted
    assert type(convert_value(text)) is type(converted)


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        (("KeyName", b"x"), "The value of parameter KeyName is bytes, not text"),
        (("ClientToken", None), "The value of parameter ClientToken is NoneType, not text"),
        (("KeyName", 5), "The value of parameter KeyName is int, not text"),
        ((5, "x"), "A parameter name is int, not text"),
    ],
)
def test_a_parameter_that_is_not_text_is_refused_not_skipped(
    pair: tuple[object, object], message: str
) -> None:
    """The Python API's caller can pass what HTTP cannot; Nova's ``dict_from_dotted_str``
    skipped a value that was no text, which would launch with the parameter lost."""
    outcome = EC2Service(Simulator.from_seed()).handle(
        [("Action", "RunInstances"), ("ImageId", "ami-00000001"), pair]  # type: ignore[list-item]
    )
    assert (outcome.status, outcome.error_code) == (400, "InvalidParameterValue")
    assert outcome.error_message is not None and message in outcome.error_message
    assert outcome.create_calls == []


def test_a_count_between_information_separators_launches_that_many() -> None:
    request = parse_query([("Action", "RunInstances"), ("MinCount", "\x1c2")])
    assert request.kwargs["min_count"] == 2
    assert py2_int("\x1c2\x1f", 10) == 2
    with pytest.raises(ValueError):
        py2_float("\x1c1_0")


@pytest.mark.parametrize(
    ("text", "base"), [("-0x 10", 16), ("- 0x", 16), ("-  ", 10), ("- -5", 10)]
)
def test_py2_int_takes_no_other_inner_whitespace(text: str, base: int) -> None:
    with pytest.raises(ValueError):
        py2_int(text, base)


# --- camelcase_to_underscore -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("camel", "snake"),
    [
        ("ImageId", "image_id"),
        ("KernelID", "kernel_id"),
        ("EBSOptimized", "ebs_optimized"),
        ("BlockDeviceMapping", "block_device_mapping"),
        ("MinCount", "min_count"),
        ("Ebs", "ebs"),
        ("SnapshotId", "snapshot_id"),
        ("DeleteOnTermination", "delete_on_termination"),
        ("NoDevice", "no_device"),
        ("VirtualName", "virtual_name"),
        ("AvailabilityZone", "availability_zone"),
        ("RunInstances", "run_instances"),
        ("image_id", "image_id"),
        ("1", "1"),
        ("İmageId", "image_id"),
        ("A\u03a3", "a\u03c3"),
        ("ÉbsOptimized", "ébs_optimized"),
        ("Image\u1c90d", "image\u1c90d"),
        ("\u13a0ImageId", "\u13a0_image_id"),
    ],
)
def test_camelcase_to_underscore(camel: str, snake: str) -> None:
    assert camelcase_to_underscore(camel) == snake


# --- dict_from_dotted_str and args_to_kwargs -------------------------------------------------


def test_dict_from_dotted_str_nests_and_converts() -> None:
    items = [
        ("BlockDeviceMapping.1.DeviceName", "/dev/sda1"),
        ("BlockDeviceMapping.1.Ebs.SnapshotId", "snap-0000001c"),
        ("BlockDeviceMapping.1.Ebs.VolumeSize", "80"),
        ("BlockDeviceMapping.1.Ebs.DeleteOnTermination", "false"),
        ("BlockDeviceMapping.2.DeviceName", "/dev/sdc"),
        ("BlockDeviceMapping.2.VirtualName", "ephemeral0"),
        ("Placement.AvailabilityZone", "nova"),
        ("MinCount", "1"),
    ]
    assert dict_from_dotted_str(items) == {
        "block_device_mapping": {
            "1": {
                "device_name": "/dev/sda1",
                "ebs": {
                    "snapshot_id": "snap-0000001c",
                    "volume_size": 80,
                    "delete_on_termination": False,
                },
            },
            "2": {"device_name": "/dev/sdc", "virtual_name": "ephemeral0"},
        },
        "placement": {"availability_zone": "nova"},
        "min_count": 1,
    }


@pytest.mark.parametrize("key", ["Clé", "Clé.1", "Ключ.Ebs", "ÉbsOptimized"])
def test_a_name_beyond_ascii_fails_str_as_in_nova(key: str) -> None:
    """webob 1.2 decoded names: ``str(camelcase_to_underscore(parts[0]))`` raised
    UnicodeEncodeError (eu:358@2013.1.5); Folsom's webob 1.0.8 left names as bytes."""
    with pytest.raises(UnicodeEncodeError):
        dict_from_dotted_str([(key, "x")])
    with pytest.raises(UnicodeEncodeError):
        dict_from_dotted_str([(key, "x")])
    assert dict_from_dotted_str([(key, "x")], unicode_names=False)


def test_only_the_first_part_of_a_name_is_passed_to_str() -> None:
    assert dict_from_dotted_str([("BlockDeviceMapping.1.Clé", "x")]) == {
        "block_device_mapping": {"1": {"clé": "x"}}
    }


def test_dict_from_dotted_str_refuses_a_value_that_is_not_text() -> None:
    """Nova skipped it (HTTP sends none); skipped here, a Python API caller's bytes would
    launch with the parameter lost."""
    items: list[tuple[str, object]] = [("MaxCount", "2"), ("KeyName", b"k")]
    with pytest.raises(InvalidParameterValue, match="KeyName is bytes, not text"):
        dict_from_dotted_str(items)


SIGNED = ["Signature", "AWSAccessKeyId", "SignatureMethod", "SignatureVersion", "Version"]
SIGNED += ["Timestamp", "Action", "ImageId"]
"""The names a query-signed launch sends first: with them Requestify's dict has the Python 2
order checked by CPython 2.7.18 for each set below."""


def test_dict_from_dotted_str_plain_key_walked_later_replaces_a_nested_one() -> None:
    """Python 2 walks ``KeyName.1`` before ``KeyName`` in this dict (tests/test_py2_order.py
    checks whole requests)."""
    items = [("KeyName", "k"), ("KeyName.1", "x")]
    assert dict_from_dotted_str(items, inserted=[*SIGNED, "KeyName", "KeyName.1"]) == {
        "key_name": "k"
    }


@pytest.mark.parametrize(
    ("items", "error"),
    [
        ([("Placement", "x"), ("Placement.AvailabilityZone", "nova")], TypeError),
        ([("Placement.AvailabilityZone", "nova"), ("Placement", "x")], TypeError),
        ([("Placement", "x"), ("Placement.A.B", "nova")], AttributeError),
        ([("Foo.Bar", "1"), ("Foo.Bar.Baz", "2")], TypeError),
    ],
)
def test_dict_from_dotted_str_nesting_below_a_plain_value_fails_like_nova(
    items: list[tuple[str, str]], error: type[Exception]
) -> None:
    """Whichever is sent first, Python 2 walks the plain name first here: assigning into its
    value is TypeError, ``.get`` of a part between is AttributeError."""
    inserted = [*SIGNED, *(name for name, _ in items)]
    with pytest.raises(error, match="nests below a plain value"):
        dict_from_dotted_str(items, inserted=inserted)
    status, body = error_document(error("x"), "req-1")
    assert status == 400
    assert b"<Code>UnknownError</Code>" in body


def test_args_to_kwargs_orders_by_string_key() -> None:
    args = {"security_group": {"2": "b", "10": "c", "1": "a"}}
    assert args_to_kwargs(args) == {"security_group": ["a", "c", "b"]}


def test_args_to_kwargs_keeps_placement_a_dict() -> None:
    args = {"placement": {"availability_zone": "nova"}}
    assert args_to_kwargs(args) == {"placement": {"availability_zone": "nova"}}


def test_args_to_kwargs_leaves_nested_numeric_dicts_alone() -> None:
    args = {"block_device_mapping": {"1": {"ebs": {"1": "x", "2": "y"}}}}
    assert args_to_kwargs(args) == {"block_device_mapping": [{"ebs": {"1": "x", "2": "y"}}]}


def test_args_to_kwargs_first_key_decides() -> None:
    """Python 2's first key: ``1`` before ``b`` whatever the insertion order; ``e`` and ``5``
    take one slot, so the first inserted keeps it and the other is met first."""
    assert args_to_kwargs({"a": {"1": "x", "b": "y"}}) == {"a": ["x", "y"]}
    assert args_to_kwargs({"a": {"b": "y", "1": "x"}}) == {"a": ["x", "y"]}
    assert args_to_kwargs({"a": {"e": "x", "5": "y"}}) == {"a": ["y", "x"]}
    assert args_to_kwargs({"a": {"5": "y", "e": "x"}}) == {"a": {"5": "y", "e": "x"}}


def test_args_to_kwargs_leaves_empty_dicts_and_scalars() -> None:
    assert args_to_kwargs({"a": {}, "b": 1, "c": "2"}) == {"a": {}, "b": 1, "c": "2"}


# --- parse_query -----------------------------------------------------------------------------

WALKTHROUGH_PARAMS = [
    ("Action", "RunInstances"),
    ("Version", "2012-08-15"),
    ("ImageId", "ami-00000001"),
    ("MinCount", "1"),
    ("MaxCount", "1"),
    ("BlockDeviceMapping.1.DeviceName", "/dev/fake0"),
    ("BlockDeviceMapping.1.Ebs.SnapshotId", "snap-12345678"),
    ("BlockDeviceMapping.1.Ebs.VolumeSize", "1"),
    ("BlockDeviceMapping.2.DeviceName", "/dev/fake1"),
    ("BlockDeviceMapping.2.Ebs.SnapshotId", "snap-23456789"),
    ("BlockDeviceMapping.2.Ebs.DeleteOnTermination", "false"),
    ("BlockDeviceMapping.3.DeviceName", "/dev/fake2"),
    ("BlockDeviceMapping.3.Ebs.SnapshotId", "vol-87654321"),
    ("BlockDeviceMapping.3.Ebs.VolumeSize", "2"),
    ("BlockDeviceMapping.4.DeviceName", "/dev/fake3"),
    ("BlockDeviceMapping.4.Ebs.SnapshotId", "vol-98765432"),
    ("BlockDeviceMapping.4.Ebs.DeleteOnTermination", "false"),
    ("BlockDeviceMapping.5.DeviceName", "/dev/fake4"),
    ("BlockDeviceMapping.5.Ebs.NoDevice", "true"),
    ("BlockDeviceMapping.6.DeviceName", "/dev/fake5"),
    ("BlockDeviceMapping.6.VirtualName", "ephemeral0"),
    ("BlockDeviceMapping.7.DeviceName", "/dev/fake6"),
    ("BlockDeviceMapping.7.VirtualName", "swap"),
]


def test_parse_query_walkthrough_block_device_mappings() -> None:
    request = parse_query(WALKTHROUGH_PARAMS)
    assert request.action == "RunInstances"
    assert request.method_name == "run_instances"
    assert request.kwargs == {
        "image_id": "ami-00000001",
        "min_count": 1,
        "max_count": 1,
        "block_device_mapping": [
            {
                "device_name": "/dev/fake0",
                "ebs": {"snapshot_id": "snap-12345678", "volume_size": 1},
            },
            {
                "device_name": "/dev/fake1",
                "ebs": {"snapshot_id": "snap-23456789", "delete_on_termination": False},
            },
            {"device_name": "/dev/fake2", "ebs": {"snapshot_id": "vol-87654321", "volume_size": 2}},
            {
                "device_name": "/dev/fake3",
                "ebs": {"snapshot_id": "vol-98765432", "delete_on_termination": False},
            },
            {"device_name": "/dev/fake4", "ebs": {"no_device": True}},
            {"device_name": "/dev/fake5", "virtual_name": "ephemeral0"},
            {"device_name": "/dev/fake6", "virtual_name": "swap"},
        ],
    }


def test_parse_query_security_groups_and_placement() -> None:
    request = parse_query(
        [
            ("Action", "RunInstances"),
            ("SecurityGroup.1", "default"),
            ("SecurityGroup.2", "web"),
            ("SecurityGroup.10", "db"),
            ("Placement.AvailabilityZone", "nova"),
        ]
    )
    assert request.kwargs == {
        "security_group": ["default", "db", "web"],
        "placement": {"availability_zone": "nova"},
    }


def test_parse_query_removes_non_argument_keys_and_exposes_them() -> None:
    request = parse_query(
        [
            ("Action", "RunInstances"),
            ("AWSAccessKeyId", "admin:admin"),
            ("Signature", "c2ln"),
            ("SignatureMethod", "HmacSHA256"),
            ("SignatureVersion", "2"),
            ("Timestamp", "2013-04-04T10:00:00Z"),
            ("Version", "2010-08-31"),
            ("X-Amz-Date", "20130404T100000Z"),
            ("X-Amz-Signature", "abc"),
            ("ImageId", "ami-00000001"),
        ]
    )
    assert request.raw_args == {"ImageId": "ami-00000001"}
    assert request.kwargs == {"image_id": "ami-00000001"}
    assert request.version == "2010-08-31"
    assert request.timestamp == "2013-04-04T10:00:00Z"
    assert request.expires is None
    assert request.access_key == "admin:admin"


def test_parse_query_sigv4_header_request_needs_only_action() -> None:
    request = parse_query([("Action", "RunInstances"), ("ImageId", "ami-1")])
    assert request.version == DEFAULT_VERSION == "2012-08-15"
    assert request.timestamp is None
    assert request.expires is None
    assert request.access_key is None


def test_parse_query_expires_is_exposed_and_an_argument() -> None:
    """Requestify did not pop ``Expires`` (``init:307-308@2013.1.5``): an argument."""
    request = parse_query([("Action", "RunInstances"), ("Expires", "2013-04-04T10:00:00Z")])
    assert request.expires == "2013-04-04T10:00:00Z"
    assert request.raw_args == {"Expires": "2013-04-04T10:00:00Z"}
    assert request.kwargs == {"expires": "2013-04-04T10:00:00Z"}


def test_parse_query_last_repeated_value_wins() -> None:
    request = parse_query(
        [("Action", "RunInstances"), ("MinCount", "1"), ("MinCount", "3"), ("KeyName", "k")]
    )
    assert request.kwargs == {"min_count": 3, "key_name": "k"}
    assert request.raw_args == {"MinCount": "3", "KeyName": "k"}


def test_parse_query_missing_action() -> None:
    with pytest.raises(MissingParameter) as raised:
        parse_query([("ImageId", "ami-00000001")])
    assert raised.value.code == "MissingParameter"
    assert raised.value.message == "The request must contain the parameter Action"


def test_parse_query_timestamp_and_expires_together() -> None:
    with pytest.raises(InvalidParameterValue) as raised:
        parse_query(
            [
                ("Action", "RunInstances"),
                ("Timestamp", "2013-04-04T10:00:00Z"),
                ("Expires", "2013-04-04T10:05:00Z"),
            ]
        )
    assert raised.value.code == "InvalidParameterValue"
    assert "cannot contain both" in raised.value.message


def test_parse_query_keeps_action_as_sent() -> None:
    request = parse_query([("Action", "DescribeInstances")])
    assert (request.action, request.method_name) == ("DescribeInstances", "describe_instances")


# --- the Validator quirk ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("image_id", "badone"),
        ("image_id", "ami-fake"),
        ("image_id", "i-"),
        ("image_id", "ami-1_0"),
        ("instance_id", "badone"),
        ("volume_id", "vol-xyz"),
        ("size", "1"),
        ("user_data", "QQ"),
        ("group_name", "g" * 256),
        ("group_description", "d" * 256),
        ("public_ip", "256.1.1.1"),
        ("public_ip", "not-an-ip"),
        # Python 2's inet_aton encoded text as ASCII: what follows the space never passed.
        ("public_ip", "1.2.3.4 é"),
        ("public_ip", "9\té"),
        ("image_location", "bucket"),
        ("image_location", "bucket/"),
        ("image_location", "/bucket/manifest.xml"),
        ("image_location", "bucket/image manifest.xml"),
        ("image_location", "bucket/100%.xml"),
    ],
)
def test_validator_refuses_snake_case_parameters(key: str, value: str) -> None:
    with pytest.raises(InvalidParameterValue) as raised:
        parse_query([("Action", "RunInstances"), (key, value)])
    assert raised.value.code == "InvalidParameterValue"
    assert raised.value.message == f"Invalid value for parameter {key}"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("image_id", "ami-0000001d"),
        ("image_id", "deadbeef"),
        # "bad" is hexadecimal (0xbad), so Nova's ec2_id_to_id accepts it.
        ("image_id", "bad"),
        ("image_id", "snap-0x10"),
        ("instance_id", "i-0000001e"),
        ("user_data", "aGVsbG8="),
        ("group_name", "g" * 255),
        ("public_ip", "10.0.0.1"),
        ("public_ip", "127.1"),
        ("image_location", "bucket/path/image.manifest.xml"),
        ("image_location", "bucket//x%41"),
        ("attribute", "anything"),
        ("region_name", "anything"),
    ],
)
def test_validator_accepts_valid_snake_case_parameters(key: str, value: str) -> None:
    parse_query([("Action", "RunInstances"), (key, value)])


@pytest.mark.parametrize(
    ("key", "value"),
    [("ImageId", "badone"), ("Size", "1"), ("UserData", "not base64!"), ("PublicIp", "x")],
)
def test_validator_ignores_camel_case_parameters(key: str, value: str) -> None:
    request = parse_query([("Action", "RunInstances"), (key, value)])
    assert request.raw_args == {key: value}


def test_validator_reports_the_first_failing_key_in_novas_order() -> None:
    with pytest.raises(InvalidParameterValue, match="parameter image_id"):
        parse_query([("Action", "RunInstances"), ("size", "1"), ("image_id", "badone")])


# --- limits ----------------------------------------------------------------------------------


def test_limits_too_many_parameters() -> None:
    params = [("Action", "RunInstances")] + [(f"Tag.{i}", "x") for i in range(1000)]
    with pytest.raises(RequestTooLarge) as raised:
        parse_query(params)
    assert raised.value.code == "RequestTooLarge"
    assert "1001 parameters" in raised.value.message


def test_limits_exactly_at_the_parameter_limit_pass() -> None:
    params = [("Action", "RunInstances")] + [(f"Tag.{i}", "x") for i in range(999)]
    assert len(parse_query(params).kwargs["tag"]) == 999


def test_limits_nesting_too_deep() -> None:
    with pytest.raises(RequestTooLarge, match="9 levels deep"):
        parse_query([("Action", "RunInstances"), ("A.b.c.d.e.f.g.h.i.j", "x")])
    parse_query([("Action", "RunInstances"), ("A.b.c.d.e.f.g.h.i", "x")])


def test_limits_value_too_large() -> None:
    parse_query([("Action", "RunInstances"), ("KeyName", "k" * 65536)])
    with pytest.raises(RequestTooLarge, match="65537 bytes"):
        parse_query([("Action", "RunInstances"), ("KeyName", "k" * 65537)])


def test_limits_value_size_counts_utf8_bytes() -> None:
    with pytest.raises(RequestTooLarge, match="65538 bytes"):
        parse_query([("Action", "RunInstances"), ("KeyName", "é" * 32769)])


def test_limits_user_data_is_not_bounded_here() -> None:
    request = parse_query([("Action", "RunInstances"), ("UserData", "QUFB" * 50000)])
    assert len(request.kwargs["user_data"]) == 200000


def test_limits_are_configurable() -> None:
    limits = QueryLimits(max_parameters=2, max_key_dots=1, max_value_bytes=3)
    parse_query([("Action", "Run"), ("A.b", "xyz")], limits)
    for params in (
        [("Action", "Run"), ("A", "1"), ("B", "2")],
        [("Action", "Run"), ("A.b.c", "1")],
        [("Action", "Run"), ("A", "wxyz")],
    ):
        with pytest.raises(RequestTooLarge):
            parse_query(params, limits)


def test_limits_are_checked_before_anything_else() -> None:
    with pytest.raises(RequestTooLarge):
        parse_query([("image_id", "badone"), ("A.b.c.d.e.f.g.h.i.j", "x")])


# --- render_response -------------------------------------------------------------------------


@dataclass
class Placement:
    availability_zone: str


def parse(body: bytes) -> ET.Element:
    return ET.fromstring(body)


def test_render_response_reservation() -> None:
    launched = datetime.datetime(2013, 4, 4, 10, 0, 1, 234567)
    result = {
        "reservationId": "r-ab12cd34",
        "ownerId": "proj",
        "groupSet": [{"groupId": "default"}],
        "instancesSet": [
            {
                "instanceId": "i-00000001",
                "instanceState": {"code": 0, "name": "pending"},
                "productCodesSet": None,
                "launchTime": launched,
                "amiLaunchIndex": 0,
                "placement": Placement("nova"),
                "block_device_mapping": [],
            },
            {"instance_id": "i-00000002", "ebs_optimized": False, "source_dest_check": True},
        ],
    }
    body = render_response("RunInstances", "2012-08-15", "req-1", result)
    assert body.startswith(b'<?xml version="1.0" ?><RunInstancesResponse xmlns=')
    root = parse(body)
    assert root.tag == f"{NS}RunInstancesResponse"
    assert [child.tag for child in root] == [
        f"{NS}requestId",
        f"{NS}reservationId",
        f"{NS}ownerId",
        f"{NS}groupSet",
        f"{NS}instancesSet",
    ]
    assert root.findtext(f"{NS}requestId") == "req-1"
    assert root.findtext(f"{NS}groupSet/{NS}item/{NS}groupId") == "default"
    first, second = root.findall(f"{NS}instancesSet/{NS}item")
    assert first.findtext(f"{NS}instanceState/{NS}code") == "0"
    assert first.findtext(f"{NS}instanceState/{NS}name") == "pending"
    empty = first.find(f"{NS}productCodesSet")
    assert empty is not None
    assert (empty.text, len(empty)) == (None, 0)
    assert first.findtext(f"{NS}launchTime") == "2013-04-04T10:00:01.234Z"
    assert first.findtext(f"{NS}amiLaunchIndex") == "0"
    assert first.findtext(f"{NS}placement/{NS}availabilityZone") == "nova"
    assert first.find(f"{NS}blockDeviceMapping") is not None
    assert second.findtext(f"{NS}instanceId") == "i-00000002"
    assert second.findtext(f"{NS}ebsOptimized") == "false"
    assert second.findtext(f"{NS}sourceDestCheck") == "true"


def test_render_response_true_is_return_true() -> None:
    root = parse(render_response("DeleteKeyPair", "2012-08-15", "req-2", True))
    assert root.tag == f"{NS}DeleteKeyPairResponse"
    assert [(child.tag, child.text) for child in root] == [
        (f"{NS}requestId", "req-2"),
        (f"{NS}return", "true"),
    ]


def test_render_response_uses_the_request_version() -> None:
    root = parse(render_response("RunInstances", "2010-08-31", "req-3", {}))
    assert root.tag == "{http://ec2.amazonaws.com/doc/2010-08-31/}RunInstancesResponse"


def test_render_response_is_deterministic() -> None:
    result = {"b": 1, "a": [1, 2], "c": {"z": None, "y": "x"}}
    first = render_response("X", "v", "req-4", result)
    assert first == render_response("X", "v", "req-4", dict(result))
    assert first == (
        b'<?xml version="1.0" ?><XResponse xmlns="http://ec2.amazonaws.com/doc/v/">'
        b"<requestId>req-4</requestId><b>1</b><a><item>1</item><item>2</item></a>"
        b"<c><z/><y>x</y></c></XResponse>"
    )


def test_render_response_escapes_and_sanitizes_text() -> None:
    body = render_response("X", "v", "req-5", {"keyName": "<&>\"' \x01\x1f\t"})
    assert parse(body).findtext(f"{NS_V}keyName") == "<&>\"' \ufffd\ufffd\t"


@pytest.mark.parametrize(
    "result",
    [
        {"keyName": "cl\u00e9"},
        {"instancesSet": [{"groupSet": [{"groupId": "caf\u00e9"}]}]},
        {"x": "\ud800"},
    ],
)
def test_render_response_refuses_text_beyond_ascii_as_python_2s_str_did(
    result: dict[str, Any],
) -> None:
    """``_render_data``'s ``str(data)`` of a unicode value beyond ASCII (``apirequest.py:135``
    at 2013.1.5): UnicodeEncodeError, asked before any byte is written."""
    with pytest.raises(UnicodeEncodeError) as refused:
        renderable(result)
    assert refused.value.reason == "ordinal not in range(128)"
    with pytest.raises(UnicodeEncodeError):
        render_response("X", "v", "req-7", result)


@pytest.mark.parametrize(
    ("key", "minidom", "lxml"),
    [
        ("arch_name", True, True),
        ("xml:lang", True, True),
        ("cl\u00e9", False, True),
        ("a b", True, False),
        ("1x", True, False),
        ("a:b", True, False),
        ("", True, False),
        ("a\u00d7b", False, False),
    ],
)
def test_a_result_key_is_an_element_name(key: str, minidom: bool, lxml: bool) -> None:
    """A key becomes an element as it is (``createElement`` checks nothing): Folsom's and
    Grizzly's ``str(result)`` refused a document beyond ASCII, Havana's re-parse one whose
    element name is no XML name or names an unbound prefix; both escaped to FaultWrapper."""
    result = {"imagesSet": [{"architecture": {key: "1"}}]}
    for style, renders in ((XmlStyle.MINIDOM, minidom), (XmlStyle.LXML_PRETTY, lxml)):
        if renders:
            assert renderable(result, style) is result
        else:
            with pytest.raises(ServerFault):
                renderable(result, style)


def test_a_result_key_that_is_no_text_fails_as_nova_s_xmlcase_did() -> None:
    with pytest.raises(AttributeError, match="'int' object has no attribute 'split'"):
        renderable({"x": [{5: "y"}]})


@pytest.mark.parametrize("result", [["not", "a", "mapping"], None, 0, 1, 1.0, 2, False, "text"])
def test_render_response_refuses_a_result_without_keys(result: object) -> None:
    """``_render_dict`` asked the result for ``keys()``: only ``True`` itself was answered
    before (``response_data is True``, ``apirequest.py:91@2013.1.5``), so ``1`` fails too."""
    with pytest.raises(AttributeError) as refused:
        render_response("X", "v", "req-6", result)
    assert str(refused.value) == f"'{type(result).__name__}' object has no attribute 'keys'"


# --- render_error and error_document ---------------------------------------------------------


def test_render_error_exact_bytes() -> None:
    assert render_error("SnapshotNotFound", "Snapshot snap-000000ff could not be found.", "r") == (
        b'<?xml version="1.0"?>\n<Response><Errors><Error><Code>SnapshotNotFound</Code>'
        b"<Message>Snapshot snap-000000ff could not be found.</Message></Error></Errors>"
        b"<RequestID>r</RequestID></Response>"
    )


def test_render_error_escapes_all_five_characters() -> None:
    assert render_error("A&B", "x < y > z \"q\" 'a'", "req-<1>") == (
        b'<?xml version="1.0"?>\n<Response><Errors><Error><Code>A&amp;B</Code>'
        b"<Message>x &lt; y &gt; z &quot;q&quot; &apos;a&apos;</Message></Error></Errors>"
        b"<RequestID>req-&lt;1&gt;</RequestID></Response>"
    )


def test_render_error_encodes_utf8_and_replaces_forbidden_characters() -> None:
    body = render_error("C", "caf\u00e9 \x00\x08\x0b\x0c\x1b\ufffe\uffff\udc80 \t\n", "r")
    assert "caf\u00e9 \ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd \t\n".encode() in body
    assert parse(body).findtext("Errors/Error/Message") is not None


def xml_read_back(text: str) -> str:
    """What a conforming parser reads: forbidden characters replaced, line ends normalised."""
    return FORBIDDEN_IN_XML.sub("\ufffd", text).replace("\r\n", "\n").replace("\r", "\n")


@given(
    code=st.text(st.characters(exclude_categories=())),
    message=st.text(st.characters(exclude_categories=())),
    request_id=st.text(st.characters(exclude_categories=())),
)
def test_render_error_always_parses_and_round_trips(
    code: str, message: str, request_id: str
) -> None:
    root = parse(render_error(code, message, request_id))
    assert root.tag == "Response"
    assert (root.findtext("Errors/Error/Code") or "") == xml_read_back(code)
    assert (root.findtext("Errors/Error/Message") or "") == xml_read_back(message)
    assert (root.findtext("RequestID") or "") == xml_read_back(request_id)


@given(text=st.text(st.characters(exclude_categories=())))
def test_render_response_always_parses(text: str) -> None:
    """Any request id parses back; a value too, unless it is beyond ASCII, which Nova could
    not render (``str()`` of unicode in Python 2)."""
    if not text.isascii():
        with pytest.raises(UnicodeEncodeError):
            render_response("X", "v", text, {"keyName": text})
    value = text.encode("ascii", "replace").decode()
    root = parse(render_response("X", "v", text, {"keyName": value}))
    assert (root[0].text or "") == xml_read_back(text)
    assert (root[1].text or "") == xml_read_back(value)


@pytest.mark.parametrize(
    ("exc", "status", "code", "message"),
    [
        (SnapshotNotFound(snapshot_id=255), 400, "SnapshotNotFound", "snap-000000ff"),
        (MissingParameter(name="Action"), 400, "MissingParameter", "parameter Action"),
        (RequestTooLarge(err="too big"), 400, "RequestTooLarge", "too big"),
        (AuthFailure(), 401, "AuthFailure", "credentials"),
        (ValueError("boom"), 400, "UnknownError", "An unknown error has occurred."),
        (KeyboardInterrupt(), 400, "UnknownError", "An unknown error has occurred."),
    ],
)
def test_error_document(exc: BaseException, status: int, code: str, message: str) -> None:
    actual_status, body = error_document(exc, "req-7")
    assert actual_status == status
    root = parse(body)
    assert root.findtext("Errors/Error/Code") == code
    assert message in (root.findtext("Errors/Error/Message") or "")
    assert root.findtext("RequestID") == "req-7"


class BrokenMessage(InvalidParameterValue):
    def __str__(self) -> str:
        raise RuntimeError("cannot describe myself")


def test_error_document_never_raises() -> None:
    status, body = error_document(BrokenMessage(err="x"), "req-8")
    assert status == 400
    assert parse(body).findtext("Errors/Error/Code") == "UnknownError"


def test_new_request_id() -> None:
    first, second = new_request_id(), new_request_id()
    pattern = r"req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    assert re.fullmatch(pattern, first)
    assert first != second


def test_each_answer_of_a_service_has_its_own_request_id() -> None:
    service = EC2Service(Simulator.from_seed())
    ids = {
        service.handle([("Action", "RunInstances"), ("ImageId", "x")]).request_id
        for _ in range(500)
    }
    assert len(ids) == 500
    assert all(re.fullmatch(r"req-[0-9a-f-]{36}", request_id) for request_id in ids)


def test_a_forked_child_does_not_repeat_its_parent_s_request_ids() -> None:
    service = EC2Service(Simulator.from_seed())
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next id, through the pipe
        os.write(write, service.handle([("Action", "Nothing")]).request_id.encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as pipe:
        child = pipe.read()
    assert child.startswith("req-")
    assert child != service.handle([("Action", "Nothing")]).request_id


def test_the_namespace_is_written_as_python_2s_minidom_wrote_an_attribute() -> None:
    """``setAttribute('xmlns', ...)`` then ``toxml()`` (``apirequest.py:86-98@2013.1.5``):
    Python 2.7's minidom escaped ``&``, ``<``, ``"`` and ``>`` only, so a tab, line feed or
    carriage return in ``Version`` is written as it is."""
    body = render_response("A", 'a\nb\tc\rd"<&>', "r", {})
    assert body.startswith(
        b'<?xml version="1.0" ?><AResponse xmlns="http://ec2.amazonaws.com/doc/'
        b'a\nb\tc\rd&quot;&lt;&amp;&gt;/">'
    )


def test_a_name_missing_from_inserted_is_still_walked() -> None:
    """Names ``inserted`` lacks are taken as inserted after it, never dropped."""
    items = [("MinCount", "2"), ("KeyName", "k"), ("keyName", "j")]
    walked = dict_from_dotted_str(items, inserted=["Action"])
    assert walked == dict_from_dotted_str(items, inserted=["Action", *(n for n, _ in items)])
    assert walked["min_count"] == 2
