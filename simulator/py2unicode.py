"""Python 2.7's Unicode 5.2 character classes, where Nova read a client's text with them.

Nova's Python 2.7 classified characters by the Unicode 5.2 database; launch-sim's Python
reads a later one (Unicode 14 in 3.11), in which 259 characters became decimal digits (the
Sinhala Lith digits U+0DE6..U+0DEF, Javanese U+A9F0..U+A9F9 and 23 blocks beyond U+FFFF),
U+19DA stopped being the digit 1 and U+180E stopped being a space. A query value reaches
three readings that depend on it: ``int()`` and ``float()`` of unicode
(``PyUnicode_EncodeDecimal``: every decimal digit to its ASCII digit, every space to a space,
anything else refused), ``isdigit()`` of a parameter name's part (``APIRequest.invoke``'s
list-making step) and ``strip()`` (``strutils.bool_from_string``). A parameter name is
lowered with it too (``camelcase_to_underscore``): 404 capitals have a small letter in
Unicode 14 that they did not have in 5.2 (Cherokee, Georgian Mtavruli, Osage...).

The tables below are those classes of CPython 2.7.18 beyond ASCII (``unicodedata.decimal``,
``unicode.isdigit``, ``unicode.isspace``); ASCII text is read by Python 3 alike and never
looked up here.
"""

from __future__ import annotations

import bisect

_DECIMAL_RUNS = (
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66,
    0x0CE6, 0x0D66, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946,
    0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900,
    0xA9D0, 0xAA50, 0xABF0, 0xFF10, 0x104A0,
    0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6,
)  # fmt: skip
"""The first code point (the digit zero) of each run of ten decimal digits."""
_DECIMAL_EXTRA = {0x19DA: "1"}
"""NEW TAI LUE THAM DIGIT ONE, a decimal digit in Unicode 5.2 only."""
_SPACES = frozenset(
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u180e\u2028\u2029\u202f\u205f\u3000"
    + "".join(map(chr, range(0x2000, 0x200B)))
)
"""Every character ``unicode.isspace()`` took, ASCII included."""
_SPACE_TEXT = "".join(sorted(_SPACES))
_DIGIT_RANGES = (
    (0x00B2, 0x00B3), (0x00B9, 0x00B9), (0x0660, 0x0669), (0x06F0, 0x06F9),
    (0x07C0, 0x07C9), (0x0966, 0x096F), (0x09E6, 0x09EF), (0x0A66, 0x0A6F),
    (0x0AE6, 0x0AEF), (0x0B66, 0x0B6F), (0x0BE6, 0x0BEF), (0x0C66, 0x0C6F),
    (0x0CE6, 0x0CEF), (0x0D66, 0x0D6F), (0x0E50, 0x0E59), (0x0ED0, 0x0ED9),
    (0x0F20, 0x0F29), (0x1040, 0x1049), (0x1090, 0x1099), (0x1369, 0x1371),
    (0x17E0, 0x17E9), (0x1810, 0x1819), (0x1946, 0x194F), (0x19D0, 0x19DA),
    (0x1A80, 0x1A89), (0x1A90, 0x1A99), (0x1B50, 0x1B59), (0x1BB0, 0x1BB9),
    (0x1C40, 0x1C49), (0x1C50, 0x1C59), (0x2070, 0x2070), (0x2074, 0x2079),
    (0x2080, 0x2089), (0x2460, 0x2468), (0x2474, 0x247C), (0x2488, 0x2490),
    (0x24EA, 0x24EA), (0x24F5, 0x24FD), (0x24FF, 0x24FF), (0x2776, 0x277E),
    (0x2780, 0x2788), (0x278A, 0x2792), (0xA620, 0xA629), (0xA8D0, 0xA8D9),
    (0xA900, 0xA909), (0xA9D0, 0xA9D9), (0xAA50, 0xAA59), (0xABF0, 0xABF9),
    (0xFF10, 0xFF19), (0x104A0, 0x104A9), (0x10A40, 0x10A43), (0x10E60, 0x10E68),
    (0x1D7CE, 0x1D7FF), (0x1F100, 0x1F10A),
)  # fmt: skip
"""The ranges (first, last) of the characters ``unicode.isdigit()`` took beyond ASCII."""
_DIGIT_STARTS = tuple(first for first, _ in _DIGIT_RANGES)
_UNLOWERED_RANGES = (
    (0x037F, 0x037F), (0x0526, 0x0526), (0x0528, 0x0528), (0x052A, 0x052A),
    (0x052C, 0x052C), (0x052E, 0x052E), (0x10C7, 0x10C7), (0x10CD, 0x10CD),
    (0x13A0, 0x13F5), (0x1C90, 0x1CBA), (0x1CBD, 0x1CBF), (0x2C2F, 0x2C2F),
    (0x2CF2, 0x2CF2), (0xA660, 0xA660), (0xA698, 0xA698), (0xA69A, 0xA69A),
    (0xA78D, 0xA78D), (0xA790, 0xA790), (0xA792, 0xA792), (0xA796, 0xA796),
    (0xA798, 0xA798), (0xA79A, 0xA79A), (0xA79C, 0xA79C), (0xA79E, 0xA79E),
    (0xA7A0, 0xA7A0), (0xA7A2, 0xA7A2), (0xA7A4, 0xA7A4), (0xA7A6, 0xA7A6),
    (0xA7A8, 0xA7A8), (0xA7AA, 0xA7AE), (0xA7B0, 0xA7B4), (0xA7B6, 0xA7B6),
    (0xA7B8, 0xA7B8), (0xA7BA, 0xA7BA), (0xA7BC, 0xA7BC), (0xA7BE, 0xA7BE),
    (0xA7C0, 0xA7C0), (0xA7C2, 0xA7C2), (0xA7C4, 0xA7C7), (0xA7C9, 0xA7C9),
    (0xA7D0, 0xA7D0), (0xA7D6, 0xA7D6), (0xA7D8, 0xA7D8), (0xA7F5, 0xA7F5),
    (0x104B0, 0x104D3), (0x10570, 0x1057A), (0x1057C, 0x1058A), (0x1058C, 0x10592),
    (0x10594, 0x10595), (0x10C80, 0x10CB2), (0x118A0, 0x118BF), (0x16E40, 0x16E5F),
    (0x1E900, 0x1E921),
)  # fmt: skip
"""The ranges of the characters Python 3.11 lowers and ``unicode.lower()`` of Python 2.7
kept as they were (no lower case in Unicode 5.2)."""
_PY2_LOWER = {
    "\u0130": "i",
    **{
        chr(code): chr(code) for first, last in _UNLOWERED_RANGES for code in range(first, last + 1)
    },
}
"""Each character Python 2 lowered otherwise than Python 3.11: those of
:data:`_UNLOWERED_RANGES` to themselves, ``İ`` to ``i`` (its simple mapping; Python 3 writes
the full one, ``i̇``)."""


def decimal_text(text: str) -> str:
    """``text`` as ``int()`` and ``float()`` of Python 2 unicode read it
    (``PyUnicode_EncodeDecimal``): each Unicode 5.2 space as a space and each decimal digit
    as its ASCII digit; the other characters up to U+00FF are kept (and refused by the
    number's parser, ValueError), any other, NUL included, raises UnicodeEncodeError as
    Python 2 did, which Havana's Executor names. ASCII text without NUL is returned as it
    is."""
    if text.isascii() and "\x00" not in text:
        return text
    return "".join(_decimal_char(text, at) for at in range(len(text)))


def _decimal_char(text: str, at: int) -> str:
    char = text[at]
    if char in _SPACES:
        return " "
    if "\x00" < char < "\u0100":
        return char
    code = ord(char)
    if code in _DECIMAL_EXTRA:
        return _DECIMAL_EXTRA[code]
    run = bisect.bisect_right(_DECIMAL_RUNS, code) - 1
    if run >= 0 and code - _DECIMAL_RUNS[run] < 10:
        return str(code - _DECIMAL_RUNS[run])
    raise UnicodeEncodeError("decimal", text, at, at + 1, "invalid decimal Unicode string")


def isdigit(text: str) -> bool:
    """``unicode.isdigit()`` of Python 2: not empty, and every character a Unicode 5.2 digit."""
    if text.isascii():
        return text.isdigit()
    return all(map(_is_digit_char, text))


def _is_digit_char(char: str) -> bool:
    if char < "\x80":
        return "0" <= char <= "9"
    code = ord(char)
    index = bisect.bisect_right(_DIGIT_STARTS, code) - 1
    return index >= 0 and code <= _DIGIT_RANGES[index][1]


def strip(text: str) -> str:
    """``unicode.strip()`` of Python 2: the Unicode 5.2 spaces removed from both ends."""
    return text.strip(_SPACE_TEXT)


def lower(text: str) -> str:
    """``unicode.lower()`` of Python 2: one character at a time (no final sigma: a capital
    sigma is always the plain small one), with Unicode 5.2's case (:data:`_PY2_LOWER`)."""
    if text.isascii():
        return text.lower()
    return "".join([_PY2_LOWER.get(char) or char.lower() for char in text])
