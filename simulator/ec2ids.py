"""EC2 id <-> integer conversions and uuid text, as Nova's ``ec2utils`` does them: no store.

EC2 ids carry the mapping row's integer id in **hexadecimal** after the last dash
(``snap-0000000a`` is row 10). Everything here is arithmetic on the id itself, so the query
parser and the seed reader use it without a store; the conversions that look rows up
(uuid <-> row) are in :mod:`simulator.id_mappings`.
"""

from __future__ import annotations

import re
from typing import Any

from simulator.errors import InvalidEc2Id
from simulator.id_prefixes import EC2_ID_PREFIXES, ec2_id_template
from simulator.limits import ShortTextMemo
from simulator.py2unicode import decimal_text

_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
_LONG_SUFFIX = re.compile(r"(?P<number>.*[0-9A-Za-z])[lL](?P<space>\s*)\Z", re.DOTALL)
_MACHINE_IMAGE = EC2_ID_PREFIXES["s3_images"]
_SPACED_SIGN = re.compile(r"(?P<sign>\s*[+-])\s+", re.ASCII)
"""A sign and the spaces after it: the C locale's (``Py_ISSPACE``), as a byte string's
``int()`` skipped them; unicode text has its other spaces made ASCII ones first."""
_SEPARATORS_AS_SPACES = str.maketrans(dict.fromkeys("\x1c\x1d\x1e\x1f", " "))
"""The information separators U+001C to U+001F: spaces to Python 2's unicode ``int()`` and
``float()`` (``PyUnicode_EncodeDecimal`` made every Unicode space a space), not to Python 3's,
which reads only the C locale's ASCII spaces and the non-ASCII ones."""
_INSTANCE_TEMPLATE = ec2_id_template(EC2_ID_PREFIXES["instances"])


def py2_int(text: str, base: int) -> int:
    """``int(text, base)`` as Nova's Python 2 parsed unicode text: :func:`py2_bytes_int`'s
    reading, and the information separators around the number are spaces too (``u'\\x1c2'``
    is 2).

    Text beyond ASCII is read with Python 2's Unicode 5.2 digits and spaces
    (:func:`~simulator.py2unicode.decimal_text`). The separators are looked for only once
    the byte-string reading has refused the text, so a number pays nothing for them.
    """
    text = decimal_text(text)
    try:
        return _strtol(text, base)
    except ValueError:
        spaced = text.translate(_SEPARATORS_AS_SPACES)
        if spaced == text:
            raise
        return _strtol(spaced, base)


def py2_bytes_int(text: str, base: int) -> int:
    """``int(str(text), base)`` as Python 2 read it (``utils.validate_integer``): ``str()``
    of unicode beyond ASCII is UnicodeEncodeError, a ValueError, and a byte string has
    neither Unicode's digits nor its spaces: only the C locale's ASCII spaces surround the
    number (``u'\\x1c2'`` and ``u'\\xa05'`` are refused, where unicode ``int()`` read 2 and
    5)."""
    if not text.isascii():
        text.encode("ascii")
    return _strtol(text, base)


def _strtol(text: str, base: int) -> int:
    """Python 2's ``int()`` of ASCII text: ``_`` digit separators are refused, whitespace
    between the sign and the digits is accepted (``'- 5'`` is -5).

    Python 2's ``PyOS_strtoul`` skipped whitespace again after ``PyOS_strtol`` took the
    sign; Python 3 reads the sign and the digits as one token. Surrounding whitespace and a
    ``0x``/``0b``/``0o`` prefix matching the base are accepted by both versions. The
    whitespace after the sign is looked for only once Python 3 has refused the text.
    """
    if "_" in text:
        raise ValueError(f"invalid literal for int() with base {base}: {text!r}")
    try:
        return int(text, base)
    except ValueError:
        spaced_sign = _SPACED_SIGN.match(text)
        if spaced_sign is None:
            raise
        return int(spaced_sign["sign"] + text[spaced_sign.end() :], base)


def py2_long(text: str, base: int) -> int:
    """``long(text, base)`` as Python 2 read unicode text: :func:`py2_int`'s reading, and one
    ``L`` (or ``l``) may follow the last digit (``u'ffL'`` is 255), as in a long's repr."""
    try:
        return py2_int(text, base)
    except ValueError:
        suffixed = _LONG_SUFFIX.match(decimal_text(text))
        if suffixed is None:
            raise
        return py2_int(suffixed["number"] + suffixed["space"], base)


def py2_float(text: str) -> float:
    """``float(text)`` as Nova's Python 2 read unicode text: no ``_`` digit separators, the
    information separators read as spaces, Unicode 5.2's digits and spaces beyond ASCII."""
    text = decimal_text(text)
    if "_" in text:
        raise ValueError(f"could not convert string to float: {text!r}")
    try:
        return float(text)
    except ValueError:
        spaced = text.translate(_SEPARATORS_AS_SPACES)
        if spaced == text:
            raise
        return float(spaced)


def python2_int(value: Any) -> int:
    """Python 2's ``int(value)``: text read as :func:`py2_int` reads it in base 10 (no ``_``
    separators, a space allowed after the sign), anything else as ``int()`` reads it."""
    return py2_int(value, 10) if isinstance(value, str) else int(value)


def ec2_id_to_id(ec2_id: str) -> int:
    """``int(ec2_id.split('-')[-1], 16)``; the prefix is ignored, as in Nova.

    A non-string raises AttributeError, as Nova's did. A launch converts the same few ids
    (its image, kernel, ramdisk, snapshots) again and again, so a short string's number is
    computed once.
    """
    if type(ec2_id) is str:
        return _number_of(ec2_id)
    return _parsed(ec2_id)


def _parsed(ec2_id: str) -> int:
    try:
        return py2_int(ec2_id.split("-")[-1], 16)
    except ValueError:
        raise InvalidEc2Id(ec2_id=ec2_id) from None


_number_of = ShortTextMemo(_parsed)


def id_to_ec2_id(instance_id: Any, template: str = _INSTANCE_TEMPLATE) -> str:
    """``template % int(instance_id)``, text read as Python 2 read it (``u'1_0'`` is no
    number: an image mapping's ``snapshot_id`` of ``1_0`` fails the answer showing it). An
    int, what a mapping row's id always is, is formatted as it is (``int()`` of one is
    itself), without the call: every id a launch answers with comes here."""
    if type(instance_id) is int:
        return template % instance_id
    return template % python2_int(instance_id)


def image_type(container_format: Any) -> str:
    """The EC2 prefix for a Glance container format (kernel -> aki, ramdisk -> ari, else ami)."""
    if container_format in ("kernel", "aki"):
        return EC2_ID_PREFIXES["kernels"]
    if container_format in ("ramdisk", "ari"):
        return EC2_ID_PREFIXES["ramdisks"]
    return _MACHINE_IMAGE


def image_ec2_id(image_id: Any, image_type_prefix: str = _MACHINE_IMAGE) -> str:
    """The EC2 id of an s3 image id; one that is no integer reads as image 0, as in Nova.
    The three image prefixes' templates are written once (:data:`IMAGE_TEMPLATES`), as a
    launch answers with its image's, kernel's and ramdisk's ids."""
    template = IMAGE_TEMPLATES.get(image_type_prefix)
    try:
        return id_to_ec2_id(
            image_id, ec2_id_template(image_type_prefix) if template is None else template
        )
    except ValueError:
        return id_to_ec2_id(0, ec2_id_template(_MACHINE_IMAGE))


IMAGE_TEMPLATES = {
    prefix: ec2_id_template(prefix)
    for prefix in (EC2_ID_PREFIXES[kind] for kind in ("s3_images", "kernels", "ramdisks"))
}
""":func:`~simulator.id_prefixes.ec2_id_template` of each image prefix."""


_UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


def uuid4_text(random_bits: int) -> str:
    """``str(uuid.UUID(int=random_bits, version=4))``, built directly at a third of the cost
    (request ids and instance uuids are made for every launch)."""
    digits = "%032x" % (random_bits & _UUID4_CLEAR | _UUID4_SET)
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def is_uuid_like(value: Any) -> bool:
    """``uuidutils.is_uuid_like`` (Grizzly on): ``str(uuid.UUID(val)) == val``, so only the
    canonical form, lower case with its four hyphens, is a uuid; any other text is read as
    the integer id it is not (``'snap-%08x' % int(val)``, ValueError)."""
    return isinstance(value, str) and _canonical_uuid(value)


def _matches_canonical_uuid(text: str) -> bool:
    return _CANONICAL_UUID.match(text) is not None


_canonical_uuid = ShortTextMemo(_matches_canonical_uuid)
"""Whether a text is a canonical uuid, remembered: an answer's volume and snapshot uuids
are asked about for every instance shown, and the pattern's match was some 1,800
instructions each, the memo's lookup a tenth of that."""


def parses_as_uuid(value: Any) -> bool:
    """Folsom's ``utils.is_uuid_like``: whatever Python 2's ``uuid.UUID(val)`` reads is a
    uuid (``{...}``, ``urn:uuid:...``, no hyphens, capitals, 32 digits after a ``0x``), and
    its mapping row is made for the text as written: ``UUID`` dropped ``urn:``, ``uuid:``,
    the braces and every hyphen, and read the 32 characters left with ``long(hex, 16)``."""
    if not isinstance(value, str):
        return False
    digits = value.replace("urn:", "").replace("uuid:", "").strip("{}").replace("-", "")
    if len(digits) != 32:
        return False
    try:
        py2_long(digits, 16)
    except ValueError:
        return False
    return True
