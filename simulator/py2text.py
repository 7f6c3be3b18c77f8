"""Python 2 text of a value: what Nova wrote when it put a non-string value into text.

Nova ran on Python 2 and wrote values into text where a client sees them: exception
messages (``NovaException.__init__``'s ``msg_fmt % kwargs``, ``nova/exception.py``; the
Folsom Executor's ``unicode(ex)``) and the XML answer (``APIRequest._render_data``'s
``str(data)``, ``nova/api/ec2/apirequest.py``). A query value reaches both unchanged, so a
float, a list of ids or a dict is written the way Python 2 wrote it, which is not Python
3's: a float keeps 12 significant digits (``3.14159265359``), a list shows each query text
as unicode (``[u'i-00000001']``) and each integer beyond a C long as a long (``1L``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from simulator.py2dict import iteration_order

_STR_DIGITS = 12
"""``PyFloat_STR_PRECISION``: the significant digits of Python 2's ``str(float)``."""
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1
"""A C long on the 64-bit Linux hosts Nova ran on: ``int(text)`` beyond it was a long."""
BYTE_STRING_NAMES: ContextVar[bool | None] = ContextVar("byte_string_names", default=None)
"""True while a request of a release whose webob left parameter names byte strings (Folsom's
1.0.8) runs: the keys of a dict made of dotted names are written without ``u``
(``{'a': u'm1.tiny'}``), its values as the unicode they were."""
_CONVERSION = re.compile(r"%(?:\((?P<key>[^)]*)\)[#0 +-]*(?:\d+)?(?:\.\d+)?(?P<type>[a-zA-Z])|%)")


def py2_str(value: Any, *, native_strings: bool = False) -> str:
    """``unicode(value)`` in Python 2, as ``'%s' % value`` and ``str(value)`` wrote it.

    Texts inside a list or dict are written as their ``repr``: a query value was unicode
    (webob decoded it), so ``u'...'`` with Python 2's escapes; ``native_strings`` writes
    them as byte strings, ``'...'``, for Nova's own constants (task states). A dict's items
    follow Python 2's hash order for the order they were inserted
    (:func:`~simulator.py2dict.iteration_order`), and its keys are byte strings where
    :data:`BYTE_STRING_NAMES` says so.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return _float_str(value)
    if isinstance(value, list | dict):
        return _repr(value, native_strings)
    if type(value) is int:
        return int_text(value)
    return str(value)


def int_text(value: int) -> str:
    """An integer's decimal digits, as Python 2 wrote a long of any length: Python 3.11
    refuses ``str()`` of one beyond ``sys.get_int_max_str_digits()`` (4,300 digits), which
    a hexadecimal query value reaches, so such a one is written a thousand digits at a
    time."""
    try:
        return str(value)
    except ValueError:
        high, low = divmod(abs(value), _CHUNK)
        sign = "-" if value < 0 else ""
        return f"{sign}{int_text(high)}{str(low).zfill(_CHUNK_DIGITS)}"


_CHUNK_DIGITS = 1000
_CHUNK = 10**_CHUNK_DIGITS


def _float_str(number: float) -> str:
    """Python 2's ``float_str``: ``'%.12g'``, ``.0`` added to a whole number, and the
    exponent form from 12 integer digits on (``1.23456789012e+11``), where ``'%.12g'``
    switches only at 13, to leave room for the ``.0``."""
    if number.is_integer() and _SMALL_INTEGER_LOW <= abs(number) < _SMALL_INTEGER_HIGH:
        kept = _half_even_kept(int(abs(number)))
        if kept is not None:
            sign = "-" if number < 0 else ""
            return f"{sign}{kept[0]}.{kept[1:_STR_DIGITS]}e+{len(kept) - 1:02d}"
    text = f"{number:.{_STR_DIGITS}g}"
    digits = text.lstrip("-")
    if not digits.isdigit():
        return text
    if len(digits) < _STR_DIGITS:
        return text + ".0"
    mantissa, exponent = f"{number:.{_STR_DIGITS - 1}e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{exponent}"


_SMALL_INTEGER_LOW, _SMALL_INTEGER_HIGH = 1e12, 1e15
"""Whole numbers Python 2.7's ``dtoa`` rounded on its small-integer path (at most 15
digits) and, beyond 12, could round to 12 digits there."""


def _half_even_kept(whole: int) -> str | None:
    """The digits of ``whole`` when Python 2.7's small-integer path rounded it down on an
    exact half (the 12th digit even, the rest ``5`` then zeros): that path returned all 12
    digits, trailing zeros kept (``1000000000005.0`` was ``1.00000000000e+12``; Python 3
    writes ``1e+12``); None otherwise."""
    digits = str(whole)
    rest = digits[_STR_DIGITS:]
    if rest[:1] != "5" or rest.strip("0") != "5" or int(digits[_STR_DIGITS - 1]) % 2:
        return None
    return digits


def _repr(value: Any, native_strings: bool) -> str:
    """Python 2's ``repr``, which a list or dict applies to its items."""
    if isinstance(value, str):
        # Python 2's unicode repr escapes what Python 3's ascii() escapes, the same way.
        return ascii(value) if native_strings else "u" + ascii(value)
    if isinstance(value, list):
        return "[" + ", ".join(_repr(item, native_strings) for item in value) + "]"
    if isinstance(value, dict):
        native_keys = native_strings or BYTE_STRING_NAMES.get() is True
        items = (
            f"{_repr(key, native_keys)}: {_repr(value[key], native_strings)}"
            for key in iteration_order(value)
        )
        return "{" + ", ".join(items) + "}"
    if type(value) is int and not _LONG_MIN <= value <= _LONG_MAX:
        return f"{int_text(value)}L"
    return repr(value)


def py2_format(template: str, kwargs: Mapping[str, Any]) -> str:
    """``template % kwargs`` as Python 2 did it: each ``%(name)s`` takes :func:`py2_str` of
    its value; the numeric conversions (``%(length)d``) read numbers alike in both.

    Raises what the ``%`` operator raises (KeyError for a name ``kwargs`` lacks, ...).
    """
    texts = _text_keys(template)
    if not texts:
        return template % kwargs
    return template % {
        key: py2_str(value) if key in texts else value for key, value in kwargs.items()
    }


@functools.lru_cache(maxsize=256)
def _text_keys(template: str) -> frozenset[str]:
    """The names a template converts with ``%s``; templates are the exceptions' few
    constants, so each is read once."""
    return frozenset(
        match["key"]
        for match in _CONVERSION.finditer(template)
        if match["type"] == "s" and match["key"] is not None
    )
