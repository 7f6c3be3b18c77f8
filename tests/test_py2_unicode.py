"""Python 2.7's Unicode 5.2 digits and spaces, where Nova read a client's text.

Expected values are CPython 2.7.18's (``int(u'...')``, ``unicode.isdigit()``,
``unicode.strip()``) and, for whole requests, those of Nova's EC2 layer at each tag run
under it on the same requests.
"""

from __future__ import annotations

import pytest

from simulator import Simulator
from simulator.compute_bdm_v2 import bool_from_string
from simulator.ec2ids import py2_bytes_int, py2_float, py2_int
from simulator.ec2query import args_to_kwargs, convert_value
from simulator.py2unicode import decimal_text, isdigit, lower, strip
from simulator.service import EC2Service, Outcome

SINHALA_LITH_ONE = "\u0de7"
"""A decimal digit since Unicode 7.0: Python 3.11 reads it as 1, Python 2.7 as nothing."""
MONGOLIAN_VOWEL_SEPARATOR = "\u180e"
"""A space in Unicode 5.2, a format character since 6.3."""
TAI_LUE_THAM_ONE = "\u19da"
"""The decimal digit 1 in Unicode 5.2 only."""


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("\u0661\u0662", 12),
        (MONGOLIAN_VOWEL_SEPARATOR + "2", 2),
        ("2" + MONGOLIAN_VOWEL_SEPARATOR, 2),
        ("1" + TAI_LUE_THAM_ONE, 11),
        ("\uff11\uff10", 10),
        ("\u3000-\u0665", -5),
    ],
)
def test_int_reads_unicode_5_2_digits_and_spaces(text: str, number: int) -> None:
    assert py2_int(text, 10) == number
    assert py2_float(text) == number


@pytest.mark.parametrize("text", [SINHALA_LITH_ONE, "1" + SINHALA_LITH_ONE, "1\x00", "\ua9f1"])
def test_a_character_no_decimal_codec_takes_is_unicode_encode_error(text: str) -> None:
    """``PyUnicode_EncodeDecimal`` refused NUL and every character beyond U+00FF that is no
    Unicode 5.2 digit or space: UnicodeEncodeError, a ValueError, which Havana's Executor
    names."""
    with pytest.raises(UnicodeEncodeError):
        py2_int(text, 10)
    with pytest.raises(UnicodeEncodeError):
        decimal_text(text)


def test_other_characters_up_to_u00ff_reach_the_parser() -> None:
    """Latin-1 characters were kept as bytes, so ``int()`` refused them as a literal."""
    assert decimal_text("1\xe9") == "1\xe9"
    with pytest.raises(ValueError, match="invalid literal"):
        py2_int("1\xb2", 10)


@pytest.mark.parametrize(
    "text", ["\u0661\u0662", "\xa05", "\x1c2", "2\x1f", "5" + MONGOLIAN_VOWEL_SEPARATOR]
)
def test_a_byte_strings_int_reads_no_unicode_digit_or_space(text: str) -> None:
    """``int(str(value))`` (``utils.validate_integer``): ``str()`` of unicode beyond ASCII
    is UnicodeEncodeError, and a byte string's ``int()`` skips the C locale's spaces only,
    where unicode ``int()`` read each of these as a number."""
    assert isinstance(py2_int(text, 10), int)
    with pytest.raises(ValueError):
        py2_bytes_int(text, 10)


@pytest.mark.parametrize(("text", "number"), [(" 12\t", 12), ("- 5", -5), ("+\x0b7", 7), ("08", 8)])
def test_a_byte_strings_int_reads_the_ascii_spaces_and_a_spaced_sign(
    text: str, number: int
) -> None:
    assert py2_bytes_int(text, 10) == number


def test_a_value_is_converted_with_python_2s_digits() -> None:
    assert convert_value(MONGOLIAN_VOWEL_SEPARATOR + "010") == 10, (
        "the prefix is read first: base 10"
    )
    assert convert_value("1" + TAI_LUE_THAM_ONE) == 11
    assert convert_value(SINHALA_LITH_ONE) == SINHALA_LITH_ONE


@pytest.mark.parametrize(
    ("text", "digit"),
    [
        ("12", True),
        ("\xb2", True),
        ("\u0661", True),
        (TAI_LUE_THAM_ONE, True),
        (SINHALA_LITH_ONE, False),
        ("1" + SINHALA_LITH_ONE, False),
        ("", False),
        ("x", False),
    ],
)
def test_isdigit_is_python_2s(text: str, digit: bool) -> None:
    assert isdigit(text) is digit


def test_a_dict_of_digits_python_3_added_stays_a_dict() -> None:
    """``args[key].keys()[0].isdigit()`` was False for U+0DE7 in Nova's Python."""
    assert args_to_kwargs({"security_group": {SINHALA_LITH_ONE: "default"}}) == {
        "security_group": {SINHALA_LITH_ONE: "default"}
    }


def test_strip_and_bool_from_string_take_python_2s_spaces() -> None:
    assert strip(MONGOLIAN_VOWEL_SEPARATOR + "yes\u3000") == "yes"
    assert bool_from_string(MONGOLIAN_VOWEL_SEPARATOR + "true") is True


def launch(profile: str, *params: tuple[str, str]) -> Outcome:
    service = EC2Service(Simulator.from_seed(profile=profile))
    return service.handle([("Action", "RunInstances"), ("ImageId", "ami-00000001"), *params])


@pytest.mark.parametrize("profile", ["folsom", "grizzly", "havana"])
def test_a_count_after_a_mongolian_vowel_separator_launches(profile: str) -> None:
    outcome = launch(profile, ("MinCount", MONGOLIAN_VOWEL_SEPARATOR + "2"))
    assert outcome.status == 200
    assert len(outcome.instance_ids) == 2


def test_a_kernel_id_with_a_python_2_space_is_found() -> None:
    """``int(u'\\u180e00000002', 16)`` was 2 in Nova: the kernel ``aki-00000002``."""
    outcome = launch("grizzly", ("KernelId", "aki-" + MONGOLIAN_VOWEL_SEPARATOR + "00000002"))
    assert outcome.status == 200


@pytest.mark.parametrize(
    ("profile", "answered"),
    [
        ("grizzly", ("UnknownError", 400)),
        ("havana", ("UnicodeEncodeError", 500)),
    ],
)
def test_a_count_of_a_digit_python_3_added_fails_as_in_nova(
    profile: str, answered: tuple[str, int]
) -> None:
    """``int(u'\\u0de7')`` in ``run_instances``: UnicodeEncodeError, no create call."""
    outcome = launch(profile, ("MinCount", SINHALA_LITH_ONE))
    assert (outcome.error_code, outcome.status) == answered
    assert outcome.create_calls == []


@pytest.mark.parametrize(
    ("text", "lowered"),
    [
        ("ImageId", "imageid"),
        ("\u0130", "i"),
        ("\u03a3\u0391\u03a3", "\u03c3\u03b1\u03c3"),
        ("\u1c90\u10d1", "\u1c90\u10d1"),
        ("\u13a0\u13f5", "\u13a0\u13f5"),
        ("\ua7c4\ua7c8", "\ua7c4\ua7c8"),
        ("\U0001e900A", "\U0001e900a"),
        ("\u0410\u00c9", "\u0430\u00e9"),
    ],
    ids=["ascii", "dotted I", "final sigma", "Mtavruli", "Cherokee", "Latin ext-D", "Adlam", "old"],
)
def test_lower_is_python_2s(text: str, lowered: str) -> None:
    """``unicode.lower()`` of CPython 2.7.18 (each expected value is its answer): a capital
    Unicode 5.2 had no small letter for stays (Python 3.11 lowers every one of these),
    ``İ`` is ``i``, a final sigma the plain one."""
    assert lower(text) == lowered


def test_a_dotted_names_capital_keeps_its_unicode_5_2_case_in_the_message() -> None:
    """``InstanceType.\u13a0=x`` (CHEROKEE LETTER A): Nova's Python 2 left it as it was,
    so the dict's repr in the message shows it (Python 3.11 lowers it to U+AB70)."""
    outcome = launch("havana", ("InstanceType.\u13a0", "x"))
    assert outcome.error_code == "InstanceTypeNotFoundByName"
    assert "{u&apos;\\u13a0&apos;: u&apos;x&apos;}" in outcome.body.decode()
